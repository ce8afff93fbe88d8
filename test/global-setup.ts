// Builds the web application once before the tests, when any of its sources is newer
// than the build (the browser tests and the server's static routes use dist/web).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const newest = (dir: string): number =>
  Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((e) =>
      e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
    ),
  );

export async function setup(): Promise<void> {
  const built = 'dist/web/index.html';
  const sources = Math.max(
    newest('src/web'),
    newest('src/domain'),
    // The web app's screening CSV download is built by src/exchange/screening-csv.ts.
    newest('src/exchange'),
    statSync('vite.config.ts').mtimeMs,
    statSync('package-lock.json').mtimeMs,
  );
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  const { build } = await import('vite');
  await build({ configFile: 'vite.config.ts', logLevel: 'warn' });
}

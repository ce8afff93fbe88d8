// Validates the OpenAPI document the real server serves (built on an in-memory store,
// no network) with both validators the project holds it to, and fails on any error:
// swagger-cli (@apidevtools/swagger-parser: the OpenAPI 3.1 schema and $refs) and
// Redocly CLI with its recommended rules (redocly.yaml; telemetry off, so it runs offline).
//   npm run openapi:check        (part of npm test)
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from '../src/api/openapi-document.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string): string => join(root, 'node_modules', '.bin', name);
const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };

// Written inside the project (test-output/, not committed), where .redocly.lint-ignore.yaml names it.
const dir = join(root, 'test-output');
mkdirSync(dir, { recursive: true });
const file = join(dir, 'openapi.json');
let failed = false;
try {
  const doc = await openApiDocument();
  writeFileSync(file, JSON.stringify(doc, null, 1));
  const operations = Object.values(doc.paths as Record<string, object>).reduce((n, p) => n + Object.keys(p).length, 0);
  console.log(`openapi: ${doc.openapi as string}, ${operations} operations`);

  const swagger = spawnSync(bin('swagger-cli'), ['validate', file], { cwd: root, env, encoding: 'utf8' });
  const swaggerErrors = swagger.status === 0 ? 0 : (swagger.stderr.match(/^\s+#\//gm)?.length ?? 1);
  console.log(`swagger-cli validate: ${swaggerErrors} errors`);
  if (swagger.status !== 0) {
    failed = true;
    console.error(swagger.stderr || swagger.stdout);
  }

  const redocly = spawnSync(bin('redocly'), ['lint', file, '--format=json'], { cwd: root, env, encoding: 'utf8' });
  const report = JSON.parse(redocly.stdout || '{}') as {
    totals?: { errors: number; warnings: number };
    problems?: { ruleId: string; severity: string; message: string; location?: { pointer?: string }[] }[];
  };
  const totals = report.totals ?? { errors: Number.NaN, warnings: Number.NaN };
  console.log(`redocly lint (recommended): ${totals.errors} errors, ${totals.warnings} warnings`);
  for (const p of report.problems ?? [])
    console.error(`  ${p.severity} ${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer ?? '?'}`);
  if (redocly.status !== 0 || !(totals.errors === 0)) {
    failed = true;
    if (!report.totals) console.error(redocly.stderr);
  }
} finally {
  rmSync(file, { force: true });
}
process.exit(failed ? 1 : 0);

// Serves the analyst's web application, built by Vite into dist/web (npm run build;
// npm start builds it first). All data comes from the authenticated API; these files
// hold no data. Asset names carry a content hash, so they may be cached for good.
import type { FastifyInstance } from 'fastify';
import { existsSync, readFileSync, readdirSync } from 'node:fs';

const DIST = new URL('../../../dist/web/', import.meta.url);
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  woff2: 'font/woff2',
  json: 'application/json',
};

export async function registerWeb(app: FastifyInstance): Promise<void> {
  const built = existsSync(new URL('index.html', DIST));
  const index = built
    ? readFileSync(new URL('index.html', DIST))
    : Buffer.from(
        '<!doctype html><title>Chokepoint</title><p>The web application is not built. Run <code>npm run build</code> (or <code>npm start</code>, which builds it), then reload.</p>',
      );
  app.get('/', { config: { public: true, audit: false }, schema: { hide: true } }, async (_req, reply) =>
    reply
      .code(built ? 200 : 503)
      .header('content-type', TYPES.html!)
      .header('cache-control', 'no-cache')
      .send(index),
  );
  // Only the files the build wrote, read once: no path from a request reaches the file system.
  const assets = new Map<string, Buffer>();
  if (built && existsSync(new URL('assets/', DIST)))
    for (const f of readdirSync(new URL('assets/', DIST))) assets.set(f, readFileSync(new URL(`assets/${f}`, DIST)));
  app.get('/assets/:file', { config: { public: true, audit: false }, schema: { hide: true } }, async (req, reply) => {
    const file = (req.params as { file: string }).file;
    const body = assets.get(file);
    if (!body) return reply.code(404).send({ error: 'not found' });
    return reply
      .header('content-type', TYPES[file.split('.').pop()!] ?? 'application/octet-stream')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(body);
  });
}

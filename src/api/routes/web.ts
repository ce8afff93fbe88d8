import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';

const WEB = new URL('../../web/', import.meta.url);
const FILES: Record<string, string> = { '/': 'index.html', '/app.js': 'app.js', '/app.css': 'app.css' };
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

/** The analyst's page (static files; all data comes from the authenticated API). */
export async function registerWeb(app: FastifyInstance): Promise<void> {
  for (const [route, file] of Object.entries(FILES)) {
    const body = readFileSync(new URL(file, WEB));
    app.get(route, { config: { public: true }, schema: { hide: true } }, async (_req, reply) =>
      reply.header('content-type', TYPES[file.split('.').pop()!]!).header('cache-control', 'no-cache').send(body));
  }
}

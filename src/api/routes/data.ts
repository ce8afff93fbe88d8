// What the data commands (src/commands/data.ts) need of HTTP that the command layer
// does not give yet. Imports take up to 64 MB of JSON, above the server's 1 MB, and a
// command cannot set its route's body limit (its `http` has only `config`): this hook
// takes a route's `config.bodyLimit` as its limit; server.ts adds it before the
// command routes are added.
import type { FastifyInstance } from 'fastify';

export function registerBodyLimits(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const limit = (route.config as { bodyLimit?: unknown } | undefined)?.bodyLimit;
    if (typeof limit === 'number') route.bodyLimit = limit;
  });
}

// The auth commands (src/commands/auth.ts) need what only the HTTP request has: the
// client's address, the bearer token, a header for the answer (`httpCaller`). The
// command context does not carry the request yet, so this hook runs the handlers of
// the /auth routes with it; server.ts adds it before the command routes are added.
import type { FastifyInstance } from 'fastify';
import { httpCaller } from '../../commands/auth.js';

export function registerAuthCaller(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/auth/')) return;
    const handler = route.handler;
    route.handler = function (this: FastifyInstance, req, reply) {
      const auth = req.headers.authorization;
      const caller = {
        ip: req.ip,
        token: auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined,
        header: (name: string, value: string) => void reply.header(name, value),
      };
      return httpCaller.run(caller, () => handler.call(this, req, reply));
    };
  });
}

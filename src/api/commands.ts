// The HTTP adapter of the command layer: one Fastify route per command, its schemas
// (validated by Fastify's Ajv and listed in /openapi.json) taken from the command, with
// its answers: the command's own, and the refusals of its shape (./openapi.ts).
// The request's audit entry is written by request-audit.ts around every route.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { type Command, Download, invoke, type Services } from '../commands/command.js';
import type { Store } from '../store/store.js';
import { assertMay } from '../domain/users.js';
import { responsesOf } from './openapi.js';

export function registerCommandRoutes(
  app: FastifyInstance,
  store: Store,
  services: Services,
  commands: readonly Command[],
): void {
  for (const c of commands) {
    app.route({
      method: c.method,
      url: c.path,
      config: { ...(c.public ? { public: true } : {}), ...c.http?.config },
      ...(c.http?.bodyLimit ? { bodyLimit: c.http.bodyLimit } : {}),
      // Authorized before the input is validated, so the input rules of what one may not do are not
      // probed by one's refusals (invoke checks again, for the CLI and for any other caller).
      preValidation: async (req: FastifyRequest) => {
        if (!c.public && c.permission && req.principal) assertMay(req.principal, c.permission);
      },
      schema: {
        tags: c.tags,
        summary: c.summary,
        ...(c.description ? { description: c.description } : {}),
        ...(c.public ? { security: [] } : {}),
        ...(c.params ? { params: c.params } : {}),
        ...(c.query ? { querystring: c.query } : {}),
        ...(c.body ? { body: c.body } : {}),
        response: responsesOf(c),
        operationId: c.name,
      },
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        const bearer = req.headers.authorization;
        const caller = {
          ip: req.ip,
          token: bearer?.startsWith('Bearer ') ? bearer.slice(7).trim() : undefined,
          header: (name: string, value: string) => void reply.header(name, value),
        };
        const out = await invoke(
          c,
          { store, db: store.db, me: req.principal, services, caller },
          { params: req.params ?? {}, query: req.query ?? {}, body: req.body },
        );
        if (out === undefined) return reply.code(204).send();
        reply.code(c.status ?? 200);
        if (!(out instanceof Download)) return out;
        reply.header('content-type', out.contentType);
        if (out.filename) reply.header('content-disposition', `attachment; filename="${out.filename}"`);
        for (const [k, v] of Object.entries(out.headers)) reply.header(k, v);
        return typeof out.body === 'string' || Buffer.isBuffer(out.body) ? out.body : Readable.from(out.body);
      },
    });
  }
}

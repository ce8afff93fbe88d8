// A MISP feed, for a MISP instance to subscribe to (Sync Actions → Feeds → Add feed:
// source format "MISP Feed", URL https://<chokepoint>/misp/feed, headers
// "Authorization: Bearer <API token>" and "X-Purpose: <why>"). HTTP by nature, so not
// commands: MISP asks for fixed file names under the feed's URL (manifest.json,
// hashes.csv, <uuid>.json) and can send only headers, no query of its own. The feed is
// the token user's own access, computed by src/exchange/misp/export.ts; each file is
// audited and logged as a dissemination.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Store } from '../../store/store.js';
import { assertMay } from '../../domain/users.js';
import { mispFeedFile } from '../../exchange/misp/export.js';
import { HttpError, principal } from '../server.js';

const Query = Type.Object(
  {
    purpose: Type.Optional(
      Type.String({
        minLength: 5,
        maxLength: 500,
        description:
          'Why the feed is read (kept in the dissemination log); or the X-Purpose header, which MISP sends as a feed header',
      }),
    ),
  },
  { additionalProperties: false },
);
const tags = ['misp'];

export async function registerMispRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const serve =
    (file: (req: FastifyRequest) => string) =>
    async (req: FastifyRequest, reply: FastifyReply): Promise<string> => {
      const me = principal(req);
      assertMay(me, 'export');
      const q = (req.query as { purpose?: string }).purpose;
      const h = req.headers['x-purpose'];
      const purpose = q ?? (typeof h === 'string' ? h : undefined);
      if (!purpose || purpose.trim().length < 5)
        throw new HttpError(
          400,
          'purpose: a feed read is a dissemination; state why in the X-Purpose header (a header of the MISP feed) or ?purpose=',
        );
      const name = file(req);
      const out = await mispFeedFile(store, me, name, { purpose });
      // An event hidden from the reader answers as one that never existed.
      if (!out) throw new HttpError(404, `no event ${name} in your feed`);
      reply.header('content-type', out.contentType);
      return out.body;
    };
  app.get(
    '/misp/feed/manifest.json',
    {
      schema: {
        tags,
        operationId: 'misp.feed.manifest',
        summary: 'MISP feed: the manifest of the events you may read (event uuid → info, date, Orgc, tags)',
        querystring: Query,
        response: {
          200: Type.Record(Type.String(), Type.Object({}, { additionalProperties: true }), {
            description: "Event uuid → the event's metadata (PyMISP's manifest)",
          }),
        },
      },
    },
    serve(() => 'manifest.json'),
  );
  app.get(
    '/misp/feed/hashes.csv',
    {
      schema: {
        tags,
        operationId: 'misp.feed.hashes',
        summary: "MISP feed: one line per attribute value, 'md5 of the value,event uuid', for MISP's feed correlation",
        querystring: Query,
        response: {
          200: {
            description: 'CSV without a header: md5 of an attribute value, event uuid',
            content: { 'text/csv': { schema: Type.String() } },
          },
        },
      },
    },
    serve(() => 'hashes.csv'),
  );
  app.get(
    '/misp/feed/:event.json',
    {
      // A subscribing MISP fetches every event file in a row.
      config: { rateLimit: { max: 6000, timeWindow: '1 minute' } },
      schema: {
        tags,
        operationId: 'misp.feed.event',
        summary: 'MISP feed: one event ({"Event": …}) with only the values you may read, each with its marking',
        params: Type.Object({ event: Type.String({ pattern: '^[0-9a-f-]{36}$' }) }),
        querystring: Query,
        response: {
          200: Type.Object(
            { Event: Type.Object({}, { additionalProperties: true }) },
            { description: 'The MISP event, as MISP exports one' },
          ),
        },
      },
    },
    serve((req) => `${(req.params as { event: string }).event}.json`),
  );
}

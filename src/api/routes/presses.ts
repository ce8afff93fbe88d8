// Pill press and die mold registry API.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Store } from '../../store/store.js';
import { HttpError, principal } from '../server.js';
import { audit } from '../../store/audit.js';
import {
  PRESS_KINDS,
  EVENT_KINDS,
  registerPress,
  recordPressEvent,
  pressHistory,
  findPresses,
  pressAlerts,
} from '../../registry/presses.js';

const S = (max = 200, min = 1) => Type.String({ minLength: min, maxLength: max });
export const PressBody = Type.Object(
  {
    kind: Type.Union(PRESS_KINDS.map((k) => Type.Literal(k))),
    make: S(100),
    model: S(100),
    serial: S(100),
    owner: S(300),
    location: S(300),
    country: S(2, 2),
  },
  { additionalProperties: false },
);
const EventBody = Type.Object(
  {
    kind: Type.Union(EVENT_KINDS.map((k) => Type.Literal(k))),
    toOwner: Type.Optional(S(300)),
    country: Type.Optional(S(2, 2)),
    note: Type.Optional(S(2000)),
  },
  { additionalProperties: false },
);
const IdParam = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export async function registerPressRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const tags = ['registry'];
  const db = store.db;
  // The registry is for government users (chemical control, customs, police), not private partners.
  app.addHook('onRequest', async (req) => {
    if (req.url.startsWith('/presses') && req.principal && !req.principal.government)
      throw new HttpError(403, 'the press registry is for government users');
  });
  app.post(
    '/presses',
    { schema: { tags, body: PressBody, summary: 'Register a tableting or encapsulating machine or a die mold' } },
    async (req, reply) =>
      reply.code(201).send(await registerPress(db, principal(req), req.body as Static<typeof PressBody>)),
  );
  app.get(
    '/presses',
    { schema: { tags, querystring: Type.Object({ serial: S(100) }), summary: 'Machines with this serial' } },
    async (req) => {
      const me = principal(req);
      const q = req.query as { serial: string };
      await audit(db, { actor: me.username, action: 'press.search', target: q.serial });
      return store.read(me, (tx) => findPresses(tx, q.serial));
    },
  );
  // Alerts and the sightings in a history quote records: read under the reader's access (row-level security).
  app.get(
    '/presses/alerts',
    {
      schema: {
        tags,
        summary:
          'Machines seen in records that are unregistered, registered to someone else, or reported stolen or missing',
      },
    },
    async (req) => store.read(principal(req), (tx) => pressAlerts(tx)),
  );
  app.get(
    '/presses/:id',
    {
      schema: {
        tags,
        params: IdParam,
        summary: 'A machine with its history (registration, transfers, imports, exports, seizures)',
      },
    },
    async (req) => {
      const h = await store.read(principal(req), (tx) => pressHistory(tx, (req.params as { id: number }).id));
      if (!h) throw new HttpError(404, 'no such press');
      return h;
    },
  );
  app.post(
    '/presses/:id/events',
    {
      schema: {
        tags,
        params: IdParam,
        body: EventBody,
        summary: 'Record a transfer, import, export or report (stolen, missing, destroyed)',
      },
    },
    async (req) => {
      await recordPressEvent(
        db,
        principal(req),
        (req.params as { id: number }).id,
        req.body as Static<typeof EventBody>,
      );
      return store.read(principal(req), (tx) => pressHistory(tx, (req.params as { id: number }).id));
    },
  );
}

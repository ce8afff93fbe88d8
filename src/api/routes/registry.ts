// Task-force registry and federation API.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Store } from '../../store/store.js';
import { HttpError, principal } from '../server.js';
import { TARGET_KINDS } from '../../deconflict/keys.js';
import { KINDS, FOCUS, registerTaskForce, listTaskForces, duplication } from '../../taskforces/registry.js';
import { addPeer, listPeers, peerForToken, answerPeer, queryPeers } from '../../federation/peers.js';

const S = (max = 200, min = 1) => Type.String({ minLength: min, maxLength: max });
export const Target = Type.Object(
  {
    kind: Type.Union(TARGET_KINDS.map((k) => Type.Literal(k))),
    value: S(300),
    birthDate: Type.Optional(Type.String({ pattern: '^\\d{4}(-\\d{2}(-\\d{2})?)?$' })),
    country: Type.Optional(S(10, 2)),
    service: Type.Optional(S(40)),
  },
  { additionalProperties: false },
);
export const TaskForce = Type.Object(
  {
    name: S(200),
    kind: Type.Union(KINDS.map((k) => Type.Literal(k))),
    purpose: S(4000),
    goals: Type.Optional(Type.Array(S(500), { maxItems: 20 })),
    leadAgency: S(20),
    memberAgencies: Type.Array(S(20), { maxItems: 60 }),
    geography: Type.Array(S(10, 2), { minItems: 1, maxItems: 60 }),
    focus: Type.Array(Type.Union(FOCUS.map((f) => Type.Literal(f))), { minItems: 1, maxItems: FOCUS.length }),
    targets: Type.Optional(Type.Array(Target, { maxItems: 500 })),
  },
  { additionalProperties: false },
);
const PeerQuery = Type.Object(
  {
    keys: Type.Array(Type.String({ maxLength: 400, pattern: '^[a-z]+:' }), { maxItems: 500 }),
    names: Type.Array(
      Type.Object(
        { value: S(300), person: Type.Boolean(), birthDate: Type.Optional(S(10)) },
        { additionalProperties: false },
      ),
      { maxItems: 100 },
    ),
  },
  { additionalProperties: false },
);

export async function registerRegistryRoutes(app: FastifyInstance, store: Store, instance: string): Promise<void> {
  const db = store.db;

  app.post(
    '/task-forces',
    {
      schema: {
        tags: ['task forces'],
        body: TaskForce,
        summary: 'Register a task force, fusion cell or mission center',
      },
    },
    async (req, reply) =>
      reply.code(201).send(await registerTaskForce(db, principal(req), req.body as Static<typeof TaskForce>)),
  );
  // The registry of task forces (purposes, members, geography) is for government users, not private or foreign partners.
  const governmentOnly = (req: Parameters<typeof principal>[0]) => {
    const me = principal(req);
    if (!me.government || me.roles.includes('partner'))
      throw new HttpError(403, 'the task-force registry is for government users');
    return me;
  };
  app.get('/task-forces', { schema: { tags: ['task forces'] } }, async (req) => {
    governmentOnly(req);
    return listTaskForces(db);
  });
  app.get(
    '/task-forces/duplication',
    {
      schema: {
        tags: ['task forces'],
        summary: 'Pairs likely to duplicate each other (geography and focus or targets), for the steering group',
      },
    },
    async (req) => duplication(db, governmentOnly(req)),
  );

  app.post(
    '/admin/peers',
    {
      schema: {
        tags: ['federation'],
        body: Type.Object(
          {
            name: S(60),
            url: Type.String({ maxLength: 500, pattern: '^https?://[^\\s]+$' }),
            outboundToken: S(200, 16),
          },
          { additionalProperties: false },
        ),
        summary: 'Add a peer instance; answers with the token it must present (shown once)',
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(await addPeer(db, principal(req), req.body as { name: string; url: string; outboundToken: string })),
  );
  app.get('/admin/peers', { schema: { tags: ['federation'] } }, async (req) => listPeers(db, principal(req)));
  // A peer's question: authenticated by its own token, answered with pointers only.
  app.post(
    '/federation/pointers',
    {
      config: { public: true },
      schema: {
        tags: ['federation'],
        security: [],
        body: PeerQuery,
        summary: 'For peer instances: pointers to open cases on these keys and names, never records',
      },
    },
    async (req) => {
      const h = req.headers.authorization;
      const peer = h?.startsWith('Peer ') ? await peerForToken(db, h.slice(5).trim()) : undefined;
      if (!peer) throw new HttpError(401, 'peer authentication required: "Authorization: Peer <token>"');
      return { instance, pointers: await answerPeer(db, instance, peer, req.body as Static<typeof PeerQuery>) };
    },
  );
  app.post(
    '/deconfliction/federated',
    {
      schema: {
        tags: ['federation'],
        body: Type.Object(
          { targets: Type.Array(Target, { minItems: 1, maxItems: 100 }) },
          { additionalProperties: false },
        ),
        summary: 'Ask every peer instance whether they hold these targets',
      },
    },
    async (req) => queryPeers(db, principal(req), (req.body as { targets: Static<typeof Target>[] }).targets),
  );
}

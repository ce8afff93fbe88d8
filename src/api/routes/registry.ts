// A peer instance's question: HTTP only, so not a command. The caller is another
// instance, not a user: it is authenticated by the peer token in its Authorization
// header, which neither a command's input nor the CLI has. The task-force and
// federation commands are in src/commands/registry.ts.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Store } from '../../store/store.js';
import { HttpError } from '../server.js';
import { errorAnswer } from '../openapi.js';
import { PeerPointer } from '../../commands/answers/deconflict.js';
import { peerForToken, answerPeer } from '../../federation/peers.js';

const S = (max = 200, min = 1) => Type.String({ minLength: min, maxLength: max });
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
        description:
          'Authenticated by the peer token in `Authorization: Peer <token>` (POST /admin/peers), not a user token.',
        operationId: 'federation.pointers',
        response: {
          200: Type.Object(
            { instance: Type.String(), pointers: Type.Array(PeerPointer) },
            { description: 'Pointers: whom to call, nothing of the case' },
          ),
          ...Object.fromEntries(([400, 401, 413, 415, 429, 503] as const).map((s) => [s, errorAnswer(s)])),
        },
      },
    },
    async (req) => {
      const h = req.headers.authorization;
      const peer = h?.startsWith('Peer ') ? await peerForToken(db, h.slice(5).trim()) : undefined;
      if (!peer) throw new HttpError(401, 'peer authentication required: "Authorization: Peer <token>"');
      return { instance, pointers: await answerPeer(db, instance, peer, req.body as Static<typeof PeerQuery>) };
    },
  );
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Store } from '../../store/store.js';
import { findUser, login, revokeToken } from '../../store/users.js';
import {
  API_TOKEN_MAX_DAYS,
  PARTNER_API_TOKEN_MAX_DAYS,
  createApiToken,
  listTokens,
  revokeAllTokens,
  revokeTokenById,
} from '../../store/tokens.js';
import { audit } from '../../store/audit.js';
import { clientKey } from '../../store/sign-in.js';
import { assertMay } from '../../domain/users.js';
import { HttpError, principal } from '../server.js';

const Login = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);
const NewToken = Type.Object(
  {
    label: Type.String({ minLength: 1, maxLength: 100 }),
    days: Type.Integer({
      minimum: 1,
      maximum: API_TOKEN_MAX_DAYS,
      description: `partners and foreign users: at most ${PARTNER_API_TOKEN_MAX_DAYS}`,
    }),
  },
  { additionalProperties: false },
);
const Logout = Type.Union([
  Type.Object(
    {
      all: Type.Optional(
        Type.Boolean({ description: 'end every token of yours, sessions and API tokens, not only this one' }),
      ),
    },
    { additionalProperties: false },
  ),
  Type.Null(),
]);
const TokenList = Type.Object(
  {
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "another user's tokens (admin)" })),
  },
  { additionalProperties: false },
);
const TokenId = Type.Object({ id: Type.String({ pattern: '^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$' }) });

/** The bearer token of an authenticated request (the onRequest hook has checked it is there). */
const bearer = (req: FastifyRequest): string => req.headers.authorization!.slice(7).trim();

// Sign-in answers the same for unknown and real usernames: one message for a wrong
// password or an unknown user, one for a throttled attempt, with the same headers.
const THROTTLED = 'too many failed sign-ins from this client; try again later';

export async function registerAuthRoutes(app: FastifyInstance, store: Store): Promise<void> {
  app.post(
    '/auth/login',
    {
      // Per client as the sign-in throttle counts clients (an IPv6 /64 is one).
      config: {
        public: true,
        rateLimit: { max: 10, timeWindow: '1 minute', keyGenerator: (req) => clientKey(req.ip) },
      },
      schema: {
        tags: ['auth'],
        security: [],
        body: Login,
        summary: 'Sign in with a local user; returns a session token (8 hours)',
      },
    },
    async (req, reply) => {
      const { username, password } = req.body as Static<typeof Login>;
      const r = await login(store.db, username, password, req.ip);
      await audit(store.db, {
        actor: username,
        action: r.ok ? 'auth.login' : 'auth.login_failed',
        details: { ip: req.ip, ...(r.ok ? {} : { reason: r.reason }) },
      });
      if (!r.ok) {
        if (r.reason === 'throttled') {
          reply.header('retry-after', String(r.retryAfterSeconds));
          throw new HttpError(429, THROTTLED);
        }
        throw new HttpError(401, 'unknown user or wrong password');
      }
      return { token: r.token, expiresAt: r.expiresAt, user: r.user };
    },
  );

  app.post(
    '/auth/logout',
    {
      schema: {
        tags: ['auth'],
        body: Logout,
        summary: 'Sign out: end this token, or with {"all": true} every token of yours',
      },
    },
    async (req) => {
      const me = principal(req);
      const all = (req.body as Static<typeof Logout> | undefined)?.all === true;
      const revoked = all ? await revokeAllTokens(store.db, me.id) : await revokeToken(store.db, bearer(req));
      await audit(store.db, {
        actor: me.username,
        action: all ? 'auth.logout_all' : 'auth.logout',
        details: { revoked },
      });
      return { ok: true, revoked };
    },
  );

  app.get('/auth/me', { schema: { tags: ['auth'], summary: 'The signed-in user and their access' } }, async (req) =>
    principal(req),
  );

  app.post(
    '/auth/tokens',
    { schema: { tags: ['auth'], body: NewToken, summary: 'Create an API token for the signed-in user' } },
    async (req) => {
      const me = principal(req);
      const { label, days } = req.body as Static<typeof NewToken>;
      const t = await createApiToken(store.db, me, label, days);
      await audit(store.db, { actor: me.username, action: 'auth.token_created', details: { label, days } });
      return t;
    },
  );

  app.get(
    '/auth/tokens',
    {
      schema: {
        tags: ['auth'],
        querystring: TokenList,
        summary: 'Your live tokens (id, kind, label, dates; never the secret); an admin may name another user',
      },
    },
    async (req) => {
      const me = principal(req);
      const { username } = req.query as Static<typeof TokenList>;
      if (!username || username === me.username) return listTokens(store.db, me.id, bearer(req));
      assertMay(me, 'manageUsers');
      const user = await findUser(store.db, username);
      if (!user) throw new HttpError(404, `no user "${username}"`);
      await audit(store.db, { actor: me.username, action: 'auth.tokens_listed', target: `user:${username}` });
      return listTokens(store.db, user.id, bearer(req));
    },
  );

  app.delete(
    '/auth/tokens/:id',
    {
      schema: { tags: ['auth'], params: TokenId, summary: "End a token by its id: your own, or anyone's for an admin" },
    },
    async (req) => {
      const me = principal(req);
      const { id } = req.params as Static<typeof TokenId>;
      const scope = me.roles.includes('admin') ? { anyUser: true as const } : { userId: me.id };
      const gone = await revokeTokenById(store.db, id, scope);
      if (!gone) throw new HttpError(404, 'no such token'); // also for another user's: it does not say which
      const details = { user: gone.username, kind: gone.kind };
      await audit(store.db, { actor: me.username, action: 'auth.token_revoked', target: `token:${id}`, details });
      return { revoked: id };
    },
  );
}

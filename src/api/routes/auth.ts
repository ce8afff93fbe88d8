import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Store } from '../../store/store.js';
import { issueToken, login, revokeToken } from '../../store/users.js';
import { audit } from '../../store/audit.js';
import { HttpError, principal } from '../server.js';

const Login = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false });
const NewToken = Type.Object({ label: Type.String({ minLength: 1, maxLength: 100 }), days: Type.Integer({ minimum: 1, maximum: 365 }) }, { additionalProperties: false });

export async function registerAuthRoutes(app: FastifyInstance, store: Store): Promise<void> {
  app.post('/auth/login', {
    config: { public: true, rateLimit: { max: 10, timeWindow: '1 minute' } },
    schema: { tags: ['auth'], security: [], body: Login, summary: 'Sign in with a local user; returns a session token (8 hours)' },
  }, async (req, reply) => {
    const { username, password } = req.body as Static<typeof Login>;
    const r = await login(store.db, username, password);
    await audit(store.db, { actor: username, action: r.ok ? 'auth.login' : 'auth.login_failed', details: { ip: req.ip, ...(r.ok ? {} : { reason: r.reason }) } });
    if (!r.ok) {
      if (r.reason === 'locked') {
        reply.header('retry-after', String(r.retryAfterSeconds ?? 900));
        throw new HttpError(429, 'too many failed sign-ins; the account is locked for a while');
      }
      throw new HttpError(401, 'unknown user or wrong password');
    }
    return { token: r.token, expiresAt: r.expiresAt, user: r.user };
  });

  app.post('/auth/logout', { schema: { tags: ['auth'] } }, async (req) => {
    const token = req.headers.authorization!.slice(7).trim();
    await revokeToken(store.db, token);
    await audit(store.db, { actor: principal(req).username, action: 'auth.logout' });
    return { ok: true };
  });

  app.get('/auth/me', { schema: { tags: ['auth'], summary: 'The signed-in user and their access' } }, async (req) => principal(req));

  app.post('/auth/tokens', { schema: { tags: ['auth'], body: NewToken, summary: 'Create an API token for the signed-in user' } }, async (req) => {
    const me = principal(req);
    const { label, days } = req.body as Static<typeof NewToken>;
    const t = await issueToken(store.db, me.id, 'api', days * 24, label);
    await audit(store.db, { actor: me.username, action: 'auth.token_created', details: { label, days } });
    return t;
  });
}

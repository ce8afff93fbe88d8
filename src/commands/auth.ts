// Authentication: sign-in (the one command anyone may run), sign-out, who you are,
// and your API tokens, listed and ended by an id that is not their secret. The
// operator's `chokepoint tokens` (src/cli/tokens.ts) acts on anyone's as the system.
import { readFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { findUser, login, revokeToken } from '../store/users.js';
import {
  API_TOKEN_MAX_DAYS,
  PARTNER_API_TOKEN_MAX_DAYS,
  createApiToken,
  listTokens,
  revokeAllTokens,
  revokeTokenById,
} from '../store/tokens.js';
import { audit } from '../store/audit.js';
import { clientKey } from '../store/sign-in.js';
import { assertMay } from '../domain/users.js';
import { StatusError } from '../domain/errors.js';
import { command, type CliOption, type Command } from './command.js';
import * as A from './answers/admin.js';

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

/** `--password-stdin`: the password from standard input, not the command line (where `ps` shows it). */
export const passwordStdin: CliOption = {
  flags: '--password-stdin',
  description: 'read the password from standard input',
  into: (_v, input) => {
    input.body = { ...(input.body as object), password: readFileSync(0, 'utf8').trim() };
  },
};

// Sign-in answers the same for unknown and real usernames: one message for a wrong
// password or an unknown user, one for a throttled attempt, with the same headers.
const THROTTLED = 'too many failed sign-ins from this client; try again later';

const tags = ['auth'];

/** The CLI groups these commands make, with their help lines. */
export const GROUPS: Record<string, string> = {
  auth: 'sign in and out, who you are, your API tokens',
  token: 'your sessions and API tokens (never their secrets)',
};

export const COMMANDS: Command[] = [
  command({
    name: 'auth.login',
    public: true,
    summary: 'Sign in with a local user; returns a session token (8 hours)',
    tags,
    method: 'POST',
    path: '/auth/login',
    response: { 200: A.Session },
    errors: [401],
    body: Login,
    // Per client as the sign-in throttle counts clients (an IPv6 /64 is one).
    http: {
      config: {
        rateLimit: { max: 10, timeWindow: '1 minute', keyGenerator: (req: { ip: string }) => clientKey(req.ip) },
      },
    },
    cli: { options: [passwordStdin] },
    run: async ({ db, caller }, { body: { username, password } }) => {
      const ip = caller.ip;
      const r = await login(db, username, password, ip);
      await audit(db, {
        actor: username,
        action: r.ok ? 'auth.login' : 'auth.login_failed',
        details: { ip, ...(r.ok ? {} : { reason: r.reason }) },
      });
      if (!r.ok) {
        if (r.reason === 'throttled') {
          caller.header('retry-after', String(r.retryAfterSeconds));
          throw new StatusError(THROTTLED, 429);
        }
        throw new StatusError('unknown user or wrong password', 401);
      }
      return { token: r.token, expiresAt: r.expiresAt, user: r.user };
    },
  }),
  command({
    name: 'auth.logout',
    summary: 'Sign out: end this token, or with {"all": true} every token of yours',
    tags,
    method: 'POST',
    path: '/auth/logout',
    response: { 200: A.LoggedOut },
    body: Logout,
    cli: {
      options: [
        {
          flags: '--all',
          description: 'end every token of yours, sessions and API tokens (a command line has no token of its own)',
          into: (_v, input) => {
            input.body = { ...(input.body as object), all: true };
          },
        },
      ],
    },
    run: async ({ db, me, caller }, { body }) => {
      const all = body?.all === true;
      const token = caller.token;
      const revoked = all ? await revokeAllTokens(db, me.id) : token ? await revokeToken(db, token) : 0;
      await audit(db, { actor: me.username, action: all ? 'auth.logout_all' : 'auth.logout', details: { revoked } });
      return { ok: true as const, revoked };
    },
  }),
  command({
    name: 'auth.me',
    summary: 'The signed-in user and their access',
    tags,
    method: 'GET',
    path: '/auth/me',
    response: { 200: A.User },
    run: async ({ me }) => me,
  }),
  command({
    name: 'auth.token.create',
    summary: 'Create an API token for the signed-in user',
    tags,
    method: 'POST',
    path: '/auth/tokens',
    response: { 200: A.NewToken },
    errors: [403],
    body: NewToken,
    run: async ({ db, me }, { body: { label, days } }) => {
      const t = await createApiToken(db, me, label, days);
      await audit(db, { actor: me.username, action: 'auth.token_created', details: { label, days } });
      return t;
    },
  }),
  command({
    name: 'auth.token.list',
    summary: 'Your live tokens (id, kind, label, dates; never the secret); an admin may name another user',
    tags,
    method: 'GET',
    path: '/auth/tokens',
    response: { 200: A.Tokens },
    errors: [403, 404],
    query: TokenList,
    run: async ({ db, me, caller }, { query: { username } }) => {
      const current = caller.token;
      if (!username || username === me.username) return listTokens(db, me.id, current);
      assertMay(me, 'manageUsers');
      const user = await findUser(db, username);
      if (!user) throw new StatusError(`no user "${username}"`, 404);
      await audit(db, { actor: me.username, action: 'auth.tokens_listed', target: `user:${username}` });
      return listTokens(db, user.id, current);
    },
  }),
  command({
    name: 'auth.token.revoke',
    summary: "End a token by its id: your own, or anyone's for an admin",
    tags,
    method: 'DELETE',
    path: '/auth/tokens/:id',
    response: { 200: A.Revoked },
    params: TokenId,
    run: async ({ db, me }, { params: { id } }) => {
      const scope = me.roles.includes('admin') ? { anyUser: true as const } : { userId: me.id };
      const gone = await revokeTokenById(db, id, scope);
      if (!gone) throw new StatusError('no such token', 404); // also for another user's: it does not say which
      const details = { user: gone.username, kind: gone.kind };
      await audit(db, { actor: me.username, action: 'auth.token_revoked', target: `token:${id}`, details });
      return { revoked: id };
    },
  }),
];

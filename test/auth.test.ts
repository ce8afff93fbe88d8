// Authentication: tokens are listed and revoked by an id that is not their secret, sign-out can end every
// token of the user, partners get only short-lived API tokens, and sign-in throttling neither names real
// accounts nor lets a stranger lock a user out of every client.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { backends, auth, apiSuite, userWithToken } from './helpers.js';
import { createUser, issueToken, login, principalForToken } from '../src/store/users.js';
import { Store } from '../src/store/store.js';
import { openPglite } from '../src/store/db.js';
import { runChokepoint } from '../src/cli/spawn.js';
import { CLIENT_MAX_FAILED_LOGINS, MAX_FAILED_LOGINS, clientKey } from '../src/store/sign-in.js';
import { PARTNER_API_TOKEN_MAX_DAYS } from '../src/store/tokens.js';

const PASSWORD = 'correct horse battery staple';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** A sign-in from the client at `ip` (each test uses its own addresses, so the 10/min per-client limit stays out of the way). */
const signIn = (app: FastifyInstance, ip: string, username: string, password: string) =>
  app.inject({ method: 'POST', url: '/auth/login', payload: { username, password }, remoteAddress: ip });

interface TokenView {
  id: string;
  kind: string;
  label: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string;
  current: boolean;
}

describe('clientKey', () => {
  it('is the IPv4 address, or the IPv6 /64 however the address is written', () => {
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    for (const ip of ['2001:db8:0:1::1', '2001:0db8:0000:0001:ffff:0:0:1', '2001:db8:0:1:1:2:3.4.5.6']) {
      expect(clientKey(ip)).toBe('2001:db8:0:1::/64');
    }
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('fe80::')).toBe('fe80:0:0:0::/64');
  });
});

for (const backend of backends) {
  describe(`API tokens (${backend.name})`, () => {
    const api = apiSuite(backend, {
      dea: { username: 'dea.analyst', agency: 'DEA', clearance: 'S', roles: ['analyst'] },
      cbp: { username: 'cbp.officer', agency: 'CBP', clearance: 'C', roles: ['analyst'] },
      admin: { username: 'root', agency: 'DEA', clearance: 'TS', roles: ['admin'] },
      carrier: { username: 'carrier.partner', agency: 'EXPRS', clearance: 'U', roles: ['partner'] },
      liaison: { username: 'fgr.screener', agency: 'FGR', clearance: 'S', roles: ['screener'], country: 'MEX' },
    });
    const tokens = (token: string) => api.get<TokenView[]>('/auth/tokens', token);
    const me = async (token: string) => (await api.app.inject({ url: '/auth/me', headers: auth(token) })).statusCode;
    const revoke = (id: string, token: string) =>
      api.app.inject({ method: 'DELETE', url: `/auth/tokens/${id}`, headers: auth(token) });

    it("lists the caller's tokens without their secrets, and revokes one by its id", async () => {
      const minted = await api.post('/auth/tokens', api.token.dea, { label: 'nightly export', days: 30 });
      expect(minted.statusCode).toBe(200);
      const secret: string = minted.json().token;
      const res = await api.app.inject({ url: '/auth/tokens', headers: auth(api.token.dea) });
      expect(res.statusCode).toBe(200);
      for (const hidden of [secret, sha256(secret), api.token.dea, sha256(api.token.dea)]) {
        expect(res.body).not.toContain(hidden);
      }
      const list: TokenView[] = res.json();
      expect(list.map((t) => [t.kind, t.label, t.current])).toEqual([
        ['session', null, true],
        ['api', 'nightly export', false],
      ]);
      const apiToken = list[1]!;
      expect(Object.keys(apiToken).sort()).toEqual([
        'createdAt',
        'current',
        'expiresAt',
        'id',
        'kind',
        'label',
        'lastUsedAt',
      ]);
      expect(Date.parse(apiToken.expiresAt) - Date.parse(apiToken.createdAt)).toBeCloseTo(30 * 86_400_000, -5);
      expect(apiToken.lastUsedAt).toBeNull();
      expect(await me(secret)).toBe(200);
      expect((await tokens(api.token.dea))[1]!.lastUsedAt).not.toBeNull();
      expect((await revoke(apiToken.id, api.token.dea)).json()).toEqual({ revoked: apiToken.id });
      expect(await me(secret)).toBe(401);
      expect((await tokens(api.token.dea)).map((t) => t.kind)).toEqual(['session']);
    });

    it("answers another user's token id exactly like an unknown one; an admin revokes anyone's", async () => {
      const secret: string = (
        await api.post('/auth/tokens', api.token.cbp, { label: 'targeting feed', days: 7 })
      ).json().token;
      const id = (await tokens(api.token.cbp)).find((t) => t.kind === 'api')!.id;
      const theirs = await revoke(id, api.token.dea);
      const unknown = await revoke(randomUUID(), api.token.dea);
      expect(theirs.statusCode).toBe(404);
      expect([theirs.statusCode, theirs.body]).toEqual([unknown.statusCode, unknown.body.replace(/[0-9a-f-]{36}/, id)]);
      expect(await me(secret)).toBe(200); // still valid
      const asOther = await api.app.inject({ url: '/auth/tokens?username=cbp.officer', headers: auth(api.token.dea) });
      expect(asOther.statusCode).toBe(403);
      expect((await tokens(api.token.admin)).every((t) => t.kind === 'session')).toBe(true); // an admin's own list is their own
      const listed = await api.get<TokenView[]>('/auth/tokens?username=cbp.officer', api.token.admin);
      expect(listed.map((t) => t.id)).toContain(id);
      expect((await revoke(id, api.token.admin)).statusCode).toBe(200);
      expect(await me(secret)).toBe(401);
      const audited = await api.store.db.query<{ actor: string; target: string }>(
        "SELECT actor, target FROM audit_log WHERE action = 'auth.token_revoked'",
      );
      expect(audited).toContainEqual({ actor: 'root', target: `token:${id}` });
    });

    it('ends only the current token on sign-out, and every token of the user with {"all": true}', async () => {
      await userWithToken(api.store, { username: 'dea.agent', agency: 'DEA', clearance: 'S', roles: ['case_agent'] });
      const [p] = await api.store.db.query<{ id: number }>("SELECT id FROM users WHERE username = 'dea.agent'");
      const session = async () => (await issueToken(api.store.db, p!.id, 'session', 8)).token;
      const [laptop, desk] = [await session(), await session()];
      const script: string = (await api.post('/auth/tokens', desk, { label: 'cron', days: 365 })).json().token;
      expect((await api.post('/auth/logout', laptop, {})).json()).toEqual({ ok: true, revoked: 1 });
      expect([await me(laptop), await me(desk), await me(script)]).toEqual([401, 200, 200]);
      // A plain POST without a body (curl -X POST) signs out too.
      const bare = await issueToken(api.store.db, p!.id, 'session', 1);
      expect(
        (await api.app.inject({ method: 'POST', url: '/auth/logout', headers: auth(bare.token) })).statusCode,
      ).toBe(200);
      expect(await me(bare.token)).toBe(401);
      const all = await api.post('/auth/logout', desk, { all: true });
      expect(all.json()).toEqual({ ok: true, revoked: 3 }); // the desk session, the API token and the first user token
      expect([await me(desk), await me(script)]).toEqual([401, 401]);
      expect(await me(api.token.dea)).toBe(200); // other users keep theirs
    });

    it("records a token's last use at most once a minute", async () => {
      const secret: string = (await api.post('/auth/tokens', api.token.dea, { label: 'poller', days: 1 })).json().token;
      const lastUsed = async () =>
        (
          await api.store.db.query<{ t: string | null }>(
            'SELECT last_used_at::text AS t FROM tokens WHERE token_hash = $1',
            [sha256(secret)],
          )
        )[0]!.t;
      await me(secret);
      const first = await lastUsed();
      expect(first).not.toBeNull();
      await me(secret);
      expect(await lastUsed()).toBe(first); // no write within the minute
      await api.store.db.query(
        "UPDATE tokens SET last_used_at = last_used_at - interval '61 seconds' WHERE token_hash = $1",
        [sha256(secret)],
      );
      const aged = await lastUsed();
      await me(secret);
      expect(await lastUsed()).not.toBe(aged);
    });

    it(`gives partners and foreign users API tokens of at most ${PARTNER_API_TOKEN_MAX_DAYS} day`, async () => {
      for (const token of [api.token.carrier, api.token.liaison]) {
        const long = await api.post('/auth/tokens', token, { label: 'screening batch', days: 2 });
        expect(long.statusCode).toBe(403);
        expect(long.json().error).toMatch(/last at most 1 day/);
        const short = await api.post('/auth/tokens', token, { label: 'screening batch', days: 1 });
        expect(short.statusCode).toBe(200);
        expect(Date.parse(short.json().expiresAt) - Date.now()).toBeLessThanOrEqual(86_400_000);
      }
      expect((await api.post('/auth/tokens', api.token.dea, { label: 'archive', days: 365 })).statusCode).toBe(200);
    });
  });

  describe(`sign-in throttling (${backend.name})`, () => {
    const api = apiSuite(backend, {}, async (store) => {
      const user = { password: PASSWORD, clearance: 'U', roles: ['analyst'] } as const;
      await createUser(store.db, { ...user, username: 'victim', agency: 'CBP', roles: ['analyst'] });
      await createUser(store.db, { ...user, username: 'hsi.agent', agency: 'HSI', roles: ['case_agent'] });
    });
    /** What a client can observe of a response; clock-valued headers only as there or not (Retry-After in tens of seconds). */
    const observed = (r: Awaited<ReturnType<typeof signIn>>) => {
      const { date, 'x-ratelimit-reset': reset, 'retry-after': retryAfter, ...headers } = r.headers;
      return {
        status: r.statusCode,
        body: r.body,
        headers,
        date: date !== undefined,
        reset: reset !== undefined,
        retryAfter: retryAfter === undefined ? undefined : Math.round(Number(retryAfter) / 10),
      };
    };

    it('answers an unknown username exactly like a real one: statuses, messages and headers', async () => {
      const real = [];
      const unknown = [];
      for (let i = 0; i <= MAX_FAILED_LOGINS; i++) {
        real.push(observed(await signIn(api.app, '10.1.0.1', 'victim', 'guess')));
        unknown.push(observed(await signIn(api.app, '10.1.0.2', 'no.such.user', 'guess')));
      }
      expect(real.map((r) => r.status)).toEqual([...Array(MAX_FAILED_LOGINS).fill(401), 429]);
      expect(real[MAX_FAILED_LOGINS]!.retryAfter).toBe(90); // 15 minutes, in tens of seconds
      expect(unknown).toEqual(real);
      expect(real[MAX_FAILED_LOGINS]!.body).not.toMatch(/account/); // names no account as locked, real or not
    });

    it('does the password hash work for unknown usernames too', async () => {
      const median = async (ip: string, username: string) => {
        const ms: number[] = [];
        for (let i = 0; i < 4; i++) {
          const t0 = performance.now();
          expect((await signIn(api.app, ip, username, `wrong ${i}`)).statusCode).toBe(401);
          ms.push(performance.now() - t0);
        }
        return ms.sort((a, b) => a - b)[2]!;
      };
      const [real, unknown] = [await median('10.2.0.1', 'hsi.agent'), await median('10.2.0.2', 'nobody.here')];
      // scrypt (N=16384) dominates both; a skipped hash would make the unknown one many times faster.
      expect(unknown / real).toBeGreaterThan(0.4);
      expect(unknown / real).toBeLessThan(2.5);
      expect((await signIn(api.app, '10.2.0.1', 'hsi.agent', PASSWORD)).statusCode).toBe(200);
    });

    it("keeps a stranger's failures to their own client: the user still signs in from another", async () => {
      for (let i = 0; i < MAX_FAILED_LOGINS; i++) {
        expect((await signIn(api.app, '10.3.0.66', 'victim', `guess ${i}`)).statusCode).toBe(401);
      }
      const blocked = await signIn(api.app, '10.3.0.66', 'victim', PASSWORD);
      expect(blocked.statusCode).toBe(429); // the stranger's client is blocked even with the right password
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(890);
      expect((await signIn(api.app, '10.3.0.7', 'victim', PASSWORD)).statusCode).toBe(200);
      // Each failure after a block ends doubles the next one (15 min, 30 min, ... at most 24 h).
      await api.store.db.query('UPDATE sign_in_failures SET blocked_until = now() WHERE client = $1', ['10.3.0.66']);
      expect((await signIn(api.app, '10.3.0.66', 'victim', 'one more guess')).statusCode).toBe(401);
      const longer = await signIn(api.app, '10.3.0.66', 'victim', PASSWORD);
      expect(longer.statusCode).toBe(429);
      expect(Number(longer.headers['retry-after'])).toBeGreaterThan(1790);
      const [failures] = await api.store.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM audit_log WHERE action = 'auth.login_failed' AND actor = 'victim'" +
          " AND details LIKE '%10.3.0.66%'",
      );
      expect(failures!.n).toBe(MAX_FAILED_LOGINS + 3); // every refused attempt is audited with its client
    });

    it(`blocks a client after ${CLIENT_MAX_FAILED_LOGINS} failures across usernames (spraying), not other clients`, async () => {
      // Below each account's limit, but many accounts: 4 guesses at each of five names from one client.
      let n = 0;
      for (const name of ['victim', 'hsi.agent', 'a.b', 'c.d', 'e.f']) {
        for (let i = 0; i < MAX_FAILED_LOGINS - 1; i++, n++) {
          expect(await login(api.store.db, name, `spray ${i}`, '10.4.0.9')).toMatchObject({
            ok: false,
            reason: 'invalid',
          });
        }
      }
      expect(n).toBe(CLIENT_MAX_FAILED_LOGINS);
      const r = await login(api.store.db, 'hsi.agent', PASSWORD, '10.4.0.9');
      expect(r).toMatchObject({ ok: false, reason: 'throttled' });
      expect(r.ok === false && r.retryAfterSeconds).toBeGreaterThan(890);
      expect(await login(api.store.db, 'hsi.agent', PASSWORD, '10.4.0.10')).toMatchObject({ ok: true });
    });

    it('counts an IPv6 client by its /64, so fresh addresses from one network get no fresh guesses', async () => {
      for (let i = 0; i < MAX_FAILED_LOGINS; i++)
        await login(api.store.db, 'victim', `guess ${i}`, `2001:db8:7:1::${i + 1}`);
      const sameNetwork = await login(api.store.db, 'victim', PASSWORD, '2001:db8:7:1:ffff::9');
      expect(sameNetwork).toMatchObject({ ok: false, reason: 'throttled' });
      expect(await login(api.store.db, 'victim', PASSWORD, '2001:db8:7:2::1')).toMatchObject({ ok: true });
    });
  });
}

describe('chokepoint tokens (CLI)', () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'cp-tokens-')), 'db');
  const cli = (...args: string[]) => runChokepoint(['--data', dataDir, ...args], { ...process.env, DATABASE_URL: '' });
  /** Opens the embedded store between commands (one process at a time holds it). */
  const withStore = async <T>(fn: (s: Store) => Promise<T>): Promise<T> => {
    const s = await Store.over(await openPglite(dataDir)); // the CLI's embedded store, whatever DATABASE_URL says
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  };

  it("lists a user's tokens without secrets, ends one by id, and ends them all", async () => {
    const added = await cli(
      'users',
      'add',
      '--username',
      'tok.user',
      '--agency',
      'DEA',
      '--clearance',
      'S',
      '--roles',
      'analyst',
    );
    expect(added.status, added.stderr).toBe(0);
    const [session, script] = await withStore(async (s) => {
      const [u] = await s.db.query<{ id: number }>("SELECT id FROM users WHERE username = 'tok.user'");
      return [
        (await issueToken(s.db, u!.id, 'session', 8)).token,
        (await issueToken(s.db, u!.id, 'api', 24, 'nightly')).token,
      ];
    });
    const list = await cli('tokens', 'list', '--user', 'tok.user');
    expect(list.status, list.stderr).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^[0-9a-f-]{36} {2}api +created .* last used - +expires .*nightly$/);
    for (const hidden of [session, script, sha256(session), sha256(script)]) expect(list.stdout).not.toContain(hidden);
    const apiId = lines[1]!.slice(0, 36);
    expect((await cli('tokens', 'revoke', apiId)).stdout).toMatch(/ended api token .* of tok\.user/);
    expect((await cli('tokens', 'revoke', '--all', '--user', 'tok.user')).stdout).toMatch(
      /ended 1 token\(s\) of tok\.user/,
    );
    await withStore(async (s) => {
      expect([await principalForToken(s.db, session), await principalForToken(s.db, script)]).toEqual([
        undefined,
        undefined,
      ]);
      const audited = await s.db.query<{ action: string }>(
        "SELECT action FROM audit_log WHERE action IN ('auth.token_revoked', 'auth.logout_all') ORDER BY seq",
      );
      expect(audited.map((a) => a.action)).toEqual(['auth.token_revoked', 'auth.logout_all']);
    });
  });
});

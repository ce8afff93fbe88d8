// Every API request leaves exactly one audit entry, granted or refused, naming who,
// the route and the outcome; on both backends.
import { describe, expect, it } from 'vitest';
import { apiSuite, auth, backends, openApi, userWithToken } from './helpers.js';
import type { InjectOptions } from 'fastify';
import { buildServer } from '../src/api/server.js';
import { verifyAudit } from '../src/store/audit.js';
import type { Store } from '../src/store/store.js';

interface Entry {
  seq: number;
  actor: string;
  action: string;
  target: string | null;
  purpose: string | null;
  details: Record<string, unknown> & {
    http?: {
      method: string;
      route: string | null;
      path: string;
      params: Record<string, unknown>;
      query: Record<string, unknown>;
      ip: string;
      status: number;
      error?: string;
    };
  };
}

const headSeq = async (store: Store): Promise<number> =>
  (await store.db.query<{ seq: number }>('SELECT seq FROM audit_head'))[0]!.seq;
async function entriesAfter(store: Store, seq: number): Promise<Entry[]> {
  const rows = await store.db.query<Omit<Entry, 'details'> & { details: string }>(
    'SELECT seq, actor, action, target, purpose, details FROM audit_log WHERE seq > $1 ORDER BY seq',
    [seq],
  );
  return rows.map((r) => ({ ...r, details: JSON.parse(r.details) }));
}

/** The GETs a security review found leaving no entry. */
const READS = [
  '/cases',
  '/operations',
  '/partner/reports',
  '/watchlist/nominations',
  '/watchlist/settings',
  '/deconfliction/settings',
  '/deconfliction/metrics',
  '/task-forces',
  '/targeting/rules',
  '/presses/alerts',
  '/pre-export',
  '/screen/lists',
  '/substances',
  '/auth/me',
];

for (const backend of backends) {
  describe(`request audit (${backend.name})`, () => {
    const api = apiSuite(backend, {
      admin: { username: 'dea.admin', agency: 'DEA', clearance: 'TS', roles: ['admin'] },
      analyst: { username: 'dea.analyst', agency: 'DEA', clearance: 'S', roles: ['analyst'] },
      cbp: { username: 'cbp.screener', agency: 'CBP', clearance: 'U', roles: ['screener'] },
    });
    /** The entries that one request left. */
    const one = async (opts: InjectOptions): Promise<{ status: number; body: string; entries: Entry[] }> => {
      const before = await headSeq(api.store);
      const res = await api.app.inject(opts);
      return { status: res.statusCode, body: res.body, entries: await entriesAfter(api.store, before) };
    };

    for (const url of READS) {
      it(`GET ${url} leaves exactly one entry naming the actor, route and outcome`, async () => {
        const r = await one({ url, headers: auth(api.token.admin) });
        expect(r.status, r.body).toBe(200);
        expect(r.entries).toHaveLength(1);
        expect(r.entries[0]).toMatchObject({
          actor: 'dea.admin',
          action: 'api.request',
          target: url,
          details: { http: { method: 'GET', route: url, path: url, status: 200, ip: '127.0.0.1' } },
        });
      });
    }

    it("keeps a route's own read entry as the single entry, with the request fields added", async () => {
      const r = await one({ url: '/entities?q=garcia&purpose=case%20DEA-1', headers: auth(api.token.analyst) });
      expect(r.status).toBe(200);
      expect(r.entries).toHaveLength(1);
      expect(r.entries[0]).toMatchObject({
        actor: 'dea.analyst',
        action: 'entity.search',
        target: 'garcia',
        purpose: 'case DEA-1',
        details: { total: 0, http: { route: '/entities', query: { q: 'garcia', purpose: 'case DEA-1' }, status: 200 } },
      });
    });

    it('takes the purpose from the X-Purpose header where the route has no purpose parameter', async () => {
      const r = await one({
        url: '/cases',
        headers: { ...auth(api.token.admin), 'x-purpose': 'weekly deconfliction review' },
      });
      expect(r.entries).toMatchObject([{ purpose: 'weekly deconfliction review' }]);
    });

    it('never logs a secret given in the query', async () => {
      const r = await one({
        url: '/auth/me?access_token=abc123&password=hunter2&view=full',
        headers: auth(api.token.admin),
      });
      expect(r.entries[0]!.details.http!.query).toEqual({
        access_token: '[redacted]',
        password: '[redacted]',
        view: 'full',
      });
      expect(JSON.stringify(r.entries)).not.toMatch(/abc123|hunter2/);
    });

    it('logs a 403 with the actor and the error class', async () => {
      const r = await one({ url: '/audit', headers: auth(api.token.cbp) });
      expect(r.status).toBe(403);
      expect(r.entries).toMatchObject([
        {
          actor: 'cbp.screener',
          action: 'api.request',
          details: { http: { route: '/audit', status: 403, error: 'ForbiddenError' } },
        },
      ]);
      expect(r.entries).toHaveLength(1);
    });

    it('logs a 401 as anonymous with the client address, with no token or with a bad one', async () => {
      for (const headers of [{}, { authorization: 'Bearer not-a-token' }]) {
        const r = await one({ url: '/cases', headers });
        expect(r.status).toBe(401);
        expect(r.entries).toMatchObject([
          {
            actor: 'anonymous',
            action: 'api.request',
            target: '/cases',
            details: { http: { route: '/cases', status: 401, ip: '127.0.0.1', error: 'HttpError' } },
          },
        ]);
        expect(r.entries).toHaveLength(1);
      }
      const nowhere = await one({ url: '/no/such/route' });
      expect(nowhere.entries).toMatchObject([
        { actor: 'anonymous', details: { http: { route: null, path: '/no/such/route', status: 401 } } },
      ]);
    });

    it('logs a 404 of a hidden entity exactly as a 404 of one that never existed', async () => {
      const w = await api.post('/entities', api.token.analyst, {
        schema: 'Person',
        id: 'dea-hidden-1',
        properties: { name: ['Secret Source'] },
        marking: 'S//LES/NOFORN',
      });
      expect(w.statusCode, w.body).toBe(201);
      const hidden = await one({ url: '/entities/dea-hidden-1', headers: auth(api.token.cbp) });
      const never = await one({ url: '/entities/dea-hidden-2', headers: auth(api.token.cbp) });
      expect([hidden.status, never.status]).toEqual([404, 404]);
      expect(hidden.body.replace('dea-hidden-1', 'X')).toBe(never.body.replace('dea-hidden-2', 'X'));
      const shape = (e: Entry) => JSON.parse(JSON.stringify({ ...e, seq: 0 }).replaceAll(/dea-hidden-[12]/g, 'X'));
      expect(hidden.entries).toHaveLength(1);
      expect(never.entries).toHaveLength(1);
      expect(shape(hidden.entries[0]!)).toEqual(shape(never.entries[0]!));
      expect(hidden.entries[0]).toMatchObject({
        actor: 'cbp.screener',
        action: 'entity.read',
        details: { found: false, http: { route: '/entities/:id', status: 404, error: 'StatusError' } },
      });
    });

    it("records a successful write by its own transaction's entry only, and a refused write by the request entry", async () => {
      const ok = await one({
        method: 'POST',
        url: '/entities',
        headers: auth(api.token.analyst),
        payload: { schema: 'Person', properties: { name: ['Ana Ruiz'] }, marking: 'U//LES' },
      });
      expect(ok.status).toBe(201);
      expect(ok.entries.map((e) => e.action)).toEqual(['records.write']);
      const refused = await one({
        method: 'POST',
        url: '/entities',
        headers: auth(api.token.cbp),
        payload: { schema: 'Person', properties: { name: ['Ana Ruiz'] }, marking: 'U' },
      });
      expect(refused.status).toBe(403);
      expect(refused.entries).toMatchObject([
        {
          actor: 'cbp.screener',
          action: 'api.request',
          details: { http: { method: 'POST', route: '/entities', status: 403, error: 'ForbiddenError' } },
        },
      ]);
      expect(refused.entries).toHaveLength(1);
    });

    it("does not log the web application's static files or /health", async () => {
      for (const url of ['/health', '/', '/assets/index.js', '/openapi.json']) {
        const r = await one({ url });
        expect(r.entries, url).toEqual([]);
      }
    });

    it('withholds the answer when its entry cannot be written', async () => {
      // What a full or failing audit table looks like to the server: the INSERT fails.
      await api.store.db.exec('ALTER TABLE audit_log RENAME TO audit_log_away');
      try {
        const res = await api.app.inject({ url: '/cases', headers: auth(api.token.admin) });
        expect(res.statusCode).toBe(503);
        expect(res.json().error).toMatch(/audit log could not be written/);
      } finally {
        await api.store.db.exec('ALTER TABLE audit_log_away RENAME TO audit_log');
      }
      expect((await verifyAudit(api.store.db)).ok).toBe(true);
    });

    it('logs a server-side failure too, without holding its answer for the entry', async () => {
      const before = await headSeq(api.store);
      await api.store.db.exec('ALTER TABLE cases RENAME TO cases_away'); // the read itself fails: a 500
      try {
        expect((await api.app.inject({ url: '/cases', headers: auth(api.token.admin) })).statusCode).toBe(500);
      } finally {
        await api.store.db.exec('ALTER TABLE cases_away RENAME TO cases');
      }
      // Queued, not awaited: it is written soon after.
      for (let i = 0; i < 50 && (await headSeq(api.store)) === before; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await entriesAfter(api.store, before)).toMatchObject([
        { actor: 'dea.admin', action: 'api.request', details: { http: { route: '/cases', status: 500 } } },
      ]);
    });

    it('writes the entries of concurrent requests in order, one each, in a chain that verifies', async () => {
      const before = await headSeq(api.store);
      const res = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          api.app.inject({ url: `/substances?q=${i}`, headers: auth(api.token.cbp) }),
        ),
      );
      expect(res.every((r) => r.statusCode === 200)).toBe(true);
      const entries = await entriesAfter(api.store, before);
      expect(entries.map((e) => e.details.http!.query.q).sort()).toEqual(
        Array.from({ length: 40 }, (_, i) => String(i)).sort(),
      );
      expect((await verifyAudit(api.store.db)).ok).toBe(true);
    });
  });

  describe(`request audit of rate-limited requests (${backend.name})`, () => {
    it('logs a 429 with who was refused', async () => {
      const { store, close } = await openApi(backend);
      const limited = await buildServer({ store, rateLimit: 2, escalateEveryMs: 0, maxEventLoopDelayMs: 0 });
      try {
        const token = await userWithToken(store, {
          username: 'busy.analyst',
          agency: 'DEA',
          clearance: 'S',
          roles: ['analyst'],
        });
        for (let i = 0; i < 2; i++)
          expect((await limited.inject({ url: '/cases', headers: auth(token) })).statusCode).toBe(200);
        const before = await headSeq(store);
        const res = await limited.inject({ url: '/cases', headers: auth(token) });
        expect(res.statusCode).toBe(429);
        expect(await entriesAfter(store, before)).toMatchObject([
          { actor: 'busy.analyst', action: 'api.request', details: { http: { route: '/cases', status: 429 } } },
        ]);
      } finally {
        await limited.close();
        await close();
      }
    });
  });
}

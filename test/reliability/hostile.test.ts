// Hostile input: every body-taking endpoint of the API fuzzed with random JSON
// (fast-check) never answers 5xx; oversized, deeply nested and traversal attempts are
// refused with a clear 4xx; injection strings in names are stored and found as text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { memoryStore, server, userWithToken, auth, postAs } from '../helpers.js';
import type { Store } from '../../src/store/store.js';
import { verifyAudit } from '../../src/store/audit.js';

describe('hostile input', () => {
  let store: Store;
  let app: FastifyInstance;
  let token: string;
  beforeAll(async () => {
    store = await memoryStore();
    app = await server(store);
    // Every role, so fuzzed requests get past permission checks into validation and the store.
    token = await userWithToken(store, { username: 'fuzz.all', agency: 'DEA', clearance: 'TS', roles: ['analyst', 'case_agent', 'supervisor', 'watchlist_reviewer', 'watch_officer', 'screener', 'admin'] });
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });

  it('never answers 5xx to random JSON bodies on any endpoint that takes one', async () => {
    const spec = (await app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(spec.paths).flatMap(([path, ops]) => Object.keys(ops).filter((m) => ['post', 'put', 'patch'].includes(m)).map((m) => ({ method: m.toUpperCase() as 'POST', path })));
    expect(routes.length).toBeGreaterThan(40);
    // Logout would end the fuzzing session; sign-in is rate-limited by design.
    const fuzzed = routes.filter((r) => !['/auth/logout', '/auth/login'].includes(r.path));
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 12 }), tie('value'), { maxKeys: 5 })),
    })).value;
    let requests = 0;
    for (const r of fuzzed) {
      const url = r.path.replace(/\{[^}]+\}/g, (m) => (/id/.test(m) ? '1' : 'x'));
      try {
        await fc.assert(fc.asyncProperty(json, async (body) => {
          const res = await app.inject({ method: r.method, url, headers: { ...auth(token), 'content-type': 'application/json' }, payload: JSON.stringify(body) });
          requests++;
          if (res.statusCode >= 500) throw new Error(`${res.statusCode} ${res.body.slice(0, 300)}`);
        }), { numRuns: 30, seed: 8 });
      } catch (e) {
        throw new Error(`${r.method} ${url}: ${(e as Error).message}`);
      }
    }
    expect(requests).toBeGreaterThanOrEqual(fuzzed.length * 30);
  });

  it('refuses an oversized body with 413 and a deeply nested one with 400, and keeps serving', async () => {
    const big = await postAs(app, '/screen', token, { name: 'x'.repeat(2 * 1024 * 1024) });
    expect(big.statusCode).toBe(413);
    const nested = '['.repeat(100_000) + ']'.repeat(100_000);
    const deep = await app.inject({ method: 'POST', url: '/screen', headers: { ...auth(token), 'content-type': 'application/json' }, payload: nested });
    expect([400, 413]).toContain(deep.statusCode);
    const bad = await app.inject({ method: 'POST', url: '/screen', headers: { ...auth(token), 'content-type': 'application/json' }, payload: '{"name": "unterminated' });
    expect(bad.statusCode).toBe(400);
    expect((await postAs(app, '/screen', token, { name: 'Ismael Zambada Garcia' })).statusCode).toBe(200);
  });

  it('serves no file outside the web build, whatever the path', async () => {
    for (const p of ['/assets/..%2f..%2fpackage.json', '/assets/%2e%2e%2f%2e%2e%2fsrc%2fapi%2fserver.ts', '/assets/....//....//etc/passwd', '/assets/%00', '/../package.json', '/assets/..\\..\\package.json']) {
      const r = await app.inject({ url: p });
      expect(r.statusCode, p).toBeGreaterThanOrEqual(400);
      expect(r.statusCode, p).toBeLessThan(500);
      expect(r.body).not.toMatch(/"name": "chokepoint"|import type|root:x:0/);
    }
  });

  it('stores SQL and JSON injection strings in names as text, finds them literally, and loses nothing', async () => {
    const hostile = ["'; DROP TABLE statements; --", 'Robert\'); DELETE FROM audit_log; --', '" OR 1=1 --', '{"$gt": ""}', '%_\\', 'a\u0000b'.replace('\u0000', ''), '$(rm -rf /)', '=cmd|\' /C calc\'!A0'];
    const r = await postAs(app, '/records', token, hostile.map((name, i) => ({ sourceRecordId: `INJ-${i}`, marking: 'U//LES', entities: [{ id: `inj-${i}`, schema: 'Person', properties: { name: [name] } }] })));
    expect(r.statusCode).toBe(200);
    for (const [i, name] of hostile.entries()) {
      const e = (await app.inject({ url: `/entities/inj-${i}`, headers: auth(token) })).json();
      expect(e.properties.name[0].value).toBe(name);
    }
    const found = (await app.inject({ url: `/entities?q=${encodeURIComponent('DROP TABLE statements')}`, headers: auth(token) })).json();
    expect(found.results.map((x: { id: string }) => x.id)).toContain('inj-0');
    const [n] = await store.db.query<{ n: number }>("SELECT count(*)::int AS n FROM statements WHERE entity_id LIKE 'inj-%'");
    expect(n!.n).toBe(hostile.length);
    expect((await verifyAudit(store.db)).ok).toBe(true);
  });
});

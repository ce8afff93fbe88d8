// Real answers against the OpenAPI document, so a response schema cannot drift from what
// its route sends. Over the demo scenario and a day of work done through the API (cases
// and targets, operations and their conflicts, nominations, presses, task forces, partner
// reports, pre-export notifications, imports, tokens, screening, redress), every answer
// is checked against the document: its status must be documented for the operation, and
// its JSON must match the documented schema with every property listed (the schemas are
// complete, not merely true). Then every GET operation is called as users of each role,
// with every value of each choice-of-literals query parameter, and its answers checked.
// The server itself also checks each answer against its route (checkAnswers), so a
// mismatch names its operation twice over. Every GET must have answered 2xx at least once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { backends } from './helpers.js';
import { buildServer } from '../src/api/server.js';
import type { Store } from '../src/store/store.js';
import { loadScenario } from '../src/scenario/load.js';
import { DEMO_USERS } from '../src/scenario/load.js';
import { createUser, issueToken } from '../src/store/users.js';
import { escalateOverdue } from '../src/deconflict/events.js';
import { contract, operationsOf, type OpenApiDoc } from './openapi-contract.js';
import { type Answer, tour, type Tour } from './openapi-tour.js';

const PASSWORD = 'correct horse battery staple';
/** The demo users, a watch officer, a Mexican precursor analyst (answers pre-export notifications). */
const USERS = [
  ...DEMO_USERS,
  { username: 'watch.officer', displayName: 'Watch officer', agency: 'DEA', clearance: 'S', roles: ['watch_officer'] },
  { username: 'fgr.precursors', displayName: 'FGR precursors', agency: 'FGR', clearance: 'S', roles: ['analyst'] },
] as const;
type Username = (typeof USERS)[number]['username'];
/** A user, or a bare bearer token (`bearer:<token>`) or peer token (`peer:<token>`). */
type As = Username | `bearer:${string}` | `peer:${string}`;

/** One user of each kind of role and access the GETs are called as. */
const SWEEP: Username[] = [
  'admin',
  'dea.analyst',
  'dea.agent',
  'dea.supervisor',
  'cbp.officer', // CONFIDENTIAL
  'azdps.detective', // UNCLASSIFIED, a state agency
  'fbi.reviewer',
  'watch.officer',
  'fgr.liaison', // a foreign partner
  'carrier.partner', // a private partner
];

/** GET operations the sweep does not call, and why (reported, not silently dropped). */
const NOT_CALLED: Record<string, string> = {
  'GET /notifications/stream':
    'a server-sent event stream that stays open; its events are what GET /notifications lists',
};

/** The values of a choice of literals (TypeBox's union of literals: anyOf of one-value enums). */
function literalsOf(s: { enum?: unknown[]; anyOf?: { enum?: unknown[] }[] }): unknown[] {
  if (Array.isArray(s.enum)) return s.enum;
  if (s.anyOf?.every((a) => Array.isArray(a.enum))) return s.anyOf.flatMap((a) => a.enum!);
  return [];
}

// On the embedded database only: the document describes answers, whose shapes do not depend
// on the database (a PostgreSQL run doubled the file's minute and a half of CI time for no
// answer of another shape); every answer's content is held on both backends by the access
// sweep and the property tests. CHOKEPOINT_ANSWERS_ALL_BACKENDS=1 runs it on PostgreSQL too.
const answerBackends = process.env.CHOKEPOINT_ANSWERS_ALL_BACKENDS ? backends : backends.slice(0, 1);
for (const backend of answerBackends) {
  describe(`answers match the OpenAPI document (${backend.name})`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let app: FastifyInstance;
    let doc: OpenApiDoc;
    let check: ReturnType<typeof contract>;
    const token = {} as Record<Username, string>;
    const problems: string[] = [];
    /** Operations (METHOD /path) by the statuses they answered, once checked. */
    const answered = new Map<string, Set<number>>();
    let checked = 0;
    let t: Tour;

    /** Calls an operation by its document path, checks the answer, and returns it parsed. */
    async function call(
      method: string,
      path: string,
      as: As | string | null,
      o: Parameters<Parameters<typeof tour>[0]>[3] = {},
    ): Promise<Answer> {
      const url =
        path.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(String(o.params?.[k]))) +
        (o.query && Object.keys(o.query).length
          ? `?${new URLSearchParams(Object.entries(o.query).map(([k, v]) => [k, String(v)])).toString()}`
          : '');
      const res = await app.inject({
        method: method as 'GET',
        url,
        headers: {
          ...(as
            ? {
                authorization: as.startsWith('peer:')
                  ? `Peer ${as.slice(5)}`
                  : `Bearer ${as.startsWith('bearer:') ? as.slice(7) : token[as as Username]}`,
              }
            : {}),
          ...o.headers,
        },
        ...(o.body !== undefined ? { payload: o.body as object } : {}),
      });
      const key = `${method} ${path}`;
      checked++;
      const found = check(method, path, { statusCode: res.statusCode, headers: res.headers, body: res.body });
      if (res.statusCode === 500) found.push(`500: ${res.body.slice(0, 400)}`);
      for (const f of found) problems.push(`${key} as ${as ?? 'nobody'} (${res.statusCode}): ${f}`);
      if (!found.length) answered.set(key, (answered.get(key) ?? new Set()).add(res.statusCode));
      const json = String(res.headers['content-type'] ?? '').includes('json');
      return { status: res.statusCode, json: () => (json ? JSON.parse(res.body) : undefined), body: res.body };
    }

    beforeAll(async () => {
      ({ store, drop } = await backend.open());
      await loadScenario(store, { seed: 5, networks: 2 });
      for (const u of USERS) {
        const p = await createUser(store.db, { ...u, roles: [...u.roles], password: PASSWORD });
        token[u.username] = (await issueToken(store.db, p.id, 'session', 8)).token;
      }
      app = await buildServer({
        store,
        rateLimit: 100_000,
        escalateEveryMs: 0,
        maxEventLoopDelayMs: 0,
        resumeAfterWritesEveryMs: 0,
        checkAnswers: true,
      });
      doc = (await app.inject('/openapi.json')).json();
      check = contract(doc);
      t = await tour(call, PASSWORD, () => escalateOverdue(store.db, new Date(Date.now() + 86_400_000)));
    }, 300_000);
    afterAll(async () => {
      await app?.close();
      await drop?.();
    });

    it('a day of work through the API: every answer as documented', () => {
      expect(problems).toEqual([]);
      expect(t.failed).toEqual([]);
    });

    it('every GET, as users of every role: every answer as documented, each operation answering 2xx', async () => {
      problems.length = 0;
      const gets = operationsOf(doc).filter((o) => o.method === 'GET' && !NOT_CALLED[`GET ${o.path}`]);
      const unfilled: string[] = [];
      for (const { path, op } of gets) {
        const variants = t.params(path);
        const required = (op.parameters ?? []).filter((p) => p.required).map((p) => p.name);
        if (!variants) {
          if (required.length)
            unfilled.push(`GET ${path} needs ${required.join(', ')}: give it in test/openapi-tour.ts`);
          continue;
        }
        // Each value of a query parameter that is a choice of literals (measure=..., format=...), in turn.
        const choices = (op.parameters ?? []).flatMap((p) =>
          p.in === 'query' ? literalsOf(p.schema).map((v) => ({ [p.name]: v })) : [],
        );
        for (const v of variants)
          for (const extra of choices.length ? choices : [{}])
            for (const u of SWEEP) await call('GET', path, u, { params: v.params, query: { ...v.query, ...extra } });
      }
      expect(unfilled).toEqual([]);
      expect(problems).toEqual([]);
      const never = gets
        .map((g) => `GET ${g.path}`)
        .filter((k) => ![...(answered.get(k) ?? [])].some((s) => s >= 200 && s < 300));
      expect(never, 'GET operations that never answered 2xx').toEqual([]);
    }, 600_000);

    it('refusals as documented: 401 without a token, 400 for input that is not JSON or not as the schema says (with each field), and what a missing id answers', async () => {
      problems.length = 0;
      for (const { method, path, op } of operationsOf(doc)) {
        if (NOT_CALLED[`${method} ${path}`]) continue;
        const params = Object.fromEntries(
          (op.parameters ?? [])
            .filter((p) => p.in === 'path')
            .map((p) => [p.name, p.schema.type === 'integer' ? 999999 : 'zz-none']),
        );
        const open = Array.isArray(op.security) && op.security.length === 0;
        if (!open) expect((await call(method, path, null, { params })).status, `${method} ${path}`).toBe(401);
        if (op.requestBody) {
          const res = await app.inject({
            method: method as 'POST',
            url: path.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k])),
            headers: { authorization: `Bearer ${token.admin}`, 'content-type': 'application/json' },
            payload: '{"not json',
          });
          for (const f of check(method, path, { statusCode: res.statusCode, headers: res.headers, body: res.body }))
            problems.push(`${method} ${path} with a broken body (${res.statusCode}): ${f}`);
          expect(res.statusCode, `${method} ${path}`).toBe(400);
        }
        if (method === 'GET' && Object.keys(params).length) await call(method, path, 'admin', { params });
      }
      // Input that does not match the schema: a 400 naming each field.
      const invalid = await call('POST', '/cases', 'dea.agent', { body: { caseNumber: 'OA-9', extra: true } });
      expect(invalid.status).toBe(400);
      const [first] = invalid.json().errors;
      expect(first).toEqual({ path: 'body', message: expect.stringMatching(/^must /) });
      expect(invalid.json().error).toContain(first.message.replace(/ \(extra\)$/, ''));
      expect(problems).toEqual([]);
    }, 300_000);

    it('lists what it did not call, with the reason', () => {
      console.log(
        `openapi answers: not called:\n  ${Object.entries(NOT_CALLED)
          .map(([k, v]) => `${k}: ${v}`)
          .join('\n  ')}`,
      );
      const writes = operationsOf(doc).filter((o) => o.method !== 'GET');
      const unwritten = writes.map((w) => `${w.method} ${w.path}`).filter((k) => !answered.has(k));
      console.log(`openapi answers: writes not exercised beyond their refusals: ${unwritten.join(', ') || 'none'}`);
      const statuses = [...answered.values()].reduce((n, s) => n + s.size, 0);
      console.log(
        `openapi answers (${backend.name}): ${checked} answers checked, ${answered.size} operations, ${statuses} operation-status pairs`,
      );
      expect(answered.size).toBeGreaterThan(0);
    });
  });
}

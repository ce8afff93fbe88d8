// Property: for random data under random markings and random readers, no endpoint
// returns, counts or exports a value the reader may not read, nor reveals an entity
// whose existence the reader may not know; and the reader gets everything they may
// see. The oracle is canRead() in TypeScript; the enforcement is the SQL policy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import { backends, server, auth } from './helpers.js';
import type { Store } from '../src/store/store.js';
import { canRead, formatMarking, highestMarking, type Marking, type ReaderAccess } from '../src/domain/markings.js';
import { parseRecord } from '../src/ingest/record-input.js';
import { writeBatch, SYSTEM } from '../src/store/write.js';
import { createUser, issueToken } from '../src/store/users.js';
import { agreement, markingArb, REQUIRED_CASES, userReaderArb } from './access-cases.js';
import { createCase, registerTargets } from '../src/deconflict/targets.js';
import { putList } from '../src/lists/custom.js';

interface Fact {
  entity: string;
  prop: string;
  value: string;
  marking: Marking;
}
interface Dataset {
  presence: { entity: string; schema: string; marking: Marking }[];
  facts: Fact[];
}

const NAME_PROPS = ['name', 'alias', 'previousName'] as const;
const REF_PROPS = new Set(['owner', 'asset']);

/** Random people and companies, ownerships between them; each property under its own marking. */
const datasetArb: fc.Arbitrary<Dataset> = fc
  .record({
    people: fc.array(
      fc.record({
        m: markingArb,
        names: fc.array(fc.tuple(fc.constantFrom('Ana', 'Luis', 'Wang', 'Smith', 'García'), markingArb), {
          minLength: 1,
          maxLength: 3,
        }),
      }),
      { minLength: 1, maxLength: 6 },
    ),
    companies: fc.array(fc.record({ m: markingArb, nameMarking: markingArb }), { minLength: 1, maxLength: 4 }),
    links: fc.array(fc.record({ p: fc.nat(), c: fc.nat(), m: markingArb }), { maxLength: 6 }),
  })
  .map(({ people, companies, links }) => {
    const presence: Dataset['presence'] = [];
    const facts: Fact[] = [];
    people.forEach((p, i) => {
      presence.push({ entity: `p${i}`, schema: 'Person', marking: p.m });
      p.names.forEach(([n, m], j) =>
        facts.push({ entity: `p${i}`, prop: NAME_PROPS[j]!, value: `${n} ${i}${j}`, marking: m }),
      );
    });
    companies.forEach((c, i) => {
      presence.push({ entity: `c${i}`, schema: 'Company', marking: c.m });
      facts.push({ entity: `c${i}`, prop: 'name', value: `Empresa ${i}`, marking: c.nameMarking });
    });
    links.forEach((l, i) => {
      const own = `o${i}`;
      presence.push({ entity: own, schema: 'Ownership', marking: l.m });
      facts.push({ entity: own, prop: 'owner', value: `p${l.p % people.length}`, marking: l.m });
      facts.push({ entity: own, prop: 'asset', value: `c${l.c % companies.length}`, marking: l.m });
    });
    return { presence, facts };
  });

let run = 0;
/** One record per entity: its marking is the entity's existence marking; each property has its own. */
async function load(store: Store, d: Dataset): Promise<void> {
  await store.db.exec('TRUNCATE statements, presence, record_basis, records, entities CASCADE');
  run++;
  const parsed = d.presence.map((p, i) => {
    const facts = d.facts.filter((f) => f.entity === p.entity);
    return parseRecord(
      {
        sourceRecordId: `r${run}-${i}`,
        marking: formatMarking(p.marking),
        entities: [
          {
            id: p.entity,
            schema: p.schema,
            properties: Object.fromEntries(facts.map((f) => [f.prop, [f.value]])),
            propertyMarkings: Object.fromEntries(facts.map((f) => [f.prop, formatMarking(f.marking)])),
          },
        ],
      },
      { source: p.marking.owner },
    );
  });
  for (const p of parsed) expect(p.errors).toEqual([]);
  await writeBatch(
    store.db,
    store.markings,
    SYSTEM,
    parsed.map((p) => p.record!),
    { origin: 'property test' },
  );
  // Pretend analysts judged: every pair of people is "confirmed the same", so merged
  // views and links span every marking combination the data has.
  await store.db.exec('TRUNCATE possible_links');
  const people = d.presence
    .filter((p) => p.schema === 'Person')
    .map((p) => p.entity)
    .sort();
  // Each link is marked as cross-referencing marks it: the highest of both entities' presences and values.
  const about = (id: string): Marking[] => [
    ...d.presence.filter((p) => p.entity === id).map((p) => p.marking),
    ...d.facts.filter((f) => f.entity === id).map((f) => f.marking),
  ];
  for (let i = 1; i < people.length; i++) {
    const m = await store.db.transaction((tx) =>
      store.markings.intern(tx, highestMarking([...about(people[0]!), ...about(people[i]!)])!),
    );
    await store.db.query(
      "INSERT INTO possible_links (left_id, right_id, score, reasons, status, marking_id) VALUES ($1, $2, 1, '[]', 'confirmed', $3)",
      [people[0], people[i], m],
    );
  }
}

function oracle(d: Dataset, u: ReaderAccess) {
  const visible = new Set(d.presence.filter((p) => canRead(u, p.marking)).map((p) => p.entity));
  const values = new Map<string, Set<string>>();
  for (const f of d.facts) {
    if (!visible.has(f.entity) || !canRead(u, f.marking)) continue;
    // A reference is a value only when its target's existence is readable too.
    if (REF_PROPS.has(f.prop) && !visible.has(f.value)) continue;
    const k = `${f.entity}.${f.prop}`;
    values.set(k, (values.get(k) ?? new Set()).add(f.value));
  }
  const bySchema: Record<string, number> = {};
  for (const p of d.presence) if (visible.has(p.entity)) bySchema[p.schema] = (bySchema[p.schema] ?? 0) + 1;
  return { visible, values, bySchema };
}

function valuesOf(e: { id: string; properties: Record<string, { value: string }[]> }): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const [p, vs] of Object.entries(e.properties)) m.set(`${e.id}.${p}`, new Set(vs.map((v) => v.value)));
  return m;
}

for (const backend of backends) {
  describe(`markings are enforced on every endpoint (${backend.name})`, () => {
    let store: Store;
    let app: FastifyInstance;
    let drop: () => Promise<void>;
    let users = 0;
    beforeAll(async () => {
      ({ store, drop } = await backend.open());
      app = await server(store);
    });
    afterAll(async () => {
      await app.close();
      await drop();
    });

    async function tokenFor(u: ReaderAccess): Promise<string> {
      const p = await createUser(store.db, {
        username: `u${++users}`,
        password: 'correct horse battery staple',
        agency: u.agency,
        clearance: u.clearance,
        roles: ['analyst'],
        groups: u.groups,
        country: u.country,
      });
      return (await issueToken(store.db, p.id, 'session', 1)).token;
    }

    it('the SQL policy and canRead() agree on every marking for every reader, over every combination the rule distinguishes', async () => {
      const seen = new Set<string>();
      await fc.assert(agreement(store, canRead, seen), { numRuns: 300 });
      expect(
        REQUIRED_CASES.filter((c) => !seen.has(c)),
        'combinations the generators never produced',
      ).toEqual([]);
    });

    it('tells a case owner of records touching their targets only what the owner may read (pointer-only otherwise)', async () => {
      await fc.assert(
        fc.asyncProperty(datasetArb, userReaderArb, async (d, u) => {
          await store.db.exec('TRUNCATE cases, notifications CASCADE');
          const owner = await createUser(store.db, {
            username: `owner${++users}`,
            password: 'correct horse battery staple',
            agency: u.agency,
            clearance: u.clearance,
            roles: ['case_agent'],
            groups: u.groups,
            country: u.country,
          });
          const token = (await issueToken(store.db, owner.id, 'session', 1)).token;
          const c = await createCase(store.db, owner, {
            caseNumber: `CASE-${users}`,
            title: 'property',
            contactName: 'Owner',
            contactPhone: '+1 202 555 0100',
          });
          // The case works every person and company by id (an owner may know an id without being able to read what others hold on it).
          const targets = d.presence.filter((p) => p.schema !== 'Ownership').map((p) => p.entity);
          await registerTargets(
            store.db,
            owner,
            c.id,
            targets.map((value) => ({ kind: 'entity' as const, value })),
          );
          await load(store, d); // the writes link to the case and tell its owner
          const want = oracle(d, u);
          const rows = await store.db.query<{
            message: string;
            payload: { basis: string; targetId: number; record: string | null; path: { entityId: string }[] };
          }>("SELECT message, payload FROM notifications WHERE kind = 'interdiction.link' AND user_id = $1", [
            owner.id,
          ]);
          const targetOf = new Map(
            (
              await store.db.query<{ id: number; value: string }>(
                'SELECT id, value FROM case_targets WHERE case_id = $1',
                [c.id],
              )
            ).map((t) => [t.id, t.value]),
          );
          const api = (await app.inject({ url: '/notifications', headers: auth(token) })).json() as {
            message: string;
          }[];
          expect(api.map((n) => n.message).sort()).toEqual(rows.map((n) => n.message).sort());
          for (const n of rows) {
            // Entities named: only those the owner may see.
            for (const id of n.message.match(/\b[pco]\d+\b/g) ?? [])
              expect(want.visible.has(id), `${id} in "${n.message}"`).toBe(true);
            for (const step of n.payload.path) expect(want.visible.has(step.entityId)).toBe(true);
            // The record is named only when the owner may read it (one record per entity, under the entity's marking).
            if (n.payload.record !== null) expect(want.visible.has(targetOf.get(n.payload.targetId)!)).toBe(true);
          }
          // And every target written reaches the owner: in full when readable, as a pointer when not.
          for (const t of targets) {
            const about = rows.filter((n) => targetOf.get(n.payload.targetId) === t);
            expect(about.length, `notice for ${t}`).toBeGreaterThan(0);
            expect(
              about.some((n) => n.payload.record !== null),
              `record of ${t} named`,
            ).toBe(want.visible.has(t));
          }
        }),
        { numRuns: backend.name === 'pglite' ? 10 : 6 },
      );
    });

    it('lists, counts, reads, searches, traverses and exports only what the reader may see', async () => {
      await fc.assert(
        fc.asyncProperty(datasetArb, fc.array(userReaderArb, { minLength: 1, maxLength: 3 }), async (d, readers) => {
          await load(store, d);
          for (const u of readers) {
            const token = await tokenFor(u);
            const want = oracle(d, u);
            const get = async (url: string) => {
              const res = await app.inject({ url, headers: auth(token) });
              return { status: res.statusCode, body: res.json() };
            };
            // List and count.
            const list = await get('/entities?limit=200');
            expect(list.body.total).toBe(want.visible.size);
            expect(new Set(list.body.results.map((e: { id: string }) => e.id))).toEqual(want.visible);
            const got = new Map<string, Set<string>>();
            for (const e of list.body.results) for (const [k, v] of valuesOf(e)) got.set(k, v);
            expect(got).toEqual(want.values);
            // Merges name only entities the reader may see.
            for (const e of list.body.results)
              for (const s of e.sameAs as string[]) expect(want.visible.has(s)).toBe(true);
            // Every value the reader sees comes with its source.
            for (const e of list.body.results)
              for (const vs of Object.values(e.properties) as {
                source: string | null;
                sourceRecordId: string | null;
              }[][])
                for (const v of vs) {
                  expect(v.source).not.toBeNull();
                  expect(v.sourceRecordId).not.toBeNull();
                }
            // Each entity: 404 exactly when hidden (same answer as for an id that never existed).
            for (const p of d.presence) {
              const one = await get(`/entities/${p.entity}`);
              expect(one.status).toBe(want.visible.has(p.entity) ? 200 : 404);
              if (one.status === 404) expect(one.body).toEqual({ error: `no entity ${p.entity}` }); // as for an id never used
              for (const sub of ['neighbourhood?hops=2', 'relations', 'events']) {
                const g = await get(`/entities/${p.entity}/${sub}`);
                expect(g.status).toBe(want.visible.has(p.entity) ? 200 : 404);
                if (g.status !== 200) continue;
                const nodes: { id: string; properties: Record<string, { value: string }[]> }[] =
                  g.body.nodes ?? g.body.entities ?? g.body;
                for (const n of nodes) {
                  expect(want.visible.has(n.id)).toBe(true);
                  for (const [k, v] of valuesOf(n)) for (const x of v) expect(want.values.get(k)?.has(x)).toBe(true);
                }
                for (const e of g.body.edges ?? [])
                  expect(want.visible.has(e.id) || String(e.id).startsWith('s')).toBe(true);
              }
            }
            // Search counts never include hidden matches.
            for (const q of ['ana', 'garcia', 'empresa', 'smith']) {
              const s = await get(`/entities?q=${q}&limit=200`);
              const expected = [...want.values.entries()]
                .filter(
                  ([k, v]) =>
                    NAME_PROPS.some((np) => k.endsWith(`.${np}`)) &&
                    [...v].some((x) => x.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().includes(q)),
                )
                .map(([k]) => k.split('.')[0]);
              expect(new Set(s.body.results.map((e: { id: string }) => e.id))).toEqual(new Set(expected));
              expect(s.body.total).toBe(new Set(expected).size);
            }
            // Possible links and merged views name only entities the reader may see.
            for (const status of ['open', 'confirmed']) {
              for (const l of (await get(`/links?status=${status}&limit=200`)).body) {
                expect(want.visible.has(l.left_id) && want.visible.has(l.right_id)).toBe(true);
              }
            }
            for (const id of want.visible) {
              const m = await get(`/entities/${id}/merged`);
              for (const member of m.body.members) expect(want.visible.has(member.id)).toBe(true);
            }
            // Completions offer exactly the names the reader may read that contain what was typed.
            for (const typed of ['an', 'ga', 'em', 'sm']) {
              const s = await get(`/entities/suggest?q=${typed}&limit=50`);
              const expected = new Set(
                [...want.values.entries()]
                  .filter(([k]) => NAME_PROPS.some((np) => k.endsWith(`.${np}`)))
                  .flatMap(([, v]) => [...v])
                  .filter((x) => x.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().includes(typed)),
              );
              expect(
                new Set(s.body.suggestions.map((x: { name: string }) => x.name)),
                `suggestions for "${typed}"`,
              ).toEqual(expected);
            }
            // Graph analytics see only the visible graph: every id any of them names is visible.
            const named = (body: unknown): string[] =>
              JSON.stringify(body)
                .match(/"[pco]\d+"/g)
                ?.map((x) => x.slice(1, -1)) ?? [];
            for (const url of [
              '/graph/measures?measure=degree&top=200',
              '/graph/measures?measure=pagerank&top=200',
              '/graph/measures?measure=betweenness&top=200',
              '/graph/measures?measure=communities&top=200',
              '/graph/ranking?top=200',
              '/graph/interdiction?k=2&budgetMs=500',
            ]) {
              const g = await get(url);
              expect(g.status, url).toBe(200);
              for (const id of named(g.body)) expect(want.visible.has(id), `${id} from ${url}`).toBe(true);
            }
            // A disruption simulation answers for a hidden id exactly as for an id that never existed.
            const hidden = d.presence.map((p) => p.entity).find((id) => !want.visible.has(id));
            if (hidden) {
              const sim = async (id: string) =>
                (
                  await app.inject({
                    method: 'POST',
                    url: '/graph/simulate',
                    headers: auth(token),
                    payload: { remove: [id] },
                  })
                ).body.replaceAll(id, 'ID');
              expect(await sim(hidden)).toEqual(await sim('zz-never-existed'));
            }
            // Aggregations.
            const stats = await get('/stats');
            expect(stats.body.bySchema).toEqual(want.bySchema);
            // Export.
            const exp = await app.inject({ url: '/export?purpose=property%20test', headers: auth(token) });
            const exported = exp.body.trim()
              ? exp.body
                  .trim()
                  .split('\n')
                  .map((l) => JSON.parse(l))
              : [];
            expect(new Set(exported.map((e: { id: string }) => e.id))).toEqual(want.visible);
            for (const e of exported)
              for (const [p, vs] of Object.entries(e.properties as Record<string, string[]>))
                expect(new Set(vs)).toEqual(want.values.get(`${e.id}.${p}`));
            // The CSV export: exactly the values the reader may see (and ids of entities they may see, for edges).
            const csv = await app.inject({ url: '/export?format=csv&purpose=property%20test', headers: auth(token) });
            const rows = parse(csv.body.replace(/^\uFEFF/, ''), { columns: true }) as {
              entity_id: string;
              prop: string;
              value: string;
            }[];
            const csvValues = new Map<string, Set<string>>();
            for (const r of rows) {
              expect(want.visible.has(r.entity_id)).toBe(true);
              csvValues.set(
                `${r.entity_id}.${r.prop}`,
                (csvValues.get(`${r.entity_id}.${r.prop}`) ?? new Set()).add(r.value.replace(/^'(?=[=+\-@])/, '')),
              );
            }
            expect(csvValues).toEqual(want.values);
          }
        }),
        { numRuns: backend.name === 'pglite' ? 12 : 8 },
      );
    });

    it('shows and screens against exactly the lists users added that the reader may read', async () => {
      const listsArb = fc
        .uniqueArray(fc.record({ name: fc.constantFrom('L0', 'L1', 'L2', 'L3'), marking: markingArb }), {
          minLength: 1,
          maxLength: 4,
          selector: (l) => l.name,
        })
        .map((ls) => ls.map((l) => ({ ...l, name: `${l.name}-${++users}` })));
      await fc.assert(
        fc.asyncProperty(listsArb, userReaderArb, async (lists, u) => {
          await store.db.exec('TRUNCATE screening_lists CASCADE');
          // Every list holds the same person, so a name's hits name exactly the lists screened against.
          for (const l of lists)
            await putList(
              store,
              SYSTEM,
              {
                name: l.name,
                format: 'csv',
                marking: formatMarking(l.marking),
                files: [{ name: 'l.csv', content: 'id,name,kind\np1,Esteban Quiroga Lunares,person\n' }],
              },
              'add',
            );
          const token = await tokenFor(u);
          const expected = lists.filter((l) => canRead(u, l.marking)).map((l) => l.name);
          const shown = (await app.inject({ url: '/screen/lists', headers: auth(token) })).json() as {
            list: string;
            custom: boolean;
          }[];
          expect(
            shown
              .filter((l) => l.custom)
              .map((l) => l.list)
              .sort(),
          ).toEqual([...expected].sort());
          const screened = await app.inject({
            method: 'POST',
            url: '/screen',
            headers: auth(token),
            payload: { name: 'Esteban Quiroga Lunares', kind: 'person', limit: 50 },
          });
          const hits = (screened.json().hits as { list: string }[]).map((h) => h.list).filter((l) => l.startsWith('L'));
          expect(hits.sort()).toEqual([...expected].sort());
        }),
        { numRuns: backend.name === 'pglite' ? 25 : 12 },
      );
    }, 120_000);
  });
}

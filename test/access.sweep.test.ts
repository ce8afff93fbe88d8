// A canary sweep over every operation of the OpenAPI document: a store seeded with
// random records whose entity ids and values are unique random canary strings, under
// random markings; random readers; then every GET operation (and every POST that only
// reads) called as each reader, with path and query parameters filled with visible,
// hidden and nonexistent ids and canary-bearing search terms. Asserted for each answer:
// no body or header holds a canary the reader may not read by canRead (the oracle,
// computed here from the seeded data), and a hidden id answers exactly as an id that
// never existed. Derived data (possible-link reasons, references, notices, alerts,
// exports, analytics) gets no exemption: if a route leaks, its test fails.
// Reproduce a run with CHOKEPOINT_SWEEP_SEED=<seed printed at the start>.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { backends, memoryStore, server, auth } from './helpers.js';
import type { Store } from '../src/store/store.js';
import { canRead, formatMarking, type Marking, type ReaderAccess } from '../src/domain/markings.js';
import { ROLES, type Principal, type Role } from '../src/domain/users.js';
import { parseRecord } from '../src/ingest/record-input.js';
import { writeBatch, SYSTEM } from '../src/store/write.js';
import { createUser, issueToken } from '../src/store/users.js';
import { createCase, registerTargets } from '../src/deconflict/targets.js';
import { markingArb, userReaderArb } from './access-cases.js';
import { collections } from '../src/exchange/taxii.js';
import { defaultAgencies } from '../src/domain/agencies.js';
import { stixIdFor } from '../src/exchange/stix/ids.js';
import { stixTypeFor } from '../src/exchange/stix/write.js';
import { putList } from '../src/lists/custom.js';

const SEED = Number(process.env.CHOKEPOINT_SWEEP_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`access sweep seed ${SEED} (CHOKEPOINT_SWEEP_SEED=${SEED} reproduces it)`);

/** A canary: "zq" and eight letters; found in any answer by CANARY, case ignored. */
const canaryArb = fc.stringMatching(/^[a-z]{8}$/).map((s) => `zq${s}`);
const CANARY = /zq[a-z]{8}/gi;
const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);
/** An entity id never used (not a canary: it is the sweep's own probe). */
const MISSING = 'zqneverused';

// ---- The seeded data --------------------------------------------------------------

interface Fact {
  prop: string;
  value: string;
  marking: Marking;
  ref?: boolean;
}
/** One source record about one entity: its presence (existence) marking and what it says. */
interface Presence {
  record: string;
  source: string;
  marking: Marking;
  facts: Fact[];
}
interface SeedEntity {
  id: string;
  schema: string;
  presences: Presence[];
}

type Spec = {
  schema: string;
  text: (c: string[]) => Record<string, string>;
  fixed?: Record<string, string>;
  refs?: Record<string, string[]>;
};
/** What each schema says: canary-bearing text, plain values the derived views need, references (to schemas). */
const SPECS: Spec[] = [
  {
    schema: 'Person',
    text: (c) => ({ name: `${cap(c[0]!)} ${cap(c[1]!)}`, alias: cap(c[2]!), notes: `seen with ${c[3]}` }),
    fixed: { birthDate: '1980-02-03' },
  },
  {
    schema: 'Company',
    text: (c) => ({ name: `${cap(c[0]!)} Trading`, description: `front for ${c[1]}` }),
    fixed: { country: 'mx' },
  },
  {
    schema: 'Address',
    text: (c) => ({ name: `Port ${cap(c[0]!)}`, city: cap(c[1]!) }),
    fixed: { latitude: '19.05', longitude: '-104.31', country: 'mx' },
  },
  {
    schema: 'Shipment',
    text: (c) => ({ name: `Shipment ${c[0]}`, declaredGoods: `drums of ${c[1]}` }),
    fixed: { mode: 'container', departureDate: '2025-05-01', grossWeightKg: '900' },
    refs: {
      shipper: ['Company'],
      consignee: ['Company', 'Person'],
      originPort: ['Address'],
      destinationPort: ['Address'],
    },
  },
  {
    schema: 'Seizure',
    text: (c) => ({ name: `Seizure ${c[0]}`, concealment: `inside ${c[1]}` }),
    fixed: { date: '2025-06-01', drugType: 'Fentanyl', weightKg: '12' },
    refs: { involved: ['Person'], shipment: ['Shipment'] },
  },
  {
    schema: 'Equipment',
    text: (c) => ({ name: `Press ${c[0]}`, serialNumber: c[1]!.toUpperCase() }),
    fixed: { equipmentType: 'pill press', make: 'TDP' },
    refs: { owner: ['Company'] },
  },
  {
    schema: 'Ownership',
    text: (c) => ({ role: `holder ${c[0]}` }),
    refs: { owner: ['Person', 'Company'], asset: ['Company'] },
  },
];

const presenceArb = (props: string[]) =>
  fc.record({
    marking: markingArb,
    markings: fc.array(markingArb, { minLength: props.length, maxLength: props.length }),
    canaries: fc.array(canaryArb, { minLength: 4, maxLength: 4 }),
    picks: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
  });

/** Entities of every schema in SPECS; some people share a name (so cross-referencing links them); some entities have a second record. */
const datasetArb: fc.Arbitrary<SeedEntity[]> = fc
  .record({
    counts: fc.tuple(
      fc.integer({ min: 3, max: 5 }),
      fc.integer({ min: 2, max: 3 }),
      fc.constant(2),
      fc.integer({ min: 1, max: 2 }),
      fc.integer({ min: 1, max: 2 }),
      fc.constant(1),
      fc.integer({ min: 1, max: 2 }),
    ),
    ids: fc.uniqueArray(canaryArb, { minLength: 60, maxLength: 60 }),
    first: fc.array(presenceArb(['text', 'text', 'text', 'fixed', 'fixed', 'fixed', 'ref', 'ref', 'ref', 'ref']), {
      minLength: 20,
      maxLength: 20,
    }),
    second: fc.array(fc.option(fc.record({ marking: markingArb, alias: markingArb, canary: canaryArb }), { freq: 2 }), {
      minLength: 20,
      maxLength: 20,
    }),
    sameName: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
  })
  .map(({ counts, ids, first, second, sameName }) => {
    const out: SeedEntity[] = [];
    let n = 0;
    SPECS.forEach((spec, s) => {
      for (let i = 0; i < counts[s]!; i++, n++) {
        const p = first[n]!;
        let k = 0;
        const marked = (prop: string, value: string, ref = false): Fact => ({
          prop,
          value,
          ref,
          marking: p.markings[k++ % p.markings.length]!,
        });
        const text = spec.text(p.canaries);
        // A person named like the previous one: the pair cross-references, and the link's reasons may quote either.
        if (spec.schema === 'Person' && i > 0 && sameName[i])
          text.name = out.at(-1)!.presences[0]!.facts.find((f) => f.prop === 'name')!.value;
        const facts = [
          ...Object.entries(text).map(([prop, v]) => marked(prop, v)),
          ...Object.entries(spec.fixed ?? {}).map(([prop, v]) => marked(prop, v)),
        ];
        Object.entries(spec.refs ?? {}).forEach(([prop, schemas], j) => {
          const targets = out.filter((e) => schemas.includes(e.schema));
          if (targets.length) facts.push(marked(prop, targets[p.picks[j % 4]! % targets.length]!.id, true));
        });
        const presences: Presence[] = [{ record: ids[20 + n]!, source: p.marking.owner, marking: p.marking, facts }];
        const extra = second[n];
        // A second agency's record about the same thing (not for relations: each of their records needs both ends).
        if (extra && ['Person', 'Company', 'Address'].includes(spec.schema))
          presences.push({
            record: ids[40 + n]!,
            source: extra.marking.owner,
            marking: extra.marking,
            facts: [{ prop: 'alias', value: cap(extra.canary), marking: extra.alias }],
          });
        out.push({ id: ids[n]!, schema: spec.schema, presences });
      }
    });
    return out;
  });

/**
 * Screening lists users added, each under a random marking: named by a canary, their
 * entries named as seeded people and companies are (so the sweep's screening terms hit
 * them), each with an alias and a note that are canaries of the list's own.
 */
interface SeedList {
  name: string;
  marking: Marking;
  entries: { name: string; alias: string; note: string }[];
}
const listsArb = (data: SeedEntity[]): fc.Arbitrary<SeedList[]> => {
  const names = data
    .filter((e) => e.schema === 'Person' || e.schema === 'Company')
    .map((e) => e.presences[0]!.facts.find((f) => f.prop === 'name')!.value);
  return fc
    .array(fc.record({ marking: markingArb, canaries: fc.uniqueArray(canaryArb, { minLength: 9, maxLength: 9 }) }), {
      minLength: 3,
      maxLength: 3,
    })
    .map((ls) =>
      ls.map(({ marking, canaries }, i) => ({
        name: canaries[0]!,
        marking,
        entries: [0, 1, 2, 3].map((j) => ({
          name: names[(i + j) % names.length]!,
          alias: cap(canaries[1 + j]!),
          note: `seen with ${canaries[5 + j]}`,
        })),
      })),
    );
};

/** Readers: real users with random access and roles; the first two can do most things. */
const readersArb = fc
  .array(fc.record({ access: userReaderArb, roles: fc.subarray([...ROLES], { minLength: 1, maxLength: 3 }) }), {
    minLength: 6,
    maxLength: 6,
  })
  .map((rs) =>
    rs.map((r, i) => ({
      ...r,
      roles: (i === 0 ? ['analyst', 'case_agent'] : i === 1 ? ['admin', 'supervisor'] : r.roles) as Role[],
    })),
  );

// ---- The oracle ----------------------------------------------------------------------

interface Knowledge {
  visible: Set<string>;
  hidden: string[];
  readable: Set<string>;
  all: Set<string>;
  visibleTerms: string[];
  hiddenTerms: string[];
}

const canariesIn = (s: string): string[] => (s.match(CANARY) ?? []).map((x) => x.toLowerCase());

/**
 * What `u` may read: entity ids with a readable presence; canaries in values under a readable marking of a
 * visible entity; source record ids of a record with a readable presence or value (its provenance).
 */
function oracle(data: SeedEntity[], u: ReaderAccess, lists: SeedList[] = []): Knowledge {
  const visible = new Set(data.filter((e) => e.presences.some((p) => canRead(u, p.marking))).map((e) => e.id));
  const all = new Set<string>();
  const readable = new Set<string>(visible);
  const visibleTerms: string[] = [];
  const hiddenTerms: string[] = [];
  for (const e of data) {
    all.add(e.id);
    for (const p of e.presences) {
      all.add(p.record);
      if (canRead(u, p.marking) || (visible.has(e.id) && p.facts.some((f) => canRead(u, f.marking))))
        readable.add(p.record);
    }
    for (const p of e.presences)
      for (const f of p.facts) {
        if (f.ref) continue; // a reference names an entity id: readable with the entity's presence only
        const cs = canariesIn(f.value);
        cs.forEach((c) => all.add(c));
        if (visible.has(e.id) && canRead(u, f.marking)) cs.forEach((c) => readable.add(c));
      }
  }
  // A list's name and every word of its entries, readable with the list's marking.
  for (const l of lists)
    for (const c of canariesIn(JSON.stringify(l))) {
      all.add(c);
      if (canRead(u, l.marking)) readable.add(c);
    }
  for (const e of data)
    for (const p of e.presences)
      for (const f of p.facts) {
        if (f.ref || !canariesIn(f.value).length) continue;
        (canariesIn(f.value).every((c) => readable.has(c)) ? visibleTerms : hiddenTerms).push(f.value);
      }
  return {
    visible,
    hidden: data.map((e) => e.id).filter((id) => !visible.has(id)),
    readable,
    all,
    visibleTerms,
    hiddenTerms,
  };
}

async function seed(store: Store, data: SeedEntity[]): Promise<void> {
  const parsed = data.flatMap((e) =>
    e.presences.map((p) =>
      parseRecord(
        {
          sourceRecordId: p.record,
          marking: formatMarking(p.marking),
          entities: [
            {
              id: e.id,
              schema: e.schema,
              properties: Object.fromEntries(p.facts.map((f) => [f.prop, [f.value]])),
              propertyMarkings: Object.fromEntries(p.facts.map((f) => [f.prop, formatMarking(f.marking)])),
            },
          ],
        },
        { source: p.source },
      ),
    ),
  );
  for (const p of parsed) expect(p.errors).toEqual([]);
  await writeBatch(
    store.db,
    store.markings,
    SYSTEM,
    parsed.map((p) => p.record!),
    { origin: 'access sweep' },
  );
}

// ---- The operations ------------------------------------------------------------------

interface Param {
  name: string;
  in: 'path' | 'query';
  required?: boolean;
  schema: JsonSchema;
}
interface JsonSchema {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  default?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
}
interface Operation {
  method: 'GET' | 'POST';
  path: string;
  params: Param[];
  body?: JsonSchema;
}

// The document, from a throwaway server: the sweep's tests are declared from it.
const doc = await (async () => {
  const store = await memoryStore();
  const app = await server(store);
  const d = (await app.inject({ url: '/openapi.json' })).json() as {
    paths: Record<
      string,
      Record<string, { parameters?: Param[]; requestBody?: { content: Record<string, { schema: JsonSchema }> } }>
    >;
  };
  await app.close();
  await store.close();
  return d;
})();

/** POST operations that only read (search, screening, simulation, classification, federated asks). */
const READ_ONLY_POSTS = new Set([
  '/screen',
  '/screen/batch',
  '/graph/simulate',
  '/substances/fentanyl-class',
  '/deconfliction/federated',
]);
/** Operations the sweep cannot call, and why (reported, not silently dropped). */
const NOT_SWEPT: Record<string, string> = {
  'GET /notifications/stream':
    'a server-sent event stream that never ends; its events are the rows GET /notifications returns',
  'POST /federation/pointers': 'answers a peer instance (peer token, not a user); reads only, but needs a peer set up',
};

const operations: Operation[] = [];
const notCovered: string[] = [];
for (const [path, ops] of Object.entries(doc.paths)) {
  for (const [m, op] of Object.entries(ops)) {
    const method = m.toUpperCase();
    const key = `${method} ${path}`;
    if (NOT_SWEPT[key]) {
      notCovered.push(`${key}: ${NOT_SWEPT[key]}`);
      continue;
    }
    if (method === 'GET' || (method === 'POST' && READ_ONLY_POSTS.has(path))) {
      operations.push({
        method: method as 'GET' | 'POST',
        path,
        params: op.parameters ?? [],
        body: op.requestBody?.content['application/json']?.schema,
      });
    } else notCovered.push(`${key}: writes`);
  }
}
console.log(
  `access sweep: ${operations.length} operations swept: ${operations.map((o) => `${o.method} ${o.path}`).join(', ')}`,
);
console.log(`access sweep: not swept:\n  ${notCovered.join('\n  ')}`);

/** A value of kind `kind` for a reader: visible, hidden or nonexistent ids; visible or hidden search terms. */
interface Options {
  visibleId: string;
  hiddenId?: string;
  missingId: string;
  visibleTerm: string;
  hiddenTerm?: string;
  /** The STIX ids of the three (TAXII's objects by id). */
  stix: { visible: string; hidden?: string; missing: string };
}

/** TAXII's collections: every one of the instance's (their contents are computed per reader). */
const TAXII_COLLECTIONS = collections(defaultAgencies()).map((c) => c.id);

const ID_NAMES = new Set(['id', 'from', 'to', 'entity', 'nomination', 'ref', 'control', 'key', 'code']);
const TERM_NAMES = new Set(['q', 'serial', 'name', 'actor', 'value', 'csv', 'smiles']);

/** The choices for one parameter: the first is the base; a hidden id is tagged so it can be compared with a missing one. */
function choices(name: string, s: JsonSchema, o: Options): { value: unknown; tag?: 'hidden' | 'missing' }[] {
  // TypeBox unions of literals reach the document as anyOf of one-value enums (or consts).
  const alts = s.anyOf?.flatMap((a) => (a.const !== undefined ? [a.const] : (a.enum ?? []))) ?? s.enum;
  if (alts?.length) return alts.map((value) => ({ value }));
  if (s.anyOf?.length) return choices(name, s.anyOf[0]!, o);
  if (s.const !== undefined) return [{ value: s.const }];
  if (s.type === 'integer' || s.type === 'number')
    return s.default !== undefined
      ? [{ value: s.default }]
      : [{ value: s.minimum ?? 1 }, { value: 2 }, { value: 999999 }];
  if (s.type === 'boolean') return [{ value: true }, { value: false }];
  if (s.type === 'array') return choices(name, s.items ?? {}, o).map((c) => ({ ...c, value: [c.value] }));
  if (s.type === 'object') return [{ value: bodyFor(s, o) }];
  if (s.pattern === '^[A-Za-z]{3}$') return [{ value: 'MEX' }, { value: 'CAN' }];
  if (s.pattern?.includes('\\d{4}-\\d{2}-\\d{2}') || s.format === 'date') return [{ value: '2025-01-01' }];
  if (s.pattern === '^https?://') return [{ value: `https://example.org/${o.visibleTerm}` }];
  if (s.maxLength !== undefined && s.maxLength <= 3) return [{ value: 'MX'.slice(0, s.maxLength) }];
  if (name === 'purpose') return [{ value: 'access sweep' }];
  if (name === 'smiles') return [{ value: 'CCC(=O)N(C1CCN(CC1)CCC2=CC=CC=C2)C3=CC=CC=C3' }]; // fentanyl; the classifier reads no store data
  if (ID_NAMES.has(name))
    return [
      { value: o.visibleId },
      ...(o.hiddenId ? [{ value: o.hiddenId, tag: 'hidden' as const }] : []),
      { value: o.missingId, tag: 'missing' as const },
    ];
  if (name === 'csv') return [{ value: `name\n${o.visibleTerm}\n${o.hiddenTerm ?? o.visibleTerm}\n` }];
  if (name === 'collectionId') return TAXII_COLLECTIONS.map((value) => ({ value }));
  if (name === 'objectId')
    return [
      { value: o.stix.visible },
      ...(o.stix.hidden ? [{ value: o.stix.hidden, tag: 'hidden' as const }] : []),
      { value: o.stix.missing, tag: 'missing' as const },
    ];
  return [{ value: o.visibleTerm }, ...(o.hiddenTerm ? [{ value: o.hiddenTerm }] : [])];
}

/** A body from the schema: required properties and those the sweep has values for, each at its base choice. */
function bodyFor(s: JsonSchema, o: Options, vary?: { prop: string; value: unknown }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, ps] of Object.entries(s.properties ?? {})) {
    if (!s.required?.includes(k) && !ID_NAMES.has(k) && !TERM_NAMES.has(k) && k !== 'remove') continue;
    out[k] = vary?.prop === k ? vary.value : k === 'remove' ? [o.visibleId] : choices(k, ps, o)[0]!.value;
  }
  return out;
}

interface Call {
  url: string;
  body?: unknown;
  tag?: 'hidden' | 'missing';
  group?: string;
  supplied: string[];
}

/** The calls for one operation and reader: a base call, then each parameter through each of its choices, others at base. */
function callsFor(op: Operation, o: Options): Call[] {
  const base = new Map(
    op.params
      // A parameter with a default (format=ftm) is swept too: each of its choices may answer differently. A purpose
      // is stated where one may be (the MISP feed takes it from a header or the query), so the read is answered.
      .filter(
        (p) =>
          p.in === 'path' ||
          p.required ||
          p.schema.default !== undefined ||
          ID_NAMES.has(p.name) ||
          TERM_NAMES.has(p.name) ||
          p.name === 'purpose',
      )
      .map((p) => [p, choices(p.name, p.schema, o)]),
  );
  const make = (pick: (p: Param) => unknown, body?: unknown, tag?: Call['tag'], group?: string): Call => {
    let path = op.path;
    const q = new URLSearchParams();
    for (const p of base.keys()) {
      const v = pick(p);
      if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(String(v)));
      else for (const x of Array.isArray(v) ? v : [v]) q.append(p.name, String(x));
    }
    const url = q.size ? `${path}?${q}` : path;
    return { url, body, tag, group, supplied: canariesIn(decodeURIComponent(url) + JSON.stringify(body ?? '')) };
  };
  const baseBody = op.body && bodyFor(op.body, o);
  const calls = [make((p) => base.get(p)![0]!.value, baseBody)];
  for (const [p, cs] of base)
    cs.slice(1).forEach((c) =>
      calls.push(make((x) => (x === p ? c.value : base.get(x)![0]!.value), baseBody, c.tag, `${p.in} ${p.name}`)),
    );
  for (const [k, ps] of Object.entries(op.body?.properties ?? {})) {
    if (k === 'remove') {
      if (o.hiddenId)
        calls.push(
          make(
            (x) => base.get(x)![0]!.value,
            bodyFor(op.body!, o, { prop: k, value: [o.hiddenId] }),
            'hidden',
            'body remove',
          ),
        );
      calls.push(
        make(
          (x) => base.get(x)![0]!.value,
          bodyFor(op.body!, o, { prop: k, value: [o.missingId] }),
          'missing',
          'body remove',
        ),
      );
      continue;
    }
    if (!(k in (baseBody ?? {}))) continue;
    choices(k, ps, o)
      .slice(1)
      .forEach((c) =>
        calls.push(
          make((x) => base.get(x)![0]!.value, bodyFor(op.body!, o, { prop: k, value: c.value }), c.tag, `body ${k}`),
        ),
      );
  }
  return calls;
}

// ---- The sweep -----------------------------------------------------------------------

for (const backend of backends) {
  describe(`no operation answers with what the reader may not read (${backend.name})`, () => {
    let store: Store;
    let app: FastifyInstance;
    let drop: () => Promise<void>;
    const data = fc.sample(datasetArb, { seed: SEED, numRuns: 1 })[0]!;
    const readers = fc.sample(readersArb, { seed: SEED + 1, numRuns: 1 })[0]!;
    const lists = fc.sample(listsArb(data), { seed: SEED + 2, numRuns: 1 })[0]!;
    const users: { p: Principal; token: string; know: Knowledge; own: Set<string> }[] = [];
    const answered = new Map<string, number[]>();

    beforeAll(async () => {
      ({ store, drop } = await backend.open());
      app = await server(store);
      let n = 0;
      for (const r of readers) {
        const p = await createUser(store.db, {
          username: `sweep${++n}`,
          password: 'correct horse battery staple',
          ...r.access,
          roles: r.roles,
        });
        const token = (await issueToken(store.db, p.id, 'session', 1)).token;
        const know = oracle(data, p, lists);
        const own = new Set<string>();
        // Case agents work entities by id, some they may not see: their notices and conflicts are derived data too.
        if (r.roles.some((x) => ['case_agent', 'supervisor', 'admin'].includes(x))) {
          const c = await createCase(store.db, p, {
            caseNumber: `SWEEP-${n}`,
            title: 'sweep',
            contactName: `Agent ${n}`,
            contactPhone: '+1 202 555 0100',
          });
          // The id the sweep uses for "never existed" too, so a hidden id and a missing one are equally their targets.
          const targets = [
            ...data.filter((e) => e.schema === 'Person' || e.schema === 'Company').map((e) => e.id),
            MISSING,
          ];
          await registerTargets(
            store.db,
            p,
            c.id,
            targets.map((value) => ({ kind: 'entity' as const, value })),
          );
          targets.forEach((t) => own.add(t));
        }
        users.push({ p, token, know, own });
      }
      // Case targets are ids the agency's case agents typed themselves, and cases are shared within an agency.
      for (const u of users) for (const v of users) if (u.p.agency === v.p.agency) v.own.forEach((t) => u.own.add(t));
      await seed(store, data);
      for (const l of lists)
        await putList(
          store,
          SYSTEM,
          {
            name: l.name,
            format: 'csv',
            marking: formatMarking(l.marking),
            files: [
              {
                name: `${l.name}.csv`,
                content: `id,name,aliases,notes\n${l.entries.map((e, i) => `e${i},${e.name},${e.alias},${e.note}`).join('\n')}\n`,
              },
            ],
          },
          'add',
        );
      // The readers' grounds for linking, registry alerts and scores are in; nothing below writes data.
    });
    afterAll(async () => {
      console.log(
        `access sweep (${backend.name}): statuses per operation: ${[...answered].map(([k, v]) => `${k} [${[...new Set(v)].sort().join(',')}]`).join('; ')}`,
      );
      await app.close();
      await drop();
    });

    // The MISP feed's event files are named by uuids only its manifest gives: each reader's manifest, then every event in it.
    it("GET /misp/feed/{event}.json: every event of a reader's feed holds no canary the reader may not read", async () => {
      const problems: string[] = [];
      let events = 0;
      for (const u of users) {
        const q = '?purpose=access%20sweep';
        const manifest = await app.inject({ url: `/misp/feed/manifest.json${q}`, headers: auth(u.token) });
        if (manifest.statusCode !== 200) continue; // refused (no export permission): the sweep above checks the refusal
        for (const uuid of Object.keys(manifest.json())) {
          const res = await app.inject({ url: `/misp/feed/${uuid}.json${q}`, headers: auth(u.token) });
          events++;
          const leaked = [...new Set(canariesIn(res.body))].filter((x) => !u.know.readable.has(x) && u.know.all.has(x));
          if (res.statusCode !== 200 || leaked.length)
            problems.push(`${uuid}.json as ${u.p.username} answered ${res.statusCode} with ${leaked.join(', ')}`);
        }
      }
      expect(events, 'the readers who may export have events in their feeds').toBeGreaterThan(0);
      expect(problems.join('\n'), `seed ${SEED}`).toBe('');
    });

    for (const op of operations) {
      const name = `${op.method} ${op.path}`;
      // Where an agency's own cases are shown, the targets its agents typed are theirs to see; nowhere else.
      // Where an agency's own case targets may appear: its case and deconfliction routes, and the dashboard's conflicts.
      const caseData = /^\/(cases|deconfliction|operations|watch-center)\b|\/cases$|^\/picture\/dashboard$/.test(
        op.path,
      );
      it(`${name} answers no canary the reader may not read, and a hidden id as a missing one`, async () => {
        const problems: string[] = [];
        for (const u of users) {
          const visibleIds = [...u.know.visible];
          const stix = (id: string | undefined) => {
            const e = data.find((x) => x.id === id);
            return id && e ? stixIdFor(id, stixTypeFor(id, e.schema)) : undefined;
          };
          const o: Options = {
            visibleId: visibleIds[0] ?? 'zqnoentity',
            hiddenId: u.know.hidden[0],
            missingId: MISSING,
            visibleTerm: u.know.visibleTerms[0] ?? 'zqnomatches',
            hiddenTerm: u.know.hiddenTerms[0],
            stix: {
              visible: stix(visibleIds[0]) ?? stixIdFor('zqnoentity', 'identity'),
              hidden: stix(u.know.hidden[0]),
              missing: stixIdFor(MISSING, 'identity'),
            },
          };
          const answers = new Map<string, { status: number; body: string; id: string }>();
          for (const c of callsFor(op, o)) {
            const res = await app.inject({
              method: op.method,
              url: c.url,
              headers: auth(u.token),
              ...(c.body !== undefined ? { payload: c.body as object } : {}),
            });
            answered.set(name, [...(answered.get(name) ?? []), res.statusCode]);
            const text = `${res.body}\n${JSON.stringify(res.headers)}`;
            const allowed = (x: string) =>
              u.know.readable.has(x) || (caseData && u.own.has(x)) || c.supplied.includes(x) || !u.know.all.has(x);
            const leaked = [...new Set(canariesIn(text))].filter((x) => !allowed(x));
            if (leaked.length) {
              const at = text.toLowerCase().indexOf(leaked[0]!);
              problems.push(
                `${c.body ? `${c.url} ${JSON.stringify(c.body)}` : c.url} as ${u.p.username} (${JSON.stringify({ ...u.p, id: undefined, displayName: undefined })}) answered ${res.statusCode} with ${leaked.join(', ')}: …${text.slice(Math.max(0, at - 120), at + 60)}…`,
              );
            }
            if (c.tag && c.group)
              answers.set(`${c.group} ${c.tag}`, {
                status: res.statusCode,
                body: res.body,
                id: c.tag === 'hidden' ? o.hiddenId! : o.missingId,
              });
          }
          for (const [k, hidden] of answers) {
            if (!k.endsWith(' hidden')) continue;
            const missing = answers.get(k.replace(/ hidden$/, ' missing'))!;
            const norm = (a: typeof hidden) => `${a.status} ${a.body.replaceAll(a.id, 'ID')}`;
            if (norm(hidden) !== norm(missing))
              problems.push(
                `${k.replace(/ hidden$/, '')} as ${u.p.username}: a hidden id answers "${norm(hidden).slice(0, 300)}", a missing one "${norm(missing).slice(0, 300)}"`,
              );
          }
        }
        // Each problem in full, so the failure names the route, the reader and the leaked text.
        expect(problems.join('\n'), `${name} (seed ${SEED})`).toBe('');
      });
    }
  });
}

// Generators for the access rule's property tests: readers and markings that reach
// every combination the rule distinguishes (several need-to-know groups on each side
// in every relation, every caveat, ORCON TO and REL TO naming the reader or not, the
// owner being the reader's agency or not, US and foreign readers, every flag and level,
// public and non-public unclassified), and the agreement property SQL == canRead.
import fc from 'fast-check';
import {
  ACCESS_CLAUSES,
  CAVEATS,
  CLASSIFICATIONS,
  formatMarking,
  level,
  normalizeMarking,
  type Caveat,
  type Classification,
  type Marking,
  type ReaderAccess,
} from '../src/domain/markings.js';
import { defaultAgencies, isGovernment } from '../src/domain/agencies.js';
import { asReader } from '../src/store/access.js';
import type { Store } from '../src/store/store.js';

export const GROUPS = ['OCDETF', 'ALPHA', 'BRAVO', 'HIDTA'];
/** Agencies of every kind: US law enforcement, US non-LE government, private, public, foreign LE. */
export const CODES = ['DEA', 'CBP', 'OFAC', 'EXPRS', 'PUBLIC', 'FGR', 'RCMP'];
export const PARTNERS = ['MEX', 'CAN', 'GBR'];

/** Mostly no caveat or one, so that each caveat is often the only thing in the way. */
const caveatsArb: fc.Arbitrary<Caveat[]> = fc.oneof(
  { arbitrary: fc.constant([] as Caveat[]), weight: 2 },
  { arbitrary: fc.constantFrom(...CAVEATS).map((c) => [c]), weight: 3 },
  { arbitrary: fc.subarray([...CAVEATS]), weight: 3 },
);

/** A reader whose flags vary independently of the agency (the rule takes them as given). */
export const readerAccessArb: fc.Arbitrary<ReaderAccess> = fc.record({
  clearance: fc.constantFrom(...CLASSIFICATIONS),
  agency: fc.constantFrom(...CODES),
  country: fc.constantFrom('USA', 'USA', ...PARTNERS),
  groups: fc.subarray(GROUPS),
  lawEnforcement: fc.boolean(),
  government: fc.boolean(),
});

/** Some of `xs`, with `x` in or out (each half of the time). */
const namingOrNot = (xs: string[], x: string): fc.Arbitrary<string[]> =>
  fc
    .tuple(fc.subarray(xs), fc.boolean())
    .map(([ys, has]) => (has ? [...new Set([...ys, x])] : ys.filter((y) => y !== x)));

/** Groups in a chosen relation to the reader's: none, subset, equal, superset, overlap, disjoint. */
function groupsFor(reader: ReaderAccess): fc.Arbitrary<string[]> {
  const mine = reader.groups;
  const others = GROUPS.filter((g) => !mine.includes(g));
  const some = (xs: string[]) => fc.subarray(xs, { minLength: Math.min(1, xs.length) });
  return fc.oneof(
    fc.constant([] as string[]),
    some(mine),
    fc.constant(mine),
    some(others).map((o) => [...mine, ...o]),
    fc.tuple(some(mine), some(others)).map(([a, b]) => [...a, ...b]),
    some(others),
  );
}

/**
 * A marking aimed at `reader`. A quarter are rows "written by other means" (not
 * normalised: NOFORN together with REL TO, the owner in ORCON TO), which the rule
 * must also hold for and which alone tell the NOFORN clause from the REL TO clause.
 */
export function markingFor(reader: ReaderAccess): fc.Arbitrary<Marking> {
  return fc
    .record({
      classification: fc.constantFrom(...CLASSIFICATIONS),
      caveats: caveatsArb,
      relTo: reader.country === 'USA' ? fc.subarray(PARTNERS) : namingOrNot(PARTNERS, reader.country),
      owner: fc.oneof(fc.constant(reader.agency), fc.constantFrom(...CODES)),
      compartments: groupsFor(reader),
      orconTo: namingOrNot(CODES, reader.agency),
      raw: fc.nat(3).map((n) => n === 0),
    })
    .map(({ raw, ...m }) => {
      // Raw rows always carry NOFORN: with a REL TO list, only they separate the NOFORN clause from REL TO.
      if (raw)
        return {
          ...m,
          caveats: [...new Set([...m.caveats, 'NOFORN' as const])].sort(),
          relTo: [...m.relTo].sort(),
          compartments: [...m.compartments].sort(),
          orconTo: [...m.orconTo].sort(),
        };
      return normalizeMarking({ ...m, relTo: m.caveats.includes('NOFORN') ? [] : m.relTo });
    });
}

/** A reader and a batch of markings aimed at them. */
export const readerAndMarkingsArb: fc.Arbitrary<{ reader: ReaderAccess; markings: Marking[] }> = readerAccessArb.chain(
  (reader) => fc.array(markingFor(reader), { minLength: 1, maxLength: 20 }).map((markings) => ({ reader, markings })),
);

/** A marking for data read by several readers at once: normalised, over the same agencies, groups and partners. */
export const markingArb: fc.Arbitrary<Marking> = fc
  .record({
    classification: fc.constantFrom(...CLASSIFICATIONS),
    caveats: caveatsArb,
    relTo: fc.subarray(PARTNERS),
    owner: fc.constantFrom(...CODES),
    compartments: fc.oneof(fc.constant([] as string[]), fc.subarray(GROUPS, { maxLength: 1 }), fc.subarray(GROUPS)),
    orconTo: fc.subarray(CODES),
  })
  .map((m) => normalizeMarking({ ...m, relTo: m.caveats.includes('NOFORN') ? [] : m.relTo }));

const AGENCIES = defaultAgencies();

/** A real user's access: flags from the agency (reference/agencies.json), a US agency's user sometimes abroad. */
export const userReaderArb: fc.Arbitrary<ReaderAccess> = fc
  .record({
    clearance: fc.constantFrom(...CLASSIFICATIONS),
    agency: fc.constantFrom(...CODES),
    groups: fc.subarray(GROUPS),
    abroad: fc.option(fc.constantFrom(...PARTNERS), { freq: 3 }),
  })
  .map(({ clearance, agency, groups, abroad }) => {
    const a = AGENCIES.find((x) => x.code === agency)!;
    const country = a.country !== 'USA' ? a.country : (abroad ?? 'USA');
    return { clearance, agency, groups, country, lawEnforcement: a.lawEnforcement, government: isGovernment(a) };
  });

/**
 * The combinations a (reader, marking) pair falls in. The agreement test asserts that
 * its generated cases cover REQUIRED_CASES, so a narrower generator fails it.
 */
export function casesOf(r: ReaderAccess, m: Marking): string[] {
  const out: string[] = [
    `level ${m.classification}`,
    `clearance ${level(r.clearance) < level(m.classification) ? 'below' : level(r.clearance) === level(m.classification) ? 'at' : 'above'}`,
  ];
  const mine = m.compartments.filter((g) => r.groups.includes(g));
  if (m.compartments.length === 0) out.push('groups: none on marking');
  else if (mine.length === m.compartments.length)
    out.push(m.compartments.length === r.groups.length ? 'groups: equal' : 'groups: subset of reader');
  else if (mine.length === 0) out.push('groups: disjoint');
  else if (r.groups.every((g) => m.compartments.includes(g))) out.push('groups: superset of reader');
  else out.push('groups: overlap');
  if (m.compartments.length > 1) out.push('groups: several on marking');
  if (r.groups.length > 1) out.push('groups: several on reader');
  for (const c of m.caveats) out.push(`caveat ${c}`);
  if (m.caveats.includes('ORCON'))
    out.push(m.orconTo.includes(r.agency) ? 'ORCON TO names reader' : 'ORCON TO omits reader');
  if (m.caveats.includes('NOFORN') && m.relTo.length) out.push('NOFORN with REL TO (raw row)');
  out.push(m.owner === r.agency ? 'owner is reader agency' : 'owner is another agency');
  out.push(r.country === 'USA' ? 'US reader' : 'foreign reader');
  if (r.country !== 'USA')
    out.push(m.relTo.includes(r.country) ? 'REL TO names reader country' : 'REL TO omits reader country');
  out.push(
    r.lawEnforcement ? 'law enforcement' : 'not law enforcement',
    r.government ? 'government' : 'not government',
  );
  if (m.classification === 'U') out.push(m.caveats.length ? 'level 0 with caveats' : 'level 0 without caveats');
  // The clause that alone denies, when exactly one does: each must be seen deciding a case by itself.
  const failing = ACCESS_CLAUSES.filter((c) => !c.holds(r, m));
  if (failing.length === 1) out.push(`only ${failing[0]!.name} denies`);
  return out;
}

export const REQUIRED_CASES: string[] = [
  ...CLASSIFICATIONS.map((c: Classification) => `level ${c}`),
  'clearance below',
  'clearance at',
  'clearance above',
  'groups: none on marking',
  'groups: equal',
  'groups: subset of reader',
  'groups: disjoint',
  'groups: superset of reader',
  'groups: overlap',
  'groups: several on marking',
  'groups: several on reader',
  ...CAVEATS.map((c) => `caveat ${c}`),
  'ORCON TO names reader',
  'ORCON TO omits reader',
  'NOFORN with REL TO (raw row)',
  'owner is reader agency',
  'owner is another agency',
  'US reader',
  'foreign reader',
  'REL TO names reader country',
  'REL TO omits reader country',
  'law enforcement',
  'not law enforcement',
  'government',
  'not government',
  'level 0 with caveats',
  'level 0 without caveats',
  ...ACCESS_CLAUSES.map((c) => `only ${c.name} denies`),
];

/** A disagreement between the SQL view and a TypeScript rule, for one marking and reader. */
export class Disagreement extends Error {
  constructor(
    readonly reader: ReaderAccess,
    readonly marking: Marking,
    readonly sql: boolean,
  ) {
    super(
      `${formatMarking(marking)} for ${JSON.stringify(reader)}: SQL says ${sql ? 'readable' : 'hidden'}, TypeScript the opposite`,
    );
  }
}

/**
 * The agreement property: for a reader and markings, the SQL view readable_markings
 * in `store` returns a marking exactly when `rule` allows it. `seen` collects casesOf.
 */
export function agreement(store: Store, rule: (r: ReaderAccess, m: Marking) => boolean, seen?: Set<string>) {
  return fc.asyncProperty(readerAndMarkingsArb, async ({ reader, markings }) => {
    const ids = await store.db.transaction(async (tx) => {
      const out: number[] = [];
      for (const m of markings) out.push(await store.markings.intern(tx, m));
      return out;
    });
    const rows = await asReader(store.db, reader, (tx) =>
      tx.query<{ id: number }>('SELECT id FROM readable_markings WHERE id = ANY($1)', [ids]),
    );
    const readable = new Set(rows.map((x) => x.id));
    markings.forEach((m, i) => {
      for (const c of seen ? casesOf(reader, m) : []) seen!.add(c);
      const sql = readable.has(ids[i]!);
      if (sql !== rule(reader, m)) throw new Disagreement(reader, m, sql);
    });
  });
}

// Security markings: what a record is, who owns it, and who may read it.
//
// The access rule lives twice on purpose: here (readable by people, used to
// validate input and as the oracle in property-based tests) and as SQL in the
// row-level-security policy of the store (migrations/001_init.sql), which is what
// actually guards the data. The tests assert that both agree.

export const CLASSIFICATIONS = ['U', 'CUI', 'C', 'S', 'TS'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export const CLASSIFICATION_NAMES: Record<Classification, string> = {
  U: 'UNCLASSIFIED',
  CUI: 'CUI',
  C: 'CONFIDENTIAL',
  S: 'SECRET',
  TS: 'TOP SECRET',
};

/** Dissemination controls and handling caveats understood by the access rule. */
export const CAVEATS = ['LES', 'FOUO', 'NOFORN', 'ORCON', 'PROPIN'] as const;
export type Caveat = (typeof CAVEATS)[number];

export interface Marking {
  classification: Classification;
  caveats: Caveat[];
  /** REL TO: ISO 3166 alpha-3 partner countries (USA is implied and never stored). */
  relTo: string[];
  /** Agency code that owns (originated) the information. */
  owner: string;
  /** Need-to-know groups / compartments; a reader must hold all of them. */
  compartments: string[];
  /** ORCON: agencies the originator has approved to receive it. */
  orconTo: string[];
}

/** What the access rule needs to know about a reader. */
export interface ReaderAccess {
  clearance: Classification;
  agency: string;
  country: string; // ISO alpha-3
  groups: string[];
  lawEnforcement: boolean; // may read LES
  government: boolean; // may read FOUO
}

export function level(c: Classification): number {
  return CLASSIFICATIONS.indexOf(c);
}

export class MarkingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MarkingError';
  }
}

const COUNTRY3 = /^[A-Z]{3}$/;
const TOKEN = /^[A-Z0-9][A-Z0-9_-]{0,31}$/;

function uniqSorted(xs: string[]): string[] {
  return [...new Set(xs)].sort();
}

/** Validates and canonicalises a marking (sorted, deduplicated lists). */
export function normalizeMarking(m: Marking): Marking {
  if (!CLASSIFICATIONS.includes(m.classification)) {
    throw new MarkingError(
      `unknown classification "${m.classification}" (expected one of ${CLASSIFICATIONS.join(', ')})`,
    );
  }
  for (const c of m.caveats) {
    if (!CAVEATS.includes(c)) throw new MarkingError(`unknown caveat "${c}" (expected one of ${CAVEATS.join(', ')})`);
  }
  const relTo = uniqSorted(m.relTo.map((c) => c.toUpperCase())).filter((c) => c !== 'USA');
  for (const c of relTo)
    if (!COUNTRY3.test(c)) throw new MarkingError(`REL TO needs ISO alpha-3 country codes, got "${c}"`);
  if (relTo.length > 0 && m.caveats.includes('NOFORN')) throw new MarkingError('NOFORN and REL TO cannot be combined');
  const owner = m.owner.toUpperCase();
  if (!TOKEN.test(owner)) throw new MarkingError(`owner agency must be an agency code, got "${m.owner}"`);
  const compartments = uniqSorted(m.compartments.map((g) => g.toUpperCase()));
  for (const g of compartments) if (!TOKEN.test(g)) throw new MarkingError(`invalid group/compartment "${g}"`);
  const orconTo = m.caveats.includes('ORCON')
    ? uniqSorted(m.orconTo.map((a) => a.toUpperCase())).filter((a) => a !== owner)
    : [];
  for (const a of orconTo) if (!TOKEN.test(a)) throw new MarkingError(`invalid ORCON agency "${a}"`);
  return {
    classification: m.classification,
    caveats: uniqSorted(m.caveats) as Caveat[],
    relTo,
    owner,
    compartments,
    orconTo,
  };
}

/** One condition of the access rule, named so tests can show each one matters. */
export interface AccessClause {
  name: string;
  holds(reader: ReaderAccess, m: Marking): boolean;
}

const isPublic = (m: Marking): boolean => m.classification === 'U' && m.caveats.length === 0;

/**
 * The access rule, clause by clause. A reader sees a marked value when all of these hold:
 * - clearance at or above the classification;
 * - membership of every need-to-know group (compartment);
 * - LES only to law-enforcement agencies; FOUO only to government;
 * - PROPIN only to government or the owning company itself;
 * - ORCON only to the originating agency and agencies it approved;
 * - a foreign reader: never NOFORN, and only when REL TO names their country,
 *   unless the value is plain UNCLASSIFIED with no caveats at all (public).
 * test/access.mutation.test.ts drops each clause in turn and shows the property test notices.
 */
export const ACCESS_CLAUSES: readonly AccessClause[] = [
  { name: 'clearance', holds: (r, m) => level(m.classification) <= level(r.clearance) },
  { name: 'groups', holds: (r, m) => m.compartments.every((g) => r.groups.includes(g)) },
  { name: 'LES', holds: (r, m) => !m.caveats.includes('LES') || r.lawEnforcement },
  { name: 'FOUO', holds: (r, m) => !m.caveats.includes('FOUO') || r.government },
  { name: 'PROPIN', holds: (r, m) => !m.caveats.includes('PROPIN') || r.government || r.agency === m.owner },
  {
    name: 'ORCON',
    holds: (r, m) => !m.caveats.includes('ORCON') || r.agency === m.owner || m.orconTo.includes(r.agency),
  },
  // Implied by REL TO for a normalised marking (NOFORN never has REL TO); stated for any other.
  { name: 'NOFORN', holds: (r, m) => r.country === 'USA' || !m.caveats.includes('NOFORN') },
  { name: 'REL TO', holds: (r, m) => r.country === 'USA' || isPublic(m) || m.relTo.includes(r.country) },
];

/** The access rule: every clause of ACCESS_CLAUSES holds. */
export function canRead(reader: ReaderAccess, m: Marking): boolean {
  return ACCESS_CLAUSES.every((c) => c.holds(reader, m));
}

/**
 * Canonical string form, also the banner line: "SECRET//LES/NOFORN//OWNER DEA".
 * Parts: classification // caveats // REL TO list // OWNER x // GROUPS a,b // ORCON TO x,y.
 */
export function formatMarking(m: Marking): string {
  const parts: string[] = [CLASSIFICATION_NAMES[m.classification]];
  if (m.caveats.length) parts.push(m.caveats.join('/'));
  if (m.relTo.length) parts.push(`REL TO ${['USA', ...m.relTo].join(', ')}`);
  if (m.compartments.length) parts.push(`GROUPS ${m.compartments.join(',')}`);
  if (m.orconTo.length) parts.push(`ORCON TO ${m.orconTo.join(',')}`);
  parts.push(`OWNER ${m.owner}`);
  return parts.join('//');
}

/** Short portion marking, e.g. "(S//NF)". */
export function portionMarking(m: Marking): string {
  const abbrev: Record<Caveat, string> = { LES: 'LES', FOUO: 'FOUO', NOFORN: 'NF', ORCON: 'OC', PROPIN: 'PR' };
  const parts: string[] = [m.classification];
  if (m.caveats.length) parts.push(m.caveats.map((c) => abbrev[c]).join('/'));
  if (m.relTo.length) parts.push(`REL ${m.relTo.join(',')}`);
  return `(${parts.join('//')})`;
}

const NAME_TO_CLASS = new Map<string, Classification>([
  ...CLASSIFICATIONS.map((c) => [c, c] as [string, Classification]),
  ...Object.entries(CLASSIFICATION_NAMES).map(([k, v]) => [v, k as Classification] as [string, Classification]),
]);

/**
 * Parses the canonical form and the short forms people type:
 * "S//NOFORN/LES", "C//REL TO USA, MEX", "U//FOUO//OWNER CBP".
 * The owner defaults to `defaultOwner` when the string does not name one.
 */
export function parseMarking(text: string, defaultOwner: string): Marking {
  const segments = text
    .split('//')
    .map((s) => s.trim())
    .filter(Boolean);
  const head = segments.shift();
  if (!head) throw new MarkingError('empty marking');
  const classification = NAME_TO_CLASS.get(head.toUpperCase());
  if (!classification) throw new MarkingError(`unknown classification "${head}" in marking "${text}"`);
  const m: Marking = { classification, caveats: [], relTo: [], owner: defaultOwner, compartments: [], orconTo: [] };
  for (const seg of segments) {
    const up = seg.toUpperCase();
    if (up.startsWith('REL TO ')) m.relTo.push(...splitList(seg.slice(7)));
    else if (up.startsWith('OWNER ')) m.owner = seg.slice(6).trim();
    else if (up.startsWith('GROUPS ')) m.compartments.push(...splitList(seg.slice(7)));
    else if (up.startsWith('ORCON TO ')) m.orconTo.push(...splitList(seg.slice(9)));
    else {
      for (const c of up
        .split('/')
        .map((s) => s.trim())
        .filter(Boolean)) {
        const caveat = c === 'NF' ? 'NOFORN' : c === 'OC' ? 'ORCON' : c;
        if (!CAVEATS.includes(caveat as Caveat)) throw new MarkingError(`unknown caveat "${c}" in marking "${text}"`);
        m.caveats.push(caveat as Caveat);
      }
    }
  }
  return normalizeMarking(m);
}

function splitList(s: string): string[] {
  return s
    .split(/[,\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);
}

/** Marking input accepted at the boundaries: a string or a structured object. */
export type MarkingInput = string | (Partial<Marking> & { classification: Classification });

const MARKING_FIELDS = ['classification', 'caveats', 'relTo', 'owner', 'compartments', 'orconTo'];

export function toMarking(input: MarkingInput, defaultOwner: string): Marking {
  if (typeof input === 'string') return parseMarking(input, defaultOwner);
  // Unknown fields are refused, not dropped: {"groups": [...]} for compartments would be a marking without its groups.
  for (const k of Object.keys(input))
    if (!MARKING_FIELDS.includes(k))
      throw new MarkingError(`unknown marking field "${k}" (a marking object has ${MARKING_FIELDS.join(', ')})`);
  for (const k of ['caveats', 'relTo', 'compartments', 'orconTo'] as const) {
    const v = (input as Record<string, unknown>)[k];
    if (v !== undefined && !(Array.isArray(v) && v.every((x) => typeof x === 'string')))
      throw new MarkingError(`marking ${k}: a list of codes, e.g. ["MEX"]`);
  }
  if (input.owner !== undefined && typeof input.owner !== 'string')
    throw new MarkingError('marking owner: an agency code');
  return normalizeMarking({
    classification: input.classification,
    caveats: input.caveats ?? [],
    relTo: input.relTo ?? [],
    owner: input.owner ?? defaultOwner,
    compartments: input.compartments ?? [],
    orconTo: input.orconTo ?? [],
  });
}

/** The most restrictive combination of markings, for a page banner. */
export function highestMarking(ms: Marking[]): Marking | undefined {
  if (ms.length === 0) return undefined;
  let cls: Classification = 'U';
  const caveats = new Set<Caveat>();
  for (const m of ms) {
    if (level(m.classification) > level(cls)) cls = m.classification;
    m.caveats.forEach((c) => caveats.add(c));
  }
  // REL TO of a combination is the intersection of all REL TO lists.
  const withRel = ms.filter((m) => m.relTo.length > 0 || m.classification !== 'U' || m.caveats.length > 0);
  let rel: string[] = withRel.length ? [...(withRel[0]?.relTo ?? [])] : [];
  for (const m of withRel) rel = rel.filter((c) => m.relTo.includes(c));
  const owners = [...new Set(ms.map((m) => m.owner))];
  return {
    classification: cls,
    caveats: [...caveats].sort() as Caveat[],
    relTo: caveats.has('NOFORN') ? [] : rel,
    owner: owners.length === 1 ? owners[0]! : 'MULTIPLE',
    compartments: [...new Set(ms.flatMap((m) => m.compartments))].sort(),
    orconTo: [],
  };
}

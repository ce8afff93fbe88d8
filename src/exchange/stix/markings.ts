// STIX data markings and Chokepoint markings, both ways, by the table in
// reference/stix/markings.json. Import refuses what it cannot map (an unknown marking
// definition, a statement it cannot read, a TLP it does not know) rather than import it
// under a wider marking; export writes each marking as its Chokepoint marking definition
// (lossless, for another Chokepoint) and, where the marking is exactly a TLP level, that
// TLP 2.0 definition too (for every other STIX consumer).
import { readFileSync } from 'node:fs';
import {
  CAVEATS,
  CLASSIFICATIONS,
  formatMarking,
  level,
  MarkingError,
  toMarking,
  type Caveat,
  type Marking,
  type MarkingInput,
} from '../../domain/markings.js';
import { CHOKEPOINT_NAMESPACE, uuid5 } from './ids.js';

interface TlpRow {
  level: string;
  ids: string[];
  marking: MarkingInput & object;
  export?: string;
  why: string;
}
interface StatementRow {
  pattern: string;
  marking: (MarkingInput & object) | null;
  why: string;
}
interface Table {
  tlp: TlpRow[];
  tlp2Definitions: { extension: string; created: string };
  statements: StatementRow[];
  chokepoint: { extension: string; created: string };
}

export const MARKING_TABLE: Table = JSON.parse(
  readFileSync(new URL('../../../reference/stix/markings.json', import.meta.url), 'utf8'),
);

/** The property extension of Chokepoint's marking definitions. */
export const CHOKEPOINT_MARKING_EXTENSION = MARKING_TABLE.chokepoint.extension;
/** The TLP 2.0 property extension (OASIS). */
export const TLP2_EXTENSION = MARKING_TABLE.tlp2Definitions.extension;

const TLP_BY_ID = new Map(MARKING_TABLE.tlp.flatMap((row) => row.ids.map((id) => [id, row] as const)));
const TLP_BY_LEVEL = new Map(MARKING_TABLE.tlp.map((row) => [row.level, row] as const));
const STATEMENTS = MARKING_TABLE.statements.map((s) => ({ ...s, re: new RegExp(s.pattern, 'i') }));

/** A STIX object as read from JSON. */
export type StixObject = Record<string, unknown> & { type: string; id: string };

/** What a marking reference means here: an access marking, or (a statement of terms) none. */
export interface ResolvedMarking {
  /** undefined: the reference restricts nothing (e.g. a copyright statement). */
  marking?: Marking;
  /** A Chokepoint marking definition (authoritative for the owner when combined with TLP). */
  chokepoint: boolean;
  /** e.g. "TLP:AMBER", "statement", "Chokepoint". */
  kind: string;
}

/** A marking reference that cannot be mapped; the message says why. */
export class UnmappableMarking extends Error {}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A Chokepoint marking from its definition's extension (every field named, none unknown). */
function chokepointMarking(ext: Record<string, unknown>): Marking {
  const fields = ['extension_type', 'classification', 'caveats', 'rel_to', 'owner', 'groups', 'orcon_to'];
  for (const k of Object.keys(ext))
    if (!fields.includes(k))
      throw new UnmappableMarking(`its Chokepoint marking has a field "${k}" Chokepoint does not know`);
  if (typeof ext.owner !== 'string') throw new UnmappableMarking('its Chokepoint marking names no owner');
  if (!CLASSIFICATIONS.includes(ext.classification as never))
    throw new UnmappableMarking(`its Chokepoint marking has classification ${JSON.stringify(ext.classification)}`);
  try {
    return toMarking(
      {
        classification: ext.classification as Marking['classification'],
        caveats: (ext.caveats ?? []) as Caveat[],
        relTo: (ext.rel_to ?? []) as string[],
        owner: ext.owner,
        compartments: (ext.groups ?? []) as string[],
        orconTo: (ext.orcon_to ?? []) as string[],
      },
      ext.owner,
    );
  } catch (e) {
    throw new UnmappableMarking(`its Chokepoint marking is invalid: ${(e as Error).message}`);
  }
}

const tlpMarking = (row: TlpRow, owner: string): ResolvedMarking => ({
  marking: toMarking({ ...row.marking, owner } as MarkingInput, owner),
  chokepoint: false,
  kind: `TLP:${row.level.toUpperCase()}`,
});

/**
 * What the marking definition `ref` means, for data imported by `importer` (the agency that
 * owns TLP and statement markings). `definitions` are the marking definitions of the file.
 * Throws UnmappableMarking when there is no mapping.
 */
export function resolveMarking(
  ref: string,
  definitions: ReadonlyMap<string, StixObject>,
  importer: string,
): ResolvedMarking {
  const known = TLP_BY_ID.get(ref);
  if (known) return tlpMarking(known, importer);
  const def = definitions.get(ref);
  if (!def)
    throw new UnmappableMarking(`marking definition ${ref} is neither in the file nor a TLP marking Chokepoint knows`);
  const exts = isObj(def.extensions) ? def.extensions : {};
  const cp = exts[CHOKEPOINT_MARKING_EXTENSION];
  if (isObj(cp)) return { marking: chokepointMarking(cp), chokepoint: true, kind: 'Chokepoint' };
  const tlp2 = exts[TLP2_EXTENSION];
  const level2 = isObj(tlp2) ? tlp2.tlp_2_0 : undefined;
  const def1 = isObj(def.definition) ? def.definition : {};
  const tlpLevel = typeof level2 === 'string' ? level2 : def.definition_type === 'tlp' ? def1.tlp : undefined;
  if (typeof tlpLevel === 'string') {
    const row = TLP_BY_LEVEL.get(tlpLevel.toLowerCase() === 'white' ? 'clear' : tlpLevel.toLowerCase());
    if (!row)
      throw new UnmappableMarking(`marking definition ${ref} is TLP "${tlpLevel}", a level Chokepoint does not know`);
    return tlpMarking(row, importer);
  }
  if (def.definition_type === 'statement' && typeof def1.statement === 'string') {
    const text = def1.statement;
    const row = STATEMENTS.find((s) => s.re.test(text));
    if (!row)
      throw new UnmappableMarking(
        `marking definition ${ref} is the statement ${JSON.stringify(text.slice(0, 120))}, which names no restriction Chokepoint can enforce (reference/stix/markings.json lists those it can)`,
      );
    return {
      marking: row.marking ? toMarking({ ...row.marking, owner: importer } as MarkingInput, importer) : undefined,
      chokepoint: false,
      kind: 'statement',
    };
  }
  throw new UnmappableMarking(
    `marking definition ${ref} is of type ${JSON.stringify(def.definition_type ?? Object.keys(exts)[0] ?? 'unknown')}, which Chokepoint cannot map`,
  );
}

/**
 * The most restrictive combination of markings that all apply to one value: the highest
 * classification, every caveat and group, the REL TO countries all of them share (none once
 * any is NOFORN or names none while restricted), ORCON to the agencies all ORCON markings approve.
 * One owner: a Chokepoint definition's (TLP and statements then only add restrictions), else
 * the importer's; two Chokepoint definitions owned by different agencies cannot be one marking.
 */
export function combineMarkings(parts: ResolvedMarking[]): Marking | undefined {
  const ms = parts.filter((p) => p.marking);
  if (!ms.length) return undefined;
  const owners = new Set(ms.filter((p) => p.chokepoint).map((p) => p.marking!.owner));
  if (owners.size > 1)
    throw new UnmappableMarking(`its Chokepoint markings are owned by different agencies (${[...owners].join(', ')})`);
  const owner = [...owners][0] ?? ms[0]!.marking!.owner;
  const all = ms.map((p) => p.marking!);
  let cls = all[0]!.classification;
  for (const m of all) if (level(m.classification) > level(cls)) cls = m.classification;
  const caveats = [...new Set(all.flatMap((m) => m.caveats))].filter((c) => CAVEATS.includes(c));
  const restricted = (m: Marking) => m.classification !== 'U' || m.caveats.length > 0;
  let relTo: string[] | undefined;
  for (const m of all.filter(restricted)) relTo = relTo ? relTo.filter((c) => m.relTo.includes(c)) : [...m.relTo];
  let orconTo: string[] | undefined;
  for (const m of all.filter((x) => x.caveats.includes('ORCON')))
    orconTo = orconTo ? orconTo.filter((a) => m.orconTo.includes(a)) : [...m.orconTo];
  return toMarking(
    {
      classification: cls,
      caveats,
      relTo: caveats.includes('NOFORN') ? [] : (relTo ?? []),
      owner,
      compartments: [...new Set(all.flatMap((m) => m.compartments))],
      orconTo: orconTo ?? [],
    },
    owner,
  );
}

// ---- Export ------------------------------------------------------------------------------

const sameAccess = (a: Marking, b: Marking): boolean =>
  a.classification === b.classification &&
  a.caveats.join() === b.caveats.join() &&
  a.relTo.join() === b.relTo.join() &&
  a.compartments.join() === b.compartments.join() &&
  a.orconTo.join() === b.orconTo.join();

/** The TLP level a marking is exactly (whoever owns it), or undefined. */
export function exactTlp(m: Marking): TlpRow | undefined {
  return MARKING_TABLE.tlp.find(
    (row) => row.export && sameAccess(m, toMarking({ ...row.marking, owner: m.owner } as MarkingInput, m.owner)),
  );
}

/** The id of the Chokepoint marking definition of `m`: the same marking, the same id. */
export const chokepointMarkingId = (m: Marking): string =>
  `marking-definition--${uuid5(CHOKEPOINT_NAMESPACE, `marking:${formatMarking(m)}`)}`;

/** The marking definitions that write `m`: its TLP 2.0 definition when it is exactly a TLP level, and its Chokepoint definition. */
export function markingDefinitions(m: Marking): StixObject[] {
  const out: StixObject[] = [];
  const tlp = exactTlp(m);
  if (tlp?.export)
    out.push({
      type: 'marking-definition',
      spec_version: '2.1',
      id: tlp.export,
      created: MARKING_TABLE.tlp2Definitions.created,
      name: `TLP:${tlp.level.toUpperCase()}`,
      extensions: { [TLP2_EXTENSION]: { extension_type: 'property-extension', tlp_2_0: tlp.level } },
    });
  const ext: Record<string, unknown> = {
    extension_type: 'property-extension',
    classification: m.classification,
    owner: m.owner,
  };
  if (m.caveats.length) ext.caveats = m.caveats;
  if (m.relTo.length) ext.rel_to = m.relTo;
  if (m.compartments.length) ext.groups = m.compartments;
  if (m.orconTo.length) ext.orcon_to = m.orconTo;
  out.push({
    type: 'marking-definition',
    spec_version: '2.1',
    id: chokepointMarkingId(m),
    created: MARKING_TABLE.chokepoint.created,
    name: formatMarking(m),
    extensions: { [CHOKEPOINT_MARKING_EXTENSION]: ext },
  });
  return out;
}

/** The extension definition of Chokepoint's marking definitions (written into every bundle that uses them). */
export function chokepointMarkingExtensionDefinition(): StixObject {
  return {
    type: 'extension-definition',
    spec_version: '2.1',
    id: CHOKEPOINT_MARKING_EXTENSION,
    created: MARKING_TABLE.chokepoint.created,
    modified: MARKING_TABLE.chokepoint.created,
    created_by_ref: CHOKEPOINT_IDENTITY,
    name: 'Chokepoint marking',
    description:
      'A Chokepoint security marking, whole: classification (U, CUI, C, S, TS), caveats (LES, FOUO, NOFORN, ORCON, PROPIN), rel_to (ISO 3166 alpha-3 countries besides USA), owner (the originating agency), groups (need-to-know groups a reader must all hold) and orcon_to (agencies the originator approved). A reader may read what the marking marks only when every rule of the marking holds (Chokepoint README, "How markings work"). Applied as a granular marking it replaces, for what it selects, the Chokepoint marking of the object, which is the highest of its parts.',
    schema:
      'Properties: classification (one of U, CUI, C, S, TS; required), owner (an agency code; required), caveats, rel_to, groups, orcon_to (lists of codes). Chokepoint README, "STIX 2.1 and TAXII 2.1"; reference/stix/markings.json.',
    version: '1.0',
    extension_types: ['property-extension'],
  };
}

/** The identity that creates Chokepoint's extension definitions (required by the extension-definition schema). */
export const CHOKEPOINT_IDENTITY = `identity--${uuid5(CHOKEPOINT_NAMESPACE, 'identity:chokepoint')}`;

export { MarkingError };

// MISP's sharing levels and Chokepoint's markings, both ways, by the table in
// reference/misp/markings.json. Importing, a marking only ever narrows: the tags give
// it (chokepoint:marking, TLP, or a tag the import maps), each distribution level on
// the way down (event, object, attribute) may restrict it further, and what the table
// cannot map (TLP:RED, an unmapped sharing group, an unknown TLP or chokepoint: tag) is
// refused. Exporting, a value gets its exact marking as a machine tag, the TLP tag whose
// import gives back that same marking (only where one does), and the distribution that
// re-imports to it, so a Chokepoint instance reads the export back losslessly.
import { readFileSync } from 'node:fs';
import {
  formatMarking,
  MarkingError,
  normalizeMarking,
  parseMarking,
  toMarking,
  type Caveat,
  type Marking,
  type MarkingInput,
} from '../../domain/markings.js';

interface TlpRow {
  marking?: string;
  refuse?: string;
  export?: boolean;
  meaning: string;
}
interface DistributionRow {
  label: string;
  addCaveats?: Caveat[];
  ifPublic?: string;
  sharingGroup?: boolean;
  inherit?: boolean;
}
interface MarkingTable {
  machineTags: { marking: string; record: string };
  tlp: Record<string, TlpRow>;
  unknownTlp: string;
  distribution: Record<string, DistributionRow>;
  exportDistribution: { orcon: string; restricted: string; public: string };
}

let table: MarkingTable | undefined;
/** The shipped table (reference/misp/markings.json). */
export function markingTable(): MarkingTable {
  table ??= JSON.parse(readFileSync(new URL('../../../reference/misp/markings.json', import.meta.url), 'utf8'));
  return table!;
}

/** What an import adds to the table for its own data: its sharing groups (by uuid, name or id) and tags. */
export interface ImportMarkings {
  sharingGroups: Record<string, Marking>;
  tags: Record<string, Marking>;
}

/** Reads the import's `mapping` for MISP; refuses a field it does not have (a misspelt one would widen nothing, but would not narrow either). */
export function importMarkings(raw: unknown, source: string): ImportMarkings {
  const out: ImportMarkings = { sharingGroups: {}, tags: {} };
  if (raw === undefined || raw === null) return out;
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new MarkingError('mapping: for MISP, {"sharingGroups": {...}, "tags": {...}}');
  for (const [k, v] of Object.entries(raw)) {
    if (k !== 'sharingGroups' && k !== 'tags')
      throw new MarkingError(`mapping.${k}: not a field of a MISP mapping (sharingGroups, tags)`);
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw new MarkingError(`mapping.${k}: an object of name to marking`);
    for (const [name, m] of Object.entries(v)) {
      try {
        out[k][name] = toMarking(m as MarkingInput, source);
      } catch (e) {
        throw new MarkingError(`mapping.${k}.${name}: ${(e as Error).message}`);
      }
    }
  }
  return out;
}

const isPublic = (m: Marking): boolean => m.classification === 'U' && m.caveats.length === 0;
const LEVELS = ['U', 'CUI', 'C', 'S', 'TS'];

/** The most restrictive combination of two markings; the owner is the first's. */
export function narrow(a: Marking, b: Marking): Marking {
  const caveats = [...new Set([...a.caveats, ...b.caveats])];
  const relTo = caveats.includes('NOFORN')
    ? []
    : isPublic(a)
      ? b.relTo
      : isPublic(b)
        ? a.relTo
        : a.relTo.filter((c) => b.relTo.includes(c));
  const orcon = (m: Marking): boolean => m.caveats.includes('ORCON');
  const orconTo =
    orcon(a) && orcon(b) ? a.orconTo.filter((x) => b.orconTo.includes(x)) : orcon(a) ? a.orconTo : b.orconTo;
  return normalizeMarking({
    classification:
      LEVELS.indexOf(a.classification) >= LEVELS.indexOf(b.classification) ? a.classification : b.classification,
    caveats,
    relTo,
    owner: a.owner,
    compartments: [...a.compartments, ...b.compartments],
    orconTo,
  });
}

/** `ns:predicate="value"` → its parts (MISP's machine tags); undefined for a plain tag. */
export function machineTag(tag: string): { namespace: string; predicate: string; value?: string } | undefined {
  const m = /^([^:="]+):([^=]+?)(?:="(.*)")?$/s.exec(tag);
  return m ? { namespace: m[1]!, predicate: m[2]!, value: m[3] } : undefined;
}

/** What an element's tags say. */
export interface TagReading {
  /** The narrowest of the markings its tags give, if any tag gives one. */
  marking?: Marking;
  /** Tags kept as labels. */
  labels: string[];
  /** How many tags gave a marking. */
  markingTags: number;
  /** chokepoint:record: the Chokepoint record this event is. */
  record?: string;
  /** Admiralty-scale tags, when both parts are there. */
  grade?: string;
  /** A tag that cannot be mapped, with its index in the list. */
  errors: { index: number; message: string }[];
}

const RELIABILITY = /^[a-f]$/i;
const CREDIBILITY = /^[1-6]$/;

/** Reads the tags of an event, object attribute or attribute. */
export function readTags(tags: string[], source: string, extra: ImportMarkings): TagReading {
  const t = markingTable();
  const out: TagReading = { labels: [], errors: [], markingTags: 0 };
  const markings: Marking[] = [];
  let reliability: string | undefined;
  let credibility: string | undefined;
  tags.forEach((tag, index) => {
    const mt = machineTag(tag);
    const mapped = extra.tags[tag];
    if (mapped) markings.push(mapped);
    else if (tag.startsWith(`${t.machineTags.marking}=`)) {
      try {
        markings.push(parseMarking(mt?.value ?? '', source));
      } catch (e) {
        out.errors.push({ index, message: `"${tag}": ${(e as Error).message}` });
      }
    } else if (mt?.namespace === 'chokepoint') {
      if (tag.startsWith(`${t.machineTags.record}=`) && mt.value) out.record = mt.value;
      else
        out.errors.push({
          index,
          message: `"${tag}": not a Chokepoint tag (${t.machineTags.marking}="…", ${t.machineTags.record}="…"); refused rather than guessed`,
        });
    } else if (tag.toLowerCase().startsWith('tlp:')) {
      const row = t.tlp[tag.toLowerCase()];
      if (!row) out.errors.push({ index, message: `"${tag}": ${t.unknownTlp}` });
      else if (row.refuse || !row.marking) out.errors.push({ index, message: `"${tag}": ${row.refuse}` });
      else markings.push(parseMarking(row.marking, source));
    } else if (
      mt?.namespace === 'admiralty-scale' &&
      mt.predicate === 'source-reliability' &&
      RELIABILITY.test(mt.value ?? '')
    )
      reliability = mt.value!.toUpperCase();
    else if (
      mt?.namespace === 'admiralty-scale' &&
      mt.predicate === 'information-credibility' &&
      CREDIBILITY.test(mt.value ?? '')
    )
      credibility = mt.value!;
    else out.labels.push(tag);
  });
  if (reliability && credibility) out.grade = `${reliability}${credibility}`;
  else if (reliability || credibility)
    out.labels.push(...tags.filter((x) => machineTag(x)?.namespace === 'admiralty-scale')); // half a grade is no grade: kept as what it says
  out.markingTags = markings.length;
  if (markings.length) out.marking = markings.reduce(narrow);
  return out;
}

/** An element's distribution and sharing group, as MISP writes them. */
export interface Distribution {
  distribution?: unknown;
  sharing_group_id?: unknown;
  SharingGroup?: { uuid?: unknown; name?: unknown };
}

/**
 * A marking under one element's distribution: unchanged, restricted, or refused (a
 * string saying why). Inherit (5), or no distribution at all, leaves it to the parent.
 */
export function underDistribution(m: Marking, el: Distribution, extra: ImportMarkings): Marking | string {
  if (el.distribution === undefined || el.distribution === null || el.distribution === '') return m;
  const d = String(el.distribution);
  const row = markingTable().distribution[d];
  if (!row) return `distribution "${d}" is not a MISP distribution level (0-5)`;
  if (row.inherit) return m;
  if (row.addCaveats) {
    const missing = row.addCaveats.filter((c) => !m.caveats.includes(c));
    return missing.length ? normalizeMarking({ ...m, caveats: [...m.caveats, ...missing], orconTo: [] }) : m;
  }
  if (row.ifPublic) return isPublic(m) ? narrow(m, parseMarking(row.ifPublic, m.owner)) : m;
  if (row.sharingGroup) {
    const keys = [el.SharingGroup?.uuid, el.SharingGroup?.name, el.sharing_group_id]
      .filter((k) => k !== undefined && k !== null && k !== '')
      .map(String);
    const hit = keys.map((k) => extra.sharingGroups[k]).find(Boolean);
    if (!hit)
      return `distribution 4 (sharing group ${keys.map((k) => `"${k}"`).join(' / ') || 'unnamed'}) has no marking in the import's mapping ({"sharingGroups": {"<uuid>": "<marking>"}}); refused rather than widened`;
    return narrow(m, { ...hit, owner: m.owner });
  }
  return m;
}

// ---- Export ----------------------------------------------------------------------------

const withoutOwner = (m: Marking): string => formatMarking({ ...m, owner: 'X' });

/** The TLP tag whose import gives back exactly this marking, if one does. */
export function tlpFor(m: Marking): string | undefined {
  const key = withoutOwner(m);
  for (const [tag, row] of Object.entries(markingTable().tlp))
    if (row.export && row.marking && withoutOwner(parseMarking(row.marking, 'X')) === key) return tag;
  return undefined;
}

/** The distribution level that keeps a value where its marking would, and re-imports to it. */
export function distributionFor(m: Marking): string {
  const d = markingTable().exportDistribution;
  return m.caveats.includes('ORCON') ? d.orcon : isPublic(m) ? d.public : d.restricted;
}

/** The tags that carry a marking: Chokepoint's machine tag, and TLP where exact. */
export function markingTags(m: Marking): string[] {
  const tlp = tlpFor(m);
  return [`${markingTable().machineTags.marking}="${formatMarking(m)}"`, ...(tlp ? [tlp] : [])];
}

// STIX 2.1 out: each entity a reader may see becomes one STIX object (an SDO, an SRO, an
// observable, or Chokepoint's own x-chokepoint-entity observable for what STIX has no
// object for), computed in the reader's own transaction, so it holds only what they may read.
//
// Values travel two ways at once. The STIX properties carry every value that comes back
// unchanged when imported (reference/stix/objects.json, read backwards); Chokepoint's entity
// extension carries the schema, the entity id and every other value, so another Chokepoint
// loses nothing, and `filled` names the STIX properties written only because STIX requires
// them (a name, a valid_from), which an import ignores.
//
// Markings: the object's marking (object_marking_refs) is the highest of its parts, so a
// consumer that reads no granular markings handles every value at least as carefully as its
// owner asked; each value (and the existence, selector `id`) marked otherwise says so with a
// granular marking: its Chokepoint marking definition, and its TLP 2.0 one when it is exactly
// a TLP level. (Splitting an object by marking would give one entity several STIX ids.)
import { formatMarking, highestMarking, parseMarking, type Marking } from '../../domain/markings.js';
import { model } from '../../domain/model.js';
import { cleanValue } from '../../domain/values.js';
import type { Sql } from '../../store/db.js';
import type { MarkingCache } from '../../store/markings.js';
import { getEntities, type EntityView, type ValueView } from '../../store/read.js';
import { isStixId, ownStixId, stixIdFor, stixTypeOf } from './ids.js';
import {
  ENTITY_EXTENSION,
  exportTypeOf,
  extensionKey,
  propOf,
  type Row,
  TYPE_BY_RELATION,
  TYPES,
  type TypeMapping,
  UNKNOWN_LINK,
} from './mapping.js';
import { CHOKEPOINT_MARKING_EXTENSION, chokepointMarkingId, exactTlp, type StixObject } from './markings.js';
import { STIX_TIMESTAMP } from './read.js';

const CUSTOM = 'x-chokepoint-entity';
/** created and modified must be precise to the millisecond (core.json). */
const MILLIS = /T\d{2}:\d{2}:\d{2}\.\d{3,}Z$/;
const HOSTNAME = /^(?=.{1,253}$)([\p{L}\p{N}]([\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}]{2,63}$/u;

/** What the store says of an entity besides its values. */
export interface EntityMeta {
  /** Its readable presences' markings (who may know it exists). */
  presence: Marking[];
  /** entities.first_seen, as a STIX timestamp. */
  firstSeen: string;
  /** The newest imported_at of the records behind what the reader sees of it, as a STIX timestamp. */
  updated: string;
  /** How many records speak of it (that the reader sees). */
  records: number;
}

/** A referenced entity, as far as its STIX id needs. */
export interface RefTarget {
  id: string;
  schema: string;
  view?: EntityView;
}

/** The STIX type an entity is written as (from its id and schema; for a few schemata, its values). */
export function stixTypeFor(id: string, schema: string, view?: EntityView): string {
  const own = stixTypeOf(ownStixId(id) ?? '');
  if (own) {
    const t = TYPES.get(own);
    const fits = t && (t.relationship ? !!model.edge(schema) : t.chokepoint || t.schemas.has(schema));
    if (fits) return own;
  }
  const first = (p: string) => view?.properties[p]?.[0]?.value;
  if (schema === 'IpAddress') return (first('ipAddress') ?? '').includes(':') ? 'ipv6-addr' : 'ipv4-addr';
  if (model.isA(schema, 'Website') && !first('url')) return HOSTNAME.test(first('name') ?? '') ? 'domain-name' : CUSTOM;
  if (schema === 'StixObject') {
    const t = first('stixType');
    return t && TYPES.get(t)?.schemas.has(schema) ? t : CUSTOM;
  }
  const t = exportTypeOf(schema);
  return t && TYPES.has(t) ? t : CUSTOM;
}

/** Schemata whose STIX type depends on their values (stixTypeFor reads the view). */
export const TYPED_BY_VALUES = new Set(['IpAddress', 'Website', 'StixObject']);

interface Placed {
  /** The selector of the value in the object. */
  selector: string;
  marking: Marking;
}

interface Build {
  obj: StixObject;
  placed: Placed[];
  ext: Record<string, unknown[]>;
  filled: string[];
}

const parsed = new Map<string, Marking>();
const markingOf = (v: ValueView): Marking => {
  let m = parsed.get(v.marking);
  if (!m) parsed.set(v.marking, (m = parseMarking(v.marking, 'UNKNOWN')));
  return m;
};

/** Sets `path` (a.b.c, no list indices) in `obj`. */
function put(obj: Record<string, unknown>, path: string, value: unknown): void {
  const ps = path.split('.');
  let at = obj;
  for (const p of ps.slice(0, -1)) at = (at[p] ??= {}) as Record<string, unknown>;
  at[ps.at(-1)!] = value;
}
const has = (obj: Record<string, unknown>, path: string): boolean => {
  let at: unknown = obj;
  for (const p of path.split('.')) {
    if (typeof at !== 'object' || at === null || !(p in at)) return false;
    at = (at as Record<string, unknown>)[p];
  }
  return true;
};

/** A value as STIX writes it for `row`, or undefined when STIX cannot say it. */
function toStix(row: Row, value: string, refs: (entityId: string) => string | undefined): unknown {
  switch (row.as) {
    case 'timestamp':
      return STIX_TIMESTAMP.test(value) && (!['created', 'modified'].includes(row.stix) || MILLIS.test(value))
        ? value
        : undefined;
    case 'country':
      return /^[a-z]{2}$/.test(value) ? value.toUpperCase() : undefined;
    case 'number': {
      const n = Number(value);
      return Number.isFinite(n) ? n : undefined;
    }
    case 'ref':
    case 'refs':
      return refs(value);
    case 'refstring':
      return /^identity--/.test(value) && isStixId(value) ? value : undefined;
    case 'urls':
      return { source_name: 'url', url: value };
    default:
      return value;
  }
}

/** What an import makes of `stix` for `row` (src/exchange/stix/read.ts): to check that a value comes back. */
function fromStix(row: Row, stix: unknown): string | undefined {
  if (stix === undefined) return undefined;
  switch (row.as) {
    case 'country':
      return String(stix).toLowerCase();
    case 'urls':
      return (stix as { url: string }).url;
    default:
      // A reference comes back as the STIX id, which is the entity's id only when the entity's id is one.
      return String(stix);
  }
}

const SINGLE = new Set<Row['as']>(['text', 'timestamp', 'country', 'number', 'ref', 'refstring']);

/**
 * One entity as one STIX object (undefined when STIX requires a property whose value the
 * reader may not read, such as a relationship whose end is hidden from them).
 */
export function entityObject(
  view: EntityView,
  meta: EntityMeta,
  refTargets: ReadonlyMap<string, RefTarget>,
): { object: StixObject; markings: Marking[]; extensions: string[] } | undefined {
  const type = stixTypeFor(view.id, view.schema, view);
  const t = TYPES.get(type)!;
  const id = stixIdFor(view.id, type);
  // A reference to an entity whose id is a STIX id is that id (the entity is exported under it; or,
  // when the store holds only the reference, as for an object of a type Chokepoint does not read, it is what the file said).
  const refId = (entityId: string): string | undefined => {
    const own = ownStixId(entityId);
    if (own) return own;
    const target = refTargets.get(entityId);
    return target ? stixIdFor(entityId, stixTypeFor(entityId, target.schema, target.view)) : undefined;
  };
  const refType = (entityId: string): string | undefined => {
    const r = refId(entityId);
    return r ? stixTypeOf(r) : undefined;
  };
  const existence = highestMarking(meta.presence)!;
  const obj: StixObject = { type, spec_version: '2.1', id };
  const b: Build = { obj, placed: [], ext: {}, filled: [] };

  const rows: Row[] = t.rows.filter((r) => !r.importOnly || r.implied);
  const edge = model.edge(view.schema);
  if (t.relationship && edge) {
    rows.push({ stix: 'source_ref', ftm: edge.source, as: 'ref', required: true });
    rows.push({ stix: 'target_ref', ftm: edge.target, as: 'ref', required: true });
    if (view.schema === UNKNOWN_LINK) rows.push({ stix: 'relationship_type', ftm: 'role', as: 'text' });
    else obj.relationship_type = TYPE_BY_RELATION.get(view.schema) ?? 'related-to';
  }
  for (const [k, v] of Object.entries(t.exportAs?.[view.schema] ?? t.exportAs?.['*'] ?? {})) obj[k] = v;

  for (const [prop, values] of Object.entries(view.properties)) {
    const pdef = propOf(view.schema, prop);
    const candidates = rows.filter((r) => r.ftm === prop);
    // Each value to a row (a row with `targets` takes references to those types; a single-valued row one value).
    const assigned: { row: Row; value: ValueView; stix: unknown }[] = [];
    let exact = candidates.length > 0 && !!pdef;
    for (const v of values) {
      const row = candidates.find(
        (r) =>
          (!r.targets || r.targets.includes(refType(v.value) ?? '')) &&
          !(SINGLE.has(r.as) && assigned.some((a) => a.row === r)),
      );
      if (!row) {
        exact = false;
        break;
      }
      if (row.implied) {
        if (obj[row.stix] !== v.value) exact = false;
        assigned.push({ row, value: v, stix: undefined });
        continue;
      }
      const stix = toStix(row, v.value, refId);
      const back = fromStix(row, stix);
      let same = false;
      try {
        same = back !== undefined && !!pdef && cleanValue(pdef.type, back) === v.value;
      } catch {
        same = false;
      }
      if (!same || (row.stix === 'relationship_type' && !/^[a-z0-9-]+$/.test(String(stix)))) exact = false;
      assigned.push({ row, value: v, stix });
    }
    if (exact) {
      for (const a of assigned) {
        if (a.row.implied) continue;
        if (SINGLE.has(a.row.as)) {
          put(obj, a.row.stix, a.stix);
          b.placed.push({ selector: a.row.stix, marking: markingOf(a.value) });
        } else {
          const list = (has(obj, a.row.stix) ? obj[a.row.stix] : []) as unknown[];
          put(obj, a.row.stix, [...list, a.stix]);
          b.placed.push({ selector: `${a.row.stix}.[${list.length}]`, marking: markingOf(a.value) });
        }
      }
      continue;
    }
    // Chokepoint's extension carries the property whole; the STIX property, where STIX has one, shows the first value.
    const key = extensionKey(prop);
    b.ext[key] = values.map((v) => v.value);
    values.forEach((v, j) =>
      b.placed.push({ selector: `extensions.${ENTITY_EXTENSION}.properties.${key}.[${j}]`, marking: markingOf(v) }),
    );
    const row = candidates.find((r) => !r.implied);
    const first = values[0]!;
    const shown = row ? toStix(row, first.value, refId) : undefined;
    if (
      row &&
      shown !== undefined &&
      !has(obj, row.stix) &&
      !(row.stix === 'relationship_type' && !/^[a-z0-9-]+$/.test(String(shown)))
    ) {
      put(obj, row.stix, SINGLE.has(row.as) ? shown : [shown]);
      b.filled.push(row.stix);
      b.placed.push({ selector: row.stix, marking: markingOf(first) });
    }
  }
  if (!fillRequired(b, t, view, meta, existence)) return undefined;
  const ext: Record<string, unknown> = { extension_type: 'property-extension', schema: view.schema };
  if (view.id !== id) ext.id = view.id;
  if (Object.keys(b.ext).length) ext.properties = b.ext;
  if (b.filled.length) ext.filled = [...new Set(b.filled)];
  const extensions: Record<string, unknown> = {};
  if (t.extension) extensions[t.extension] = { extension_type: 'new-sco' };
  extensions[ENTITY_EXTENSION] = ext;
  obj.extensions = extensions;

  const all = [existence, ...b.placed.map((p) => p.marking)];
  const banner = highestMarking(all)!;
  obj.object_marking_refs = markingRefs(banner);
  const bySel = new Map<string, { marking: Marking; selectors: string[] }>();
  const mark = (m: Marking, selector: string) => {
    if (formatMarking(m) === formatMarking(banner)) return;
    const k = formatMarking(m);
    const g = bySel.get(k) ?? bySel.set(k, { marking: m, selectors: [] }).get(k)!;
    g.selectors.push(selector);
  };
  mark(existence, 'id');
  for (const p of b.placed) mark(p.marking, selectorOf(p.selector));
  const granular = [...bySel.values()].flatMap((g) =>
    markingRefs(g.marking).map((ref) => ({ marking_ref: ref, selectors: g.selectors })),
  );
  if (granular.length) obj.granular_markings = granular;
  const used = [banner, ...[...bySel.values()].map((g) => g.marking)];
  return {
    object: order(obj),
    markings: used,
    extensions: [...(t.extension ? [t.extension] : []), ENTITY_EXTENSION, CHOKEPOINT_MARKING_EXTENSION],
  };
}

/**
 * A path as a STIX selector: components are lower-case names or list indices, so a path into a
 * dictionary keyed otherwise (hashes.SHA-1) selects the dictionary (the value is in it, marked with it).
 */
function selectorOf(path: string): string {
  const parts = path.split('.');
  const ok = parts.findIndex((c) => !/^(\[\d+\]|[a-z0-9_-]{1,250})$/.test(c));
  return ok < 0 ? path : parts.slice(0, Math.max(1, ok)).join('.');
}

/** The marking definitions that write a marking on an object: its TLP 2.0 one when exact, and its Chokepoint one. */
export function markingRefs(m: Marking): string[] {
  const tlp = exactTlp(m);
  return [...(tlp?.export ? [tlp.export] : []), chokepointMarkingId(m)];
}

/** STIX requires these; what Chokepoint fills them with when the entity has no value for them (listed in `filled`). */
function fillRequired(b: Build, t: TypeMapping, view: EntityView, meta: EntityMeta, existence: Marking): boolean {
  const { obj } = b;
  const fill = (k: string, v: unknown) => {
    if (has(obj, k)) return;
    obj[k] = v;
    b.filled.push(k);
    b.placed.push({ selector: k, marking: existence });
  };
  if (!t.sco) {
    // The entity's own modifiedAt, when `modified` must say something else, travels in the extension.
    const own = typeof obj.modified === 'string' ? obj.modified : undefined;
    const setModified = (v: string) => {
      const placed = b.placed.find((p) => p.selector === 'modified');
      if (own && placed) {
        const prop = extensionKey(t.rows.find((r) => r.stix === 'modified')?.ftm ?? 'modifiedAt');
        const list = (b.ext[prop] ??= []);
        if (!list.includes(own)) list.push(own);
        placed.selector = `extensions.${ENTITY_EXTENSION}.properties.${prop}.[${list.indexOf(own)}]`;
      }
      obj.modified = v;
      b.filled.push('modified');
    };
    // created: the entity's own, else its own modified (a relation has no createdAt), else when Chokepoint first saw it.
    if (!has(obj, 'created')) fill('created', own && own < meta.firstSeen ? own : meta.firstSeen);
    const created = String(obj.created);
    if (!own) fill('modified', meta.updated > created ? meta.updated : created);
    // modified: the object's own, unless other records have spoken of the entity since (then the newest of them).
    else if (meta.records > 1 && meta.updated > own) setModified(meta.updated);
    if (String(obj.modified) < created) setModified(created);
  }
  for (const [k, v] of Object.entries(t.fill)) fill(k, v);
  for (const [k, from] of Object.entries(t.fillFrom)) fill(k, obj[from]);
  for (const r of t.rows.filter((x) => x.required && !x.importOnly)) {
    if (has(obj, r.stix)) continue;
    if (r.stix === 'name' || r.stix === 'content') fill(r.stix, view.caption);
    else if (r.stix === 'context') fill(r.stix, 'unspecified');
    else if (r.stix === 'valid_from' || r.stix === 'first_observed') fill(r.stix, obj.created ?? meta.firstSeen);
    else if (r.stix === 'last_observed') fill(r.stix, obj.modified ?? meta.updated);
    else return false; // a pattern, a reference, a value: nothing to fill it with
  }
  if (t.relationship && (!has(obj, 'source_ref') || !has(obj, 'target_ref'))) return false;
  if (t.requiredAny && !t.requiredAny.some((alt) => alt.every((k) => has(obj, k))))
    fill(t.requiredAny[0]![0]!, 'unknown');
  return true;
}

const FIRST = ['type', 'spec_version', 'id', 'created', 'modified'];
/** The object's properties in a stable order (type, spec_version, id, created, modified, then by name). */
function order(obj: StixObject): StixObject {
  const out: Record<string, unknown> = {};
  for (const k of FIRST) if (k in obj) out[k] = obj[k];
  for (const k of Object.keys(obj).sort()) if (!FIRST.includes(k)) out[k] = obj[k];
  return out as StixObject;
}

const ts = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * The STIX objects of the entities `ids`, read in the reader's transaction `tx` (row-level
 * security has removed what they may not read), with the markings they use and the time
 * each entity last changed (TAXII's date_added). Entities STIX cannot hold for this reader
 * are counted in `left`.
 */
export async function stixObjectsOf(
  tx: Sql,
  markings: MarkingCache,
  ids: string[],
): Promise<{
  objects: StixObject[];
  markings: Marking[];
  extensions: Set<string>;
  added: Map<string, string>;
  left: number;
}> {
  const out = {
    objects: [] as StixObject[],
    markings: [] as Marking[],
    extensions: new Set<string>(),
    added: new Map<string, string>(),
    left: 0,
  };
  if (!ids.length) return out;
  const views = await getEntities(tx, markings, ids);
  const rows = await tx.query<{ entity_id: string; marking_id: number }>(
    // A stub (an entity only referred to, store/write.ts) says nothing of the entity: there is nothing to write for it.
    'SELECT DISTINCT entity_id, marking_id FROM presence WHERE entity_id = ANY($1) AND NOT stub',
    [ids],
  );
  const presence = new Map<string, Marking[]>();
  for (const r of rows)
    (presence.get(r.entity_id) ?? presence.set(r.entity_id, []).get(r.entity_id)!).push(
      await markings.get(tx, r.marking_id),
    );
  const meta = await entityTimes(tx, ids);
  const targets = await refTargetsOf(tx, markings, views);
  for (const v of views) {
    const m = meta.get(v.id);
    const p = presence.get(v.id);
    if (!m || !p?.length) continue;
    const built = entityObject(v, { ...m, presence: p }, targets);
    if (!built) {
      out.left++;
      continue;
    }
    out.objects.push(built.object);
    out.markings.push(...built.markings);
    for (const e of built.extensions) out.extensions.add(e);
    out.added.set(built.object.id, m.updated);
  }
  return out;
}

/** first_seen, the newest imported_at and the number of records behind each visible entity. */
export async function entityTimes(
  tx: Sql,
  ids: string[],
): Promise<Map<string, { firstSeen: string; updated: string; records: number }>> {
  const rows = await tx.query<{ id: string; first_seen: string; updated: string; records: number }>(
    `SELECT e.id, ${ts('e.first_seen')} AS first_seen, ${ts('max(r.imported_at)')} AS updated, count(DISTINCT r.id)::int AS records
       FROM entities e
       JOIN (SELECT entity_id, record_id FROM presence WHERE entity_id = ANY($1)
             UNION SELECT entity_id, record_id FROM statements WHERE entity_id = ANY($1)) x ON x.entity_id = e.id
       JOIN records r ON r.id = x.record_id
      WHERE e.id = ANY($1)
      GROUP BY e.id, e.first_seen`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, { firstSeen: r.first_seen, updated: r.updated, records: r.records }]));
}

/** The entities the views refer to, with their schema (and values, where the STIX type depends on them). */
export async function refTargetsOf(
  tx: Sql,
  markings: MarkingCache,
  views: EntityView[],
): Promise<Map<string, RefTarget>> {
  const wanted = new Set<string>();
  for (const v of views)
    for (const [prop, vals] of Object.entries(v.properties))
      if (propOf(v.schema, prop)?.type === 'entity') for (const x of vals) wanted.add(x.value);
  const out = new Map<string, RefTarget>();
  for (const v of views) out.set(v.id, { id: v.id, schema: v.schema, view: v });
  const need = [...wanted].filter((id) => !out.has(id));
  if (!need.length) return out;
  const rows = await tx.query<{ entity_id: string; schema: string }>(
    'SELECT DISTINCT entity_id, schema FROM presence WHERE entity_id = ANY($1)',
    [need],
  );
  const schemas = new Map<string, string>();
  for (const r of rows) {
    const had = schemas.get(r.entity_id);
    schemas.set(r.entity_id, had ? (model.compatible(had, r.schema) ?? had) : r.schema);
  }
  const byValues = [...schemas].filter(([id, s]) => !ownStixId(id) && TYPED_BY_VALUES.has(s)).map(([id]) => id);
  const typed = new Map((await getEntities(tx, markings, byValues)).map((v) => [v.id, v]));
  for (const [id, schema] of schemas) out.set(id, { id, schema, view: typed.get(id) });
  return out;
}

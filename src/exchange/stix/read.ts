// STIX 2.1 in: a bundle (or a JSON array of objects, or one object) becomes Chokepoint
// records, one per STIX object, each holding one entity whose id is the object's STIX id, so
// importing the same bundle twice changes nothing and a newer version of an object replaces
// what the older one said (the record's key is the STIX id). Every record then goes through
// parseRecord (src/ingest/record-input.ts) like any import: validation with file, line and
// path, markings, idempotency and transactions are the importer's, not this file's.
//
// Markings: an object's marking refs and granular markings become the markings of its
// entity (its existence: the selector `id`) and of each value, by the table in
// reference/stix/markings.json; what cannot be mapped is refused, naming the object and the
// field. TLP and statements apply together with the object's markings (the most restrictive
// wins: STIX leaves their combination to each marking, and reading a granular TLP:GREEN as a
// replacement of the object's TLP:RED would widen it); a Chokepoint granular marking replaces
// the object's marking for what it selects (Chokepoint writes the object's marking as the
// highest of its parts, so a value marked lower than the object says so that way).
import { toMarking, type Marking, type MarkingInput } from '../../domain/markings.js';
import { model } from '../../domain/model.js';
import { isEntityId } from '../../domain/values.js';
import { parseRecord, type FieldError } from '../../ingest/record-input.js';
import type { Parsed, ReadOptions } from '../../ingest/readers.js';
import { isStixId, stixTypeOf } from './ids.js';
import {
  ENTITY_EXTENSION,
  propOf,
  propOfKey,
  RELATION_BY_TYPE,
  type Row,
  TYPES,
  type TypeMapping,
  UNKNOWN_LINK,
} from './mapping.js';
import {
  combineMarkings,
  resolveMarking,
  type ResolvedMarking,
  type StixObject,
  UnmappableMarking,
} from './markings.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Objects that are no entity: definitions of markings and extensions (read for what they define), language content. */
const META = new Set(['marking-definition', 'extension-definition', 'language-content']);
/** Properties every object may have that are read as markings or identity, not values. */
const CORE = new Set([
  'type',
  'id',
  'spec_version',
  'object_marking_refs',
  'granular_markings',
  'extensions',
  'confidence',
  'defanged',
  'lang',
]);

/** A STIX timestamp (RFC 3339, UTC). */
export const STIX_TIMESTAMP =
  /^\d{4}-(0[1-9]|1[012])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?Z$/;

/** STIX confidence (0-100) as Chokepoint's confidence label, by the None/Low/Med/High scale of STIX 2.1 Appendix A. */
export function confidenceLabel(n: number): 'high' | 'medium' | 'low' | 'unverified' {
  return n >= 70 ? 'high' : n >= 30 ? 'medium' : n >= 1 ? 'low' : 'unverified';
}

interface Value {
  prop: string;
  value: unknown;
  /** The STIX paths it was read from (selectors that overlap one of them mark it). */
  paths: string[];
}

/** The components of a selector or path: "a.b.[2].c" → ["a", "b", "[2]", "c"]. */
const parts = (path: string): string[] => path.split('.');
const overlaps = (a: string, b: string): boolean => {
  const x = parts(a);
  const y = parts(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return false;
  return true;
};

/** What `path` selects in `obj`, or undefined when it selects nothing. */
function select(obj: unknown, path: string): unknown {
  let at: unknown = obj;
  for (const c of parts(path)) {
    const idx = /^\[(\d+)\]$/.exec(c);
    if (idx) {
      if (!Array.isArray(at) || +idx[1]! >= at.length) return undefined;
      at = at[+idx[1]!];
    } else {
      if (!isObj(at) || !(c in at)) return undefined;
      at = at[c];
    }
  }
  return at;
}

/** The line of the first `"id": "<id>"` of each id in the text, found in one pass. */
function linesOfIds(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const re = /"id"\s*:\s*"([^"\\]{1,300})"/g;
  let line = 1;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    for (let i = last; i < m.index; i++) if (text.charCodeAt(i) === 10) line++;
    last = m.index;
    if (!out.has(m[1]!)) out.set(m[1]!, line);
  }
  return out;
}

export interface StixFile {
  objects: StixObject[];
  /** Errors about the file as a whole (malformed JSON, a STIX 2.0 bundle). */
  errors: FieldError[];
  lines: Map<string, number>;
}

/** The objects of a STIX file: a bundle, a JSON array of objects, or one object. */
export function stixObjects(text: string, file: string): StixFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return {
      objects: [],
      lines: new Map(),
      errors: [{ file, path: '', message: `malformed JSON: ${(e as Error).message}` }],
    };
  }
  const errors: FieldError[] = [];
  let list: unknown[];
  if (Array.isArray(doc)) list = doc;
  else if (isObj(doc) && doc.type === 'bundle') {
    if (doc.spec_version === '2.0')
      errors.push({
        file,
        path: 'spec_version',
        message: 'is 2.0: Chokepoint reads STIX 2.1 (convert the bundle first)',
      });
    if (doc.objects !== undefined && !Array.isArray(doc.objects))
      errors.push({ file, path: 'objects', message: 'must be a list of STIX objects' });
    list = Array.isArray(doc.objects) ? doc.objects : [];
  } else if (isObj(doc) && typeof doc.type === 'string') list = [doc];
  else
    return {
      objects: [],
      lines: new Map(),
      errors: [{ file, path: '', message: 'expected a STIX bundle, a JSON array of STIX objects, or one STIX object' }],
    };
  const objects: StixObject[] = [];
  list.forEach((o, i) => {
    if (!isObj(o) || typeof o.type !== 'string' || typeof o.id !== 'string')
      errors.push({ file, path: `objects[${i}]`, message: 'is not a STIX object (it needs a type and an id)' });
    else objects.push(o as StixObject);
  });
  return { objects, errors, lines: linesOfIds(text) };
}

const markingInput = (m: Marking): MarkingInput => ({ ...m });

interface Ctx {
  file: string;
  lines: Map<string, number>;
  definitions: Map<string, StixObject>;
  /** STIX id → Chokepoint entity id, for objects of the file that carry their entity id. */
  entityIds: Map<string, string>;
  opts: ReadOptions;
}

/**
 * The records of a STIX file, one per object that is an entity (marking and extension
 * definitions are read for what they define; of several versions of one object, the newest).
 */
export function stixRecords(text: string, file: string, opts: ReadOptions): Parsed[] {
  const { objects, errors, lines } = stixObjects(text, file);
  const out: Parsed[] = errors.map((e) => ({ errors: [e] }));
  const definitions = new Map<string, StixObject>();
  const newest = new Map<string, { obj: StixObject; index: number }>();
  objects.forEach((obj, index) => {
    if (obj.type === 'marking-definition') definitions.set(obj.id, obj);
    if (META.has(obj.type)) return;
    const seen = newest.get(obj.id);
    const v = (o: StixObject) => String(o.modified ?? o.created ?? '');
    if (!seen || v(obj) >= v(seen.obj)) newest.set(obj.id, { obj, index });
  });
  const entityIds = new Map<string, string>();
  for (const { obj } of newest.values()) {
    const ext = isObj(obj.extensions) ? obj.extensions[ENTITY_EXTENSION] : undefined;
    if (isObj(ext) && typeof ext.id === 'string' && isEntityId(ext.id)) entityIds.set(obj.id, ext.id);
  }
  const ctx: Ctx = { file, lines, definitions, entityIds, opts };
  for (const { obj, index } of [...newest.values()].sort((a, b) => a.index - b.index))
    out.push(objectRecord(obj, index, ctx));
  return out;
}

/** The one record of one STIX object (or the errors that refuse it). */
function objectRecord(obj: StixObject, index: number, ctx: Ctx): Parsed {
  const base = `objects[${index}] (${obj.id})`;
  const line = ctx.lines.get(obj.id);
  const errors: FieldError[] = [];
  const err = (path: string, message: string): void => {
    errors.push({ file: ctx.file, line, path: path ? `${base}.${path}` : base, message });
  };
  const fail = (): Parsed => ({ errors });

  if (!isStixId(obj.id) || stixTypeOf(obj.id) !== obj.type) err('id', `must be "${obj.type}--" and a UUID`);
  if (obj.spec_version !== undefined && obj.spec_version !== '2.1')
    err('spec_version', `is ${JSON.stringify(obj.spec_version)}: Chokepoint reads STIX 2.1`);
  if (obj.revoked === true)
    err('revoked', 'the object is revoked: Chokepoint does not import a withdrawn object (retract its entity instead)');
  const t = TYPES.get(obj.type);
  if (!t) {
    err('type', `"${obj.type}" has no Chokepoint schema (reference/stix/objects.json lists the types read)`);
    return fail();
  }
  if (errors.length) return fail();

  const exts = isObj(obj.extensions) ? obj.extensions : {};
  const cp = exts[ENTITY_EXTENSION];
  if (cp !== undefined && !isObj(cp)) err(`extensions.${ENTITY_EXTENSION}`, 'must be an object');
  const cpx = isObj(cp) ? cp : undefined;
  for (const k of Object.keys(cpx ?? {}))
    if (!['extension_type', 'schema', 'id', 'properties', 'filled'].includes(k))
      err(`extensions.${ENTITY_EXTENSION}.${k}`, 'is not a field of the Chokepoint entity extension');

  // The schema: Chokepoint's extension names it; else the table, by type (and identity_class, relationship_type).
  let schema: string | undefined;
  if (typeof cpx?.schema === 'string') {
    const def = model.get(cpx.schema);
    if (!def || def.abstract)
      err(`extensions.${ENTITY_EXTENSION}.schema`, `${JSON.stringify(cpx.schema)} is not a schema of this instance`);
    else schema = def.name;
  } else if (t.relationship) {
    const rt = obj.relationship_type;
    if (typeof rt !== 'string') err('relationship_type', 'is required');
    else schema = RELATION_BY_TYPE.get(rt) ?? UNKNOWN_LINK;
  } else {
    schema = t.schemaFor(obj);
    if (!schema)
      err('type', `"${obj.type}" needs a schema this instance does not have yet (reference/stix/objects.json)`);
  }
  if (!schema || errors.length) return fail();

  const entityId = typeof cpx?.id === 'string' ? cpx.id : obj.id;
  if (!isEntityId(entityId)) err(`extensions.${ENTITY_EXTENSION}.id`, 'is not an entity id');
  const filled = new Set(
    Array.isArray(cpx?.filled) ? cpx.filled.filter((x): x is string => typeof x === 'string') : [],
  );
  const values = readValues(obj, t, schema, filled, ctx, err);
  if (cpx?.properties !== undefined) {
    if (!isObj(cpx.properties))
      err(`extensions.${ENTITY_EXTENSION}.properties`, 'must be an object of property to values');
    else
      for (const [key, list] of Object.entries(cpx.properties)) {
        const path = `extensions.${ENTITY_EXTENSION}.properties.${key}`;
        const prop = propOfKey(schema, key);
        if (!prop) err(path, `is not a property of ${schema}`);
        else if (!Array.isArray(list)) err(path, 'must be a list of values');
        else list.forEach((value, j) => values.push({ prop, value, paths: [`${path}.[${j}]`] }));
      }
  }
  // A name where the object has none (FtM's entities are named): a property of the object, or the type's word.
  if (propOf(schema, 'name') && !values.some((v) => v.prop === 'name') && t.name) {
    const from = select(obj, t.name);
    values.push(
      typeof from === 'string'
        ? { prop: 'name', value: from, paths: [t.name] }
        : { prop: 'name', value: t.name, paths: ['id'] },
    );
  }

  const marks = readMarkings(obj, t, values, ctx, err);
  if (errors.length || !marks) return fail();

  const properties: Record<string, unknown[]> = {};
  const propertyMarkings: Record<string, MarkingInput[]> = {};
  for (const v of values) {
    (properties[v.prop] ??= []).push(v.value);
    (propertyMarkings[v.prop] ??= []).push(markingInput(marks.valueMarking(v)));
  }
  const confidence = typeof obj.confidence === 'number' ? confidenceLabel(obj.confidence) : ctx.opts.confidence;
  const stamp = String(obj.modified ?? obj.created ?? '');
  const raw = {
    sourceRecordId: obj.id,
    marking: markingInput(marks.record),
    kind: ctx.opts.kind ?? 'operational',
    reportDate: ctx.opts.reportDate ?? (STIX_TIMESTAMP.test(stamp) ? stamp.slice(0, 10) : undefined),
    grade: ctx.opts.grade,
    criminalBasis: ctx.opts.criminalBasis,
    sensitivity: ctx.opts.sensitivity,
    confidence,
    entities: [{ id: entityId, schema, marking: markingInput(marks.existence), properties, propertyMarkings }],
  };
  const parsed = parseRecord(raw, { source: ctx.opts.source, file: ctx.file, line, path: base });
  // parseRecord names the record's own paths (entities[0].properties.name[1]); name the STIX field instead.
  const at = new Map<string, string>();
  const seen = new Map<string, number>();
  for (const v of values) {
    const j = seen.get(v.prop) ?? 0;
    seen.set(v.prop, j + 1);
    at.set(`${base}.entities[0].properties.${v.prop}[${j}]`, `${base}.${v.paths[0]} (${schema}.${v.prop})`);
  }
  for (const e of parsed.errors)
    e.path = at.get(e.path) ?? e.path.replace(`${base}.entities[0]`, `${base} (${schema})`);
  return parsed;
}

/** The values an object's properties give, row by row of the table (skipping what Chokepoint's export only filled in). */
function readValues(
  obj: StixObject,
  t: TypeMapping,
  schema: string,
  filled: Set<string>,
  ctx: Ctx,
  err: (path: string, message: string) => void,
): Value[] {
  const out: Value[] = [];
  const ref = (v: unknown, path: string): string | undefined => {
    if (typeof v !== 'string' || !isStixId(v)) {
      err(path, `must be a STIX id, got ${JSON.stringify(v)}`);
      return undefined;
    }
    return ctx.entityIds.get(v) ?? v;
  };
  const rows: Row[] = [...t.rows];
  if (t.relationship) {
    const edge = model.get(schema)!.edge!;
    rows.push({ stix: 'source_ref', ftm: edge.source, as: 'ref' }, { stix: 'target_ref', ftm: edge.target, as: 'ref' });
    if (schema === UNKNOWN_LINK) rows.push({ stix: 'relationship_type', ftm: 'role', as: 'text' });
  }
  for (const row of rows) {
    if (filled.has(row.stix) || !propOf(schema, row.ftm)) continue;
    const raw = select(obj, row.stix);
    // An empty string is no value (STIX producers write "" for "none").
    if (raw === undefined || raw === null || raw === '') continue;
    const put = (value: unknown, path: string) => out.push({ prop: row.ftm, value, paths: [path] });
    switch (row.as) {
      case 'list':
      case 'refs': {
        if (!Array.isArray(raw)) {
          err(row.stix, 'must be a list');
          break;
        }
        raw.forEach((x, i) => {
          const path = `${row.stix}.[${i}]${row.item ? `.${row.item}` : ''}`;
          const v = row.item ? (isObj(x) ? x[row.item] : undefined) : x;
          if (v === undefined) return;
          if (row.as === 'refs') {
            const id = ref(v, path);
            if (id) put(id, path);
          } else put(v, path);
        });
        break;
      }
      case 'ref': {
        const id = ref(raw, row.stix);
        if (id) put(id, row.stix);
        break;
      }
      case 'country':
        put(typeof raw === 'string' ? raw.toLowerCase() : raw, row.stix);
        break;
      case 'number':
        put(typeof raw === 'number' ? String(raw) : raw, row.stix);
        break;
      case 'timestamp':
        if (typeof raw !== 'string' || !STIX_TIMESTAMP.test(raw))
          err(row.stix, `must be a STIX timestamp (UTC, "Z"), got ${JSON.stringify(raw)}`);
        else put(raw, row.stix);
        break;
      case 'urls':
        if (!Array.isArray(raw)) err(row.stix, 'must be a list');
        else raw.forEach((x, i) => isObj(x) && typeof x.url === 'string' && put(x.url, `${row.stix}.[${i}].url`));
        break;
      default:
        put(raw, row.stix);
    }
  }
  return out;
}

/**
 * The markings of the object's parts: its existence (selector `id`, and what decides its
 * schema), each value, and the record. Undefined after an error.
 */
function readMarkings(
  obj: StixObject,
  t: TypeMapping,
  values: Value[],
  ctx: Ctx,
  err: (path: string, message: string) => void,
): { existence: Marking; record: Marking; valueMarking(v: Value): Marking } | undefined {
  const resolve = (ref: unknown, path: string): ResolvedMarking | undefined => {
    if (typeof ref !== 'string') {
      err(path, 'must be the id of a marking definition');
      return undefined;
    }
    try {
      return resolveMarking(ref, ctx.definitions, ctx.opts.source);
    } catch (e) {
      if (e instanceof UnmappableMarking) err(path, `${e.message}; refused rather than imported under a wider marking`);
      else err(path, (e as Error).message);
      return undefined;
    }
  };
  const objectParts: ResolvedMarking[] = [];
  const omr = obj.object_marking_refs;
  if (omr !== undefined)
    if (!Array.isArray(omr)) err('object_marking_refs', 'must be a list');
    else
      omr.forEach((ref, k) => {
        const r = resolve(ref, `object_marking_refs[${k}]`);
        if (r) objectParts.push(r);
      });
  // Granular markings, by what they select: the existence ("id"), or values.
  const EXISTENCE = -1;
  const granular = new Map<number, ResolvedMarking[]>();
  const add = (target: number, r: ResolvedMarking) => granular.set(target, [...(granular.get(target) ?? []), r]);
  // What decides the schema (identity_class, relationship_type) is as visible as the entity: marking it marks the existence.
  const decides = new Set([
    'id',
    'type',
    'spec_version',
    ...(t.relationship ? ['relationship_type'] : []),
    'identity_class',
  ]);
  const gms = obj.granular_markings;
  if (gms !== undefined)
    if (!Array.isArray(gms)) err('granular_markings', 'must be a list');
    else
      gms.forEach((g, k) => {
        const path = `granular_markings[${k}]`;
        if (!isObj(g)) return err(path, 'must be a granular marking');
        if (g.marking_ref === undefined && typeof g.lang === 'string') return; // a language, not a restriction
        const r = resolve(g.marking_ref, `${path}.marking_ref`);
        if (!r) return;
        if (!Array.isArray(g.selectors) || !g.selectors.length)
          return err(`${path}.selectors`, 'must list what it marks');
        g.selectors.forEach((sel, j) => {
          const spath = `${path}.selectors[${j}]`;
          if (typeof sel !== 'string') return err(spath, 'must be a selector');
          const root = parts(sel)[0]!;
          if (root === 'object_marking_refs' || root === 'granular_markings')
            return err(
              spath,
              `"${sel}" marks the markings themselves, which Chokepoint cannot honour (a value's marking is as visible as the value)`,
            );
          if (select(obj, sel) === undefined) return err(spath, `"${sel}" selects nothing in the object`);
          if (decides.has(root)) add(EXISTENCE, r);
          values.forEach((v, i) => v.paths.some((p) => overlaps(p, sel)) && add(i, r));
        });
      });
  const def = ctx.opts.marking;
  let fallback: Marking | undefined;
  let unmarked = false;
  const effective = (target: number): Marking | undefined => {
    const g = granular.get(target) ?? [];
    try {
      const m = g.some((x) => x.chokepoint) ? combineMarkings(g) : combineMarkings([...objectParts, ...g]);
      if (m) return m;
    } catch (e) {
      err(target === EXISTENCE ? 'object_marking_refs' : 'granular_markings', (e as Error).message);
      return undefined;
    }
    if (fallback) return fallback;
    if (unmarked) return undefined; // said once for the object
    unmarked = true;
    if (def === undefined) {
      err(
        'object_marking_refs',
        'the object (or a part of it) has no marking and the import states none: state one for what is unmarked (--marking, e.g. "U//FOUO")',
      );
      return undefined;
    }
    try {
      return (fallback = toMarking(def, ctx.opts.source));
    } catch (e) {
      err('object_marking_refs', `the stated marking: ${(e as Error).message}`);
      return undefined;
    }
  };
  const existence = effective(EXISTENCE);
  const valueMarkings = values.map((_, i) => effective(i));
  let record: Marking | undefined;
  try {
    record = combineMarkings(objectParts) ?? existence;
  } catch (e) {
    err('object_marking_refs', (e as Error).message);
  }
  if (!existence || !record || valueMarkings.some((m) => !m)) return undefined;
  return { existence, record, valueMarking: (v) => valueMarkings[values.indexOf(v)]! };
}

/** The top-level properties of an object that no row of the table reads (what an import drops), for reports. */
export function unreadProperties(obj: StixObject): string[] {
  const t = TYPES.get(obj.type);
  if (!t) return Object.keys(obj).filter((k) => !CORE.has(k));
  const schema = t.relationship
    ? (RELATION_BY_TYPE.get(String(obj.relationship_type)) ?? UNKNOWN_LINK)
    : t.schemaFor(obj);
  const read = new Set<string>(CORE);
  for (const r of t.rows) if (schema && propOf(schema, r.ftm)) read.add(parts(r.stix)[0]!);
  if (t.relationship) ['source_ref', 'target_ref', 'relationship_type'].forEach((k) => read.add(k));
  if (t.type === 'identity') read.add('identity_class');
  return Object.keys(obj).filter((k) => !read.has(k));
}

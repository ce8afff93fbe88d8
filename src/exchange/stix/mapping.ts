// The table of reference/stix/objects.json, checked against the entity model: which STIX
// type becomes which schema, and where each property goes. A row whose schema or property
// the model does not have is left out (and listed by `unmapped`, which a test holds empty),
// so the table states the mapping and the model decides what can be kept.
import { readFileSync } from 'node:fs';
import { EMAIL_ADDRESS, model, type PropDef } from '../../domain/model.js';

export type Conversion = 'text' | 'list' | 'timestamp' | 'country' | 'number' | 'ref' | 'refs' | 'refstring' | 'urls';

export interface Row {
  stix: string;
  ftm: string;
  as: Conversion;
  /** Exported only when the STIX type of every target is one of these. */
  targets?: string[];
  /** For a list of objects: the field of each that holds the value. */
  item?: string;
  required?: boolean;
  /** Read on import, never written (another row writes the property). */
  importOnly?: boolean;
  /** Read on import; on export the object says it already (the STIX type, in `type`). */
  implied?: boolean;
  /** Only for these schemata (roles are a person's position). */
  schemas?: string[];
}

interface RawType {
  schema?: string[];
  schemaBy?: { property: string; values: Record<string, string[]>; otherwise: string[] };
  exportAs?: Record<string, Record<string, string>>;
  required?: string[][];
  name?: string;
  properties: (Omit<Row, 'as'> & { as?: Conversion })[];
  fill?: Record<string, unknown>;
  fillFrom?: Record<string, string>;
  sco?: boolean;
  relationship?: boolean;
  chokepoint?: boolean;
  extension?: string;
}

interface RawTable {
  common: (Omit<Row, 'as'> & { as?: Conversion })[];
  types: Record<string, RawType>;
  relationshipTypes: Record<string, string>;
  exportType: Record<string, string>;
  extensionDefinitions: (Record<string, unknown> & { id: string })[];
}

const RAW: RawTable = JSON.parse(
  readFileSync(new URL('../../../reference/stix/objects.json', import.meta.url), 'utf8'),
);

/** The table names the e-mail address schema by this placeholder, the model by EMAIL_ADDRESS. */
const schemaName = (s: string): string => (s === '$EMAIL_ADDRESS' ? EMAIL_ADDRESS : s);
const concrete = (s: string): boolean => {
  const def = model.get(s);
  return !!def && !def.abstract;
};
/** The first of the schemata the model has (and may be instantiated). */
const firstSchema = (names: string[]): string | undefined => names.map(schemaName).find(concrete);

export interface TypeMapping {
  type: string;
  sco: boolean;
  relationship: boolean;
  /** x-chokepoint-entity: its schema is in Chokepoint's extension. */
  chokepoint: boolean;
  /** The schema for an object (undefined: the model has none for it). */
  schemaFor(obj: Record<string, unknown>): string | undefined;
  /** Every schema objects of this type may become (for export: is an entity of this schema this type?). */
  schemas: Set<string>;
  rows: Row[];
  /** Alternatives of required properties (location: a region, a country, or latitude and longitude). */
  requiredAny?: string[][];
  /** A name for an object that has none (a property to copy, or a fixed text). */
  name?: string;
  /** Properties set by schema on export (identity_class). */
  exportAs?: Record<string, Record<string, string>>;
  fill: Record<string, unknown>;
  fillFrom: Record<string, string>;
  /** The new-sco extension definition that defines the type (phone-number, cryptocurrency-wallet, ...). */
  extension?: string;
}

const rowOf = (r: Omit<Row, 'as'> & { as?: Conversion }): Row => ({ ...r, as: r.as ?? 'text' });

/** Whether `prop` is a property of `schema` in the model (inherited ones included). */
export const propOf = (schema: string, prop: string): PropDef | undefined => model.properties(schema)[prop];

function build(type: string, raw: RawType): TypeMapping {
  const schemas = new Set<string>();
  let schemaFor: TypeMapping['schemaFor'];
  if (raw.schemaBy) {
    const by = raw.schemaBy;
    const found = Object.fromEntries(Object.entries(by.values).map(([v, names]) => [v, firstSchema(names)]));
    const otherwise = firstSchema(by.otherwise);
    for (const s of [...Object.values(found), otherwise]) if (s) schemas.add(s);
    schemaFor = (obj) => {
      const v = obj[by.property];
      return typeof v === 'string' && v in found ? found[v] : otherwise;
    };
  } else if (raw.schema) {
    const s = firstSchema(raw.schema);
    if (s) schemas.add(s);
    schemaFor = () => s;
  } else schemaFor = () => undefined; // relationships by their type, x-chokepoint-entity by its extension
  const rows = [...raw.properties.map(rowOf), ...(raw.sco || raw.chokepoint ? [] : RAW.common.map(rowOf))];
  return {
    type,
    sco: !!raw.sco,
    relationship: !!raw.relationship,
    chokepoint: !!raw.chokepoint,
    schemaFor,
    schemas,
    rows,
    requiredAny: raw.required,
    name: raw.name,
    exportAs: raw.exportAs,
    fill: raw.fill ?? {},
    fillFrom: raw.fillFrom ?? {},
    extension: raw.extension,
  };
}

export const TYPES: ReadonlyMap<string, TypeMapping> = new Map(
  Object.entries(RAW.types).map(([type, raw]) => [type, build(type, raw)]),
);

/** Relationship types that are Chokepoint relations, and back. */
export const RELATION_BY_TYPE: ReadonlyMap<string, string> = new Map(
  Object.entries(RAW.relationshipTypes)
    .filter(([k, s]) => !k.startsWith('_') && concrete(s) && model.get(s)?.edge)
    .map(([k, s]) => [k, s]),
);
export const TYPE_BY_RELATION: ReadonlyMap<string, string> = new Map([...RELATION_BY_TYPE].map(([k, s]) => [s, k]));
/** The schema of a relationship of any other type (its type is kept as the role). */
export const UNKNOWN_LINK = 'UnknownLink';

/** The STIX type of an entity not imported from STIX, by its schema or the nearest schema it extends that the table names. */
export function exportTypeOf(schema: string): string | undefined {
  if (model.get(schema)?.edge) return 'relationship';
  const named = Object.entries(RAW.exportType)
    .filter(([k]) => !k.startsWith('_'))
    .map(([k, t]) => [schemaName(k), t] as const);
  for (const [s, t] of named) if (s === schema) return t;
  for (const [s, t] of named) if (model.get(s) && model.isA(schema, s)) return t;
  return undefined;
}

/** The extension definitions (other than Chokepoint's marking) that exported objects use, as STIX objects. */
export function extensionDefinition(id: string, chokepointIdentity: string): Record<string, unknown> | undefined {
  const d = RAW.extensionDefinitions.find((x) => x.id === id);
  if (!d) return undefined;
  const out: Record<string, unknown> = { type: 'extension-definition', spec_version: '2.1' };
  for (const [k, v] of Object.entries(d)) if (!k.startsWith('_')) out[k] = v;
  out.modified ??= out.created;
  out.created_by_ref ??= chokepointIdentity;
  return out;
}

/** Rows of the table that the model cannot hold: the schema lacks the property. Empty once the model has them all. */
export function unmapped(): string[] {
  const out: string[] = [];
  for (const t of TYPES.values()) {
    if (!t.schemas.size && !t.relationship && !t.chokepoint) {
      out.push(
        `${t.type}: the model has none of the schemata ${JSON.stringify(RAW.types[t.type]?.schema ?? RAW.types[t.type]?.schemaBy)}`,
      );
      continue;
    }
    const common = new Set(RAW.common.map((r) => r.stix));
    for (const s of t.relationship ? [UNKNOWN_LINK] : t.schemas)
      for (const r of t.rows)
        if (!common.has(r.stix) && (!r.schemas || r.schemas.includes(s)) && !propOf(s, r.ftm))
          out.push(`${t.type}.${r.stix}: ${s} has no property ${r.ftm}`);
  }
  return out;
}

/**
 * A property's name in Chokepoint's entity extension: snake case, because STIX selectors (the
 * granular markings that mark each value) take lower-case names only (birthDate: birth_date).
 */
export const extensionKey = (prop: string): string => prop.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
/** The schema's property an extension key names, or undefined. */
export const propOfKey = (schema: string, key: string): string | undefined =>
  Object.keys(model.properties(schema)).find((p) => extensionKey(p) === key);

/** The Chokepoint entity extension: schema, entity id and the values the STIX properties do not carry. */
export const ENTITY_EXTENSION = 'extension-definition--36dc30c0-4795-4f68-8c99-772d014a773d';

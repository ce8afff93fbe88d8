// The MISP mapping as data (reference/misp/mapping.json): which attribute types, object
// templates and galaxies become which schemata and properties, and which rows an export
// writes back. Loaded once and checked against the model, so a row naming a schema or a
// property the model lacks fails at start, not halfway through someone's import.
import { readFileSync } from 'node:fs';
import { EMAIL_ADDRESS, model } from '../../domain/model.js';

export interface AttributeRow {
  schema: string;
  property: string;
  constants?: Record<string, string>;
  category?: string;
  export?: boolean;
}

export interface RelationRow {
  property: string;
  /** The MISP attribute type an export writes for it. */
  type: string;
  /** MISP holds free text where the model holds a code: a value that does not fit is reported, not refused. */
  lenient?: boolean;
}

export interface ObjectRow {
  schema: string;
  constants?: Record<string, string>;
  export?: boolean;
  template?: { uuid: string; version: number; 'meta-category': string; description: string };
  relations: Record<string, RelationRow>;
}

export interface GalaxyRow {
  schema: string;
  value: string;
  synonyms?: string;
  description?: string;
}

export interface MispMapping {
  event: {
    schema: string;
    info: string;
    date: string;
    involved: string;
    labels: string;
    attributes: Record<string, { property: string; category: string }>;
  };
  attributeComment: string;
  attributes: Record<string, AttributeRow>;
  objects: Record<string, ObjectRow>;
  references: { schema: string; source: string; target: string; type: string };
  galaxies: Record<string, GalaxyRow>;
  sightings: {
    schema: string;
    date: string;
    involved: string;
    name: string;
    summary: string;
    types: Record<string, string>;
  };
  generic: {
    prefix: string;
    metaCategory: string;
    idRelation: string;
    types: Record<string, string>;
    defaultType: string;
  };
  categories: Record<string, string>;
}

const withoutComments = (o: Record<string, unknown>): Record<string, never> =>
  Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith('$'))) as Record<string, never>;

/** Reads and checks a mapping: every schema and property it names exists in the model. */
export function loadMapping(text: string): MispMapping {
  const raw = JSON.parse(text.replaceAll('"$EMAIL_ADDRESS"', JSON.stringify(EMAIL_ADDRESS))) as MispMapping;
  const m: MispMapping = {
    ...raw,
    attributes: withoutComments(raw.attributes),
    objects: withoutComments(raw.objects),
    galaxies: withoutComments(raw.galaxies),
  };
  const problems: string[] = [];
  const need = (where: string, schema: string, props: (string | undefined)[]): void => {
    const def = model.get(schema);
    if (!def || def.abstract) {
      problems.push(`${where}: ${schema} is not a concrete schema of the model`);
      return;
    }
    const known = model.properties(schema);
    for (const p of props) if (p && !known[p]) problems.push(`${where}: ${p} is not a property of ${schema}`);
  };
  need('event', m.event.schema, [
    m.event.info,
    m.event.date,
    m.event.involved,
    m.event.labels,
    m.attributeComment,
    ...Object.values(m.event.attributes).map((a) => a.property),
  ]);
  for (const [type, a] of Object.entries(m.attributes))
    need(`attributes.${type}`, a.schema, [
      a.property,
      m.event.labels,
      m.attributeComment,
      ...Object.keys(a.constants ?? {}),
    ]);
  for (const [name, o] of Object.entries(m.objects))
    need(`objects.${name}`, o.schema, [
      ...Object.values(o.relations).map((r) => r.property),
      ...Object.keys(o.constants ?? {}),
      m.attributeComment,
    ]);
  for (const [type, g] of Object.entries(m.galaxies))
    need(`galaxies.${type}`, g.schema, [g.value, g.synonyms, g.description, m.event.labels]);
  need('references', m.references.schema, [m.references.source, m.references.target, m.references.type]);
  need('sightings', m.sightings.schema, [
    m.sightings.date,
    m.sightings.involved,
    m.sightings.name,
    m.sightings.summary,
  ]);
  if (problems.length) throw new Error(`reference/misp/mapping.json: ${problems.join('; ')}`);
  return m;
}

let shipped: MispMapping | undefined;
/** The shipped mapping (reference/misp/mapping.json). */
export function mispMapping(): MispMapping {
  shipped ??= loadMapping(readFileSync(new URL('../../../reference/misp/mapping.json', import.meta.url), 'utf8'));
  return shipped;
}

/** `LabDismantlement` → `lab-dismantlement`: MISP object names are lower-case kebab. */
export const kebab = (schema: string): string => schema.replace(/(?<=[a-z0-9])([A-Z])/g, '-$1').toLowerCase();

/** The schema a generic object (`ftm-lab-dismantlement`) stands for, or undefined. */
export function genericSchema(m: MispMapping, objectName: string): string | undefined {
  if (!objectName.startsWith(m.generic.prefix)) return undefined;
  const name = objectName.slice(m.generic.prefix.length);
  return model.concrete().find((s) => kebab(s.name) === name)?.name;
}

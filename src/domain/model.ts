// The entity model is data: FollowTheMoney's own schema YAML (reference/ftm/schema,
// unmodified), and Chokepoint's schemata written in the same format beside it
// (reference/schema). Entities are {id, schema, properties: {prop: [values]}};
// relations and events are entities too, whose `entity`-typed properties are the
// graph's edges. Code asks the model (isA, matchable, edge, directed, event) rather
// than naming schemata, so a new schema is one YAML file.
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** FtM's property types (followthemoney/types), each with FtM's normalisation in values.ts. */
export const PROP_TYPES = [
  'name',
  'string',
  'text',
  'date',
  'country',
  'identifier',
  'phone',
  'email',
  'url',
  'number',
  'entity',
  'address',
  'iban',
  'topic',
  'gender',
  'checksum',
  'html',
  'ip',
  'json',
  'language',
  'mimetype',
] as const;
export type PropType = (typeof PROP_TYPES)[number];

/** FtM's default of `matchable` per type: whether two entities sharing a value of it may be the same. */
const MATCHABLE_TYPES = new Set<PropType>([
  'name',
  'date',
  'country',
  'identifier',
  'phone',
  'email',
  'url',
  'entity',
  'address',
  'iban',
  'checksum',
  'ip',
]);

export interface PropDef {
  name: string;
  /** The schema that defines the property (an ancestor of the schema it is read from). */
  schema: string;
  type: PropType;
  label: string;
  description?: string;
  /** For entity-typed properties: the schema the value should be (FtM does not enforce it). */
  range?: string;
  /** The property's name and label seen from the range's side (FtM's `reverse`). */
  reverse?: { name: string; label: string };
  matchable: boolean;
  hidden: boolean;
  deprecated: boolean;
  maxLength?: number;
  format?: string;
  /** 28 CFR 23.20(b): political, religious or social views; refused unless tied to a crime. */
  protected?: boolean;
}

export interface EdgeDef {
  source: string;
  target: string;
  label: string;
  /** FtM's `edge.directed`: Family, Associate, UnknownLink are symmetric. */
  directed: boolean;
  caption: string[];
}

export interface SchemaDef {
  name: string;
  label: string;
  plural: string;
  description?: string;
  extends: string[];
  /** Defined by FtM (reference/ftm/schema), rather than by Chokepoint. */
  ftm: boolean;
  abstract: boolean;
  matchable: boolean;
  generated: boolean;
  hidden: boolean;
  deprecated: boolean;
  featured: string[];
  required: string[];
  /** Properties used, in order, to make a caption. */
  caption: string[];
  edge?: EdgeDef;
  temporalExtent?: { start: string[]; end: string[] };
  /** The schema's own properties (inherited ones: SchemaModel.properties). */
  properties: Record<string, PropDef>;
  /** Chokepoint: entities with a date and a place (timelines, statistics); inherited. */
  event: boolean;
}

type Raw = Record<string, unknown>;
const SCHEMA_KEYS = new Set([
  'label',
  'plural',
  'description',
  'extends',
  'abstract',
  'matchable',
  'generated',
  'hidden',
  'deprecated',
  'featured',
  'required',
  'caption',
  'edge',
  'temporalExtent',
  'properties',
  'rdf',
  'icon',
  'event',
]);
const PROP_KEYS = new Set([
  'label',
  'type',
  'description',
  'descriptuon', // sic, in FtM's own YAML (Identification.yaml)
  'range',
  'reverse',
  'matchable',
  'hidden',
  'deprecated',
  'maxLength',
  'format',
  'rdf',
  'caption',
  'plural',
  'protected',
]);
/** What an addition may say about an FtM property or schema it does not define. */
const ANNOTATIONS = new Set(['protected']);
const SCHEMA_ANNOTATIONS = new Set(['event', 'properties']);

class ModelError extends Error {}
const fail = (file: string, msg: string): never => {
  throw new ModelError(`${file}: ${msg}`);
};
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

function readDir(dir: URL): { file: string; doc: Raw }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({
      file: `${dir.pathname.split('/').slice(-3).join('/')}${f}`,
      doc: parse(readFileSync(new URL(f, dir), 'utf8')) as Raw,
    }));
}

function toProp(file: string, schema: string, name: string, raw: Raw): PropDef {
  for (const k of Object.keys(raw)) if (!PROP_KEYS.has(k)) fail(file, `${schema}.${name}: unknown key "${k}"`);
  const type = (raw.type ?? 'string') as PropType;
  if (!PROP_TYPES.includes(type)) fail(file, `${schema}.${name}: unknown type "${String(raw.type)}"`);
  if (type === 'entity' && typeof raw.range !== 'string')
    fail(file, `${schema}.${name}: an entity property needs a range`);
  const rev = raw.reverse as Raw | undefined;
  return {
    name,
    schema,
    type,
    label: String(raw.label ?? name),
    description: (raw.description ?? raw.descriptuon) as string | undefined,
    range: raw.range as string | undefined,
    reverse: rev ? { name: String(rev.name), label: String(rev.label ?? rev.name) } : undefined,
    matchable: raw.matchable === undefined ? MATCHABLE_TYPES.has(type) : raw.matchable === true,
    hidden: raw.hidden === true,
    deprecated: raw.deprecated === true,
    maxLength: typeof raw.maxLength === 'number' ? raw.maxLength : undefined,
    format: raw.format as string | undefined,
    protected: raw.protected === true ? true : undefined,
  };
}

function toSchema(file: string, name: string, raw: Raw, ftm: boolean): SchemaDef {
  for (const k of Object.keys(raw)) if (!SCHEMA_KEYS.has(k)) fail(file, `${name}: unknown key "${k}"`);
  const props: Record<string, PropDef> = {};
  for (const [p, def] of Object.entries((raw.properties ?? {}) as Record<string, Raw>))
    props[p] = toProp(file, name, p, def ?? {});
  const edge = raw.edge as Raw | undefined;
  const te = raw.temporalExtent as Raw | undefined;
  return {
    name,
    label: String(raw.label ?? name),
    plural: String(raw.plural ?? raw.label ?? name),
    description: typeof raw.description === 'string' ? raw.description.trim() : undefined,
    extends: strings(raw.extends),
    ftm,
    abstract: raw.abstract === true,
    matchable: raw.matchable === true,
    generated: raw.generated === true,
    hidden: raw.hidden === true,
    deprecated: raw.deprecated === true,
    featured: strings(raw.featured),
    required: strings(raw.required),
    caption: strings(raw.caption),
    edge: edge
      ? {
          source: String(edge.source),
          target: String(edge.target),
          label: String(edge.label ?? name),
          directed: edge.directed !== false,
          caption: strings(edge.caption),
        }
      : undefined,
    temporalExtent: te ? { start: strings(te.start), end: strings(te.end) } : undefined,
    properties: props,
    event: raw.event === true,
  };
}

interface Resolved {
  props: Record<string, PropDef>;
  ancestors: Set<string>;
  event: boolean;
}

export class SchemaModel {
  readonly schemas = new Map<string, SchemaDef>();
  private readonly resolved = new Map<string, Resolved>();

  constructor(defs: SchemaDef[]) {
    for (const d of defs) this.schemas.set(d.name, d);
    for (const d of defs) this.resolve(d.name, []);
    for (const d of defs) {
      const props = this.properties(d.name);
      for (const p of [...d.caption, ...d.featured, ...d.required, ...(d.edge ? [d.edge.source, d.edge.target] : [])])
        if (!props[p]) throw new ModelError(`${d.name}: names "${p}", which is not one of its properties`);
      for (const p of Object.values(d.properties))
        if (p.range && !this.schemas.has(p.range))
          throw new ModelError(`${d.name}.${p.name}: range ${p.range} is not a schema`);
    }
  }

  private resolve(name: string, path: string[]): Resolved {
    const hit = this.resolved.get(name);
    if (hit) return hit;
    if (path.includes(name)) throw new ModelError(`schema ${name} extends itself (${[...path, name].join(' → ')})`);
    const def = this.schemas.get(name);
    if (!def) throw new ModelError(`${path.at(-1)} extends unknown schema ${name}`);
    const props: Record<string, PropDef> = {};
    const ancestors = new Set<string>([name]);
    let event = def.event;
    for (const parent of def.extends) {
      const r = this.resolve(parent, [...path, name]);
      Object.assign(props, r.props);
      r.ancestors.forEach((a) => ancestors.add(a));
      event ||= r.event;
    }
    Object.assign(props, def.properties);
    const out = { props, ancestors, event };
    this.resolved.set(name, out);
    return out;
  }

  get(name: string): SchemaDef | undefined {
    return this.schemas.get(name);
  }

  /** All properties of a schema, inherited ones included. */
  properties(name: string): Record<string, PropDef> {
    return this.resolve(name, []).props;
  }

  isA(name: string, ancestor: string): boolean {
    return this.resolved.get(name)?.ancestors.has(ancestor) ?? false;
  }

  /**
   * The properties a caption is made of, in order, as FtM reads them: the schema's own
   * `caption`, and a relation's `edge.caption` (FtM's Associate, Family and Ownership
   * keep theirs there), else those of the schemata it extends.
   */
  captionProps(name: string): string[] {
    const found = (n: string): string[] => {
      const def = this.schemas.get(n);
      if (!def) return [];
      const own = [...new Set([...def.caption, ...(def.edge?.caption ?? [])])];
      return own.length ? own : (def.extends.map(found).find((c) => c.length) ?? []);
    };
    const props = found(name);
    return props.length ? props : ['name'];
  }

  /** FtM's `matchable`: entities of the schema may be matched against each other (cross-referencing, screening). */
  matchable(name: string): boolean {
    return this.schemas.get(name)?.matchable ?? false;
  }

  /**
   * A party to the supply chain is a person or an organisation (FtM's LegalEntity
   * and what extends it); cross-referencing, screening and deconfliction compare
   * parties by name, and people also by birth date and name order.
   */
  party(name: string): 'person' | 'organization' | undefined {
    if (!this.isA(name, 'LegalEntity')) return undefined;
    return this.isA(name, 'Person') ? 'person' : 'organization';
  }

  /** Whether entities of the schema have a date and a place (Chokepoint's `event` flag, inherited). */
  isEvent(name: string): boolean {
    return this.resolved.get(name)?.event ?? false;
  }

  /** The relation's edge, when the schema is one (FtM's `edge`). */
  edge(name: string): EdgeDef | undefined {
    return this.schemas.get(name)?.edge;
  }

  /** Names of the concrete event schemas (seizures, arrests, interdictions, ...). */
  eventSchemas(): string[] {
    return this.concrete()
      .filter((s) => this.isEvent(s.name))
      .map((s) => s.name);
  }

  /** Concrete schemas, for pickers and validation messages. */
  concrete(): SchemaDef[] {
    return [...this.schemas.values()].filter((s) => !s.abstract);
  }

  /** Concrete schemas that are `ancestor` (e.g. every kind of legal entity), for SQL filters. */
  descendants(ancestor: string): string[] {
    return [...this.schemas.keys()].filter((s) => this.isA(s, ancestor));
  }

  /**
   * The schema an entity described as both `a` and `b` has (FtM's common_schema): the
   * more specific when one extends the other, else the one most general schema that is
   * both (LegalEntity and Asset: Company), else none.
   */
  compatible(a: string, b: string): string | undefined {
    if (this.isA(a, b)) return a;
    if (this.isA(b, a)) return b;
    const both = [...this.schemas.keys()].filter((s) => this.isA(s, a) && this.isA(s, b));
    const most = both.filter((s) => !both.some((o) => o !== s && this.isA(s, o)));
    return most.length === 1 ? most[0] : undefined;
  }
}

/**
 * Reads FtM's schemata, then Chokepoint's: a Chokepoint file defines a new schema
 * (refused if FtM has the name) or, in _ftm-additions.yaml, adds properties FtM lacks
 * and annotations to FtM's, never changing what an FtM name means.
 */
export function loadModel(
  ftmDir = new URL('../../reference/ftm/schema/', import.meta.url),
  ownDir = new URL('../../reference/schema/', import.meta.url),
): SchemaModel {
  const defs = new Map<string, SchemaDef>();
  for (const { file, doc } of readDir(ftmDir))
    for (const [name, raw] of Object.entries(doc)) defs.set(name, toSchema(file, name, raw as Raw, true));
  const ftmNames = new Set(defs.keys());
  const additions: { file: string; doc: Raw }[] = [];
  for (const entry of readDir(ownDir)) {
    if (entry.file.endsWith('_ftm-additions.yaml')) {
      additions.push(entry);
      continue;
    }
    for (const [name, raw] of Object.entries(entry.doc)) {
      if (ftmNames.has(name))
        fail(entry.file, `${name} is an FtM schema; Chokepoint may only add to it in _ftm-additions.yaml`);
      if (defs.has(name)) fail(entry.file, `${name} is defined twice`);
      defs.set(name, toSchema(entry.file, name, raw as Raw, false));
    }
  }
  const probe = new SchemaModel([...defs.values()]);
  for (const { file, doc } of additions) {
    for (const [name, raw] of Object.entries(doc as Record<string, Raw>)) {
      const def = defs.get(name);
      if (!def?.ftm) fail(file, `${name} is not an FtM schema`);
      for (const k of Object.keys(raw))
        if (!SCHEMA_ANNOTATIONS.has(k)) fail(file, `${name}: an addition may not set "${k}"`);
      if (raw.event === true) def!.event = true;
      // A name FtM uses anywhere on the schema's line (ancestors or descendants) is FtM's.
      const taken = new Map<string, PropDef>();
      for (const s of probe.schemas.keys())
        if (probe.isA(s, name) || probe.isA(name, s))
          for (const p of Object.values(probe.properties(s))) if (probe.get(p.schema)?.ftm) taken.set(p.name, p);
      for (const [p, praw] of Object.entries((raw.properties ?? {}) as Record<string, Raw>)) {
        const existing = taken.get(p);
        if (existing) {
          for (const k of Object.keys(praw))
            if (!ANNOTATIONS.has(k))
              fail(
                file,
                `${name}.${p} is FtM's property; an addition may only annotate it (${[...ANNOTATIONS]}), not set "${k}"`,
              );
          const owner = defs.get(existing.schema)!;
          owner.properties[p] = { ...owner.properties[p]!, protected: praw.protected === true || undefined };
        } else def!.properties[p] = toProp(file, name, p, praw);
      }
    }
  }
  return new SchemaModel([...defs.values()]);
}

export const model = loadModel();

/** The schema of an e-mail address as a node (a Chokepoint extension; FtM's `Email` is a message). */
export const EMAIL_ADDRESS = 'EmailAddress';

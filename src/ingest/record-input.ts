// The boundary: turns untrusted JSON into validated RecordInput, or into a list of
// errors that each name where (file, line, path) and what is wrong. Every importer
// (JSON, FtM, CSV, API) ends here, so the rules are enforced once.
import { createHash } from 'node:crypto';
import { model } from '../domain/model.js';
import { cleanValue, isEntityId, searchKey, ValueError } from '../domain/values.js';
import { normalizeIdentifier, type IdentifierKind } from '../resolve/identifiers.js';
import { casValid } from '../domain/checksums.js';

const CHECK_DIGITS: Record<string, IdentifierKind> = {
  containerNumber: 'container',
  vin: 'vin',
  imoNumber: 'imo',
  iban: 'iban',
};
import { MarkingError, toMarking, type Marking, type MarkingInput } from '../domain/markings.js';

import {
  MAX_RETENTION_YEARS,
  RECORD_KINDS,
  type EntityInput,
  type FieldError,
  type RecordInput,
  type StatementInput,
} from '../domain/records.js';

// The record's shape lives in the domain, where the store can use it; importers keep importing it from here.
export * from '../domain/records.js';
export const SENSITIVITY = ['sensitive', 'restricted', 'routine'] as const;
export const CONFIDENCE = ['high', 'medium', 'low', 'unverified'] as const;
export const MAX_ENTITIES_PER_RECORD = 10_000;

export interface ParseContext {
  /** Agency code used when the record does not name its source. */
  source: string;
  file?: string;
  line?: number;
  /** Base path for error messages, e.g. "records[3]". */
  path?: string;
  today?: Date;
  /**
   * Statements (src/ingest/statements.ts) are what one reader could read of each
   * entity: a relation whose other end the exporter could not see arrives without
   * it, as it stands in the exporting instance for that reader.
   */
  partial?: boolean;
}

type Obj = Record<string, unknown>;

const RECORD_FIELDS = new Set([
  'sourceRecordId',
  'source',
  'kind',
  'marking',
  'grade',
  'reportDate',
  'reviewBy',
  'criminalBasis',
  'protectedNexus',
  'sensitivity',
  'confidence',
  'entities',
]);
const ENTITY_FIELDS = new Set(['id', 'schema', 'properties', 'marking', 'propertyMarkings']);
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function addYears(d: Date, years: number): string {
  const x = new Date(Date.UTC(d.getUTCFullYear() + years, d.getUTCMonth(), d.getUTCDate()));
  return x.toISOString().slice(0, 10);
}

/** Validates one record. Returns the record, or the errors found (all of them). */
export function parseRecord(raw: unknown, ctx: ParseContext): { record?: RecordInput; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const base = ctx.path ?? 'record';
  const err = (path: string, message: string): void => {
    errors.push({ file: ctx.file, line: ctx.line, path: path ? `${base}.${path}` : base, message });
  };
  if (!isObj(raw)) {
    err('', `must be an object, got ${Array.isArray(raw) ? 'an array' : raw === null ? 'null' : typeof raw}`);
    return { errors };
  }
  // A field this format does not have is refused, not dropped: a misspelt restriction
  // (propertyMarking for propertyMarkings) would otherwise widen what it meant to narrow.
  for (const key of Object.keys(raw))
    if (!RECORD_FIELDS.has(key)) err(key, `is not a field of a record (${[...RECORD_FIELDS].join(', ')})`);
  const str = (key: string, required: boolean, max = 1000): string | null => {
    const v = raw[key];
    if (v === undefined || v === null || v === '') {
      if (required) err(key, 'is required');
      return null;
    }
    if (typeof v !== 'string') {
      err(key, `must be a string, got ${typeof v}`);
      return null;
    }
    if (v.length > max) {
      err(key, `is ${v.length} characters long; at most ${max}`);
      return null;
    }
    return v.trim();
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[], fallback: T | null): T | null => {
    const v = str(key, false);
    if (v === null) return fallback;
    if (!allowed.includes(v as T)) {
      err(key, `must be one of ${allowed.join(', ')}, got "${v}"`);
      return null;
    }
    return v as T;
  };

  const source = (str('source', false, 32) ?? ctx.source).toUpperCase();
  const sourceRecordId = str('sourceRecordId', true, 200);
  const kind = oneOf('kind', RECORD_KINDS, 'operational');
  const reportDate = dateField('reportDate');
  const reviewByRaw = dateField('reviewBy');

  function dateField(key: string): string | null {
    const v = str(key, false, 40);
    if (v === null) return null;
    try {
      const d = cleanValue('date', v);
      if (d.length < 10) throw new ValueError(`"${v}" must be a full date (YYYY-MM-DD)`);
      return d.slice(0, 10);
    } catch (e) {
      err(key, (e as Error).message);
      return null;
    }
  }

  let reliability: string | null = null;
  let credibility: string | null = null;
  const grade = str('grade', false, 2);
  if (grade !== null) {
    const m = /^([A-F])([1-6])$/.exec(grade.toUpperCase());
    if (!m)
      err('grade', `must be an Admiralty grade: reliability A-F then credibility 1-6 (e.g. "B2"), got "${grade}"`);
    else [, reliability, credibility] = m as unknown as [string, string, string];
  }

  const markingOf = (v: unknown, path: string, fallback?: Marking): Marking | undefined => {
    if (v === undefined || v === null) {
      if (!fallback) err(path, 'is required (e.g. "U//FOUO" or "S//LES/NOFORN")');
      return fallback;
    }
    if (typeof v !== 'string' && !isObj(v)) {
      err(path, 'must be a marking string or object');
      return undefined;
    }
    try {
      return toMarking(v as MarkingInput, source);
    } catch (e) {
      err(path, e instanceof MarkingError ? e.message : `invalid marking: ${(e as Error).message}`);
      return undefined;
    }
  };
  const marking = markingOf(raw.marking, 'marking');

  const criminalBasis = str('criminalBasis', false, 4000);
  const protectedNexus = str('protectedNexus', false, 4000);
  const sensitivity = oneOf('sensitivity', SENSITIVITY, null);
  const confidence = oneOf('confidence', CONFIDENCE, null);

  // 28 CFR 23.20(a),(b): criminal intelligence needs reasonable suspicion of criminal activity.
  if (kind === 'intelligence') {
    if (!criminalBasis || criminalBasis.length < 20)
      err(
        'criminalBasis',
        'an intelligence record needs a stated criminal basis (reasonable suspicion), at least 20 characters',
      );
    if (!sensitivity)
      err('sensitivity', `an intelligence record needs a sensitivity label (${SENSITIVITY.join(', ')})`);
    if (!confidence) err('confidence', `an intelligence record needs a confidence label (${CONFIDENCE.join(', ')})`);
  }
  const today = ctx.today ?? new Date();
  const maxReview = addYears(today, MAX_RETENTION_YEARS);
  let reviewBy = reviewByRaw;
  if (kind === 'intelligence') {
    if (reviewBy && reviewBy > maxReview)
      err(
        'reviewBy',
        `is ${reviewBy}; intelligence may be kept at most ${MAX_RETENTION_YEARS} years before review (until ${maxReview})`,
      );
    reviewBy ??= maxReview;
  }

  const entities: EntityInput[] = [];
  const rawEntities = raw.entities;
  if (!Array.isArray(rawEntities) || rawEntities.length === 0) err('entities', 'must be a non-empty array of entities');
  else if (rawEntities.length > MAX_ENTITIES_PER_RECORD)
    err('entities', `has ${rawEntities.length} entities; at most ${MAX_ENTITIES_PER_RECORD} per record`);
  else if (marking) {
    const seen = new Set<string>();
    rawEntities.forEach((e, i) => {
      const ent = parseEntity(e, `entities[${i}]`, marking, markingOf, err, protectedNexus, ctx.partial);
      if (!ent) return;
      if (seen.has(ent.id)) err(`entities[${i}].id`, `"${ent.id}" appears twice in the record`);
      seen.add(ent.id);
      entities.push(ent);
    });
  }

  if (errors.length || !sourceRecordId || !kind || !marking) return { errors };
  const record: Omit<RecordInput, 'contentHash'> = {
    source,
    sourceRecordId,
    kind,
    reportDate,
    reliability,
    credibility,
    marking,
    criminalBasis,
    protectedNexus,
    sensitivity,
    confidence,
    reviewBy: reviewByRaw,
    entities,
  };
  // The hash covers what the source said, not derived defaults, so re-importing on
  // another day (another default review date) is still "unchanged".
  const contentHash = createHash('sha256').update(JSON.stringify(record)).digest('hex');
  return { record: { ...record, reviewBy, contentHash }, errors };
}

function parseEntity(
  raw: unknown,
  path: string,
  recordMarking: Marking,
  markingOf: (v: unknown, path: string, fallback?: Marking) => Marking | undefined,
  err: (path: string, message: string) => void,
  protectedNexus: string | null,
  partial = false,
): EntityInput | undefined {
  if (!isObj(raw)) {
    err(path, 'must be an object with id, schema and properties');
    return undefined;
  }
  for (const key of Object.keys(raw))
    if (!ENTITY_FIELDS.has(key))
      err(`${path}.${key}`, `is not a field of an entity (${[...ENTITY_FIELDS].join(', ')})`);
  const { id, schema, properties } = raw;
  let ok = true;
  if (typeof id !== 'string' || !isEntityId(id)) {
    err(`${path}.id`, 'is required: letters, digits, . _ : + -, at most 200 characters');
    ok = false;
  }
  const def = typeof schema === 'string' ? model.get(schema) : undefined;
  if (!def || def.abstract) {
    err(
      `${path}.schema`,
      `must be one of ${model
        .concrete()
        .map((s) => s.name)
        .join(', ')}; got ${JSON.stringify(schema)}`,
    );
    return undefined;
  }
  if (!isObj(properties)) {
    err(`${path}.properties`, 'must be an object of property name to list of values');
    return undefined;
  }
  const entityMarking = markingOf(raw.marking, `${path}.marking`, recordMarking);
  const propMarkings = raw.propertyMarkings;
  if (propMarkings !== undefined && !isObj(propMarkings))
    err(
      `${path}.propertyMarkings`,
      'must be an object of property name to marking (or to a list of markings, one per value)',
    );
  const props = model.properties(def.name);
  const statements: StatementInput[] = [];
  // The entity's own countries, for reading national phone numbers (FtM's hints).
  const countries: string[] = [];
  for (const [prop, values] of Object.entries(properties))
    if (props[prop]?.type === 'country')
      for (const v of Array.isArray(values) ? values : [values]) {
        try {
          countries.push(cleanValue('country', v));
        } catch {
          // reported with the property below
        }
      }
  for (const [prop, values] of Object.entries(properties)) {
    const pdef = props[prop];
    const ppath = `${path}.properties.${prop}`;
    if (!pdef) {
      err(ppath, `is not a property of ${def.name}`);
      ok = false;
      continue;
    }
    if (pdef.protected && !protectedNexus) {
      err(
        ppath,
        `records ${pdef.label.toLowerCase()} (political, religious or social views or associations); 28 CFR 23.20(b) refuses it unless the record states its relevance to criminal conduct in protectedNexus`,
      );
      ok = false;
      continue;
    }
    const list = Array.isArray(values) ? values : [values];
    if (list.length > 1000) {
      err(ppath, `has ${list.length} values; at most 1000`);
      ok = false;
      continue;
    }
    // A property's marking, or one marking per value (a list as long as the values): values of one
    // property may be marked apart, as statements are (STIX granular markings select list items).
    const given = isObj(propMarkings) ? propMarkings[prop] : undefined;
    const mpath = `${path}.propertyMarkings.${prop}`;
    let perValue: (Marking | undefined)[];
    if (Array.isArray(given)) {
      if (given.length !== list.length) {
        err(mpath, `has ${given.length} markings for ${list.length} values; give one marking, or one per value`);
        ok = false;
        continue;
      }
      perValue = given.map((m, j) => markingOf(m, `${mpath}[${j}]`));
    } else {
      const pm = given !== undefined ? markingOf(given, mpath) : entityMarking;
      perValue = list.map(() => pm);
    }
    if (perValue.some((m) => !m)) {
      ok = false;
      continue;
    }
    const seen = new Set<string>();
    list.forEach((v, j) => {
      const pm = perValue[j]!;
      try {
        const clean = cleanValue(pdef.type, v, { countries });
        // Identifiers with a check digit are checked here, so a typo is refused at the door.
        const checked = CHECK_DIGITS[prop];
        if (checked) normalizeIdentifier(checked, clean);
        if (prop === 'casNumber' && !casValid(clean))
          throw new Error(`"${clean}" is not a CAS Registry Number with a valid check digit (NNNNNNN-NN-N)`);
        // The same value twice under one marking is one statement; under two markings, two (either lets a reader see it).
        const key = `${clean}\u0000${JSON.stringify(pm)}`;
        if (seen.has(key)) return;
        seen.add(key);
        statements.push({
          prop,
          propType: pdef.type,
          value: clean,
          searchKey: searchKey(pdef.type, clean),
          marking: pm,
        });
      } catch (e) {
        err(`${ppath}[${j}]`, (e as Error).message);
        ok = false;
      }
    });
  }
  if (def.edge && !partial) {
    for (const end of [def.edge.source, def.edge.target]) {
      if (!statements.some((s) => s.prop === end)) {
        err(`${path}.properties.${end}`, `a ${def.name} needs its ${end}`);
        ok = false;
      }
    }
  }
  if (!ok || !entityMarking || typeof id !== 'string') return undefined;
  return { id, schema: def.name, marking: entityMarking, statements };
}

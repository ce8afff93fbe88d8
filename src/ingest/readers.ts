// Readers turn a file into parsed records, one at a time, each with the line it
// came from. Formats: Chokepoint JSON (a document or JSON lines of records),
// FollowTheMoney entity streams (JSON lines), CSV with a mapping, MISP events
// (src/exchange/misp/read.ts) and STIX 2.1 bundles (src/exchange/stix/read.ts).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse';
import { parseRecord, type FieldError } from './record-input.js';
import {
  inputName,
  inputStream,
  jsonLine,
  lines,
  recordDefaults,
  type Input,
  type Parsed,
  type ReadOptions,
} from './input.js';
import { readStatements } from './statements.js';

export type { Input, Parsed, ReadOptions } from './input.js';
import { StatusError } from '../domain/errors.js';
import { stixRecords } from '../exchange/stix/read.js';
import { mispReader } from '../exchange/misp/files.js';

/**
 * Chokepoint JSON: either {"source": "DEA", "records": [...]}, a JSON array of
 * records, or (for .jsonl/.ndjson) one record per line.
 */
export async function* readChokepointJson(input: Input, opts: ReadOptions): AsyncGenerator<Parsed> {
  const file = inputName(input);
  if (/\.(jsonl|ndjson)$/i.test(file)) {
    for await (const { line, text } of lines(input)) {
      const { value, error } = jsonLine(text, file, line);
      if (error) yield { errors: [error] };
      else yield parseRecord(value, { source: opts.source, file, line, path: 'record' });
    }
    return;
  }
  let text = '';
  for await (const chunk of inputStream(input)) text += chunk;
  const { value: doc, error } = jsonLine(text, file, 1);
  if (error) {
    yield { errors: [{ ...error, line: undefined }] };
    return;
  }
  const obj = doc as { source?: unknown; records?: unknown };
  const source = typeof obj?.source === 'string' ? obj.source : opts.source;
  const records = Array.isArray(doc) ? doc : obj?.records;
  if (!Array.isArray(records)) {
    yield { errors: [{ file, path: 'records', message: 'expected {"records": [...]} or a JSON array of records' }] };
    return;
  }
  for (let i = 0; i < records.length; i++) yield parseRecord(records[i], { source, file, path: `records[${i}]` });
}

/** FollowTheMoney entity stream: one {"id","schema","properties"} per line; each entity is a record. */
export async function* readFtm(input: Input, opts: ReadOptions): AsyncGenerator<Parsed> {
  const file = inputName(input);
  for await (const { line, text } of lines(input)) {
    const { value, error } = jsonLine(text, file, line);
    if (error) {
      yield { errors: [error] };
      continue;
    }
    const e = value as { id?: unknown; schema?: unknown; properties?: unknown };
    yield parseRecord(
      {
        ...recordDefaults(opts),
        sourceRecordId: typeof e?.id === 'string' ? e.id : undefined,
        entities: [{ id: e?.id, schema: e?.schema, properties: e?.properties }],
      },
      { source: opts.source, file, line, path: 'entity' },
    );
  }
}

/**
 * A CSV mapping, in the spirit of FtM's mapping files: each row yields one record
 * holding the entities below; property values come from columns (or constants), and
 * entity ids from key columns, so the same row always yields the same ids.
 */
export interface CsvMapping {
  /** Column(s) whose values identify the source record; default: the whole row. */
  recordId?: string[];
  entities: Record<
    string,
    {
      schema: string;
      keys: string[];
      properties: Record<
        string,
        { column?: string; columns?: string[]; value?: string; entity?: string; split?: string }
      >;
    }
  >;
}

export function validateMapping(m: unknown): CsvMapping {
  const bad = (msg: string): never => {
    throw new Error(`mapping: ${msg}`);
  };
  if (typeof m !== 'object' || m === null) bad('must be a JSON object with "entities"');
  const mm = m as CsvMapping;
  if (typeof mm.entities !== 'object' || !mm.entities || !Object.keys(mm.entities).length)
    bad('"entities" must name at least one entity');
  for (const [name, e] of Object.entries(mm.entities)) {
    if (typeof e.schema !== 'string') bad(`entities.${name}.schema is required`);
    if (!Array.isArray(e.keys) || !e.keys.length) bad(`entities.${name}.keys must list the columns that identify it`);
    if (typeof e.properties !== 'object') bad(`entities.${name}.properties is required`);
    for (const [p, spec] of Object.entries(e.properties)) {
      if (spec.entity && !mm.entities[spec.entity])
        bad(`entities.${name}.properties.${p} refers to unknown mapped entity "${spec.entity}"`);
    }
  }
  return mm;
}

export async function* readCsv(input: Input, mapping: CsvMapping, opts: ReadOptions): AsyncGenerator<Parsed> {
  const file = inputName(input);
  const hash = (parts: string[]): string => createHash('sha1').update(parts.join('\u0000')).digest('hex').slice(0, 20);
  const parser = inputStream(input).pipe(
    parseCsv({ columns: true, bom: true, skip_empty_lines: true, relax_column_count: false, info: true }),
  );
  try {
    for await (const item of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      const row = item.record;
      const line = item.info.lines;
      const errors: FieldError[] = [];
      const col = (c: string): string => {
        if (!(c in row)) errors.push({ file, line, path: `column ${c}`, message: 'is not in the CSV header' });
        return row[c] ?? '';
      };
      const ids: Record<string, string | undefined> = {};
      for (const [name, e] of Object.entries(mapping.entities)) {
        const keyVals = e.keys.map(col);
        ids[name] = keyVals.every((v) => v.trim() === '')
          ? undefined
          : `${opts.source.toLowerCase()}-${name}-${hash([e.schema, ...keyVals])}`;
      }
      const entities = Object.entries(mapping.entities)
        .filter(([name]) => ids[name])
        .map(([name, e]) => {
          const properties: Record<string, string[]> = {};
          for (const [prop, spec] of Object.entries(e.properties)) {
            let vals: string[] = [];
            if (spec.entity) vals = ids[spec.entity] ? [ids[spec.entity]!] : [];
            else if (spec.value !== undefined) vals = [spec.value];
            else if (spec.column) vals = [col(spec.column)];
            else if (spec.columns) vals = [spec.columns.map(col).filter(Boolean).join(' ')];
            if (spec.split) vals = vals.flatMap((v) => v.split(spec.split!));
            vals = vals.map((v) => v.trim()).filter(Boolean);
            if (vals.length) properties[prop] = vals;
          }
          return { id: ids[name], schema: e.schema, properties };
        })
        // An entity whose key columns are empty is absent; relations to it are dropped.
        .filter((ent) => Object.keys(ent.properties).length > 0);
      if (errors.length) {
        yield { errors };
        continue;
      }
      const recordId = mapping.recordId ? mapping.recordId.map(col).join('/') : `row-${hash(Object.values(row))}`;
      yield parseRecord(
        { ...recordDefaults(opts), sourceRecordId: recordId, entities },
        { source: opts.source, file, line, path: 'row' },
      );
    }
  } catch (e) {
    const err = e as Error & { lines?: number };
    yield { errors: [{ file, line: err.lines, path: 'csv', message: err.message }] };
  }
}

/**
 * A STIX 2.1 bundle, a JSON array of STIX objects, or one object: one record per object
 * (src/exchange/stix/read.ts). Its markings are the objects' own; `marking` is only for
 * objects that carry none.
 */
export async function* readStix(input: Input, opts: ReadOptions): AsyncGenerator<Parsed> {
  let text = '';
  for await (const chunk of inputStream(input)) text += chunk;
  yield* stixRecords(text, inputName(input), opts);
}

/** The formats an import reads; `statements` carry their own source and markings (src/ingest/statements.ts). */
export const IMPORT_FORMATS = ['json', 'jsonl', 'ftm', 'csv', 'statements', 'misp', 'stix'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];
/** Formats that name the source agency of each record themselves. */
export const SELF_SOURCED: readonly ImportFormat[] = ['json', 'jsonl', 'statements'];

export class ImportError extends StatusError {}

/**
 * The records of a file in `format`, read when the importer asks, after the checks
 * an import makes before reading anything (the API's and the CLI's alike): FtM and
 * CSV carry no markings, so one is stated for the whole file, and CSV needs a mapping.
 * MISP events carry their own (TLP and chokepoint:marking tags); a stated marking is for
 * events without one, and the mapping may give the markings of the data's sharing groups.
 * JSON lines are read as such whatever the file is called.
 */
export function recordsOf(
  format: ImportFormat,
  input: Input,
  ro: ReadOptions,
  mapping?: unknown,
): () => AsyncIterable<Parsed> {
  if ((format === 'ftm' || format === 'csv') && !ro.marking)
    throw new ImportError(
      `marking: ${format} data carries no markings; state the marking for the whole file, e.g. "U//LES"`,
    );
  if (format === 'csv') {
    if (mapping === undefined)
      throw new ImportError('mapping: a CSV import needs a mapping (see README, "CSV mappings")');
    let m: CsvMapping;
    try {
      m = validateMapping(mapping);
    } catch (e) {
      throw new ImportError((e as Error).message);
    }
    return () => readCsv(input, m, ro);
  }
  if (format === 'ftm') return () => readFtm(input, ro);
  if (format === 'misp') {
    try {
      return mispReader(input, ro, mapping);
    } catch (e) {
      throw new ImportError((e as Error).message);
    }
  }
  if (format === 'statements') return () => readStatements(input, ro);
  if (format === 'stix') return () => readStix(input, ro);
  const name = inputName(input);
  if (format === 'jsonl' && !/\.(jsonl|ndjson)$/i.test(name)) {
    const text = 'path' in input ? readFileSync(input.path, 'utf8') : input.text;
    return () => readChokepointJson({ text, name: `${name}.jsonl` }, ro);
  }
  return () => readChokepointJson(input, ro);
}

// FtM statements with Chokepoint's markings: one JSON line per value, in the
// statement shape of FollowTheMoney/nomenklatura (id, entity_id, canonical_id, prop,
// prop_type, schema, value, lang, original_value, dataset, origin, external,
// first_seen, last_seen), plus what a Chokepoint instance needs to keep every
// marking and the provenance: the value's marking, the marking of the entity's
// presence in its record, and the source record (its id, kind, date, grade, marking
// and 28 CFR Part 23 basis). Another Chokepoint instance imports the file with
// `--format statements` and holds the same values under the same markings; a tool
// that only reads FtM statements ignores the extra fields.
//
// JSON lines rather than CSV: an exchange file must carry each value unchanged, and a
// CSV for people would have to neutralise cells that a spreadsheet reads as formulas.
import { createHash } from 'node:crypto';
import { canRead, formatMarking } from '../domain/markings.js';
import type { Principal } from '../domain/users.js';
import type { Store } from '../store/store.js';
import { assertExport, logExport, type ExportOptions } from './dissemination.js';
import { parseRecord, type FieldError } from './record-input.js';
import { inputName, lines, type Input, type Parsed, type ReadOptions } from './input.js';

export interface StatementLine {
  id: string;
  entity_id: string;
  canonical_id: string;
  prop: string;
  prop_type: string;
  schema: string;
  value: string;
  lang: null;
  original_value: null;
  /** The source agency (Chokepoint's dataset is the agency that reported the record). */
  dataset: string;
  origin: null;
  external: false;
  /** When the entity was first seen by the exporting instance. */
  first_seen: string;
  /** When the source record stating the value was last written. */
  last_seen: string;
  marking: string;
  entity_marking: string;
  source_record_id: string;
  record: {
    kind: string;
    marking: string;
    report_date?: string;
    grade?: string;
    review_by?: string;
    criminal_basis?: string;
    protected_nexus?: string;
    sensitivity?: string;
    confidence?: string;
  };
}

/** nomenklatura's statement key: one id per dataset, entity, property and value. */
function statementId(dataset: string, entityId: string, prop: string, value: string): string {
  return createHash('sha1').update([dataset, entityId, prop, value].join('.')).digest('hex');
}

const day = (d: unknown): string | undefined =>
  d === null || d === undefined ? undefined : (d instanceof Date ? d.toISOString() : String(d)).slice(0, 10);
const time = (d: unknown): string => (d instanceof Date ? d.toISOString() : new Date(String(d)).toISOString());

interface Row {
  sid: number;
  entity_id: string;
  schema: string;
  prop: string;
  prop_type: string;
  value: string;
  marking_id: number;
  record_id: number;
  source: string;
  source_record_id: string;
  kind: string;
  report_date: unknown;
  reliability: string | null;
  credibility: string | null;
  record_marking: number;
  review_by: unknown;
  imported_at: unknown;
  entity_marking: number | null;
  first_seen: unknown;
  criminal_basis: string | null;
  protected_nexus: string | null;
  sensitivity: string | null;
  confidence: string | null;
}

/**
 * Every value the reader may read, as statement lines, in record order (so a reader
 * of the file meets each record's statements together). Read under row-level
 * security page by page; logged as a dissemination like every export.
 */
export async function* exportStatements(
  store: Store,
  who: Principal,
  opts: ExportOptions,
): AsyncGenerator<StatementLine> {
  assertExport(who, opts);
  const pageSize = opts.pageSize ?? 5000;
  let after: [number, number] = [0, 0];
  let count = 0;
  const intelRecords = new Set<number>();
  // The marking each record travels under, once chosen (a record may span pages).
  const recordMarking = new Map<number, string>();
  for (;;) {
    const page = await store.read(who, async (tx) => {
      const rows = await tx.query<Row>(
        `SELECT s.id AS sid, s.entity_id, s.schema, s.prop, s.prop_type, s.value, s.marking_id,
                r.id AS record_id, r.source, r.source_record_id, r.kind, r.report_date, r.reliability, r.credibility,
                r.marking_id AS record_marking, r.review_by, r.imported_at,
                p.marking_id AS entity_marking, e.first_seen,
                b.criminal_basis, b.protected_nexus, b.sensitivity, b.confidence
           FROM statements s
           JOIN records r ON r.id = s.record_id
           LEFT JOIN presence p ON p.entity_id = s.entity_id AND p.record_id = s.record_id
           LEFT JOIN entities e ON e.id = s.entity_id
           LEFT JOIN record_basis b ON b.record_id = r.id
          WHERE (s.record_id, s.id) > ($1, $2)
          ORDER BY s.record_id, s.id
          LIMIT $3`,
        [after[0], after[1], pageSize],
      );
      const markings = new Map<number, { text: string; readable: boolean }>();
      const markOf = async (id: number): Promise<{ text: string; readable: boolean }> => {
        let m = markings.get(id);
        if (m === undefined) {
          const full = await store.markings.get(tx, id);
          markings.set(id, (m = { text: formatMarking(full), readable: canRead(who, full) }));
        }
        return m;
      };
      const mark = async (id: number): Promise<string> => (await markOf(id)).text;
      const lines: StatementLine[] = [];
      for (const r of rows) {
        const marking = await mark(r.marking_id);
        const entityMarking = r.entity_marking === null ? marking : await mark(r.entity_marking);
        // A record is visible with any visible part, but its own marking may be one the exporter may not read
        // (its compartment names, say): then the record travels under the marking of what the exporter sends.
        const rm = await markOf(r.record_marking);
        lines.push({
          id: statementId(r.source, r.entity_id, r.prop, r.value),
          entity_id: r.entity_id,
          canonical_id: r.entity_id,
          prop: r.prop,
          prop_type: r.prop_type,
          schema: r.schema,
          value: r.value,
          lang: null,
          original_value: null,
          dataset: r.source,
          origin: null,
          external: false,
          first_seen: time(r.first_seen ?? r.imported_at),
          last_seen: time(r.imported_at),
          marking,
          // The presence in this record may be hidden while the value is not: the value's marking is then the least it says.
          entity_marking: entityMarking,
          source_record_id: r.source_record_id,
          record: {
            kind: r.kind,
            marking: rm.readable ? rm.text : (recordMarking.get(r.record_id) ?? entityMarking),
            report_date: day(r.report_date),
            grade: r.reliability && r.credibility ? `${r.reliability}${r.credibility}` : undefined,
            review_by: day(r.review_by),
            criminal_basis: r.criminal_basis ?? undefined,
            protected_nexus: r.protected_nexus ?? undefined,
            sensitivity: r.sensitivity ?? undefined,
            confidence: r.confidence ?? undefined,
          },
        });
        if (!recordMarking.has(r.record_id)) recordMarking.set(r.record_id, lines.at(-1)!.record.marking);
        if (r.kind === 'intelligence') intelRecords.add(r.record_id);
      }
      const last = rows.at(-1);
      return { lines, last: last ? ([last.record_id, last.sid] as [number, number]) : undefined };
    });
    for (const l of page.lines) {
      count++;
      yield l;
    }
    if (!page.last) break;
    after = page.last;
  }
  await logExport(store, who, opts, 'export.statements', { statements: count }, intelRecords);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const REQUIRED = ['entity_id', 'schema', 'prop', 'value', 'dataset', 'source_record_id', 'marking'] as const;

interface Pending {
  line: number;
  source: string;
  sourceRecordId: string;
  record: Obj;
  entities: Map<string, { schema: string; marking: string; props: Map<string, { marking: string; values: string[] }> }>;
  errors: FieldError[];
}

/**
 * Reads a statements file back into source records: the statements of one
 * (dataset, source record) make one record, each entity with its presence marking
 * and each property with its values' marking, then validated like every import.
 * Records are gathered across the whole file, so their statements need not be
 * adjacent.
 */
export async function* readStatements(input: Input, opts: ReadOptions): AsyncGenerator<Parsed> {
  const file = inputName(input);
  const records = new Map<string, Pending>();
  const loose: FieldError[][] = [];
  for await (const { line: n, text } of lines(input)) {
    const err = (path: string, message: string): FieldError => ({ file, line: n, path, message });
    let s: unknown;
    try {
      s = JSON.parse(text);
    } catch (e) {
      loose.push([err('', `malformed JSON: ${(e as Error).message}`)]);
      continue;
    }
    if (!isObj(s)) {
      loose.push([err('', 'a statement must be a JSON object')]);
      continue;
    }
    const missing = REQUIRED.filter((k) => typeof s[k] !== 'string' || !(s[k] as string).length);
    if (missing.length) {
      loose.push(missing.map((k) => err(`statement.${k}`, 'is required (a string)')));
      continue;
    }
    const src = s.dataset as string;
    const key = `${src}\u0000${s.source_record_id as string}`;
    let rec = records.get(key);
    if (!rec) {
      const record = isObj(s.record) ? s.record : {};
      records.set(
        key,
        (rec = {
          line: n,
          source: src,
          sourceRecordId: s.source_record_id as string,
          record,
          entities: new Map(),
          errors: [],
        }),
      );
    }
    const entityMarking = typeof s.entity_marking === 'string' ? s.entity_marking : (s.marking as string);
    let ent = rec.entities.get(s.entity_id as string);
    if (!ent)
      rec.entities.set(
        s.entity_id as string,
        (ent = { schema: s.schema as string, marking: entityMarking, props: new Map() }),
      );
    else if (ent.marking !== entityMarking)
      rec.errors.push(
        err(
          'statement.entity_marking',
          `differs from line ${rec.line}'s for entity ${s.entity_id as string} in the same record`,
        ),
      );
    let prop = ent.props.get(s.prop as string);
    if (!prop) ent.props.set(s.prop as string, (prop = { marking: s.marking as string, values: [] }));
    else if (prop.marking !== s.marking)
      rec.errors.push(
        err(
          'statement.marking',
          `a property's values in one record share one marking; ${s.prop as string} of ${s.entity_id as string} has two`,
        ),
      );
    prop.values.push(s.value as string);
  }
  for (const errors of loose) yield { errors };
  for (const rec of records.values()) {
    if (rec.errors.length) {
      yield { errors: rec.errors };
      continue;
    }
    const r = rec.record;
    const opt = (k: string): unknown => (typeof r[k] === 'string' ? r[k] : undefined);
    const entities = [...rec.entities].map(([id, e]) => ({
      id,
      schema: e.schema,
      marking: e.marking,
      properties: Object.fromEntries([...e.props].map(([p, v]) => [p, v.values])),
      propertyMarkings: Object.fromEntries([...e.props].map(([p, v]) => [p, v.marking])),
    }));
    yield parseRecord(
      {
        sourceRecordId: rec.sourceRecordId,
        kind: opt('kind') ?? opts.kind ?? 'operational',
        marking: opt('marking') ?? entities[0]?.marking,
        reportDate: opt('report_date'),
        grade: opt('grade'),
        reviewBy: opt('review_by'),
        criminalBasis: opt('criminal_basis'),
        protectedNexus: opt('protected_nexus'),
        sensitivity: opt('sensitivity'),
        confidence: opt('confidence'),
        source: rec.source,
        entities,
      },
      { source: rec.source, file, line: rec.line, path: `record ${rec.source}/${rec.sourceRecordId}`, partial: true },
    );
  }
}

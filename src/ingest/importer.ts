// Imports a stream of parsed records in two passes: first validate everything
// (reporting up to 100 errors with file, line and field), then write in ONE
// transaction. Mode "atomic" (default) writes nothing if any record is invalid;
// mode "skip" writes the valid records and reports the rejected ones. Either way a
// failure while writing rolls the whole import back, so an import is never half
// done, and re-running it after a crash completes it (writes are idempotent).
// What follows the write (cross-referencing, at any size, in batches) runs after the
// commit; the report says what of it was not done, and for how many entities.
import type { Store } from '../store/store.js';
import { writeRecords, type WriteResult } from '../store/write.js';
import { ValidationError, type FieldError, type RecordInput } from './record-input.js';
import { assertMay, type Principal } from '../domain/users.js';
import type { Parsed } from './readers.js';
import '../capabilities.js';
import { queueAfterWrite, runAfterWrite, type LeftUndone } from '../store/after-write.js';

export type ImportMode = 'atomic' | 'skip';

export interface ImportReport extends WriteResult {
  mode: ImportMode;
  /** Possible links found by cross-referencing what was written (null when skipped). */
  links: number | null;
  read: number;
  rejected: number;
  errors: FieldError[];
  /** What the files held that has no place in the model, by kind (only when there was some). */
  notMapped?: Record<string, number>;
  /** What follows a write and was not done for some of what was written (only when there was some). */
  leftUndone?: LeftUndone[];
  seconds: number;
}

export interface ImportOptions {
  mode?: ImportMode;
  origin: string;
  purpose?: string;
  batchSize?: number;
  maxErrors?: number;
  /** Records validated and written, then entities cross-referenced. */
  onProgress?: (phase: ImportPhase, done: number) => void;
  /** Cross-reference what was written (default: yes, at any size; no leaves it to `chokepoint xref`, and says so). */
  crossReference?: boolean;
  /** Entities cross-referenced a transaction (default XREF_BATCH); the links do not depend on it. */
  crossReferenceBatch?: number;
}

export type ImportPhase = 'validate' | 'write' | 'cross-reference';
/** After writing this many statements, refresh the planner's statistics. */
const ANALYZE_AFTER = 5_000;

export async function importRecords(
  store: Store,
  writer: Principal,
  items: () => AsyncIterable<Parsed>,
  opts: ImportOptions,
): Promise<ImportReport> {
  // Up front, on every path (API, `chokepoint import --as`): not after a long validation pass.
  assertMay(writer, 'write');
  const started = performance.now();
  const mode = opts.mode ?? 'atomic';
  const maxErrors = opts.maxErrors ?? 100;
  const batchSize = opts.batchSize ?? 2000;
  const errors: FieldError[] = [];
  let read = 0;
  let rejected = 0;
  const rejectedAt = new Set<number>();
  const knownIds = new Set<string>();
  const notMapped: Record<string, number> = {};
  for await (const p of items()) {
    p.record?.entities.forEach((e) => knownIds.add(e.id));
    for (const [k, n] of Object.entries(p.notMapped ?? {})) notMapped[k] = (notMapped[k] ?? 0) + n;
    if (p.errors.length) {
      rejected++;
      rejectedAt.add(read);
      if (errors.length < maxErrors) errors.push(...p.errors.slice(0, maxErrors - errors.length));
    }
    read++;
    if (read % 1000 === 0) opts.onProgress?.('validate', read);
  }
  let links: number | null = null;
  const leftUndone: LeftUndone[] = [];
  const report = (w: WriteResult): ImportReport => ({
    mode,
    read,
    rejected,
    errors,
    links,
    ...(Object.keys(notMapped).length ? { notMapped } : {}),
    ...(leftUndone.length ? { leftUndone } : {}),
    seconds: (performance.now() - started) / 1000,
    ...w,
  });
  const written: string[] = [];
  const none: WriteResult = { inserted: 0, updated: 0, unchanged: 0, entities: 0, statements: 0 };
  if (rejected && mode === 'atomic') throw Object.assign(new ValidationError(errors), { report: report(none) });

  const total = { ...none };
  const xref = opts.crossReference !== false;
  const job = await store.db.transaction(async (tx) => {
    let batch: RecordInput[] = [];
    let i = 0;
    let done = 0;
    const flush = async (): Promise<void> => {
      if (!batch.length) return;
      const r = await writeRecords(tx, store.markings, writer, batch, {
        origin: opts.origin,
        purpose: opts.purpose,
        knownIds,
        onWritten: (ids) => written.push(...ids),
      });
      for (const k of ['inserted', 'updated', 'unchanged', 'entities', 'statements'] as const) total[k] += r[k];
      if (r.ids) total.ids = { ...total.ids, ...r.ids };
      if (r.references) total.references = (total.references ?? 0) + r.references;
      done += batch.length;
      opts.onProgress?.('write', done);
      batch = [];
    };
    for await (const p of items()) {
      if (!rejectedAt.has(i) && p.record) batch.push(p.record);
      i++;
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    // Queued in the same transaction: what follows the write survives a crash after the commit.
    return queueAfterWrite(store.db, tx, written, writer.username, { crossReference: xref });
  });
  // PGlite has no autovacuum: without fresh statistics after a large import the
  // planner misjudges every query (seconds instead of milliseconds at 1M entities).
  if (total.statements >= ANALYZE_AFTER) await store.db.exec('ANALYZE records, presence, entities, statements');
  links = job
    ? await runAfterWrite(store.db, job, {
        batchSize: opts.crossReferenceBatch,
        onProgress: (step, done) => step === 'cross-referencing' && opts.onProgress?.('cross-reference', done),
        onLeftUndone: (l) => leftUndone.push(l),
      })
    : xref
      ? 0
      : null;
  return report(total);
}

// What follows every committed write, on every write path (API, import, demo load):
// cross-referencing against the store (possible links), linking to open
// investigations (case owners notified), the pill-press registry check, the
// emerging-substance check and shipment scoring. None may turn a committed write
// into a reported failure: each logs its own error (`chokepoint xref` and
// `chokepoint targeting rescore` redo the heavy ones).
//
// The work is queued in the write's own transaction (after_write_queue) and taken
// off the queue when done, so a process that dies between the commit and the end of
// the work leaves it for the next process to start, or a live one's sweep, to finish.
// Every step is idempotent (links and alerts are unique, notifications carry a
// dedupe key), so work resumed after a crash tells nobody twice.
import { databaseUnavailable, type Database, type Sql } from './db.js';
import { model } from '../domain/model.js';
import { crossReferenceAfterWrite } from '../resolve/xref.js';
import { linkToInvestigations } from '../deconflict/interdictions.js';
import { checkPressesAfterWrite } from '../registry/presses.js';
import { emergingAfterWrite } from '../chem/emerging.js';
import { scoreShipments } from '../targeting/score.js';

/**
 * A check that fails is logged and the rest go on; but when the database is out of
 * reach the whole job fails, so it stays queued and a sweep does it again later.
 */
const logged = (what: string) => (e: Error): void => {
  if (databaseUnavailable(e)) throw e;
  console.error(`${what} failed after the write committed: ${e.message}`);
};

/** Returns the possible links found, or null when cross-referencing was skipped or failed. */
export async function afterWrite(db: Database, entityIds: string[], actor: string, opts: { crossReference?: boolean } = {}): Promise<number | null> {
  if (!entityIds.length) return opts.crossReference === false ? null : 0;
  const links = opts.crossReference === false ? null : await crossReferenceAfterWrite(db, entityIds, actor);
  await linkToInvestigations(db, entityIds, actor).catch(logged('linking to investigations'));
  // One look at what was written decides which checks have anything to do.
  const schemas = new Set((await db.query<{ schema: string }>('SELECT DISTINCT schema FROM presence WHERE entity_id = ANY($1)', [entityIds])).map((r) => r.schema));
  if (schemas.has('Equipment')) await checkPressesAfterWrite(db, entityIds).catch(logged('pill-press registry check'));
  if ([...schemas].some((s) => model.get(s)?.event)) await emergingAfterWrite(db, entityIds).catch(logged('emerging-substance check'));
  // Shipments are scored as they arrive; a bulk import (cross-referencing skipped) is scored by `chokepoint targeting rescore`.
  if (schemas.has('Shipment') && opts.crossReference !== false) await scoreShipments(db, entityIds).catch(logged('shipment scoring'));
  return links;
}

/** Advisory-lock space for queued after-write work (one lock per queue row). */
const LOCK_SPACE = 1_708_017;

export interface AfterWriteJob {
  id: number;
  entityIds: string[];
  actor: string;
  crossReference: boolean;
  /** Held by this process from before the write commits until the work is done. */
  release: () => Promise<void>;
}

/**
 * Inside the write's transaction: queues the work and locks it for this process, so
 * no other process's sweep starts it while this one is about to. Null when nothing was written.
 */
export async function queueAfterWrite(db: Database, tx: Sql, entityIds: string[], actor: string, opts: { crossReference?: boolean } = {}): Promise<AfterWriteJob | null> {
  if (!entityIds.length) return null;
  const crossReference = opts.crossReference !== false;
  const [row] = await tx.query<{ id: number }>('INSERT INTO after_write_queue (entity_ids, actor, cross_reference) VALUES ($1, $2, $3) RETURNING id', [entityIds, actor, crossReference]);
  const release = await db.tryLock(LOCK_SPACE, row!.id);
  if (!release) throw new Error(`after-write job ${row!.id} is locked by another process`); // a fresh id: cannot happen
  return { id: row!.id, entityIds, actor, crossReference, release };
}

/** After the commit: does the queued work and takes it off the queue. Returns the possible links found. */
export async function runAfterWrite(db: Database, job: AfterWriteJob | null): Promise<number | null> {
  return job ? (await finish(db, job)).links : 0;
}

/** Does a job; on failure leaves it queued (a sweep retries it). Always releases its lock. */
async function finish(db: Database, job: AfterWriteJob): Promise<{ done: boolean; links: number | null }> {
  try {
    const links = await afterWrite(db, job.entityIds, job.actor, { crossReference: job.crossReference });
    await db.query('DELETE FROM after_write_queue WHERE id = $1', [job.id]);
    return { done: true, links };
  } catch (e) {
    await db.query('UPDATE after_write_queue SET attempts = attempts + 1, last_error = $2 WHERE id = $1', [job.id, (e as Error).message]).catch(() => undefined);
    console.error(`after-write job ${job.id} failed and stays queued: ${(e as Error).message}`);
    return { done: false, links: null };
  } finally {
    await job.release();
  }
}

/** The queue rows no live process holds (their writer died or failed): does them. Returns how many were finished. */
export async function resumeAfterWrites(db: Database, limit = 100): Promise<number> {
  const rows = await db.query<{ id: number; entity_ids: string[]; actor: string; cross_reference: boolean }>(
    'SELECT id, entity_ids, actor, cross_reference FROM after_write_queue ORDER BY id LIMIT $1', [limit]);
  let done = 0;
  for (const r of rows) {
    const release = await db.tryLock(LOCK_SPACE, r.id);
    if (!release) continue; // a live process is on it
    // Finished (and deleted) between the read and the lock: nothing to do.
    const [still] = await db.query('SELECT 1 FROM after_write_queue WHERE id = $1', [r.id]);
    if (!still) {
      await release();
      continue;
    }
    console.error(`resuming after-write work ${r.id} (${r.entity_ids.length} entities written by ${r.actor})`);
    if ((await finish(db, { id: r.id, entityIds: r.entity_ids, actor: r.actor, crossReference: r.cross_reference, release })).done) done++;
  }
  return done;
}

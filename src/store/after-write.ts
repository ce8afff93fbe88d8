// What follows every committed write, on every write path (API, import, demo load):
// the reactions the capabilities installed (src/capabilities.ts: cross-referencing,
// linking to open investigations, the pill-press registry check, the emerging-substance
// check, shipment scoring). None may turn a committed write into a reported failure:
// a failing reaction is logged and the rest go on (`chokepoint xref` and
// `chokepoint targeting rescore` redo the heavy ones).
//
// The store does not know the capabilities (a lower layer never imports a higher
// one): each capability exports its reaction and the composition root installs them
// all at once. Queueing or doing work while none are installed throws, so an entry
// point that forgot the composition root fails its first write instead of silently
// skipping what should follow it.
//
// The work is queued in the write's own transaction (after_write_queue) and taken
// off the queue when done, so a process that dies between the commit and the end of
// the work leaves it for the next process to start, or a live one's sweep, to finish.
// Every step is idempotent (links and alerts are unique, notifications carry a
// dedupe key), so work resumed after a crash tells nobody twice.
import { databaseUnavailable, type Database, type Sql } from './db.js';

export interface AfterWriteOptions {
  /** False to leave cross-referencing and what depends on it to their commands (told through onLeftUndone). */
  crossReference?: boolean;
  /** Entities a transaction, for a reaction that works in batches (cross-referencing; default its own). */
  batchSize?: number;
  /** Progress of a long reaction (cross-referencing a large import): entities done of total. */
  onProgress?: (step: string, done: number, total: number) => void;
  /** Told what was not done for some of the written entities, so the writer's answer can say so. */
  onLeftUndone?: (left: LeftUndone) => void;
}

/** Work that follows a write and was not done for some of what was written. */
export interface LeftUndone {
  /** The reaction's name, e.g. "cross-referencing". */
  step: string;
  /** How many of the written entities it was not done for. */
  entities: number;
  /**
   * skipped: the write asked for none; limit: the write was larger than the step does
   * after a write (a deliberate limit, named where it is set); failed: an error (logged,
   * not told to the writer: it may quote what they may not read); queued: the database
   * was out of reach, and the work stays queued for a sweep or the next process to do.
   */
  reason: 'skipped' | 'limit' | 'failed' | 'queued';
  /** The command that does it (e.g. `chokepoint xref`). */
  redo?: string;
}

/** What a capability does after every committed write. */
export interface AfterWriteReaction {
  /** Named in the log when it fails ("<name> failed after the write committed"). */
  name: string;
  /** Reactions run in ascending order, one after the other. */
  order: number;
  /**
   * Whether the write concerns it, asked of the schemas written (one query, shared by
   * all reactions, made when the first reaction asks). Absent: every write concerns it.
   */
  concerns?: (schemas: ReadonlySet<string>) => boolean;
  /** Skipped when the write asked for no cross-referencing (a bulk import). */
  skipWithoutCrossReference?: boolean;
  /** Its result (possible links found, or null) is what the write reports. At most one reaction. */
  reportsLinks?: boolean;
  /** The command that does its work again, named to the writer when it was skipped or failed. */
  redo?: string;
  run: (db: Database, entityIds: string[], actor: string, opts: AfterWriteOptions) => Promise<unknown>;
}

let installed: readonly AfterWriteReaction[] | null = null;

/**
 * Installs the reactions that follow every write (the composition root does, once at
 * start). Replaces what was installed before; returns a function that puts it back.
 */
export function installAfterWriteReactions(reactions: readonly AfterWriteReaction[]): () => void {
  if (!reactions.length) throw new Error('installing no after-write reactions: a write would be followed by nothing');
  const twice = (key: (r: AfterWriteReaction) => unknown, what: string): void => {
    const seen = new Set<unknown>();
    for (const r of reactions) {
      if (seen.has(key(r))) throw new Error(`two after-write reactions have the ${what} ${String(key(r))}`);
      seen.add(key(r));
    }
  };
  twice((r) => r.name, 'name');
  // Equal orders would leave the sequence to the order of installation: say which comes first.
  twice((r) => r.order, 'order');
  if (reactions.filter((r) => r.reportsLinks).length > 1) {
    throw new Error('more than one after-write reaction reports links');
  }
  const before = installed;
  installed = [...reactions].sort((a, b) => a.order - b.order);
  return () => {
    installed = before;
  };
}

/** The installed reactions in the order they run; throws when none are installed. */
export function afterWriteReactions(): readonly AfterWriteReaction[] {
  if (!installed) {
    throw new Error(
      'no after-write reactions are installed: the entry point must import src/capabilities.ts before it writes',
    );
  }
  return installed;
}

/**
 * A reaction that fails is logged and the rest go on; but when the database is out of
 * reach the whole job fails, so it stays queued and a sweep does it again later.
 */
const logged =
  (what: string) =>
  (e: Error): null => {
    if (databaseUnavailable(e)) throw e;
    console.error(`${what} failed after the write committed: ${e.message}`);
    return null;
  };

/** Returns the possible links found, or null when cross-referencing was skipped or failed. */
export async function afterWrite(
  db: Database,
  entityIds: string[],
  actor: string,
  opts: AfterWriteOptions = {},
): Promise<number | null> {
  const reactions = afterWriteReactions();
  const skipped = (r: AfterWriteReaction): boolean =>
    opts.crossReference === false && r.skipWithoutCrossReference === true;
  const reporter = reactions.find((r) => r.reportsLinks);
  if (!entityIds.length) return !reporter || skipped(reporter) ? null : 0;
  let links: number | null = null;
  // One look at what was written decides which reactions have anything to do.
  let schemas: Set<string> | undefined;
  const left = (r: AfterWriteReaction, reason: LeftUndone['reason']): void =>
    opts.onLeftUndone?.({ step: r.name, entities: entityIds.length, reason, ...(r.redo ? { redo: r.redo } : {}) });
  for (const r of reactions) {
    if (r.concerns) {
      schemas ??= new Set(
        (
          await db.query<{ schema: string }>('SELECT DISTINCT schema FROM presence WHERE entity_id = ANY($1)', [
            entityIds,
          ])
        ).map((s) => s.schema),
      );
      if (!r.concerns(schemas)) continue;
    }
    if (skipped(r)) {
      left(r, 'skipped');
      continue;
    }
    const result = await r.run(db, entityIds, actor, opts).catch((e: Error) => {
      const none = logged(r.name)(e);
      left(r, 'failed');
      return none;
    });
    if (r === reporter) links = typeof result === 'number' ? result : null;
  }
  return links;
}

export interface QueuedAfterWrite {
  id: number;
  /** How many entities the write touched. */
  entities: number;
  actor: string;
  queued_at: string;
  attempts: number;
  last_error: string | null;
}

/** After-write work still queued (the first 100): left by a process that stopped after its commit, or failing. */
export async function queuedAfterWrites(db: Sql): Promise<QueuedAfterWrite[]> {
  return db.query<QueuedAfterWrite>(
    'SELECT id, cardinality(entity_ids) AS entities, actor, queued_at, attempts, last_error FROM after_write_queue ORDER BY id LIMIT 100',
  );
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
export async function queueAfterWrite(
  db: Database,
  tx: Sql,
  entityIds: string[],
  actor: string,
  opts: AfterWriteOptions = {},
): Promise<AfterWriteJob | null> {
  // Before anything is queued, written or not: a write path without reactions fails its first write (rolled back).
  afterWriteReactions();
  if (!entityIds.length) return null;
  const crossReference = opts.crossReference !== false;
  const [row] = await tx.query<{ id: number }>(
    'INSERT INTO after_write_queue (entity_ids, actor, cross_reference) VALUES ($1, $2, $3) RETURNING id',
    [entityIds, actor, crossReference],
  );
  const release = await db.tryLock(LOCK_SPACE, row!.id);
  if (!release) throw new Error(`after-write job ${row!.id} is locked by another process`); // a fresh id: cannot happen
  return { id: row!.id, entityIds, actor, crossReference, release };
}

/** After the commit: does the queued work and takes it off the queue. Returns the possible links found. */
export async function runAfterWrite(
  db: Database,
  job: AfterWriteJob | null,
  opts: Pick<AfterWriteOptions, 'batchSize' | 'onProgress' | 'onLeftUndone'> = {},
): Promise<number | null> {
  return job ? (await finish(db, job, opts)).links : 0;
}

/** Does a job; on failure leaves it queued (a sweep retries it). Always releases its lock. */
async function finish(
  db: Database,
  job: AfterWriteJob,
  opts: Pick<AfterWriteOptions, 'batchSize' | 'onProgress' | 'onLeftUndone'> = {},
): Promise<{ done: boolean; links: number | null }> {
  try {
    const links = await afterWrite(db, job.entityIds, job.actor, { ...opts, crossReference: job.crossReference });
    await db.query('DELETE FROM after_write_queue WHERE id = $1', [job.id]);
    return { done: true, links };
  } catch (e) {
    await db
      .query('UPDATE after_write_queue SET attempts = attempts + 1, last_error = $2 WHERE id = $1', [
        job.id,
        (e as Error).message,
      ])
      .catch(() => undefined);
    console.error(`after-write job ${job.id} failed and stays queued: ${(e as Error).message}`);
    opts.onLeftUndone?.({ step: 'what follows the write', entities: job.entityIds.length, reason: 'queued' });
    return { done: false, links: null };
  } finally {
    await job.release();
  }
}

/** The queue rows no live process holds (their writer died or failed): does them. Returns how many were finished. */
export async function resumeAfterWrites(db: Database, limit = 100): Promise<number> {
  afterWriteReactions(); // without reactions, "finishing" a job would drop its work
  const rows = await db.query<{ id: number; entity_ids: string[]; actor: string; cross_reference: boolean }>(
    'SELECT id, entity_ids, actor, cross_reference FROM after_write_queue ORDER BY id LIMIT $1',
    [limit],
  );
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
    if (
      (
        await finish(db, {
          id: r.id,
          entityIds: r.entity_ids,
          actor: r.actor,
          crossReference: r.cross_reference,
          release,
        })
      ).done
    )
      done++;
  }
  return done;
}

// The only way to read marked data: a transaction that carries the reader's access
// in transaction-local settings and runs as the restricted role cp_reader, so that
// PostgreSQL's row-level security filters every row (see migrations/001_init.sql).
import type { Database, Sql } from './db.js';
import type { ReaderAccess } from '../domain/markings.js';
import { level } from '../domain/markings.js';

// JIT off: the policy's subplans inflate cost estimates past the JIT threshold, and on
// the server compiling took 1.2 s for a 160 ms aggregate (measured in bench:web).
async function enter(tx: Sql, who: ReaderAccess): Promise<void> {
  await tx.query(
    `SELECT set_config('cp.level', $1, true), set_config('cp.groups', $2, true), set_config('cp.le', $3, true),
            set_config('cp.gov', $4, true), set_config('cp.agency', $5, true), set_config('cp.country', $6, true),
            set_config('cp.user', $7, true), set_config('jit', 'off', true)`,
    // cp.user: rows addressed to one user (notifications); 0 for a reader who is no user.
    [
      String(level(who.clearance)),
      who.groups.join(','),
      who.lawEnforcement ? '1' : '0',
      who.government ? '1' : '0',
      who.agency,
      who.country,
      String((who as { id?: number }).id ?? 0),
    ],
  );
  await tx.query('SET LOCAL ROLE cp_reader');
}

/**
 * The longest a single statement of a read may run (ms; CHOKEPOINT_READ_TIMEOUT_MS,
 * default 60 s), so a runaway query or a hung connection cannot hold a pooled
 * connection for ever. PGlite has no timers and ignores it; it serves one query at a time anyway.
 */
export const readTimeoutMs = (): number => Number(process.env.CHOKEPOINT_READ_TIMEOUT_MS ?? 60_000);

/** Runs `fn` in its own read transaction, seeing only what `who` may see. */
export function asReader<T>(db: Database, who: ReaderAccess, fn: (tx: Sql) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    // Only in a read's own transaction: a writer's transaction that looks as a reader keeps no limit.
    await tx.query("SELECT set_config('statement_timeout', $1, true)", [String(readTimeoutMs())]);
    await enter(tx, who);
    return fn(tx);
  });
}

/** Inside a write transaction: a marking-filtered look, then back to the writer's role. */
export async function withinReaderScope<T>(tx: Sql, who: ReaderAccess, fn: (tx: Sql) => Promise<T>): Promise<T> {
  await enter(tx, who);
  try {
    return await fn(tx);
  } finally {
    await tx.query('RESET ROLE');
  }
}

// Append-only, hash-chained audit log. Each entry's hash covers the previous hash and
// the entry's exact stored text, so editing, deleting or reordering any entry breaks
// the chain from that point on; `verifyAudit` finds the first broken link. The head
// (seq, hash) is also kept in audit_head and printed by `chokepoint audit verify`, so
// it can be recorded elsewhere: that is what detects a truncated tail.
import { createHash } from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Database, Sql } from './db.js';

export interface AuditEntry {
  actor: string;
  action: string;
  target?: string | null;
  purpose?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  purpose: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

export function entryHash(prev: string, r: Omit<AuditRow, 'hash' | 'prev_hash'>): string {
  return createHash('sha256')
    .update(prev)
    .update('\n')
    .update(JSON.stringify([r.seq, r.at, r.actor, r.action, r.target, r.purpose, r.details]))
    .digest('hex');
}

/** Appends inside the caller's transaction, so an audited write and its entry commit together. */
export async function appendAudit(tx: Sql, e: AuditEntry): Promise<number> {
  auditScope.getStore()?.appended();
  return (await appendAuditBatch(tx, [e]))[0]!;
}

/** Rows per INSERT: 9 parameters each, well under PostgreSQL's 65,535 per statement. */
const BATCH_ROWS = 500;

/**
 * Appends several entries in the caller's transaction: one head lock and one head
 * update however many there are, and one multi-row INSERT per BATCH_ROWS entries,
 * which is what keeps one entry per API read cheap (bench/audit-append.ts).
 */
export async function appendAuditBatch(tx: Sql, entries: readonly AuditEntry[]): Promise<number[]> {
  if (!entries.length) return [];
  // The head row lock serialises concurrent appenders on a PostgreSQL server.
  const [head] = await tx.query<{ seq: number; hash: string }>(
    'SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE',
  );
  if (!head) throw new Error('audit_head missing: database not migrated');
  let { seq, hash } = head;
  const seqs: number[] = [];
  const at = new Date().toISOString();
  for (let i = 0; i < entries.length; i += BATCH_ROWS) {
    const params: unknown[] = [];
    const values: string[] = [];
    for (const e of entries.slice(i, i + BATCH_ROWS)) {
      const row = {
        seq: seq + 1,
        at,
        actor: e.actor,
        action: e.action,
        target: e.target ?? null,
        purpose: e.purpose ?? null,
        details: JSON.stringify(e.details ?? {}),
      };
      const h = entryHash(hash, row);
      const n = params.push(row.seq, row.at, row.actor, row.action, row.target, row.purpose, row.details, hash, h);
      values.push(`(${Array.from({ length: 9 }, (_, k) => `$${n - 8 + k}`).join(', ')})`);
      seqs.push(row.seq);
      seq = row.seq;
      hash = h;
    }
    await tx.query(
      `INSERT INTO audit_log (seq, at, actor, action, target, purpose, details, prev_hash, hash) VALUES ${values.join(', ')}`,
      params,
    );
  }
  await tx.query('UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1', [seq, hash]);
  return seqs;
}

/**
 * What an API request in progress offers audit(): src/api/request-audit.ts keeps one
 * per request, so that the entries a handler asks for become that request's own entry
 * (with who, route, outcome), written before its response. The store cannot import the
 * API layer, so the API puts the scope here.
 */
export interface AuditScope {
  db: Database;
  /** Takes the entry into the request's entry; false when the request's answer has already gone (a stream). */
  defer(e: AuditEntry): boolean;
  /** Counts an entry the request appended in a transaction of its own (a write's). */
  appended(): void;
}
export const auditScope = new AsyncLocalStorage<AuditScope>();

/**
 * Appends one entry in a transaction of its own. Inside an API request it is instead
 * folded into that request's entry (written before the response is sent, so nothing
 * answered goes unlogged) and resolves to null.
 */
export async function audit(db: Database, e: AuditEntry): Promise<number | null> {
  const scope = auditScope.getStore();
  if (scope?.db === db && scope.defer(e)) return null;
  return db.transaction((tx) => appendAudit(tx, e));
}

/**
 * Group commit for the API's per-request entries: entries that arrive while a batch
 * is being written wait for the next batch, which writes them all in one transaction.
 * A request's promise resolves only once its entries are committed, so a request is
 * answered after its entry is durable; a failed batch rejects every request in it.
 */
export class AuditQueue {
  private waiting: { entries: AuditEntry[]; done: (err?: unknown) => void }[] = [];
  private writing: Promise<void> | undefined;
  constructor(private readonly db: Database) {}

  append(entries: AuditEntry[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ entries, done: (err) => (err ? reject(err) : resolve()) });
      this.writing ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length) {
      const batch = this.waiting.splice(0, this.waiting.length);
      try {
        await this.db.transaction((tx) =>
          appendAuditBatch(
            tx,
            batch.flatMap((b) => b.entries),
          ),
        );
        for (const b of batch) b.done();
      } catch (err) {
        for (const b of batch) b.done(err);
      }
    }
    this.writing = undefined;
  }
}

const queues = new WeakMap<Database, AuditQueue>();
/** The database's one queue, so that every request of a process shares its batches. */
export function auditQueue(db: Database): AuditQueue {
  let q = queues.get(db);
  if (!q) queues.set(db, (q = new AuditQueue(db)));
  return q;
}

export interface AuditQuery {
  /** Entries after this sequence number. */
  after: number;
  limit: number;
  actor?: string;
  action?: string;
}

/** Audit log entries in order, from `after` on, optionally of one actor or action. */
export async function auditEntries(db: Sql, q: AuditQuery): Promise<Omit<AuditRow, 'prev_hash'>[]> {
  return db.query(
    `SELECT seq, at, actor, action, target, purpose, details, hash FROM audit_log
        WHERE seq > $1 AND ($3::text IS NULL OR actor = $3) AND ($4::text IS NULL OR action = $4) ORDER BY seq LIMIT $2`,
    [q.after, q.limit, q.actor ?? null, q.action ?? null],
  );
}

export interface VerifyResult {
  ok: boolean;
  entries: number;
  head: { seq: number; hash: string };
  problems: string[];
}

/** Walks the whole chain in pages; reports every broken link (first 100). */
export async function verifyAudit(db: Database, expectHead?: { seq: number; hash: string }): Promise<VerifyResult> {
  const problems: string[] = [];
  let prev = '0'.repeat(64);
  let expectedSeq = 1;
  let entries = 0;
  let after = 0;
  for (;;) {
    const rows = await db.query<AuditRow>(
      'SELECT seq, at, actor, action, target, purpose, details, prev_hash, hash FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 5000',
      [after],
    );
    if (!rows.length) break;
    for (const r of rows) {
      entries++;
      if (r.seq !== expectedSeq) problems.push(`entries ${expectedSeq}..${r.seq - 1} are missing`);
      if (r.prev_hash !== prev) problems.push(`entry ${r.seq}: does not follow the entry before it (chain broken)`);
      const h = entryHash(r.prev_hash, r);
      if (h !== r.hash) problems.push(`entry ${r.seq}: content does not match its hash (edited)`);
      prev = r.hash;
      expectedSeq = r.seq + 1;
      after = r.seq;
    }
  }
  const [head] = await db.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1');
  if (!head) problems.push('audit head is missing');
  else if (head.seq !== expectedSeq - 1)
    problems.push(
      `head says entry ${head.seq} but the log ends at entry ${expectedSeq - 1} (entries removed from the end, or head edited)`,
    );
  else if (head.hash !== prev) {
    problems.push(`head does not match entry ${head.seq}, the last (that entry or the head was rewritten)`);
  }
  if (
    expectHead &&
    (expectHead.seq > expectedSeq - 1 || (expectHead.seq === expectedSeq - 1 && expectHead.hash !== prev))
  ) {
    problems.push(`the recorded head (entry ${expectHead.seq}) is not in the log: entries were removed or rewritten`);
  }
  if (expectHead && expectHead.seq < expectedSeq - 1) {
    const [r] = await db.query<{ hash: string }>('SELECT hash FROM audit_log WHERE seq = $1', [expectHead.seq]);
    if (r?.hash !== expectHead.hash) problems.push(`entry ${expectHead.seq} no longer has the recorded hash`);
  }
  return {
    ok: problems.length === 0,
    entries,
    head: { seq: expectedSeq - 1, hash: prev },
    problems: problems.slice(0, 100),
  };
}

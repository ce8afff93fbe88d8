// Append-only, hash-chained audit log. Each entry's hash covers the previous hash and
// the entry's exact stored text, so editing, deleting or reordering any entry breaks
// the chain from that point on; `verifyAudit` finds the first broken link. The head
// (seq, hash) is also kept in audit_head and printed by `chokepoint audit verify`, so
// it can be recorded elsewhere: that is what detects a truncated tail.
import { createHash } from 'node:crypto';
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
  // The head row lock serialises concurrent appenders on a PostgreSQL server.
  const [head] = await tx.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE');
  if (!head) throw new Error('audit_head missing: database not migrated');
  const row = {
    seq: head.seq + 1,
    at: new Date().toISOString(),
    actor: e.actor,
    action: e.action,
    target: e.target ?? null,
    purpose: e.purpose ?? null,
    details: JSON.stringify(e.details ?? {}),
  };
  const hash = entryHash(head.hash, row);
  await tx.query(
    `INSERT INTO audit_log (seq, at, actor, action, target, purpose, details, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [row.seq, row.at, row.actor, row.action, row.target, row.purpose, row.details, head.hash, hash],
  );
  await tx.query('UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1', [row.seq, hash]);
  return row.seq;
}

export function audit(db: Database, e: AuditEntry): Promise<number> {
  return db.transaction((tx) => appendAudit(tx, e));
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
  else if (head.seq !== expectedSeq - 1 || head.hash !== prev) problems.push(`head says entry ${head.seq} but the log ends at entry ${expectedSeq - 1} (entries removed from the end, or head edited)`);
  if (expectHead && (expectHead.seq > expectedSeq - 1 || (expectHead.seq === expectedSeq - 1 && expectHead.hash !== prev))) {
    problems.push(`the recorded head (entry ${expectHead.seq}) is not in the log: entries were removed or rewritten`);
  }
  if (expectHead && expectHead.seq < expectedSeq - 1) {
    const [r] = await db.query<{ hash: string }>('SELECT hash FROM audit_log WHERE seq = $1', [expectHead.seq]);
    if (r?.hash !== expectHead.hash) problems.push(`entry ${expectHead.seq} no longer has the recorded hash`);
  }
  return { ok: problems.length === 0, entries, head: { seq: expectedSeq - 1, hash: prev }, problems: problems.slice(0, 100) };
}

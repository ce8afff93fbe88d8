// 28 CFR 23.20(h): intelligence is reviewed and validated, or purged, at most five
// years after entry. Renewal needs a new justification; a purge removes the record
// and everything it said, leaves an audit entry and a tombstone, and tells every
// agency that received the record (from the dissemination log).
import { StatusError } from '../domain/errors.js';
import type { Database, Sql } from './db.js';
import { appendAudit } from './audit.js';
import { asReader } from './access.js';
import { MAX_RETENTION_YEARS } from '../domain/records.js';
import { assertMay, type Principal } from '../domain/users.js';

export interface DueRecord {
  id: number;
  source: string;
  sourceRecordId: string;
  reviewBy: string;
  reportDate: string | null;
  overdue: boolean;
}

/** Intelligence records due for review within `withinDays`, that the reader may see. */
export async function reviewQueue(
  db: Database,
  who: Principal,
  withinDays: number,
  today = new Date(),
): Promise<DueRecord[]> {
  assertMay(who, 'retentionReview');
  const day = today.toISOString().slice(0, 10);
  const rows = await asReader(db, who, (tx) =>
    tx.query<{ id: number; source: string; source_record_id: string; review_by: string; report_date: string | null }>(
      `SELECT id, source, source_record_id, review_by::text AS review_by, report_date::text AS report_date FROM records
        WHERE kind = 'intelligence' AND review_by <= $1::date + $2::int ORDER BY review_by, id LIMIT 5000`,
      [day, withinDays],
    ),
  );
  return rows.map((r) => ({
    id: r.id,
    source: r.source,
    sourceRecordId: r.source_record_id,
    reviewBy: r.review_by,
    reportDate: r.report_date,
    overdue: r.review_by < day,
  }));
}

export class RetentionError extends StatusError {}

/** Validates a record again: new justification, new review date at most five years out. */
export async function renewRecord(
  db: Database,
  who: Principal,
  recordId: number,
  justification: string,
  today = new Date(),
): Promise<{ reviewBy: string }> {
  assertMay(who, 'retentionReview');
  if (!justification || justification.trim().length < 20)
    throw new RetentionError('justification: renewal needs a new justification of at least 20 characters');
  const visible = await asReader(db, who, (tx) =>
    tx.query<{ source: string }>("SELECT source FROM records WHERE id = $1 AND kind = 'intelligence'", [recordId]),
  );
  const rec = visible[0];
  if (!rec) throw new RetentionError(`record ${recordId}: no such intelligence record`, 404);
  if (rec.source !== who.agency && !who.roles.includes('admin'))
    throw new RetentionError(`record ${recordId}: only ${rec.source} may renew its records`, 403);
  const reviewBy = new Date(
    Date.UTC(today.getUTCFullYear() + MAX_RETENTION_YEARS, today.getUTCMonth(), today.getUTCDate()),
  )
    .toISOString()
    .slice(0, 10);
  await db.transaction(async (tx) => {
    await tx.query('UPDATE records SET review_by = $2 WHERE id = $1', [recordId, reviewBy]);
    await tx.query(
      `UPDATE record_basis SET renewals = renewals || jsonb_build_array(jsonb_build_object('at', $2::text, 'by', $3::text, 'justification', $4::text, 'reviewBy', $5::text))
        WHERE record_id = $1`,
      [recordId, today.toISOString(), who.username, justification.trim(), reviewBy],
    );
    await appendAudit(tx, {
      actor: who.username,
      action: 'retention.renew',
      target: `record:${recordId}`,
      purpose: justification.trim(),
      details: { reviewBy },
    });
  });
  return { reviewBy };
}

export interface PurgeResult {
  purged: { source: string; sourceRecordId: string; notified: string[] }[];
}

/** Purges every intelligence record past its review date. Runs as the system (admin). */
export async function purgeExpired(db: Database, who: Principal, today = new Date()): Promise<PurgeResult> {
  assertMay(who, 'retentionPurge');
  const day = today.toISOString().slice(0, 10);
  return db.transaction(async (tx) => {
    const due = await tx.query<{ id: number; source: string; source_record_id: string; review_by: string }>(
      "SELECT id, source, source_record_id, review_by::text AS review_by FROM records WHERE kind = 'intelligence' AND review_by < $1::date ORDER BY id FOR UPDATE",
      [day],
    );
    const purged: PurgeResult['purged'] = [];
    for (const r of due) {
      const notified = await recipientsOf(tx, r.id);
      for (const agency of notified) {
        await tx.query(
          `INSERT INTO notifications (agency, kind, message, ref) VALUES ($1, 'retention.purged', $2, $3)`,
          [
            agency,
            `Record ${r.source}/${r.source_record_id}, disseminated to your agency, was purged on ${day} at the end of its retention period; purge your copies.`,
            `${r.source}/${r.source_record_id}`,
          ],
        );
      }
      await tx.query(
        'INSERT INTO purged_records (source, source_record_id, review_by, purged_by, notified_agencies) VALUES ($1, $2, $3, $4, $5)',
        [r.source, r.source_record_id, r.review_by, who.username, notified],
      );
      await tx.query('DELETE FROM records WHERE id = $1', [r.id]);
      purged.push({ source: r.source, sourceRecordId: r.source_record_id, notified });
    }
    // Entities that no record speaks of any more are gone too.
    await tx.query('DELETE FROM entities e WHERE NOT EXISTS (SELECT 1 FROM presence p WHERE p.entity_id = e.id)');
    // So are possible links to them (the cross-referencing index drops them at its next refresh).
    await tx.query(
      'DELETE FROM possible_links l WHERE NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = l.left_id) OR NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = l.right_id)',
    );
    await appendAudit(tx, {
      actor: who.username,
      action: 'retention.purge',
      target: null,
      details: { count: purged.length, records: purged.map((p) => `${p.source}/${p.sourceRecordId}`).slice(0, 1000) },
    });
    return { purged };
  });
}

async function recipientsOf(tx: Sql, recordId: number): Promise<string[]> {
  const rows = await tx.query<{ agency: string }>(
    'SELECT DISTINCT recipient_agency AS agency FROM disseminations WHERE $1 = ANY (record_ids) ORDER BY 1',
    [recordId],
  );
  return rows.map((r) => r.agency);
}

/** 28 CFR 23.20(g): who received which records, when and why. */
export async function logDissemination(
  tx: Sql,
  d: {
    actor: string;
    recipient: string;
    recipientAgency: string;
    channel: string;
    purpose: string;
    recordIds: number[];
  },
): Promise<void> {
  if (!d.recordIds.length) return;
  await tx.query(
    'INSERT INTO disseminations (actor, recipient, recipient_agency, channel, purpose, record_ids) VALUES ($1, $2, $3, $4, $5, $6)',
    [d.actor, d.recipient, d.recipientAgency, d.channel, d.purpose, d.recordIds],
  );
}

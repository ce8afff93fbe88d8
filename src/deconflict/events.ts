// Event deconfliction: planned operations with a place (point and radius, or a
// polygon) and a time window. Submitting one answers in the same request,
// "accepted" or "accepted with conflict": a conflict is another planned operation
// whose window overlaps (plus the configured buffer) and whose area overlaps, or
// that shares a target identifier. Both sides are told at once, pointer-only; a
// conflict not acknowledged in time escalates to the 24/7 watch center.
import type { Database, Sql } from '../store/db.js';
import { appendAudit } from '../store/audit.js';
import { assertMay, may, type Principal } from '../domain/users.js';
import { notify } from '../notify/notifications.js';
import { coveringCells, distanceM, boundingCircle } from './geohash.js';
import { operationPointer, describePointer, type Pointer } from './pointer.js';
import { targetKeys, type TargetInput } from './keys.js';
import { DeconflictionError } from './targets.js';

import { OPERATION_TYPES, OUTCOMES } from '../domain/deconfliction-terms.js';
/** What the other side of a conflict learns of an operation: the agency and whom to call. */
const contactOnly = (p: Pointer): Pointer => ({
  agency: p.agency,
  agencyName: p.agencyName,
  contactName: p.contactName,
  contactPhone: p.contactPhone,
});

export { OPERATION_TYPES, OUTCOMES };
export type OperationType = (typeof OPERATION_TYPES)[number];

/** Default area per type when only a point is given (metres); settings may override (radius.<type>). */
export const DEFAULT_RADIUS_M: Record<OperationType, number> = {
  raid: 500,
  controlled_delivery: 1500,
  controlled_buy: 500,
  buy_bust: 500,
  surveillance: 2000,
  undercover_meeting: 500,
  arrest: 500,
  sweep: 3000,
  vehicle_stop: 1000,
};

export interface OperationInput {
  type: OperationType;
  title: string;
  caseId?: number;
  /** A point (with an optional radius, else the type's), or a polygon of [lat, lon] vertices. */
  location: { lat: number; lon: number; radiusM?: number } | { polygon: [number, number][] };
  startsAt: string;
  endsAt: string;
  contactName: string;
  /** 24/7 number of the officer on scene. */
  contactPhone: string;
  targets?: TargetInput[];
  /** Entered after the fact (exigent circumstances): needs a reason, then a supervisor's sign-off. */
  exigent?: { reason: string };
}

export interface OperationConflictView {
  id: number;
  reason: 'time and place' | 'shared target';
  /** Never given to either side (always null): only the watch center sees places. */
  distanceM: null;
  overlap: { start: string; end: string } | null;
  yourOperation: { id: number; type: string; title: string };
  /** The other operation: its agency and contact only; nothing of its case, place, type or window. */
  other: Pointer;
  acknowledgedByYou: boolean;
  acknowledgedByThem: boolean;
  escalatedAt: string | null;
  outcome: string | null;
}

export async function settings(
  tx: Sql,
): Promise<{ bufferMinutes: number; escalateAfterMinutes: number; radius: Record<string, number> }> {
  const rows = await tx.query<{ key: string; value: unknown }>('SELECT key, value FROM deconfliction_settings');
  const get = (k: string) => rows.find((r) => r.key === k)?.value;
  const radius: Record<string, number> = { ...DEFAULT_RADIUS_M };
  for (const r of rows) if (r.key.startsWith('radius.')) radius[r.key.slice(7)] = Number(r.value);
  return {
    bufferMinutes: Number(get('bufferMinutes') ?? 60),
    escalateAfterMinutes: Number(get('escalateAfterMinutes') ?? 15),
    radius,
  };
}

export async function setSetting(db: Database, me: Principal, key: string, value: number): Promise<void> {
  assertMay(me, 'watchCenter');
  if (!['bufferMinutes', 'escalateAfterMinutes', ...OPERATION_TYPES.map((t) => `radius.${t}`)].includes(key))
    throw new DeconflictionError(`unknown setting "${key}"`);
  if (!(value > 0 && value <= 50_000)) throw new DeconflictionError(`${key}: give a positive number (at most 50000)`);
  await db.transaction(async (tx) => {
    await tx.query(
      'INSERT INTO deconfliction_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      [key, JSON.stringify(value)],
    );
    await appendAudit(tx, { actor: me.username, action: 'deconfliction.settings', target: key, details: { value } });
  });
}

function area(
  input: OperationInput,
  radius: Record<string, number>,
): { lat: number; lon: number; radiusM: number; polygon: [number, number][] | null } {
  const loc = input.location;
  if ('polygon' in loc) {
    if (loc.polygon.length < 3) throw new DeconflictionError('location.polygon: at least three vertices');
    for (const [la, lo] of loc.polygon)
      if (!(Math.abs(la) <= 90 && Math.abs(lo) <= 180))
        throw new DeconflictionError('location.polygon: vertices are [lat, lon] in degrees');
    const c = boundingCircle(loc.polygon);
    if (c.radiusM > 50_000) throw new DeconflictionError('location.polygon: spans more than 50 km');
    return { ...c, polygon: loc.polygon };
  }
  if (!(Math.abs(loc.lat) <= 90 && Math.abs(loc.lon) <= 180))
    throw new DeconflictionError('location: lat within ±90, lon within ±180');
  const r = loc.radiusM ?? radius[input.type]!;
  if (!(r > 0 && r <= 50_000)) throw new DeconflictionError('location.radiusM: between 1 and 50000 metres');
  return { lat: loc.lat, lon: loc.lon, radiusM: r, polygon: null };
}

/**
 * Whether two operations are near is decided on geohash cells of precision 6 (about
 * 1.2 × 0.6 km) that their areas' bounding boxes touch, and whether they overlap in
 * time on whole hours (plus the buffer), not on exact circles and minutes. A yes or no
 * is all a planner learns of the other operation, and on exact geometry a few dozen
 * probes located a controlled buy to 0.1 m (security review, 2026-12-01); on cells and
 * hours they locate it to a cell and an hour, which is what "someone operates near
 * here, then" says anyway. The test stays conservative: every exact overlap is flagged.
 */
const PLACE_PRECISION = 6;
const HOUR = 3_600_000;
const floorHour = (t: number): number => Math.floor(t / HOUR) * HOUR;
const ceilHour = (t: number): number => Math.ceil(t / HOUR) * HOUR;

export async function submitOperation(
  db: Database,
  me: Principal,
  input: OperationInput,
  now = new Date(),
): Promise<{
  status: 'accepted' | 'accepted with conflict' | 'pending approval';
  operationId: number;
  conflicts: OperationConflictView[];
}> {
  assertMay(me, 'planOperations');
  const start = new Date(input.startsAt);
  const end = new Date(input.endsAt);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()))
    throw new DeconflictionError('startsAt and endsAt: ISO 8601 date-times');
  if (end <= start) throw new DeconflictionError('endsAt must be after startsAt');
  if (end.getTime() - start.getTime() > 30 * 86_400_000)
    throw new DeconflictionError('an operation window is at most 30 days');
  if (end < now && !input.exigent)
    throw new DeconflictionError(
      'this operation is over: enter it as exigent, with a reason, for a supervisor to sign off',
    );
  if (input.exigent && input.exigent.reason.trim().length < 10)
    throw new DeconflictionError('exigent.reason: say why it could not be entered beforehand');
  const keys = (input.targets ?? []).flatMap((t, i) => {
    try {
      return targetKeys(t);
    } catch (e) {
      throw new DeconflictionError(`targets[${i}]: ${(e as Error).message}`);
    }
  });
  const result = await db.transaction(async (tx) => {
    const cfg = await settings(tx);
    const a = area(input, cfg.radius);
    if (input.caseId !== undefined) {
      const [c] = await tx.query('SELECT 1 FROM cases WHERE id = $1 AND agency = $2', [input.caseId, me.agency]);
      if (!c) throw new DeconflictionError(`no case ${input.caseId} in ${me.agency}`, 404);
    }
    const cells = coveringCells(a.lat, a.lon, a.radiusM);
    const status = input.exigent ? 'pending_approval' : 'planned';
    const [op] = await tx.query<{ id: number }>(
      `INSERT INTO operations (agency, case_id, type, title, lat, lon, radius_m, polygon, cells, starts_at, ends_at, contact_name, contact_phone, target_keys, exigent, exigent_reason, status, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id`,
      [
        me.agency,
        input.caseId ?? null,
        input.type,
        input.title,
        a.lat,
        a.lon,
        a.radiusM,
        a.polygon ? JSON.stringify(a.polygon) : null,
        cells,
        start.toISOString(),
        end.toISOString(),
        input.contactName,
        input.contactPhone,
        keys,
        !!input.exigent,
        input.exigent?.reason ?? null,
        status,
        me.id,
      ],
    );
    // Candidates from the index (a shared cell and an overlapping window, or a shared target), then the exact test.
    const candidates = await tx.query<{
      id: number;
      lat: number;
      lon: number;
      radius_m: number;
      starts_at: string;
      ends_at: string;
      shared: boolean;
    }>(
      `SELECT id, lat, lon, radius_m, starts_at, ends_at, target_keys && $2::text[] AS shared FROM operations
        WHERE id <> $1 AND status IN ('planned', 'pending_approval')
          AND ((cells && $3::text[] AND starts_at < $5::timestamptz + make_interval(mins => $6 + 60) AND ends_at > $4::timestamptz - make_interval(mins => $6 + 60))
               OR target_keys && $2::text[])`,
      [op!.id, keys, cells, start.toISOString(), end.toISOString(), cfg.bufferMinutes],
    );
    const conflictIds: number[] = [];
    const mine = new Set(coveringCells(a.lat, a.lon, a.radiusM, PLACE_PRECISION));
    const buffer = cfg.bufferMinutes * 60_000;
    for (const c of candidates) {
      const d = distanceM(a.lat, a.lon, c.lat, c.lon);
      // Decided on whole hours and on cells, never on exact times and circles (see PLACE_PRECISION).
      const overlapsInTime =
        floorHour(new Date(c.starts_at).getTime()) < ceilHour(end.getTime()) + buffer &&
        ceilHour(new Date(c.ends_at).getTime()) > floorHour(start.getTime()) - buffer;
      const near = coveringCells(c.lat, c.lon, c.radius_m, PLACE_PRECISION).some((x) => mine.has(x));
      const reason = overlapsInTime && near ? 'time and place' : c.shared ? 'shared target' : null;
      if (!reason) continue;
      const os = new Date(Math.max(start.getTime(), new Date(c.starts_at).getTime()));
      const oe = new Date(Math.min(end.getTime(), new Date(c.ends_at).getTime()));
      const [lo, hi] = op!.id < c.id ? [op!.id, c.id] : [c.id, op!.id];
      const [k] = await tx.query<{ id: number }>(
        `INSERT INTO event_conflicts (op_a, op_b, reason, distance_m, overlap_start, overlap_end) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (op_a, op_b) DO NOTHING RETURNING id`,
        [lo, hi, reason, Math.round(d), oe > os ? os.toISOString() : null, oe > os ? oe.toISOString() : null],
      );
      if (!k) continue;
      conflictIds.push(k.id);
      for (const [mine, theirs] of [
        [op!.id, c.id],
        [c.id, op!.id],
      ]) {
        const [o] = await tx.query<{ agency: string; created_by: number; title: string }>(
          'SELECT agency, created_by, title FROM operations WHERE id = $1',
          [mine],
        );
        const p = await operationPointer(tx, theirs!);
        // Pointer-only: who to call and why, never where, when or what the other side plans
        // (a distance, a type or an overlap window would let probes locate an undercover operation).
        const msg = `Your operation "${o!.title}" conflicts with an operation by ${describePointer(p)} (${reason}). Call them before you move.`;
        const payload = { conflictId: k.id, operationId: mine, reason, other: contactOnly(p) };
        await notify(tx, {
          agency: o!.agency,
          userId: o!.created_by,
          kind: 'deconfliction.event',
          message: msg,
          ref: `event-conflict:${k.id}`,
          payload,
        });
      }
    }
    await appendAudit(tx, {
      actor: me.username,
      action: 'operation.submit',
      target: `operation:${op!.id}`,
      details: { type: input.type, exigent: !!input.exigent, conflicts: conflictIds.length },
    });
    return { id: op!.id, conflictIds, status };
  });
  const conflicts = (await operationConflictsFor(db, me)).filter((c) => result.conflictIds.includes(c.id));
  return {
    status:
      result.status === 'pending_approval'
        ? 'pending approval'
        : conflicts.length
          ? 'accepted with conflict'
          : 'accepted',
    operationId: result.id,
    conflicts,
  };
}

/** Conflicts touching the user's agency (all of them for supervisors and the watch center), from that agency's side. */
export async function operationConflictsFor(
  db: Sql,
  me: Principal,
  opts: { openOnly?: boolean } = {},
): Promise<OperationConflictView[]> {
  const rows = await db.query<{
    id: number;
    reason: 'time and place' | 'shared target';
    distance_m: number | null;
    overlap_start: string | null;
    overlap_end: string | null;
    op_a: number;
    op_b: number;
    ag_a: string;
    ag_b: string;
    ack_a_at: string | null;
    ack_b_at: string | null;
    escalated_at: string | null;
    outcome: string | null;
  }>(
    `SELECT k.*, a.agency AS ag_a, b.agency AS ag_b FROM event_conflicts k JOIN operations a ON a.id = k.op_a JOIN operations b ON b.id = k.op_b
      WHERE (a.agency = $1 OR b.agency = $1) ${opts.openOnly ? 'AND k.resolved_at IS NULL AND (k.ack_a_at IS NULL OR k.ack_b_at IS NULL)' : ''} ORDER BY k.id`,
    [me.agency],
  );
  const out: OperationConflictView[] = [];
  for (const r of rows) {
    const sides: [number, number, string | null, string | null][] = [];
    if (r.ag_a === me.agency) sides.push([r.op_a, r.op_b, r.ack_a_at, r.ack_b_at]);
    if (r.ag_b === me.agency) sides.push([r.op_b, r.op_a, r.ack_b_at, r.ack_a_at]);
    for (const [mine, theirs, ackMine, ackTheirs] of sides) {
      const [o] = await db.query<{ id: number; type: string; title: string }>(
        'SELECT id, type, title FROM operations WHERE id = $1',
        [mine],
      );
      out.push({
        id: r.id,
        reason: r.reason,
        distanceM: null,
        overlap: null,
        yourOperation: o!,
        other: contactOnly(await operationPointer(db, theirs)),
        acknowledgedByYou: !!ackMine,
        acknowledgedByThem: !!ackTheirs,
        escalatedAt: r.escalated_at,
        outcome: r.outcome,
      });
    }
  }
  return out;
}

export async function acknowledgeOperationConflict(db: Database, me: Principal, id: number): Promise<void> {
  await db.transaction(async (tx) => {
    const [k] = await tx.query<{ ag_a: string; ag_b: string; by_a: number; by_b: number }>(
      'SELECT a.agency AS ag_a, b.agency AS ag_b, a.created_by AS by_a, b.created_by AS by_b FROM event_conflicts k JOIN operations a ON a.id = k.op_a JOIN operations b ON b.id = k.op_b WHERE k.id = $1',
      [id],
    );
    if (!k || (k.ag_a !== me.agency && k.ag_b !== me.agency))
      throw new DeconflictionError(`no operation conflict ${id} for ${me.agency}`, 404);
    // As for target conflicts: the operation's planner, or a supervisor or watch officer of that agency.
    const mayAck = (planner: number): boolean => planner === me.id || may(me, 'seeAllConflicts');
    const sideA = k.ag_a === me.agency && mayAck(k.by_a);
    const sideB = k.ag_b === me.agency && mayAck(k.by_b);
    if (!sideA && !sideB)
      throw new DeconflictionError(`operation conflict ${id} is acknowledged by its planner or a supervisor`, 403);
    if (sideA) await tx.query('UPDATE event_conflicts SET ack_a_at = coalesce(ack_a_at, now()) WHERE id = $1', [id]);
    if (sideB) await tx.query('UPDATE event_conflicts SET ack_b_at = coalesce(ack_b_at, now()) WHERE id = $1', [id]);
    await appendAudit(tx, { actor: me.username, action: 'deconfliction.event.ack', target: `event-conflict:${id}` });
  });
}

export async function approveExigent(db: Database, me: Principal, opId: number): Promise<void> {
  assertMay(me, 'approveExigent');
  await db.transaction(async (tx) => {
    const [o] = await tx.query<{ status: string; created_by: number }>(
      'SELECT status, created_by FROM operations WHERE id = $1 AND agency = $2',
      [opId, me.agency],
    );
    if (!o) throw new DeconflictionError(`no operation ${opId} in ${me.agency}`, 404);
    if (o.status !== 'pending_approval')
      throw new DeconflictionError(`operation ${opId} is not waiting for approval`, 409);
    if (o.created_by === me.id)
      throw new DeconflictionError('an exigent entry is signed off by another supervisor than its author', 403);
    await tx.query("UPDATE operations SET status = 'planned', approved_by = $2 WHERE id = $1", [opId, me.id]);
    await appendAudit(tx, { actor: me.username, action: 'operation.exigent.approve', target: `operation:${opId}` });
  });
}

/** Conflicts not acknowledged by both sides in time go to the watch center; returns how many escalated. */
export async function escalateOverdue(db: Database, now = new Date()): Promise<number> {
  return db.transaction(async (tx) => {
    const cfg = await settings(tx);
    const due = await tx.query<{ id: number }>(
      `UPDATE event_conflicts SET escalated_at = $1 WHERE escalated_at IS NULL AND resolved_at IS NULL AND (ack_a_at IS NULL OR ack_b_at IS NULL)
         AND created_at < $1::timestamptz - make_interval(mins => $2) RETURNING id`,
      [now.toISOString(), cfg.escalateAfterMinutes],
    );
    if (!due.length) return 0;
    const officers = await tx.query<{ id: number; agency: string }>(
      "SELECT id, agency FROM users WHERE 'watch_officer' = ANY(roles) AND NOT disabled",
    );
    for (const k of due) {
      for (const o of officers) {
        await notify(tx, {
          agency: o.agency,
          userId: o.id,
          kind: 'watch.escalation',
          message: `Operation conflict ${k.id} was not acknowledged within ${cfg.escalateAfterMinutes} minutes: claim it in the watch-center queue.`,
          ref: `event-conflict:${k.id}`,
          payload: { conflictId: k.id },
        });
      }
    }
    await appendAudit(tx, {
      actor: 'system',
      action: 'deconfliction.escalate',
      details: { conflicts: due.map((d) => d.id) },
    });
    return due.length;
  });
}

export interface WatchItem {
  id: number;
  reason: string;
  escalatedAt: string;
  claimedBy: string | null;
  outcome: string | null;
  sides: (Pointer & { type: string; startsAt: string; endsAt: string; acknowledged: boolean })[];
}

export interface OperationRow {
  id: number;
  type: string;
  title: string;
  caseId: number | null;
  lat: number;
  lon: number;
  radiusM: number;
  polygon: [number, number][] | null;
  startsAt: string;
  endsAt: string;
  contactName: string;
  contactPhone: string;
  status: string;
  exigent: boolean;
  exigentReason: string | null;
}

/** The operations of `me`'s agency, newest first (at most 500). */
export async function listOperations(db: Sql, me: Principal): Promise<OperationRow[]> {
  return db.query(
    `SELECT id, type, title, case_id AS "caseId", lat, lon, radius_m AS "radiusM", polygon, starts_at AS "startsAt", ends_at AS "endsAt", contact_name AS "contactName",
      contact_phone AS "contactPhone", status, exigent, exigent_reason AS "exigentReason" FROM operations WHERE agency = $1 ORDER BY starts_at DESC LIMIT 500`,
    [me.agency],
  );
}

/** The operations of `me`'s agency that overlap the days from..to, newest first (at most 500), for the map. */
export async function operationsBetween(db: Sql, me: Principal, range: { from: string; to: string }) {
  return db.query<{
    id: number;
    type: string;
    title: string;
    lat: number | null;
    lon: number | null;
    radius_m: number | null;
    polygon: [number, number][] | null;
    starts_at: string;
    ends_at: string;
    status: string;
  }>(
    `SELECT id, type, title, lat, lon, radius_m, polygon, starts_at, ends_at, status FROM operations
    WHERE agency = $1 AND starts_at::date <= $3 AND ends_at::date >= $2 ORDER BY starts_at DESC LIMIT 500`,
    [me.agency, range.from, range.to],
  );
}

/** The 24/7 watch-center queue: escalated conflicts, with both sides' pointers (whom to call). */
export async function watchQueue(
  db: Database,
  me: Principal,
  opts: { includeResolved?: boolean } = {},
): Promise<WatchItem[]> {
  assertMay(me, 'watchCenter');
  const rows = await db.query<{
    id: number;
    reason: string;
    escalated_at: string;
    claimed: string | null;
    outcome: string | null;
    op_a: number;
    op_b: number;
    ack_a_at: string | null;
    ack_b_at: string | null;
  }>(
    `SELECT k.id, k.reason, k.escalated_at, u.username AS claimed, k.outcome, k.op_a, k.op_b, k.ack_a_at, k.ack_b_at FROM event_conflicts k LEFT JOIN users u ON u.id = k.claimed_by
      WHERE k.escalated_at IS NOT NULL ${opts.includeResolved ? '' : 'AND k.resolved_at IS NULL'} ORDER BY k.escalated_at, k.id`,
  );
  return Promise.all(
    rows.map(async (r) => ({
      id: r.id,
      reason: r.reason,
      escalatedAt: r.escalated_at,
      claimedBy: r.claimed,
      outcome: r.outcome,
      sides: [
        { ...(await operationPointer(db, r.op_a)), acknowledged: !!r.ack_a_at },
        { ...(await operationPointer(db, r.op_b)), acknowledged: !!r.ack_b_at },
      ],
    })),
  );
}

export async function claimEscalation(db: Database, me: Principal, id: number): Promise<void> {
  assertMay(me, 'watchCenter');
  await db.transaction(async (tx) => {
    const [k] = await tx.query<{ claimed_by: number | null; escalated_at: string | null }>(
      'SELECT claimed_by, escalated_at FROM event_conflicts WHERE id = $1 FOR UPDATE',
      [id],
    );
    if (!k?.escalated_at) throw new DeconflictionError(`conflict ${id} is not in the watch-center queue`, 404);
    if (k.claimed_by && k.claimed_by !== me.id) throw new DeconflictionError(`conflict ${id} is already claimed`, 409);
    await tx.query('UPDATE event_conflicts SET claimed_by = $2, claimed_at = now() WHERE id = $1', [id, me.id]);
    await appendAudit(tx, { actor: me.username, action: 'watch.claim', target: `event-conflict:${id}` });
  });
}

export async function resolveEscalation(
  db: Database,
  me: Principal,
  id: number,
  outcome: (typeof OUTCOMES)[number],
  note: string,
): Promise<void> {
  assertMay(me, 'watchCenter');
  if (!OUTCOMES.includes(outcome)) throw new DeconflictionError(`outcome: one of ${OUTCOMES.join(', ')}`);
  await db.transaction(async (tx) => {
    const [k] = await tx.query<{ claimed_by: number | null; op_a: number; op_b: number }>(
      'SELECT claimed_by, op_a, op_b FROM event_conflicts WHERE id = $1 FOR UPDATE',
      [id],
    );
    if (!k) throw new DeconflictionError(`no conflict ${id}`, 404);
    if (k.claimed_by !== me.id) throw new DeconflictionError(`claim conflict ${id} before recording its outcome`, 409);
    await tx.query('UPDATE event_conflicts SET outcome = $2, outcome_note = $3, resolved_at = now() WHERE id = $1', [
      id,
      outcome,
      note,
    ]);
    for (const opId of [k.op_a, k.op_b]) {
      const [o] = await tx.query<{ agency: string; created_by: number }>(
        'SELECT agency, created_by FROM operations WHERE id = $1',
        [opId],
      );
      await notify(tx, {
        agency: o!.agency,
        userId: o!.created_by,
        kind: 'watch.outcome',
        message: `The watch center recorded the outcome of operation conflict ${id}: ${outcome}.`,
        ref: `event-conflict:${id}`,
        payload: { conflictId: id, outcome },
      });
    }
    await appendAudit(tx, {
      actor: me.username,
      action: 'watch.resolve',
      target: `event-conflict:${id}`,
      details: { outcome },
    });
  });
}

/** What a watch center reports: events entered, conflicts, escalations, notification latency. */
export interface DeconflictionMetrics {
  sinceDays: number;
  operationsEntered: number;
  exigentEntries: number;
  operationConflicts: number;
  escalated: number;
  resolvedByWatchCenter: number;
  acknowledgementSecondsP50: number | null;
  targetConflicts: number;
  notificationLatencyMs: { p50: number | null; p99: number | null; notifications: number };
}

export async function deconflictionMetrics(db: Sql, me: Principal, sinceDays = 30): Promise<DeconflictionMetrics> {
  if (!may(me, 'seeAllConflicts')) assertMay(me, 'seeAllConflicts');
  const [ops] = await db.query<{ n: number; exigent: number }>(
    'SELECT count(*)::int AS n, count(*) FILTER (WHERE exigent)::int AS exigent FROM operations WHERE created_at > now() - make_interval(days => $1)',
    [sinceDays],
  );
  const [ec] = await db.query<{ n: number; escalated: number; resolved: number; ack_p50: number | null }>(
    `SELECT count(*)::int AS n, count(escalated_at)::int AS escalated, count(resolved_at)::int AS resolved,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM greatest(ack_a_at, ack_b_at) - created_at)) AS ack_p50
       FROM event_conflicts WHERE created_at > now() - make_interval(days => $1)`,
    [sinceDays],
  );
  const [tc] = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM target_conflicts WHERE created_at > now() - make_interval(days => $1)',
    [sinceDays],
  );
  const [lat] = await db.query<{ p50: number | null; p99: number | null; n: number }>(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM dispatched_at - at) * 1000) AS p50,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM dispatched_at - at) * 1000) AS p99, count(dispatched_at)::int AS n
       FROM notifications WHERE kind LIKE 'deconfliction.%' AND at > now() - make_interval(days => $1)`,
    [sinceDays],
  );
  return {
    sinceDays,
    operationsEntered: ops!.n,
    exigentEntries: ops!.exigent,
    operationConflicts: ec!.n,
    escalated: ec!.escalated,
    resolvedByWatchCenter: ec!.resolved,
    acknowledgementSecondsP50: ec!.ack_p50,
    targetConflicts: tc!.n,
    notificationLatencyMs: { p50: lat!.p50, p99: lat!.p99, notifications: lat!.n },
  };
}

// Target deconfliction: cases register their targets; a target that resolves to a
// target of another open case (a shared identifier key, or a name the screening
// engine matches with agreeing birth dates) is a conflict. Both case owners are
// told at once, each with their own target and the other side's pointer only.
import { StatusError } from '../domain/errors.js';
import type { Database, Sql } from '../store/db.js';
import { appendAudit } from '../store/audit.js';
import { assertMay, may, type Principal } from '../domain/users.js';
import { ScreeningIndex } from '../resolve/screen-index.js';
import { DEFAULT_THRESHOLD } from '../resolve/calibrate.js';
import { notify } from '../notify/notifications.js';
import { casePointer, describePointer, type Pointer } from './pointer.js';
import { targetKeys, statementKeys, type TargetInput } from './keys.js';
import type { Store } from '../store/store.js';
import { model } from '../domain/model.js';
import { visibleIds } from '../store/write-scope.js';
import { entityVisible } from '../store/read.js';

export class DeconflictionError extends StatusError {}

export interface CaseInput {
  caseNumber: string;
  title: string;
  contactName: string;
  contactPhone: string;
}

export interface CaseRow {
  id: number;
  agency: string;
  caseNumber: string;
  title: string;
  ownerId: number;
  contactName: string;
  contactPhone: string;
  status: 'open' | 'closed';
}

const CASE_COLUMNS = `id, agency, case_number AS "caseNumber", title, owner_id AS "ownerId", contact_name AS "contactName", contact_phone AS "contactPhone", status`;

export async function createCase(db: Database, me: Principal, c: CaseInput): Promise<CaseRow> {
  assertMay(me, 'manageCases');
  return db.transaction(async (tx) => {
    const [dup] = await tx.query('SELECT 1 FROM cases WHERE agency = $1 AND case_number = $2', [
      me.agency,
      c.caseNumber,
    ]);
    if (dup) throw new DeconflictionError(`case ${c.caseNumber} already exists in ${me.agency}`, 409);
    const [row] = await tx.query<CaseRow>(
      `INSERT INTO cases (agency, case_number, title, owner_id, contact_name, contact_phone) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${CASE_COLUMNS}`,
      [me.agency, c.caseNumber, c.title, me.id, c.contactName, c.contactPhone],
    );
    await appendAudit(tx, {
      actor: me.username,
      action: 'case.create',
      target: `case:${row!.id}`,
      details: { caseNumber: c.caseNumber },
    });
    return row!;
  });
}

/** A case the user may work: their agency's. Other agencies' cases do not exist for them. */
export async function ownCase(tx: Sql, me: Principal, caseId: number): Promise<CaseRow> {
  const [c] = await tx.query<CaseRow>(`SELECT ${CASE_COLUMNS} FROM cases WHERE id = $1 AND agency = $2`, [
    caseId,
    me.agency,
  ]);
  if (!c) throw new DeconflictionError(`no case ${caseId} in ${me.agency}`, 404);
  return c;
}

export async function listCases(db: Database, me: Principal): Promise<CaseRow[]> {
  return db.query<CaseRow>(`SELECT ${CASE_COLUMNS} FROM cases WHERE agency = $1 ORDER BY id`, [me.agency]);
}

export async function closeCase(db: Database, me: Principal, caseId: number): Promise<void> {
  assertMay(me, 'manageCases');
  await db.transaction(async (tx) => {
    await ownCase(tx, me, caseId);
    await tx.query("UPDATE cases SET status = 'closed' WHERE id = $1", [caseId]);
    await appendAudit(tx, { actor: me.username, action: 'case.close', target: `case:${caseId}` });
  });
}

// ---- The name index of registered people and companies (per database, kept up to date by target id).

interface TargetIndex {
  index: ScreeningIndex;
  upTo: number;
}
const indexes = new WeakMap<Database, TargetIndex>();

async function targetIndex(tx: Sql, db: Database): Promise<ScreeningIndex> {
  let ti = indexes.get(db);
  if (!ti) indexes.set(db, (ti = { index: new ScreeningIndex(), upTo: 0 }));
  const rows = await tx.query<{ id: number; kind: string; value: string; birth_date: string | null }>(
    "SELECT id, kind, value, birth_date FROM case_targets WHERE id > $1 AND kind IN ('person', 'company') ORDER BY id",
    [ti.upTo],
  );
  for (const r of rows) {
    ti.index.add({
      id: String(r.id),
      list: 'targets',
      kind: r.kind === 'person' ? 'person' : 'organization',
      names: [r.value],
      birthDates: r.birth_date ? [r.birth_date] : [],
    });
    ti.upTo = r.id;
  }
  if (rows.length) ti.index.build();
  return ti.index;
}

export interface TargetMatch {
  targetId: number;
  caseId: number;
  basis: string;
}

/**
 * Registered targets of open cases (other than `exceptCase`) that these keys or this
 * name resolve to. Used for registrations and for ingested records alike.
 */
export async function findTargets(
  tx: Sql,
  db: Database,
  probe: { keys: string[]; name?: { value: string; person: boolean; birthDate?: string } },
  exceptCase?: number,
): Promise<TargetMatch[]> {
  const out = new Map<number, TargetMatch>();
  if (probe.keys.length) {
    const rows = await tx.query<{ id: number; case_id: number; keys: string[] }>(
      `SELECT t.id, t.case_id, t.keys FROM case_targets t JOIN cases c ON c.id = t.case_id
        WHERE t.keys && $1::text[] AND c.status = 'open' AND t.case_id IS DISTINCT FROM $2`,
      [probe.keys, exceptCase ?? null],
    );
    for (const r of rows) {
      const shared = r.keys.find((k) => probe.keys.includes(k))!;
      out.set(r.id, {
        targetId: r.id,
        caseId: r.case_id,
        basis: shared.startsWith('name:') ? 'same name' : `same ${shared.split(':')[0]}`,
      });
    }
  }
  if (probe.name) {
    const hits = (await targetIndex(tx, db)).search(
      { name: probe.name.value, kind: probe.name.person ? 'person' : 'organization', birthDate: probe.name.birthDate },
      { threshold: DEFAULT_THRESHOLD, limit: 20 },
    );
    const ids = hits.map((h) => Number(h.entry.id)).filter((id) => !out.has(id));
    if (ids.length) {
      const rows = await tx.query<{ id: number; case_id: number }>(
        `SELECT t.id, t.case_id FROM case_targets t JOIN cases c ON c.id = t.case_id
          WHERE t.id = ANY($1) AND c.status = 'open' AND t.case_id IS DISTINCT FROM $2`,
        [ids, exceptCase ?? null],
      );
      const score = new Map(hits.map((h) => [Number(h.entry.id), h]));
      for (const r of rows) {
        const h = score.get(r.id)!;
        out.set(r.id, {
          targetId: r.id,
          caseId: r.case_id,
          basis: `name match ${h.score.toFixed(2)}${h.explanation.birthDate?.result === 'match' ? ', same date of birth' : ''}`,
        });
      }
    }
  }
  return [...out.values()];
}

export interface RegisteredTarget {
  id: number;
  kind: string;
  value: string;
  keys: string[];
}

export interface ConflictView {
  id: number;
  basis: string;
  createdAt: string;
  yourCase: { id: number; caseNumber: string; title: string };
  yourTarget: { id: number; kind: string; value: string };
  /** The other side: who to call, nothing of their case. */
  other: Pointer;
  acknowledgedByYou: boolean;
  acknowledgedByThem: boolean;
}

/** Who owns a case: its agency, owner (user id) and number. */
export async function caseOwner(
  tx: Sql,
  caseId: number,
): Promise<{ agency: string; owner_id: number; case_number: string }> {
  const [c] = await tx.query<{ agency: string; owner_id: number; case_number: string }>(
    'SELECT agency, owner_id, case_number FROM cases WHERE id = $1',
    [caseId],
  );
  return c!;
}

/** Records a conflict between two targets and tells both owners, each with a pointer to the other. */
async function recordConflict(
  tx: Sql,
  a: { targetId: number; caseId: number },
  b: { targetId: number; caseId: number },
  basis: string,
): Promise<number | null> {
  const [lo, hi] = a.targetId < b.targetId ? [a, b] : [b, a];
  const [row] = await tx.query<{ id: number }>(
    'INSERT INTO target_conflicts (target_a, target_b, basis) VALUES ($1, $2, $3) ON CONFLICT (target_a, target_b) DO NOTHING RETURNING id',
    [lo.targetId, hi.targetId, basis],
  );
  if (!row) return null;
  for (const [mine, theirs] of [
    [a, b],
    [b, a],
  ] as const) {
    const owner = await caseOwner(tx, mine.caseId);
    const p = await casePointer(tx, theirs.caseId);
    await notify(tx, {
      agency: owner.agency,
      userId: owner.owner_id,
      kind: 'deconfliction.target',
      message: `A target of your case ${owner.case_number} matches a target held by ${describePointer(p)} (${basis}). Contact them before acting.`,
      ref: `target-conflict:${row.id}`,
      payload: { conflictId: row.id, caseId: mine.caseId, targetId: mine.targetId, basis, other: p },
    });
  }
  return row.id;
}

/** Registers targets of a case; answers with the targets and the conflicts found, in one transaction. */
export async function registerTargets(
  db: Database,
  me: Principal,
  caseId: number,
  targets: TargetInput[],
): Promise<{ targets: RegisteredTarget[]; conflicts: ConflictView[] }> {
  assertMay(me, 'manageCases');
  // Validate every target before writing any: a bad one names itself and nothing is lost.
  const keyed = targets.map((t, i) => {
    try {
      return { t, keys: targetKeys(t) };
    } catch (e) {
      throw new DeconflictionError(`targets[${i}]: ${(e as Error).message}`);
    }
  });
  const conflictIds = await db.transaction(async (tx) => {
    const c = await ownCase(tx, me, caseId);
    if (c.status !== 'open') throw new DeconflictionError(`case ${c.caseNumber} is closed`, 409);
    const found: number[] = [];
    for (const { t, keys } of keyed) {
      const [row] = await tx.query<{ id: number }>(
        'INSERT INTO case_targets (case_id, kind, value, birth_date, keys, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
        [caseId, t.kind, t.value, t.birthDate ?? null, keys, me.id],
      );
      const named =
        t.kind === 'person' || t.kind === 'company'
          ? { value: t.value, person: t.kind === 'person', birthDate: t.birthDate }
          : undefined;
      for (const m of await findTargets(tx, db, { keys, name: named }, caseId)) {
        const id = await recordConflict(tx, { targetId: row!.id, caseId }, m, m.basis);
        if (id) found.push(id);
      }
    }
    await appendAudit(tx, {
      actor: me.username,
      action: 'case.targets',
      target: `case:${caseId}`,
      details: { targets: keyed.length, conflicts: found.length },
    });
    return found;
  });
  const all = await db.query<RegisteredTarget>(
    'SELECT id, kind, value, keys FROM case_targets WHERE case_id = $1 ORDER BY id',
    [caseId],
  );
  const conflicts = (await conflictsFor(db, me)).filter((v) => conflictIds.includes(v.id));
  return { targets: all, conflicts };
}

/** Conflicts touching the user's agency's cases, each from that side: own content, the other's pointer. */
export async function conflictsFor(
  db: Database,
  me: Principal,
  opts: { openOnly?: boolean } = {},
): Promise<ConflictView[]> {
  const rows = await db.query<{
    id: number;
    basis: string;
    created_at: string;
    ta: number;
    tb: number;
    ca: number;
    cb: number;
    ack_a_at: string | null;
    ack_b_at: string | null;
  }>(
    `SELECT k.id, k.basis, k.created_at, k.target_a AS ta, k.target_b AS tb, a.case_id AS ca, b.case_id AS cb, k.ack_a_at, k.ack_b_at
       FROM target_conflicts k JOIN case_targets a ON a.id = k.target_a JOIN case_targets b ON b.id = k.target_b
       JOIN cases x ON x.id = a.case_id JOIN cases y ON y.id = b.case_id
      WHERE (x.agency = $1 OR y.agency = $1) ${opts.openOnly ? 'AND (k.ack_a_at IS NULL OR k.ack_b_at IS NULL)' : ''}
      ORDER BY k.id`,
    [me.agency],
  );
  const out: ConflictView[] = [];
  for (const r of rows) {
    const [xa] = await db.query<{ agency: string }>('SELECT agency FROM cases WHERE id = $1', [r.ca]);
    // Seen from side A when A is this agency's (both sides may be: two cases of one agency).
    const sides = xa!.agency === me.agency ? [['a', r.ta, r.ca, r.cb, r.ack_a_at, r.ack_b_at]] : [];
    const [yb] = await db.query<{ agency: string }>('SELECT agency FROM cases WHERE id = $1', [r.cb]);
    if (yb!.agency === me.agency) sides.push(['b', r.tb, r.cb, r.ca, r.ack_b_at, r.ack_a_at]);
    for (const [, targetId, mine, theirs, ackMine, ackTheirs] of sides as [
      string,
      number,
      number,
      number,
      string | null,
      string | null,
    ][]) {
      const [c] = await db.query<{ id: number; caseNumber: string; title: string }>(
        'SELECT id, case_number AS "caseNumber", title FROM cases WHERE id = $1',
        [mine],
      );
      const [t] = await db.query<{ id: number; kind: string; value: string }>(
        'SELECT id, kind, value FROM case_targets WHERE id = $1',
        [targetId],
      );
      // An entity target names an id: shown only to a reader who may see that entity (third review 8).
      if (t!.kind === 'entity' && !(await db.transaction((tx) => visibleIds(tx, me, [t!.value]))).has(t!.value))
        t!.value = '(an entity you may not read)';
      out.push({
        id: r.id,
        basis: r.basis,
        createdAt: r.created_at,
        yourCase: c!,
        yourTarget: t!,
        other: await casePointer(db, theirs),
        acknowledgedByYou: !!ackMine,
        acknowledgedByThem: !!ackTheirs,
      });
    }
  }
  return out;
}

export async function acknowledgeConflict(db: Database, me: Principal, conflictId: number): Promise<void> {
  await db.transaction(async (tx) => {
    const [k] = await tx.query<{ ca: string; cb: string; owner_a: number; owner_b: number }>(
      `SELECT x.agency AS ca, y.agency AS cb, x.owner_id AS owner_a, y.owner_id AS owner_b FROM target_conflicts k
         JOIN case_targets a ON a.id = k.target_a JOIN case_targets b ON b.id = k.target_b
         JOIN cases x ON x.id = a.case_id JOIN cases y ON y.id = b.case_id WHERE k.id = $1`,
      [conflictId],
    );
    if (!k || (k.ca !== me.agency && k.cb !== me.agency))
      throw new DeconflictionError(`no conflict ${conflictId} for ${me.agency}`, 404);
    // A side is acknowledged by its case owner, or by a supervisor or watch officer of that agency:
    // an acknowledgement stops the escalation, so not by any colleague.
    const mayAck = (owner: number): boolean => owner === me.id || may(me, 'seeAllConflicts');
    const sideA = k.ca === me.agency && mayAck(k.owner_a);
    const sideB = k.cb === me.agency && mayAck(k.owner_b);
    if (!sideA && !sideB)
      throw new DeconflictionError(`conflict ${conflictId} is acknowledged by its case owner or a supervisor`, 403);
    if (sideA)
      await tx.query('UPDATE target_conflicts SET ack_a_at = coalesce(ack_a_at, now()) WHERE id = $1', [conflictId]);
    if (sideB)
      await tx.query('UPDATE target_conflicts SET ack_b_at = coalesce(ack_b_at, now()) WHERE id = $1', [conflictId]);
    await appendAudit(tx, {
      actor: me.username,
      action: 'deconfliction.target.ack',
      target: `target-conflict:${conflictId}`,
    });
  });
}

/**
 * Your agency's open cases that registered this entity, or one of its identifiers, as
 * a target (for the entity page). Keys come from the statements the reader may see;
 * other agencies' cases are never listed here (deconfliction tells them apart).
 */
export async function casesForEntity(
  store: Store,
  me: Principal,
  entityId: string,
): Promise<{ caseId: number; caseNumber: string; title: string; targetKind: string; targetValue: string }[]> {
  // An entity the reader may not see answers as one that does not exist (its id is someone's case target).
  if (!(await store.read(me, (tx) => entityVisible(tx, entityId))))
    throw new DeconflictionError(`no entity ${entityId}`, 404);
  const stmts = await store.read(me, (tx) =>
    tx.query<{ schema: string; prop: string; value: string }>(
      "SELECT schema, prop, value FROM statements WHERE entity_id = $1 AND prop_type <> 'entity'",
      [entityId],
    ),
  );
  const keys = new Set([`entity:${entityId}`]);
  for (const s of stmts) {
    const party = model.party(s.schema);
    const person = party === 'person';
    const org = party === 'organization';
    for (const k of statementKeys(s.schema, s.prop, s.value, person, org)) keys.add(k);
  }
  const rows = await store.db.query<{
    case_id: number;
    case_number: string;
    title: string;
    kind: string;
    value: string;
  }>(
    `SELECT c.id AS case_id, c.case_number, c.title, t.kind, t.value FROM case_targets t JOIN cases c ON c.id = t.case_id
      WHERE c.agency = $1 AND c.status = 'open' AND t.keys && $2::text[] ORDER BY c.id, t.id`,
    [me.agency, [...keys]],
  );
  return rows.map((r) => ({
    caseId: r.case_id,
    caseNumber: r.case_number,
    title: r.title,
    targetKind: r.kind,
    targetValue: r.value,
  }));
}

// Watchlist nominations: a nominator submits the minimum identifying data and the
// derogatory basis; configurable criteria are checked at once; a watchlist reviewer
// accepts, rejects or asks for more; an accepted nomination is deconflicted (the
// owners of open cases on the subject are asked first, to preserve investigative
// equities) before it goes active; active nominations are downgraded by rule into
// releasable screening records. Every step is audited and kept in the history.
import { StatusError } from '../domain/errors.js';
import { randomBytes } from 'node:crypto';
import type { Database, Sql } from '../store/db.js';
import type { MarkingCache } from '../store/markings.js';
import { appendAudit } from '../store/audit.js';
import { asReader, withinReaderScope } from '../store/access.js';
import { assertMay, may, type Principal } from '../domain/users.js';
import { canRead, parseMarking, formatMarking } from '../domain/markings.js';
import { normalizeIdentifier, IdentifierError, IDENTIFIER_KINDS, type IdentifierKind } from '../resolve/identifiers.js';
import { countryCodes } from '../domain/values.js';
import { notify } from '../notify/notifications.js';
import { findTargets, caseOwner } from '../deconflict/targets.js';
import { casePointer, describePointer } from '../deconflict/pointer.js';
import { findUserById } from '../store/users.js';
import { nameKey } from '../deconflict/keys.js';
import { downgrade, type DowngradeRule } from './downgrade.js';

export class WatchlistError extends StatusError {}

export interface Criteria {
  minBasisChars: number;
  categories: string[];
  person: { minNameTokens: number; oneOf: ('birthDates' | 'identifiers' | 'nationalities')[] };
  organization: { minNameTokens: number; oneOf: ('birthDates' | 'identifiers' | 'nationalities')[] };
}

export interface NominationInput {
  subjectKind: 'person' | 'organization';
  names: string[];
  birthDates?: string[];
  nationalities?: string[];
  identifiers?: { kind: IdentifierKind; value: string }[];
  usPerson: boolean;
  categories: string[];
  basis: string;
  marking: string;
}

export async function setting<T>(tx: Sql, key: string): Promise<T> {
  const [r] = await tx.query<{ value: T }>('SELECT value FROM watchlist_settings WHERE key = $1', [key]);
  if (!r) throw new Error(`watchlist setting ${key} missing`);
  return r.value;
}

export async function putSetting(
  db: Database,
  me: Principal,
  key: 'criteria' | 'downgrade' | 'equitiesHours',
  value: unknown,
): Promise<void> {
  assertMay(me, 'manageUsers');
  await db.transaction(async (tx) => {
    await tx.query('UPDATE watchlist_settings SET value = $2, updated_at = now() WHERE key = $1', [
      key,
      JSON.stringify(value),
    ]);
    await appendAudit(tx, { actor: me.username, action: 'watchlist.settings', target: key, details: { value } });
  });
}

/** What the criteria look at. */
export interface CriteriaSubject {
  subjectKind: 'person' | 'organization';
  names: string[];
  birthDates?: unknown[];
  nationalities?: unknown[];
  identifiers?: unknown[];
  categories: string[];
  basis: string;
}

/** The criteria a nomination fails, in words; empty when it meets them all. */
export function checkCriteria(n: CriteriaSubject, c: Criteria): string[] {
  const out: string[] = [];
  const rule = c[n.subjectKind];
  if (!n.names.some((x) => x.trim().split(/\s+/).filter(Boolean).length >= rule.minNameTokens))
    out.push(`names: at least one name of ${rule.minNameTokens} or more words`);
  const have = {
    birthDates: n.birthDates?.length ?? 0,
    identifiers: n.identifiers?.length ?? 0,
    nationalities: n.nationalities?.length ?? 0,
  };
  if (!rule.oneOf.some((f) => have[f] > 0)) out.push(`minimum identifying data: one of ${rule.oneOf.join(', ')}`);
  if (n.basis.trim().length < c.minBasisChars)
    out.push(`basis: state the derogatory information in at least ${c.minBasisChars} characters`);
  const unknown = n.categories.filter((k) => !c.categories.includes(k));
  if (!n.categories.length || unknown.length)
    out.push(
      `categories: one or more of ${c.categories.join(', ')}${unknown.length ? ` (not: ${unknown.join(', ')})` : ''}`,
    );
  return out;
}

function cleanInput(n: NominationInput): { identifiers: string[]; nationalities: string[]; birthDates: string[] } {
  const identifiers = (n.identifiers ?? []).map((id, i) => {
    if (!IDENTIFIER_KINDS.includes(id.kind))
      throw new WatchlistError(`identifiers[${i}].kind: one of ${IDENTIFIER_KINDS.join(', ')}`);
    try {
      return normalizeIdentifier(id.kind, id.value);
    } catch (e) {
      if (e instanceof IdentifierError) throw new WatchlistError(`identifiers[${i}]: ${e.message}`);
      throw e;
    }
  });
  const codes = countryCodes();
  const nationalities = (n.nationalities ?? []).map((c, i) => {
    const k = c.trim().toLowerCase();
    if (!codes.has(k)) throw new WatchlistError(`nationalities[${i}]: "${c}" is not an ISO 3166 alpha-2 code`);
    return k;
  });
  const birthDates = (n.birthDates ?? []).map((d, i) => {
    if (!/^\d{4}(-\d{2}(-\d{2})?)?$/.test(d)) throw new WatchlistError(`birthDates[${i}]: YYYY, YYYY-MM or YYYY-MM-DD`);
    return d;
  });
  return { identifiers, nationalities, birthDates };
}

const reference = (prefix: string): string => `${prefix}-${randomBytes(5).toString('hex').toUpperCase()}`;

async function history(tx: Sql, id: number, actor: string, action: string, note?: string | null): Promise<void> {
  await tx.query('INSERT INTO nomination_events (nomination_id, actor, action, note) VALUES ($1, $2, $3, $4)', [
    id,
    actor,
    action,
    note ?? null,
  ]);
  await appendAudit(tx, {
    actor,
    action: `watchlist.${action}`,
    target: `nomination:${id}`,
    details: note ? { note: note.slice(0, 500) } : undefined,
  });
}

export async function nominate(
  db: Database,
  markings: MarkingCache,
  me: Principal,
  n: NominationInput,
): Promise<{ id: number; reference: string; status: string }> {
  assertMay(me, 'nominate');
  const clean = cleanInput(n);
  let marking: ReturnType<typeof parseMarking>;
  try {
    marking = parseMarking(n.marking, me.agency);
  } catch (e) {
    throw new WatchlistError(`marking: ${(e as Error).message}`);
  }
  if (!canRead(me, marking)) throw new WatchlistError('marking: you may not write above your own access', 403);
  // As for record writes (checkWriteAccess): the owner decides ORCON, PROPIN and release, so only admins name another.
  if (marking.owner !== me.agency && !me.roles.includes('admin')) {
    const why = `marking owner ${marking.owner}: you may only mark a nomination as owned by your agency (${me.agency})`;
    throw new WatchlistError(why, 403);
  }
  return db.transaction(async (tx) => {
    const failed = checkCriteria(n, await setting<Criteria>(tx, 'criteria'));
    if (failed.length) throw new WatchlistError(`the nomination does not meet the criteria: ${failed.join('; ')}`, 422);
    const markingId = await markings.intern(tx, marking);
    const ref = reference('WL');
    const [row] = await tx.query<{ id: number }>(
      `INSERT INTO nominations (reference, subject_kind, names, birth_dates, nationalities, identifiers, us_person, categories, basis, marking_id, agency, nominator_id, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'pending_review') RETURNING id`,
      [
        ref,
        n.subjectKind,
        n.names,
        clean.birthDates,
        clean.nationalities,
        clean.identifiers,
        n.usPerson,
        n.categories,
        n.basis,
        markingId,
        me.agency,
        me.id,
      ],
    );
    await history(tx, row!.id, me.username, 'nominate');
    return { id: row!.id, reference: ref, status: 'pending_review' };
  });
}

interface NominationRow {
  id: number;
  reference: string;
  subject_kind: 'person' | 'organization';
  names: string[];
  birth_dates: string[];
  nationalities: string[];
  identifiers: string[];
  us_person: boolean;
  categories: string[];
  basis: string;
  marking: string;
  agency: string;
  nominator_id: number;
  status: string;
  equities_due: string | null;
}

/** Whether the reader may read the nomination, by the same row-level-security rule as its reads. */
async function visibleNomination(tx: Sql, me: Principal, id: number): Promise<boolean> {
  return (await withinReaderScope(tx, me, (q) => q.query('SELECT 1 FROM nominations WHERE id = $1', [id]))).length > 0;
}

async function load(tx: Sql, id: number, lock = false): Promise<NominationRow> {
  const [n] = await tx.query<NominationRow>(
    `SELECT n.*, m.canonical AS marking FROM nominations n JOIN markings m ON m.id = n.marking_id WHERE n.id = $1 ${lock ? 'FOR UPDATE OF n' : ''}`,
    [id],
  );
  if (!n) throw new WatchlistError(`no nomination ${id}`, 404);
  return n;
}

/** A nomination in a list. */
export interface NominationSummary {
  id: number;
  reference: string;
  subjectKind: 'person' | 'organization';
  names: string[];
  status: string;
  agency: string;
  usPerson: boolean;
}
/** A nomination with its basis, equities and history. */
export interface NominationView extends NominationSummary {
  birthDates: string[];
  nationalities: string[];
  identifiers: string[];
  categories: string[];
  basis: string;
  marking: string;
  equitiesDue: string | null;
  equities: { caseId: number; basis: string; response: string | null; respondedAt: string | null }[];
  history: { at: string; actor: string; action: string; note: string | null }[];
  /** What screening sees of it once active (the downgraded record), or null before. */
  screeningRecord: {
    names: string[];
    birthDates: string[];
    nationalities: string[];
    identifiers: string[];
    marking: string;
  } | null;
}

/** A nomination as its nominator or a reviewer may see it (they must be cleared for its marking). */
export async function getNomination(db: Database, me: Principal, id: number): Promise<NominationView> {
  // Read under row-level security: a nomination whose marking the reader may not read does not exist for them.
  return asReader(db, me, async (tx) => {
    const n = await load(tx, id);
    const mine = n.nominator_id === me.id || (n.agency === me.agency && may(me, 'nominate'));
    if (!(mine || may(me, 'reviewNominations'))) throw new WatchlistError(`no nomination ${id}`, 404);
    const events = await tx.query<NominationView['history'][number]>(
      'SELECT at, actor, action, note FROM nomination_events WHERE nomination_id = $1 ORDER BY id',
      [id],
    );
    const equities = await tx.query<NominationView['equities'][number]>(
      'SELECT case_id AS "caseId", basis, response, responded_at AS "respondedAt" FROM nomination_equities WHERE nomination_id = $1',
      [id],
    );
    const [sr] = await tx.query<NonNullable<NominationView['screeningRecord']>>(
      'SELECT names, birth_dates AS "birthDates", nationalities, identifiers, marking FROM screening_records WHERE nomination_id = $1',
      [id],
    );
    return {
      id: n.id,
      reference: n.reference,
      subjectKind: n.subject_kind,
      names: n.names,
      birthDates: n.birth_dates,
      nationalities: n.nationalities,
      identifiers: n.identifiers,
      usPerson: n.us_person,
      categories: n.categories,
      basis: n.basis,
      marking: formatMarking(parseMarking(n.marking, n.agency)),
      agency: n.agency,
      status: n.status,
      equitiesDue: n.equities_due,
      equities,
      history: events,
      screeningRecord: sr ?? null,
    };
  });
}

export async function listNominations(db: Database, me: Principal, status?: string): Promise<NominationSummary[]> {
  const rows = await asReader(db, me, (tx) =>
    tx.query<NominationRow>(
      `SELECT n.*, m.canonical AS marking FROM nominations n JOIN markings m ON m.id = n.marking_id WHERE ($1::text IS NULL OR n.status = $1) ORDER BY n.id`,
      [status ?? null],
    ),
  );
  return rows
    .filter((n) => may(me, 'reviewNominations') || n.agency === me.agency)
    .map((n) => ({
      id: n.id,
      reference: n.reference,
      subjectKind: n.subject_kind,
      names: n.names,
      status: n.status,
      agency: n.agency,
      usPerson: n.us_person,
    }));
}

/** The nominator adds what the reviewer asked for; back to review. */
export async function amend(
  db: Database,
  me: Principal,
  id: number,
  more: Partial<Pick<NominationInput, 'names' | 'birthDates' | 'nationalities' | 'identifiers' | 'basis'>>,
): Promise<void> {
  await db.transaction(async (tx) => {
    const n = await load(tx, id, true);
    // One answer for a nomination the caller may not read, one they may not see (as GET answers: not
    // their agency's, and they are no reviewer) and one that does not exist (third review 4).
    const seen =
      n.nominator_id === me.id || (n.agency === me.agency && may(me, 'nominate')) || may(me, 'reviewNominations');
    if (!seen || !(await visibleNomination(tx, me, id))) throw new WatchlistError(`no nomination ${id}`, 404);
    if (n.nominator_id !== me.id) throw new WatchlistError(`nomination ${id} is not yours to amend`, 403);
    if (n.status !== 'more_info')
      throw new WatchlistError(`nomination ${id} is ${n.status}, not waiting for more information`, 409);
    const clean = cleanInput({
      subjectKind: n.subject_kind,
      names: more.names ?? [],
      usPerson: n.us_person,
      categories: [],
      basis: '',
      marking: '',
      birthDates: more.birthDates,
      nationalities: more.nationalities,
      identifiers: more.identifiers,
    });
    const merged = {
      subjectKind: n.subject_kind,
      names: [...n.names, ...(more.names ?? [])],
      birthDates: [...n.birth_dates, ...clean.birthDates],
      nationalities: [...n.nationalities, ...clean.nationalities],
      categories: n.categories,
      basis: more.basis ? `${n.basis}\n${more.basis}` : n.basis,
    };
    const failed = checkCriteria(
      { ...merged, identifiers: [...n.identifiers, ...clean.identifiers] },
      await setting<Criteria>(tx, 'criteria'),
    );
    if (failed.length) throw new WatchlistError(`still short of the criteria: ${failed.join('; ')}`, 422);
    await tx.query(
      `UPDATE nominations SET names = $2, birth_dates = $3, nationalities = $4, identifiers = $5, basis = $6, status = 'pending_review', updated_at = now() WHERE id = $1`,
      [
        id,
        merged.names,
        merged.birthDates,
        merged.nationalities,
        [...new Set([...n.identifiers, ...clean.identifiers])],
        merged.basis,
      ],
    );
    await history(tx, id, me.username, 'amend');
  });
}

/** Reviewer's decision. Accepting starts the equities check; with no open case on the subject it goes active at once. */
export async function review(
  db: Database,
  me: Principal,
  id: number,
  decision: 'accept' | 'reject' | 'request_more',
  note: string,
): Promise<{ status: string; casesAsked: number }> {
  assertMay(me, 'reviewNominations');
  const out = await db.transaction(async (tx) => {
    const n = await load(tx, id, true);
    if (!(await visibleNomination(tx, me, id))) throw new WatchlistError(`no nomination ${id}`, 404);
    if (n.status !== 'pending_review')
      throw new WatchlistError(`nomination ${id} is ${n.status}, not pending review`, 409);
    if (n.nominator_id === me.id)
      throw new WatchlistError('a nomination is reviewed by someone other than its nominator', 403);
    if (decision === 'reject' || decision === 'request_more') {
      const status = decision === 'reject' ? 'rejected' : 'more_info';
      await tx.query('UPDATE nominations SET status = $2, reviewer_id = $3, updated_at = now() WHERE id = $1', [
        id,
        status,
        me.id,
      ]);
      await history(tx, id, me.username, decision, note);
      await notify(tx, {
        agency: n.agency,
        userId: n.nominator_id,
        kind: `watchlist.${decision}`,
        message: `Nomination ${n.reference}: ${decision === 'reject' ? 'rejected' : 'the reviewer asks for more information'}: ${note}`,
        ref: n.reference,
      });
      return { status, casesAsked: 0 };
    }
    // Deconfliction: every open case with a target that this subject resolves to.
    const cases = new Map<number, string>();
    for (const name of n.names) {
      const keys = [nameKey(name, n.subject_kind === 'person' ? 'person' : 'organization'), ...n.identifiers].filter(
        (k): k is string => !!k,
      );
      for (const m of await findTargets(tx, db, {
        keys,
        name: { value: name, person: n.subject_kind === 'person', birthDate: n.birth_dates[0] },
      }))
        cases.set(m.caseId, m.basis);
    }
    const hours = Number(await setting<number>(tx, 'equitiesHours'));
    await tx.query(
      "UPDATE nominations SET status = 'pending_deconfliction', reviewer_id = $2, equities_due = now() + make_interval(hours => $3), updated_at = now() WHERE id = $1",
      [id, me.id, hours],
    );
    await history(tx, id, me.username, 'accept', note);
    let asked = 0;
    for (const [caseId, basis] of cases) {
      const c = await caseOwner(tx, caseId);
      // Only a case owner who may read the nomination is asked: telling one who may not would reveal
      // a nomination on a name they supplied (and let them veto what they cannot read). The reviewer
      // is told whom to call instead, pointer-only.
      const owner = await findUserById(tx, c.owner_id);
      if (!owner || !(await visibleNomination(tx, owner, id))) {
        const p = await casePointer(tx, caseId);
        await history(
          tx,
          id,
          'system',
          'equities.unasked',
          `case of ${describePointer(p)} works this subject (${basis}) but may not read the nomination`,
        );
        await notify(tx, {
          agency: me.agency,
          userId: me.id,
          kind: 'watchlist.equities.unasked',
          message: `Nomination ${n.reference}: an open case of ${describePointer(p)} works this subject (${basis}) but its owner may not read the nomination, so was not asked. Coordinate with them before it goes active.`,
          ref: n.reference,
        });
        continue;
      }
      asked++;
      // Asked again on a second acceptance (after an objection): the earlier answer no longer stands.
      await tx.query(
        `INSERT INTO nomination_equities (nomination_id, case_id, basis) VALUES ($1, $2, $3)
         ON CONFLICT (nomination_id, case_id) DO UPDATE SET basis = excluded.basis, response = NULL, note = NULL, responded_at = NULL`,
        [id, caseId, basis],
      );
      // The case owner learns that a nomination touches their case, and whom to call; the basis stays with the watchlist center.
      await notify(tx, {
        agency: c.agency,
        userId: c.owner_id,
        kind: 'watchlist.equities',
        message: `A watchlist nomination (${n.reference}) concerns a target of your case ${c.case_number} (${basis}). Say within ${hours} hours whether listing would harm your investigation; contact the watchlist center.`,
        ref: n.reference,
        payload: { nomination: n.reference, caseId },
      });
    }
    return { status: 'pending_deconfliction', casesAsked: asked };
  });
  if (out.status === 'pending_deconfliction') await activateDue(db);
  return out;
}

/** A case owner's answer on investigative equities. An objection returns the nomination to review. */
export async function respondEquities(
  db: Database,
  me: Principal,
  id: number,
  caseId: number,
  response: 'no objection' | 'object',
  note: string,
): Promise<void> {
  await db.transaction(async (tx) => {
    const [c] = await tx.query<{ owner_id: number; agency: string }>(
      'SELECT owner_id, agency FROM cases WHERE id = $1',
      [caseId],
    );
    if (!c || c.agency !== me.agency || !(c.owner_id === me.id || may(me, 'approveExigent')))
      throw new WatchlistError(`case ${caseId} is not yours to answer for`, 403);
    // A nomination the answerer may not read answers as one with nothing to answer.
    if (!(await visibleNomination(tx, me, id)))
      throw new WatchlistError(`nothing to answer for case ${caseId} on nomination ${id}`, 404);
    const [e] = await tx.query(
      'SELECT 1 FROM nomination_equities WHERE nomination_id = $1 AND case_id = $2 AND response IS NULL',
      [id, caseId],
    );
    if (!e) throw new WatchlistError(`nothing to answer for case ${caseId} on nomination ${id}`, 404);
    await tx.query(
      'UPDATE nomination_equities SET response = $3, note = $4, responded_at = now() WHERE nomination_id = $1 AND case_id = $2',
      [id, caseId, response, note],
    );
    await history(tx, id, me.username, `equities.${response === 'object' ? 'object' : 'clear'}`, note);
    if (response === 'object') {
      await tx.query("UPDATE nominations SET status = 'pending_review', updated_at = now() WHERE id = $1", [id]);
      const n = await load(tx, id);
      const reviewers = await tx.query<{ id: number; agency: string }>(
        "SELECT id, agency FROM users WHERE 'watchlist_reviewer' = ANY(roles) AND NOT disabled",
      );
      for (const r of reviewers)
        await notify(tx, {
          agency: r.agency,
          userId: r.id,
          kind: 'watchlist.objection',
          message: `A case owner objects to nomination ${n.reference}: ${note}`,
          ref: n.reference,
        });
    }
  });
  await activateDue(db);
}

/**
 * Nominations waiting on deconfliction go active when every case asked has cleared,
 * or when the time for answers has passed with no objection; activation writes the
 * releasable screening record. Returns how many went active.
 */
export async function activateDue(db: Database, now = new Date()): Promise<number> {
  return db.transaction(async (tx) => {
    const due = await tx.query<{ id: number }>(
      `SELECT n.id FROM nominations n WHERE n.status = 'pending_deconfliction'
         AND NOT EXISTS (SELECT 1 FROM nomination_equities e WHERE e.nomination_id = n.id AND e.response = 'object')
         AND (n.equities_due <= $1 OR NOT EXISTS (SELECT 1 FROM nomination_equities e WHERE e.nomination_id = n.id AND e.response IS NULL))
       FOR UPDATE`,
      [now.toISOString()],
    );
    const rule = await setting<DowngradeRule>(tx, 'downgrade');
    for (const { id } of due) {
      const n = await load(tx, id);
      const sr = downgrade(
        {
          subjectKind: n.subject_kind,
          names: n.names,
          birthDates: n.birth_dates,
          nationalities: n.nationalities,
          identifiers: n.identifiers,
          usPerson: n.us_person,
        },
        rule,
      );
      await tx.query(
        `INSERT INTO screening_records (nomination_id, reference, subject_kind, names, birth_dates, nationalities, identifiers, marking, rule)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          id,
          n.reference,
          n.subject_kind,
          sr.names,
          sr.birthDates,
          sr.nationalities,
          sr.identifiers,
          sr.marking,
          JSON.stringify(rule),
        ],
      );
      await tx.query("UPDATE nominations SET status = 'active', updated_at = now() WHERE id = $1", [id]);
      await history(
        tx,
        id,
        'system',
        'activate',
        `screening record released as ${sr.marking} (${sr.dropped.length ? `withheld: ${sr.dropped.join(', ')}` : 'nothing withheld'})`,
      );
      await notify(tx, {
        agency: n.agency,
        userId: n.nominator_id,
        kind: 'watchlist.active',
        message: `Nomination ${n.reference} is active.`,
        ref: n.reference,
      });
    }
    return due.length;
  });
}

/** Redress or review: removal from the list, with the reason; the screening record goes with it. */
export async function removeNomination(db: Database, me: Principal, id: number, reason: string): Promise<void> {
  assertMay(me, 'reviewNominations');
  if (reason.trim().length < 10) throw new WatchlistError('reason: say why the subject is removed');
  await db.transaction(async (tx) => {
    const n = await load(tx, id, true);
    if (!(await visibleNomination(tx, me, id))) throw new WatchlistError(`no nomination ${id}`, 404);
    if (n.status === 'removed') throw new WatchlistError(`nomination ${id} is already removed`, 409);
    await tx.query('DELETE FROM screening_records WHERE nomination_id = $1', [id]);
    await tx.query("UPDATE nominations SET status = 'removed', updated_at = now() WHERE id = $1", [id]);
    await history(tx, id, me.username, 'remove', reason);
  });
}

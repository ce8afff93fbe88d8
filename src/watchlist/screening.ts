// Screening against the watchlist: the releasable screening records only (never
// the nominations behind them). A screener learns "possible match: contact the
// watchlist center" and an encounter reference, nothing of the listing; every
// encounter is logged; a person the watchlist center cleared as a false positive
// against a listing is not stopped for it again.
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../store/db.js';
import { appendAudit } from '../store/audit.js';
import { assertMay, type Principal } from '../domain/users.js';
import { canRead, parseMarking } from '../domain/markings.js';
import { ScreeningIndex, type ScreeningQuery } from '../resolve/screen-index.js';
import { DEFAULT_THRESHOLD } from '../resolve/calibrate.js';
import { normalizeName } from '../resolve/normalize.js';
import { WatchlistError } from './nominations.js';

interface Cached {
  index: ScreeningIndex;
  version: string;
  markings: Map<string, string>;
}
const cache = new WeakMap<Database, Cached>();

/** The index of screening records, rebuilt when they change (they are few: thousands, not millions). */
async function watchlistIndex(db: Database): Promise<Cached> {
  const [v] = await db.query<{ version: string }>(
    "SELECT count(*) || ':' || coalesce(max(id), 0) || ':' || coalesce(sum(id), 0) AS version FROM screening_records",
  );
  const have = cache.get(db);
  if (have && have.version === v!.version) return have;
  const rows = await db.query<{
    reference: string;
    subject_kind: string;
    names: string[];
    birth_dates: string[];
    nationalities: string[];
    identifiers: string[];
    marking: string;
  }>('SELECT reference, subject_kind, names, birth_dates, nationalities, identifiers, marking FROM screening_records');
  const index = new ScreeningIndex();
  const markings = new Map<string, string>();
  for (const r of rows) {
    index.add({
      id: r.reference,
      list: 'WATCHLIST',
      kind: r.subject_kind === 'person' ? 'person' : 'organization',
      names: r.names,
      birthDates: r.birth_dates,
      countries: r.nationalities,
      identifiers: r.identifiers,
    });
    markings.set(r.reference, r.marking);
  }
  index.build();
  const c = { index, version: v!.version, markings };
  cache.set(db, c);
  return c;
}

/**
 * For system processes (shipment targeting): whether a name matches a released
 * screening record, without an encounter (no screener met anyone). Call outside
 * any open transaction: it may rebuild the index.
 */
export async function watchlistMatcher(db: Database): Promise<(q: ScreeningQuery) => boolean> {
  const { index } = await watchlistIndex(db);
  return (q) => index.size > 0 && index.search(q, { threshold: DEFAULT_THRESHOLD, limit: 1 }).length > 0;
}

/** Who was screened, reduced to what identifies them: the same person screened again has the same fingerprint. */
export function fingerprint(q: ScreeningQuery): string {
  const n = normalizeName(q.name, q.kind ?? 'any').compact;
  return createHash('sha256')
    .update(`${n}|${q.birthDate ?? ''}|${[...(q.identifiers ?? [])].sort().join(',')}`)
    .digest('hex')
    .slice(0, 32);
}

export interface WatchlistResult {
  result: 'possible match: contact the watchlist center' | 'previously cleared';
  encounter: string;
}

export async function screenWatchlist(db: Database, me: Principal, q: ScreeningQuery): Promise<WatchlistResult[]> {
  return (await watchlistScreener(db, me))(q);
}

/** A screener for many names (a batch): the index is checked for changes once, not per name. */
export async function watchlistScreener(
  db: Database,
  me: Principal,
): Promise<(q: ScreeningQuery) => Promise<WatchlistResult[]>> {
  const { index, markings } = await watchlistIndex(db);
  return (q) => screenWith(db, me, index, markings, q);
}

async function screenWith(
  db: Database,
  me: Principal,
  index: ScreeningIndex,
  markings: Map<string, string>,
  q: ScreeningQuery,
): Promise<WatchlistResult[]> {
  if (!index.size) return [];
  // A screener sees only records released to them (a U.S. person's is NOFORN).
  const hits = index
    .search(q, { threshold: DEFAULT_THRESHOLD, limit: 5 })
    .filter((h) => canRead(me, parseMarking(markings.get(h.entry.id)!, 'WATCHLIST')));
  if (!hits.length) return [];
  const fp = fingerprint(q);
  return db.transaction(async (tx) => {
    const out: WatchlistResult[] = [];
    for (const h of hits) {
      const [n] = await tx.query<{ id: number }>('SELECT id FROM nominations WHERE reference = $1', [h.entry.id]);
      if (!n) continue;
      const [cleared] = await tx.query(
        'SELECT 1 FROM cleared_identities WHERE nomination_id = $1 AND fingerprint = $2',
        [n.id, fp],
      );
      const ref = `ENC-${randomBytes(5).toString('hex').toUpperCase()}`;
      const outcome = cleared ? 'previously cleared' : 'possible match';
      await tx.query(
        'INSERT INTO encounters (reference, screener_id, agency, query, fingerprint, nomination_id, score, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [ref, me.id || null, me.agency, JSON.stringify(q), fp, n.id, h.score, outcome],
      );
      await appendAudit(tx, { actor: me.username, action: 'watchlist.encounter', target: ref, details: { outcome } });
      if (!cleared) out.push({ result: 'possible match: contact the watchlist center', encounter: ref });
    }
    return out;
  });
}

/** The watchlist center records what an encounter was; a false positive is remembered for that person and listing. */
export async function resolveEncounter(
  db: Database,
  me: Principal,
  reference: string,
  outcome: 'confirmed' | 'false positive',
  note: string,
): Promise<void> {
  assertMay(me, 'reviewNominations');
  await db.transaction(async (tx) => {
    const [e] = await tx.query<{ id: number; nomination_id: number; fingerprint: string; outcome: string }>(
      'SELECT id, nomination_id, fingerprint, outcome FROM encounters WHERE reference = $1 FOR UPDATE',
      [reference],
    );
    if (!e) throw new WatchlistError(`no encounter ${reference}`, 404);
    if (e.outcome !== 'possible match') throw new WatchlistError(`encounter ${reference} is already ${e.outcome}`, 409);
    await tx.query(
      'UPDATE encounters SET outcome = $2, resolved_by = $3, resolved_at = now(), note = $4 WHERE id = $1',
      [e.id, outcome, me.id, note],
    );
    if (outcome === 'false positive') {
      await tx.query(
        'INSERT INTO cleared_identities (nomination_id, fingerprint, cleared_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [e.nomination_id, e.fingerprint, me.id],
      );
    }
    await appendAudit(tx, {
      actor: me.username,
      action: 'watchlist.encounter.resolve',
      target: reference,
      details: { outcome },
    });
  });
}

export interface Encounter {
  reference: string;
  at: string;
  agency: string;
  query: ScreeningQuery;
  score: number;
  outcome: string;
  nomination: string;
  note: string | null;
}

export async function encounters(db: Database, me: Principal, nominationId?: number): Promise<Encounter[]> {
  assertMay(me, 'reviewNominations');
  return db.query<Encounter>(
    `SELECT e.reference, e.at, e.agency, e.query, e.score, e.outcome, n.reference AS nomination, e.note FROM encounters e JOIN nominations n ON n.id = e.nomination_id
      WHERE ($1::int IS NULL OR e.nomination_id = $1) ORDER BY e.id DESC LIMIT 500`,
    [nominationId ?? null],
  );
}

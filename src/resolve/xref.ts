// Cross-referencing: every person or organisation written to the store is matched
// against what is already known, with the same blocking index and scorer as
// screening: the store's index (store-index.ts), built once per database handle and
// extended. Pairs at or above LINK_THRESHOLD become possible links for an analyst to
// confirm or reject. It runs as the system over all data; the links it writes are
// filtered by row-level security when read (a reader sees a link only when they may
// see both entities). A large write is done in batches of XREF_BATCH entities, each
// its own transaction, and gives the links one batch of everything would give.
// (A trigram query per name was tried first: ~20 ms a name without the index
// engaging at demo size, ten times the whole demo load.)
import { databaseUnavailable, type Database, type Sql } from '../store/db.js';
import type { AfterWriteOptions } from '../store/after-write.js';
import { appendAudit } from '../store/audit.js';
import type { ScreeningIndex } from './screen-index.js';
import { DEFAULT_THRESHOLD } from './calibrate.js';
import { derivedMarkings, internHighest } from '../store/derived.js';
import { PROFILE_PAGE, profiles, queriesOf, storeIndex, type Profile } from './store-index.js';

/** Calibrated, as for screening: the threshold with the best F1 on the tuning set. */
export const LINK_THRESHOLD = DEFAULT_THRESHOLD;
/** Entities cross-referenced a transaction: bounds a batch's memory and its rows locked. */
export const XREF_BATCH = 5000;
/** Hits kept per name searched. */
const HITS_PER_NAME = 20;
/**
 * The marking of a possible link: the highest of everything its reasons could quote
 * (both entities' matched values and their presences), so a reader sees the link, its
 * score and its reasons only when they may read all of that (row-level security).
 */
async function linkMarkings(tx: Sql, db: Database, pairs: { left: string; right: string }[]): Promise<number[]> {
  const cache = derivedMarkings(db);
  const ids = [...new Set(pairs.flatMap((p) => [p.left, p.right]))];
  const of = new Map<string, Set<number>>();
  for (let i = 0; i < ids.length; i += PROFILE_PAGE) {
    const part = ids.slice(i, i + PROFILE_PAGE);
    for (const p of (await profiles(tx, part)).values()) of.set(p.id, new Set(p.markingIds));
    const pres = await tx.query<{ entity_id: string; marking_id: number }>(
      'SELECT DISTINCT entity_id, marking_id FROM presence WHERE entity_id = ANY($1)',
      [part],
    );
    for (const r of pres) {
      const set = of.get(r.entity_id) ?? new Set<number>();
      set.add(r.marking_id);
      of.set(r.entity_id, set);
    }
  }
  const out: number[] = [];
  const local = new Map<string, number>();
  for (const p of pairs) {
    const ids = [...(of.get(p.left) ?? []), ...(of.get(p.right) ?? [])];
    out.push(
      await internHighest(
        tx,
        cache,
        ids,
        () => `possible link ${p.left} ~ ${p.right}: neither entity has a marking`,
        local,
      ),
    );
  }
  return out;
}

/** Databases whose links all carry markings: every link written since is marked as it is written. */
const allMarked = new WeakSet<Database>();
const MARK_AT_ONCE = 50_000;

/**
 * Links written before links carried markings (migration 018) are marked; until then
 * no reader sees them. Looked for until none is left, then no more: the search scans
 * every link, which a large import's batches would otherwise do once each.
 */
async function markUnmarkedLinks(tx: Sql, db: Database): Promise<{ marked: number; complete: boolean }> {
  if (allMarked.has(db)) return { marked: 0, complete: true };
  const rows = await tx.query<{ id: number; left_id: string; right_id: string }>(
    'SELECT id, left_id, right_id FROM possible_links WHERE marking_id IS NULL ORDER BY id LIMIT $1',
    [MARK_AT_ONCE],
  );
  const complete = rows.length < MARK_AT_ONCE;
  if (!rows.length) return { marked: 0, complete };
  const ms = await linkMarkings(
    tx,
    db,
    rows.map((r) => ({ left: r.left_id, right: r.right_id })),
  );
  await tx.query(
    'UPDATE possible_links l SET marking_id = t.m FROM unnest($1::bigint[], $2::int[]) AS t(id, m) WHERE l.id = t.id',
    [rows.map((r) => r.id), ms],
  );
  return { marked: rows.length, complete };
}

export interface XrefResult {
  /** People and organisations matched. */
  checked: number;
  /** New possible links. */
  links: number;
}

interface Found {
  left: string;
  right: string;
  score: number;
  reasons: string[];
}

/**
 * Whether `a` is the better finding of a pair than `b`: the higher score, and on a
 * tie the reasons' text, so the link kept does not depend on which name or which
 * side was searched first.
 */
function better(a: Found, b: Found | undefined): boolean {
  if (!b) return true;
  if (a.score !== b.score) return a.score > b.score;
  return JSON.stringify(a.reasons) < JSON.stringify(b.reasons);
}

/** Every other party of the same kind that searching each of `p`'s names finds. */
function* findingsOf(index: ScreeningIndex, p: Profile): Generator<Found> {
  for (const q of queriesOf(p)) {
    for (const h of index.search(q, { threshold: LINK_THRESHOLD, limit: HITS_PER_NAME })) {
      if (h.entry.id === p.id || (h.entry.kind === 'person') !== p.person) continue;
      const [left, right] = p.id < h.entry.id ? [p.id, h.entry.id] : [h.entry.id, p.id];
      yield { left, right, score: h.score, reasons: h.reasons };
    }
  }
}

const key = (f: { left: string; right: string }): string => `${f.left} ${f.right}`;

/**
 * Matches the given entities against the store; records new possible links. A
 * pair's link is the better of searching from either side (the other side is
 * searched too when it is not among `entityIds`), so it is the same whichever of the
 * two was written, or cross-referenced, first: batches give what one batch gives.
 */
export async function crossReference(db: Database, entityIds: string[], actor = 'system'): Promise<XrefResult> {
  if (!entityIds.length) return { checked: 0, links: 0 };
  let marked = false;
  const result = await db.transaction(async (tx) => {
    const mine = await profiles(tx, [...new Set(entityIds)]);
    if (!mine.size) return { checked: 0, links: 0 };
    const index = await storeIndex(tx, db);
    const found = new Map<string, Found>();
    for (const p of mine.values())
      for (const f of findingsOf(index, p)) if (better(f, found.get(key(f)))) found.set(key(f), f);
    // The other side of each pair found, where it was not searched above; only pairs
    // already found are kept from it (another batch would not have searched it for the rest).
    const others = new Set<string>();
    for (const f of found.values()) for (const id of [f.left, f.right]) if (!mine.has(id)) others.add(id);
    const other = [...others];
    for (let i = 0; i < other.length; i += PROFILE_PAGE)
      for (const p of (await profiles(tx, other.slice(i, i + PROFILE_PAGE))).values())
        for (const f of findingsOf(index, p)) {
          const prev = found.get(key(f));
          if (prev && better(f, prev)) found.set(key(f), f);
        }
    const list = [...found.values()];
    const marks = list.length ? await linkMarkings(tx, db, list) : [];
    const inserted = list.length
      ? await tx.query(
          `INSERT INTO possible_links (left_id, right_id, score, reasons, marking_id)
           SELECT l, r, s, x::jsonb, m FROM unnest($1::text[], $2::text[], $3::real[], $4::text[], $5::int[]) AS t(l, r, s, x, m)
           ON CONFLICT (left_id, right_id) DO NOTHING RETURNING id`,
          [
            list.map((l) => l.left),
            list.map((l) => l.right),
            list.map((l) => l.score),
            list.map((l) => JSON.stringify(l.reasons)),
            marks,
          ],
        )
      : [];
    marked = (await markUnmarkedLinks(tx, db)).complete;
    if (inserted.length)
      await appendAudit(tx, { actor, action: 'xref.links', details: { checked: mine.size, links: inserted.length } });
    return { checked: mine.size, links: inserted.length };
  });
  if (marked) allMarked.add(db); // once committed: a rolled-back marking is looked for again
  return result;
}

export interface XrefRun extends XrefResult {
  /** Entities not cross-referenced: their batch failed (logged); `chokepoint xref` redoes them. */
  failed: number;
}

/**
 * Cross-references any number of entities, `batchSize` a transaction, against the
 * one store index (built by the first batch when the process has none, extended
 * after, never rebuilt per batch). A batch that fails is logged and counted, and the
 * rest go on; when the database is out of reach the whole run fails (a queued job
 * stays queued and is done again).
 */
export async function crossReferenceAll(
  db: Database,
  entityIds: string[],
  actor = 'system',
  opts: { batchSize?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<XrefRun> {
  const ids = [...new Set(entityIds)];
  const size = opts.batchSize ?? XREF_BATCH;
  const run: XrefRun = { checked: 0, links: 0, failed: 0 };
  for (let i = 0; i < ids.length; i += size) {
    const batch = ids.slice(i, i + size);
    try {
      const r = await crossReference(db, batch, actor);
      run.checked += r.checked;
      run.links += r.links;
    } catch (e) {
      if (databaseUnavailable(e as Error)) throw e;
      run.failed += batch.length;
      console.error(
        `cross-referencing failed for ${batch.length} entities (${(e as Error).message}); run \`chokepoint xref\``,
      );
    }
    opts.onProgress?.(i + batch.length, ids.length);
  }
  return run;
}

/**
 * After every write (installed by src/capabilities.ts): its links are what the write
 * reports. It runs after the write has committed, so a failure must not turn the
 * write into a reported failure (re-sending it would find nothing changed): the
 * entities left are told to the writer's answer (onLeftUndone) and logged.
 */
export const crossReferenceReaction = {
  name: 'cross-referencing',
  order: 10,
  skipWithoutCrossReference: true,
  reportsLinks: true,
  redo: 'chokepoint xref',
  run: async (db: Database, entityIds: string[], actor: string, opts: AfterWriteOptions): Promise<number> => {
    const r = await crossReferenceAll(db, entityIds, actor, {
      batchSize: opts.batchSize,
      onProgress: opts.onProgress && ((done, total) => opts.onProgress!('cross-referencing', done, total)),
    });
    if (r.failed)
      opts.onLeftUndone?.({ step: 'cross-referencing', entities: r.failed, reason: 'failed', redo: 'chokepoint xref' });
    return r.links;
  },
};

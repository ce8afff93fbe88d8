// Markings of derived rows. Anything computed from statements as the system (alerts,
// notices, press sightings) carries the highest marking of what it quotes, so that
// the same rule as for statements decides who may read it (migration 018).
import type { Database, Sql } from './db.js';
import { MarkingCache } from './markings.js';
import { highestMarking } from '../domain/markings.js';

const caches = new WeakMap<object, MarkingCache>();

/** One marking cache per database handle for derived rows (marking rows never change once written). */
export function derivedMarkings(db: Database | Sql): MarkingCache {
  let c = caches.get(db);
  if (!c) caches.set(db, (c = new MarkingCache()));
  return c;
}

/**
 * The interned id of the highest of the given markings (the marking of a row derived
 * from rows under them). `none` says what is missing when there is no marking at all;
 * `local` caches what this transaction interned (see MarkingCache.intern).
 */
export async function internHighest(
  tx: Sql,
  cache: MarkingCache,
  markingIds: Iterable<number>,
  none: () => string,
  local?: Map<string, number>,
): Promise<number> {
  const ms = [];
  for (const id of new Set(markingIds)) ms.push(await cache.get(tx, id)); // one connection: in turn
  const top = highestMarking(ms);
  if (!top) throw new Error(none());
  return cache.intern(tx, top, local);
}

/**
 * The interned id of the highest marking over everything stored about `entityIds`:
 * each one's presences and values (the record and entity ids and values a derived row
 * may quote). Throws for ids with nothing stored: a derived row must not outlive it.
 */
export async function markingOfEntities(tx: Sql, cache: MarkingCache, entityIds: string[]): Promise<number> {
  const rows = await tx.query<{ marking_id: number }>(
    `SELECT marking_id FROM presence WHERE entity_id = ANY($1)
     UNION SELECT marking_id FROM statements WHERE entity_id = ANY($1)`,
    [entityIds],
  );
  return internHighest(
    tx,
    cache,
    rows.map((r) => r.marking_id),
    () => `no marking for ${entityIds.join(', ')}: nothing is stored about it`,
  );
}

/** The interned id of the highest marking of a stored record: its own, its basis', and every presence and value in it. */
export async function markingOfRecord(
  tx: Sql,
  cache: MarkingCache,
  source: string,
  sourceRecordId: string,
): Promise<number> {
  const rows = await tx.query<{ marking_id: number }>(
    `WITH r AS (SELECT id, marking_id FROM records WHERE source = $1 AND source_record_id = $2)
     SELECT marking_id FROM r
     UNION SELECT b.marking_id FROM record_basis b JOIN r ON r.id = b.record_id
     UNION SELECT p.marking_id FROM presence p JOIN r ON r.id = p.record_id
     UNION SELECT s.marking_id FROM statements s JOIN r ON r.id = s.record_id`,
    [source, sourceRecordId],
  );
  return internHighest(
    tx,
    cache,
    rows.map((r) => r.marking_id),
    () => `no record ${source}/${sourceRecordId}`,
  );
}

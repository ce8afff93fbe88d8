// Cross-referencing: every person or organisation written to the store is matched
// against what is already known, with the same blocking index and scorer as
// screening: an in-memory ScreeningIndex of the store's people and organisations,
// kept per database handle and extended with the statements written since it was
// last brought up to date (statement ids only grow). Pairs at or above
// LINK_THRESHOLD become possible links for an analyst to confirm or reject. It runs
// as the system over all data; the links it writes are filtered by row-level
// security when read (a reader sees a link only when they may see both entities).
// (A trigram query per name was tried first: ~20 ms a name without the index
// engaging at demo size, ten times the whole demo load.)
import type { Database, Sql } from '../store/db.js';
import { appendAudit } from '../store/audit.js';
import { model } from '../domain/model.js';
import { ScreeningIndex } from './screen-index.js';
import { DEFAULT_THRESHOLD } from './calibrate.js';
import { derivedMarkings, internHighest } from '../store/derived.js';

/** Calibrated, as for screening: the threshold with the best F1 on the tuning set. */
export const LINK_THRESHOLD = DEFAULT_THRESHOLD;
const NAME_PROPS = ['name', 'alias', 'previousName', 'nameScript'];
const COUNTRY_PROPS = ['nationality', 'citizenship', 'country', 'jurisdiction', 'mainCountry'];
const ID_PROPS = ['passportNumber', 'idNumber', 'registrationNumber', 'taxNumber', 'phone', 'email'];

interface Profile {
  id: string;
  schema: string;
  person: boolean;
  rawNames: string[];
  birthDates: string[];
  countries: string[];
  identifiers: string[];
  /** Markings of everything a link's reasons could quote: these values and the entity's presences. */
  markingIds: Set<number>;
}

async function profiles(tx: Sql, ids: string[]): Promise<Map<string, Profile>> {
  const rows = await tx.query<{
    entity_id: string;
    schema: string;
    prop: string;
    value: string;
    search_key: string | null;
    marking_id: number;
  }>(
    `SELECT s.entity_id, e.schema, s.prop, s.value, s.search_key, s.marking_id FROM statements s JOIN entities e ON e.id = s.entity_id
      WHERE s.entity_id = ANY($1) AND s.prop = ANY($2)`,
    [ids, [...NAME_PROPS, 'birthDate', ...COUNTRY_PROPS, ...ID_PROPS]],
  );
  const out = new Map<string, Profile>();
  for (const r of rows) {
    const party = model.party(r.schema);
    if (!party || !model.matchable(r.schema)) continue;
    const person = party === 'person';
    let p = out.get(r.entity_id);
    if (!p)
      out.set(
        r.entity_id,
        (p = {
          id: r.entity_id,
          schema: r.schema,
          person,
          rawNames: [],
          birthDates: [],
          countries: [],
          identifiers: [],
          markingIds: new Set(),
        }),
      );
    p.markingIds.add(r.marking_id);
    if (NAME_PROPS.includes(r.prop)) p.rawNames.push(r.value);
    else if (r.prop === 'birthDate') p.birthDates.push(r.value);
    else if (COUNTRY_PROPS.includes(r.prop)) p.countries.push(r.value);
    else if (r.search_key)
      p.identifiers.push(`${r.prop === 'email' || r.prop === 'phone' ? r.prop : 'id'}:${r.search_key}`);
  }
  return out;
}

/**
 * The marking of a possible link: the highest of everything its reasons could quote
 * (both entities' matched values and their presences), so a reader sees the link, its
 * score and its reasons only when they may read all of that (row-level security).
 */
async function linkMarkings(tx: Sql, db: Database, pairs: { left: string; right: string }[]): Promise<number[]> {
  const cache = derivedMarkings(db);
  const ids = [...new Set(pairs.flatMap((p) => [p.left, p.right]))];
  const of = new Map<string, Set<number>>();
  for (let i = 0; i < ids.length; i += 20_000) {
    const part = ids.slice(i, i + 20_000);
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

/** Links written before links carried markings (migration 018) are marked; until then no reader sees them. */
async function markUnmarkedLinks(tx: Sql, db: Database): Promise<number> {
  const rows = await tx.query<{ id: number; left_id: string; right_id: string }>(
    'SELECT id, left_id, right_id FROM possible_links WHERE marking_id IS NULL ORDER BY id LIMIT 50000',
  );
  if (!rows.length) return 0;
  const ms = await linkMarkings(
    tx,
    db,
    rows.map((r) => ({ left: r.left_id, right: r.right_id })),
  );
  await tx.query(
    'UPDATE possible_links l SET marking_id = t.m FROM unnest($1::bigint[], $2::int[]) AS t(id, m) WHERE l.id = t.id',
    [rows.map((r) => r.id), ms],
  );
  return rows.length;
}

export interface XrefResult {
  checked: number;
  links: number;
}

interface StoreIndex {
  index: ScreeningIndex;
  upTo: number; // highest statement id indexed
  deletionsUpTo: number; // highest statement_deletions id seen
}
const indexes = new WeakMap<Database, StoreIndex>();

/**
 * Brings the database's index up to date: entities with statements written since
 * last time, or that lost statements (a corrected or purged record), are read
 * again and replace their old entry; those with nothing left are dropped, with
 * their possible links (a link to what the store no longer holds is no lead).
 */
async function storeIndex(tx: Sql, db: Database): Promise<ScreeningIndex> {
  let si = indexes.get(db);
  if (!si) {
    // Deletions before the first build are already reflected in what it reads.
    const [d] = await tx.query<{ max: number | null }>('SELECT max(id) AS max FROM statement_deletions');
    indexes.set(db, (si = { index: new ScreeningIndex(), upTo: 0, deletionsUpTo: Number(d?.max ?? 0) }));
  }
  const fresh = await tx.query<{ entity_id: string; max: number }>(
    `SELECT entity_id, max(id) AS max FROM statements WHERE id > $1 AND prop = ANY($2) GROUP BY entity_id`,
    [si.upTo, NAME_PROPS],
  );
  const deleted = await tx.query<{ entity_id: string; max: number }>(
    'SELECT entity_id, max(id) AS max FROM statement_deletions WHERE id > $1 GROUP BY entity_id',
    [si.deletionsUpTo],
  );
  if (!fresh.length && !deleted.length) return si.index;
  const ids = [...new Set([...fresh, ...deleted].map((f) => f.entity_id))];
  const isFirstBuild = si.upTo === 0;
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 20_000) {
    for (const p of (await profiles(tx, ids.slice(i, i + 20_000))).values()) {
      found.add(p.id);
      if (!isFirstBuild) si.index.remove(p.id);
      si.index.add({
        id: p.id,
        list: 'store',
        kind: p.person ? 'person' : 'organization',
        names: p.rawNames,
        birthDates: p.birthDates,
        countries: p.countries,
        identifiers: p.identifiers,
      });
    }
  }
  const gone = deleted.map((d) => d.entity_id).filter((id) => !found.has(id));
  for (const id of gone) si.index.remove(id);
  if (gone.length) {
    const dropped = await tx.query(
      'DELETE FROM possible_links l WHERE (l.left_id = ANY($1) OR l.right_id = ANY($1)) AND NOT (EXISTS (SELECT 1 FROM presence p WHERE p.entity_id = l.left_id) AND EXISTS (SELECT 1 FROM presence p WHERE p.entity_id = l.right_id)) RETURNING id',
      [gone],
    );
    if (dropped.length)
      await appendAudit(tx, {
        actor: 'system',
        action: 'xref.links.dropped',
        details: { entities: gone.slice(0, 1000), links: dropped.length },
      });
  }
  // Loops, not Math.max(...spread): a first build passes one value per entity, past the engine's argument limit.
  for (const f of fresh) if (f.max > si.upTo) si.upTo = f.max;
  for (const d of deleted) if (d.max > si.deletionsUpTo) si.deletionsUpTo = d.max;
  si.index.build();
  return si.index;
}

/** Matches the given entities against the store; records new possible links. */
export async function crossReference(db: Database, entityIds: string[], actor = 'system'): Promise<XrefResult> {
  if (!entityIds.length) return { checked: 0, links: 0 };
  return db.transaction(async (tx) => {
    const mine = await profiles(tx, [...new Set(entityIds)]);
    if (!mine.size) return { checked: 0, links: 0 };
    const index = await storeIndex(tx, db);
    const found = new Map<string, { left: string; right: string; score: number; reasons: string[] }>();
    for (const p of mine.values()) {
      for (const name of p.rawNames) {
        const hits = index.search(
          {
            name,
            kind: p.person ? 'person' : 'organization',
            birthDate: p.birthDates[0],
            countries: p.countries,
            identifiers: p.identifiers,
          },
          { threshold: LINK_THRESHOLD, limit: 20 },
        );
        for (const h of hits) {
          if (h.entry.id === p.id || (h.entry.kind === 'person') !== p.person) continue;
          const [left, right] = p.id < h.entry.id ? [p.id, h.entry.id] : [h.entry.id, p.id];
          const prev = found.get(`${left} ${right}`);
          if (!prev || prev.score < h.score)
            found.set(`${left} ${right}`, { left, right, score: h.score, reasons: h.reasons });
        }
      }
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
    await markUnmarkedLinks(tx, db);
    if (inserted.length)
      await appendAudit(tx, { actor, action: 'xref.links', details: { checked: mine.size, links: inserted.length } });
    return { checked: mine.size, links: inserted.length };
  });
}

/**
 * Cross-referencing after a write has committed: a failure here must not turn the
 * committed write into a reported failure (re-sending it would find nothing changed),
 * so it is logged and `chokepoint xref` redoes it. Returns the links found, or null.
 */
export async function crossReferenceAfterWrite(
  db: Database,
  entityIds: string[],
  actor: string,
): Promise<number | null> {
  try {
    return (await crossReference(db, entityIds, actor)).links;
  } catch (e) {
    console.error(
      `cross-referencing failed after the write committed (${(e as Error).message}); run \`chokepoint xref\``,
    );
    return null;
  }
}

/** After every write (installed by src/capabilities.ts): its links are what the write reports. */
export const crossReferenceReaction = {
  name: 'cross-referencing',
  order: 10,
  skipWithoutCrossReference: true,
  reportsLinks: true,
  run: (db: Database, entityIds: string[], actor: string) => crossReferenceAfterWrite(db, entityIds, actor),
};

// The store's screening index for cross-referencing: an in-memory ScreeningIndex of
// the store's people and organisations, one per database handle, built once and then
// extended with the statements written since it was last brought up to date
// (statement ids only grow). Every read is in pages, so memory while building is the
// index plus one page, whatever the store's size.
import type { Database, Sql } from '../store/db.js';
import { appendAudit } from '../store/audit.js';
import { model } from '../domain/model.js';
import { ScreeningIndex, type ScreeningQuery } from './screen-index.js';

const NAME_PROPS = ['name', 'alias', 'previousName', 'nameScript'];
const COUNTRY_PROPS = ['nationality', 'citizenship', 'country', 'jurisdiction', 'mainCountry'];
const ID_PROPS = ['passportNumber', 'idNumber', 'registrationNumber', 'taxNumber', 'phone', 'email'];
/** Entities read a query: bounds one page's rows (about ten statements each). */
export const PROFILE_PAGE = 20_000;
/** Statement ids a page of an update spans: an import of a million entities is read in pages, not one answer. */
const STATEMENT_WINDOW = 200_000;

export interface Profile {
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

/**
 * What matching reads of each matchable person or organisation among `ids`. In
 * statement order, so that a profile (and a query's first birth date) is the same
 * whichever page or batch reads it.
 */
export async function profiles(tx: Sql, ids: string[]): Promise<Map<string, Profile>> {
  const rows = await tx.query<{
    entity_id: string;
    schema: string;
    prop: string;
    value: string;
    search_key: string | null;
    marking_id: number;
  }>(
    `SELECT s.entity_id, e.schema, s.prop, s.value, s.search_key, s.marking_id FROM statements s JOIN entities e ON e.id = s.entity_id
      WHERE s.entity_id = ANY($1) AND s.prop = ANY($2) ORDER BY s.id`,
    [ids, [...NAME_PROPS, 'birthDate', ...COUNTRY_PROPS, ...ID_PROPS]],
  );
  const out = new Map<string, Profile>();
  for (const r of rows) {
    const party = model.party(r.schema);
    if (!party || !model.matchable(r.schema)) continue;
    let p = out.get(r.entity_id);
    if (!p)
      out.set(
        r.entity_id,
        (p = {
          id: r.entity_id,
          schema: r.schema,
          person: party === 'person',
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

/** The screening queries of a profile: one per name. */
export function queriesOf(p: Profile): ScreeningQuery[] {
  return p.rawNames.map((name) => ({
    name,
    kind: p.person ? 'person' : 'organization',
    birthDate: p.birthDates[0],
    countries: p.countries,
    identifiers: p.identifiers,
  }));
}

interface StoreIndex {
  index: ScreeningIndex;
  upTo: number; // highest statement id indexed
  deletionsUpTo: number; // highest statement_deletions id seen
}
const indexes = new WeakMap<Database, StoreIndex>();

function put(index: ScreeningIndex, p: Profile): void {
  index.remove(p.id); // its entry before this statement, if any
  index.add({
    id: p.id,
    list: 'store',
    kind: p.person ? 'person' : 'organization',
    names: p.rawNames,
    birthDates: p.birthDates,
    countries: p.countries,
    identifiers: p.identifiers,
  });
}

/** The first build: every matchable party, a page of entities at a time, each read once. */
async function buildAll(tx: Sql, index: ScreeningIndex): Promise<void> {
  const schemas = model.descendants('LegalEntity').filter((s) => model.matchable(s));
  let after = '';
  for (;;) {
    const page = await tx.query<{ id: string }>(
      'SELECT id FROM entities WHERE schema = ANY($1) AND id > $2 ORDER BY id LIMIT $3',
      [schemas, after, PROFILE_PAGE],
    );
    if (!page.length) return;
    // As an update does: an entity is indexed once it has a name.
    for (const p of (
      await profiles(
        tx,
        page.map((r) => r.id),
      )
    ).values())
      if (p.rawNames.length) put(index, p);
    after = page[page.length - 1]!.id;
  }
}

/**
 * Brings the database's index up to date: entities with names written since last
 * time, or that lost statements (a corrected or purged record), are read again and
 * replace their old entry; those with nothing left are dropped, with their possible
 * links (a link to what the store no longer holds is no lead). Built once per
 * database handle, then extended: never rebuilt.
 */
export async function storeIndex(tx: Sql, db: Database): Promise<ScreeningIndex> {
  const si = indexes.get(db);
  const [top] = await tx.query<{ s: number | null; d: number | null }>(
    'SELECT (SELECT max(id) FROM statements) AS s, (SELECT max(id) FROM statement_deletions) AS d',
  );
  const lastStatement = Number(top?.s ?? 0);
  if (!si) {
    // What the first build reads already reflects every deletion before it.
    const index = new ScreeningIndex();
    await buildAll(tx, index);
    index.build();
    indexes.set(db, { index, upTo: lastStatement, deletionsUpTo: Number(top?.d ?? 0) });
    return index;
  }
  let changed = false;
  // New statements, a window of statement ids at a time. An entity written across
  // two windows is read twice; its second entry replaces its first.
  while (si.upTo < lastStatement) {
    const to = Math.min(lastStatement, si.upTo + STATEMENT_WINDOW);
    const fresh = await tx.query<{ entity_id: string }>(
      'SELECT DISTINCT entity_id FROM statements WHERE id > $1 AND id <= $2 AND prop = ANY($3)',
      [si.upTo, to, NAME_PROPS],
    );
    for (let i = 0; i < fresh.length; i += PROFILE_PAGE)
      for (const p of (
        await profiles(
          tx,
          fresh.slice(i, i + PROFILE_PAGE).map((f) => f.entity_id),
        )
      ).values())
        put(si.index, p);
    changed ||= fresh.length > 0;
    si.upTo = to;
  }
  const deleted = await tx.query<{ entity_id: string; max: number }>(
    'SELECT entity_id, max(id) AS max FROM statement_deletions WHERE id > $1 GROUP BY entity_id',
    [si.deletionsUpTo],
  );
  if (deleted.length) {
    changed = true;
    const found = new Set<string>();
    for (let i = 0; i < deleted.length; i += PROFILE_PAGE) {
      for (const p of (
        await profiles(
          tx,
          deleted.slice(i, i + PROFILE_PAGE).map((d) => d.entity_id),
        )
      ).values()) {
        found.add(p.id);
        put(si.index, p);
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
    // A loop, not Math.max(...spread): a purge can pass more values than the engine's argument limit.
    for (const d of deleted) if (d.max > si.deletionsUpTo) si.deletionsUpTo = d.max;
  }
  if (changed) si.index.build();
  return si.index;
}

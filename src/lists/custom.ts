// Lists users add (an agency's own watchlist, the EU or UK consolidated list): stored
// in the database (migration 023), marked, and screened beside the shipped lists.
//
// Who sees a list is decided by PostgreSQL's row-level security, as for every marked
// table: before screening, the reader's transaction asks which lists it may read, and
// only those lists' indexes are searched. Each list has its own in-memory index, so a
// hidden list cannot even move the token weights of a visible one.
//
// A revision of a list is a row with its own id whose entries never change (023), so an
// index built for an id is one whole revision. Replacing a list is one transaction; the
// index of the new id is installed after the commit, and a reader who still sees the
// old id (its transaction began before the commit) gets the old list whole.
import { createHash } from 'node:crypto';
import type { Database, Sql } from '../store/db.js';
import type { Store } from '../store/store.js';
import { asReader, withinReaderScope } from '../store/access.js';
import { appendAudit } from '../store/audit.js';
import { writerScope } from '../store/write-scope.js';
import { isSystem } from '../store/write.js';
import { ScreeningIndex, type Hit, type ListEntry, type ScreeningQuery } from '../resolve/screen-index.js';
import { canRead, formatMarking, normalizeMarking, toMarking, type Marking } from '../domain/markings.js';
import type { Principal } from '../domain/users.js';
import { StatusError } from '../domain/errors.js';
import { ValidationError } from '../domain/records.js';
import { readListFiles, type ListFile, type ListFormat } from './list-files.js';
import { DRUG_PROGRAMS, SHIPPED_CODES, type ListInfo } from './registry.js';

export class ListError extends StatusError {}

export interface ListInput {
  name: string;
  format: ListFormat;
  files: ListFile[];
  /** A marking banner or object; default: the adder's agency's own (ORCON, owned by it). */
  marking?: string | (Partial<Marking> & { classification: Marking['classification'] });
  publishDate?: string;
}

export interface ListChange {
  outcome: 'added' | 'replaced' | 'unchanged';
  list: ListInfo;
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
  /** Read but not screening entries (FtM schemata such as Sanction, Address), by what they were. */
  skipped: Record<string, number>;
  note: string;
}

const KINDS: ListEntry['kind'][] = ['person', 'organization', 'vessel', 'aircraft', 'other'];
const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,79}$/;
const NOT_RERUN =
  'Earlier screening results were not re-run: names screened before this change were not screened against it; screen them again to see its effect.';

/**
 * Only the adder's agency reads a list by default: ORCON, owned by it (and released to
 * its own country, when that is not the USA, or a foreign agency could not read its own).
 */
export function defaultListMarking(me: Principal): Marking {
  return normalizeMarking({
    classification: 'U',
    caveats: ['ORCON'],
    relTo: me.country === 'USA' ? [] : [me.country],
    owner: me.agency,
    compartments: [],
    orconTo: [],
  });
}

function listMarking(me: Principal, given: ListInput['marking']): Marking {
  if (given === undefined) {
    if (isSystem(me))
      throw new ListError('state the marking (--marking): the system owns no agency, e.g. U for a public list');
    return defaultListMarking(me);
  }
  const m = toMarking(given, me.agency);
  if (isSystem(me)) return m;
  if (!canRead(me, m))
    throw new ListError(
      `marking ${formatMarking(m)} is above your own access; you may not write what you could not read`,
    );
  if (m.owner !== me.agency && !me.roles.includes('admin'))
    throw new ListError(`marking owner ${m.owner}: you may only mark a list as owned by your agency (${me.agency})`);
  return m;
}

const digestOf = (e: Omit<ListEntry, 'list'>): string =>
  createHash('sha256').update(JSON.stringify(e)).digest('hex').slice(0, 32);

interface ListRow {
  id: number;
  name: string;
  key_scope: string;
  format: string;
  source: string;
  publish_date: string | null;
  added_at: string;
  added_by: string;
  updated_at: string;
  marking: string;
  content_hash: string;
  marking_id: number;
  entries: number;
  by_kind: Record<string, number>;
  drug_program_entries: number;
}
const ROW = `l.id, l.name, l.key_scope, l.format, l.source, l.publish_date, l.added_at, l.added_by, l.updated_at, l.content_hash,
  l.marking_id, m.canonical AS marking, l.entries, l.by_kind, l.drug_program_entries
  FROM screening_lists l JOIN markings m ON m.id = l.marking_id`;

const infoOf = (r: ListRow): ListInfo => ({
  list: r.name,
  name: r.name,
  publishDate: r.publish_date,
  source: r.source,
  entries: r.entries,
  // In the order of kinds (jsonb keeps its keys in an order of its own).
  byKind: Object.fromEntries(KINDS.filter((k) => r.by_kind[k]).map((k) => [k, r.by_kind[k]!])),
  drugProgramEntries: r.drug_program_entries,
  custom: true,
  format: r.format,
  addedAt: r.added_at,
  updatedAt: r.updated_at,
  marking: r.marking,
});

/** The lists `me` may read, as the registry shows them (row-level security decides). */
export async function customLists(db: Database, me: Principal): Promise<ListInfo[]> {
  return (await visibleRows(db, me)).map(infoOf);
}

const visibleRows = (db: Database, me: Principal): Promise<ListRow[]> =>
  asReader(db, me, (tx) => tx.query<ListRow>(`SELECT ${ROW} ORDER BY l.name, l.key_scope`));

/**
 * The stored list of this name a write by `me` addresses, and the key scope a new one
 * takes. Only lists `me` may read are candidates (their own scope's first); a list of
 * the name that `me` may not read is neither replaced nor told of: the write goes beside
 * it, under the writer's scope.
 */
async function addressed(
  db: Database,
  tx: Sql,
  me: Principal,
  name: string,
): Promise<{ target?: ListRow; scope: string }> {
  // Writers of one name one at a time: a row lock alone lets a second writer, woken when the
  // first deleted the old revision, miss the new one and insert a duplicate (PGlite runs one
  // transaction at a time anyway).
  if (db.kind === 'postgres') await tx.query("SELECT pg_advisory_xact_lock(hashtext('screening_list:' || $1))", [name]);
  const rows = await tx.query<ListRow>(`SELECT ${ROW} WHERE l.name = $1 ORDER BY l.id FOR UPDATE OF l`, [name]);
  if (isSystem(me)) return { target: rows.find((r) => r.key_scope === ''), scope: '' };
  const readable = new Set(
    (
      await withinReaderScope(tx, me, (q) =>
        q.query<{ id: number }>('SELECT id FROM screening_lists WHERE name = $1', [name]),
      )
    ).map((r) => r.id),
  );
  const mine = writerScope(me);
  const target =
    rows.find((r) => r.key_scope === mine && readable.has(r.id)) ??
    rows.find((r) => r.key_scope === '' && readable.has(r.id));
  if (target) return { target, scope: target.key_scope };
  if (rows.some((r) => r.key_scope === mine))
    throw new ListError(`a list "${name}" is held under your key scope and you may not read it`, 409);
  return { scope: rows.some((r) => r.key_scope === '') ? mine : '' };
}

/**
 * Adds a list, or replaces the one of the same name `me` may read (`mode: 'update'`
 * requires one). The files are read in full before anything is written; the write is
 * one transaction; the answer says what changed.
 */
export async function putList(
  store: Store,
  me: Principal,
  input: ListInput,
  mode: 'add' | 'update',
): Promise<ListChange> {
  const name = input.name.trim();
  if (!NAME.test(name))
    throw new ValidationError([
      { path: 'name', message: 'letters, digits, spaces and . _ - ( ), starting with a letter or digit, at most 80' },
    ]);
  if (SHIPPED_CODES.includes(name.toUpperCase()))
    throw new ListError(`${name} is a list shipped with Chokepoint; give yours another name`, 409);
  const marking = listMarking(me, input.marking);
  const read = readListFiles(input.format, input.files);
  const entries = read.entries;
  const byKind: Record<string, number> = {};
  for (const k of KINDS) {
    const n = entries.filter((e) => e.kind === k).length;
    if (n) byKind[k] = n;
  }
  const digests = new Map(entries.map((e) => [e.id, digestOf(e)]));
  const drug = entries.filter((e) => e.programs?.some((p) => DRUG_PROGRAMS.includes(p))).length;
  const publishDate = input.publishDate ?? read.publishDate;

  const done = await store.db.transaction(async (tx) => {
    const { target, scope } = await addressed(store.db, tx, me, name);
    if (mode === 'update' && !target) throw new ListError(`no list ${name}`, 404);
    const markingId = await store.markings.intern(tx, marking);
    if (target && target.content_hash === read.contentHash && target.marking_id === markingId)
      return { change: { outcome: 'unchanged' as const, list: infoOf(target), added: 0, removed: 0, changed: 0 } };
    const before = new Map<string, string>();
    if (target) {
      for (const r of await tx.query<{ entry_id: string; digest: string }>(
        'SELECT entry_id, digest FROM screening_list_entries WHERE list_id = $1',
        [target.id],
      ))
        before.set(r.entry_id, r.digest);
      await tx.query('DELETE FROM screening_lists WHERE id = $1', [target.id]);
    }
    const [row] = await tx.query<{ id: number }>(
      `INSERT INTO screening_lists (name, key_scope, format, source, publish_date, added_at, added_by, updated_by, marking_id,
         content_hash, entries, by_kind, drug_program_entries)
       VALUES ($1, $2, $3, $4, $5, coalesce($6::timestamptz, now()), $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
      [
        name,
        scope,
        input.format,
        read.source,
        publishDate,
        target?.added_at ?? null,
        target?.added_by ?? me.username,
        me.username,
        markingId,
        read.contentHash,
        entries.length,
        JSON.stringify(byKind),
        drug,
      ],
    );
    const id = row!.id;
    for (let i = 0; i < entries.length; i += 2000) {
      const chunk = entries.slice(i, i + 2000);
      await tx.query(
        `INSERT INTO screening_list_entries (list_id, entry_id, digest, entry)
         SELECT $1, t.id, t.digest, t.entry::jsonb FROM unnest($2::text[], $3::text[], $4::text[]) AS t (id, digest, entry)`,
        [id, chunk.map((e) => e.id), chunk.map((e) => digests.get(e.id)!), chunk.map((e) => JSON.stringify(e))],
      );
    }
    let added = 0;
    let changed = 0;
    for (const [eid, d] of digests) {
      const old = before.get(eid);
      if (old === undefined) added++;
      else if (old !== d) changed++;
    }
    const removed = [...before.keys()].filter((k) => !digests.has(k)).length;
    const outcome = target ? ('replaced' as const) : ('added' as const);
    await appendAudit(tx, {
      actor: me.username,
      action: target ? 'lists.replace' : 'lists.add',
      target: name,
      details: {
        format: input.format,
        entries: entries.length,
        added,
        removed,
        changed,
        marking: formatMarking(marking),
      },
    });
    const [info] = await tx.query<ListRow>(`SELECT ${ROW} WHERE l.id = $1`, [id]);
    return { change: { outcome, list: infoOf(info!), added, removed, changed }, id, old: target?.id };
  });
  // After the commit: the new revision's index is installed and the old one dropped.
  if (done.id !== undefined) {
    install(store.db, done.id, name, entries);
    if (done.old !== undefined) cacheOf(store.db).delete(done.old);
  }
  const c = done.change;
  return {
    ...c,
    unchanged: c.outcome === 'unchanged' ? c.list.entries : entries.length - c.added - c.changed,
    skipped: read.skipped,
    note:
      c.outcome === 'unchanged'
        ? `The list ${name} is already stored with these files and this marking: nothing changed.`
        : NOT_RERUN,
  };
}

/** Removes the list of this name that `me` may read (a hidden one answers as one never added). */
export async function removeList(
  store: Store,
  me: Principal,
  name: string,
): Promise<{ removed: string; entries: number; note: string }> {
  const gone = await store.db.transaction(async (tx) => {
    const { target } = await addressed(store.db, tx, me, name);
    if (!target) throw new ListError(`no list ${name}`, 404);
    await tx.query('DELETE FROM screening_lists WHERE id = $1', [target.id]);
    await appendAudit(tx, {
      actor: me.username,
      action: 'lists.remove',
      target: name,
      details: { entries: target.entries },
    });
    return target;
  });
  cacheOf(store.db).delete(gone.id);
  return { removed: name, entries: gone.entries, note: NOT_RERUN };
}

// ------------------------------------------------------------------ screening

/** Per database: the index of each list revision (by id), built once. */
const caches = new WeakMap<Database, Map<number, Promise<ScreeningIndex>>>();
function cacheOf(db: Database): Map<number, Promise<ScreeningIndex>> {
  let c = caches.get(db);
  if (!c) caches.set(db, (c = new Map()));
  return c;
}

function indexOf(name: string, entries: Omit<ListEntry, 'list'>[]): ScreeningIndex {
  const index = new ScreeningIndex();
  for (const e of entries) index.add({ ...e, list: name });
  index.build();
  return index;
}

function install(db: Database, id: number, name: string, entries: Omit<ListEntry, 'list'>[]): void {
  cacheOf(db).set(id, Promise.resolve(indexOf(name, entries)));
}

/**
 * A revision's index: from the cache, or built from its stored entries (after a restart,
 * or another process's write). Undefined when the revision was replaced or removed
 * between the reader's look at the lists and this read of its entries.
 */
function indexFor(db: Database, row: ListRow): Promise<ScreeningIndex | undefined> {
  const cache = cacheOf(db);
  const have = cache.get(row.id);
  if (have) return have;
  const ix = (async () => {
    const rows = await db.query<{ entry: Omit<ListEntry, 'list'> }>(
      'SELECT entry FROM screening_list_entries WHERE list_id = $1',
      [row.id],
    );
    // Revisions replaced by another process since: dropped, so the cache holds only live ones.
    const live = new Set((await db.query<{ id: number }>('SELECT id FROM screening_lists')).map((r) => r.id));
    for (const k of cache.keys()) if (!live.has(k)) cache.delete(k);
    if (rows.length !== row.entries) return undefined;
    return indexOf(
      row.name,
      rows.map((r) => r.entry),
    );
  })();
  cache.set(row.id, ix as Promise<ScreeningIndex>);
  ix.then(
    (x) => x || cache.delete(row.id),
    () => cache.delete(row.id),
  );
  return ix;
}

export interface CustomScreener {
  /** The lists screened against, as `me` may see them. */
  lists: ListInfo[];
  screen(q: ScreeningQuery, opts: { threshold: number; limit: number }): Hit[];
}

/** A screener over the lists `me` may read, for one name or a batch (the lists are asked for once). */
export async function customScreener(db: Database, me: Principal): Promise<CustomScreener> {
  // A revision replaced while its entries were being read is gone: look again, and the
  // reader gets the new revision whole rather than an empty old one.
  for (let attempt = 0; ; attempt++) {
    const rows = await visibleRows(db, me);
    const indexes = await Promise.all(rows.map((r) => indexFor(db, r)));
    if (indexes.every((ix) => ix) || attempt === 4) {
      if (!indexes.every((ix) => ix))
        throw new ListError('the lists are being replaced faster than they can be read; try again', 503);
      const ready = indexes as ScreeningIndex[];
      return {
        lists: rows.map(infoOf),
        screen: (q, opts) => ready.flatMap((ix) => (ix.size ? ix.search(q, opts) : [])),
      };
    }
  }
}

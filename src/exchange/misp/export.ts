// What a reader may read, as MISP events: `GET /export?format=misp` and `chokepoint
// export --format misp` (one JSON document, {"response": [{"Event": …}, …]}), and a MISP
// feed (manifest.json, hashes.csv, one <uuid>.json per event) served under /misp/feed/
// for a MISP instance to subscribe to, or written to a directory. Every read is the
// reader's own (the store's reader scope, row-level security), and every file handed
// out is audited and logged as a dissemination of the intelligence records in it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../../store/store.js';
import { entityIdPage, getEntities, recordsOfEntities, type EntityView, type RecordMeta } from '../../store/read.js';
import { logExport } from '../../ingest/dissemination.js';
import { privateWriteStream } from '../../store/private-files.js';
import { assertMay, type Principal } from '../../domain/users.js';
import { canRead, type Marking } from '../../domain/markings.js';
import { writerScope } from '../../store/write-scope.js';
import { mispMapping } from './mapping.js';
import { uuidV5 } from './ids.js';
import { attributeHashes, groupByRecord, manifestEntry, toMispEvents, type Json } from './write.js';

export interface MispScope {
  purpose: string;
  /** Who receives it, when not the reader (e.g. a partner agency). */
  recipient?: string;
  recipientAgency?: string;
  pageSize?: number;
}

/** The feed of one reader at one moment: its events, manifest and hashes, and the intelligence records of each event. */
export interface MispSnapshot {
  events: Map<string, Json>;
  manifest: Record<string, Json>;
  hashes: string;
  intelligence: Map<string, number[]>;
  entities: number;
}

/** Every entity the reader may read, page by page, with the records and presences behind them, in the reader's scope. */
async function snapshot(store: Store, who: Principal, pageSize = 1000): Promise<MispSnapshot> {
  const views: EntityView[] = [];
  const records = new Map<number, RecordMeta>();
  const presences: { entityId: string; recordId: number; marking: Marking }[] = [];
  let after = '';
  for (;;) {
    const page = await store.read(who, async (tx) => {
      const ids = await entityIdPage(tx, after, pageSize);
      return {
        ids,
        entities: await getEntities(tx, store.markings, ids),
        behind: await recordsOfEntities(tx, store.markings, ids),
      };
    });
    if (!page.ids.length) break;
    after = page.ids[page.ids.length - 1]!;
    views.push(...page.entities);
    for (const r of page.behind.records) records.set(r.id, r);
    presences.push(...page.behind.presences);
  }
  const groups = groupByRecord(views, [...records.values()], presences);
  const events = toMispEvents(groups, mispMapping(), {
    mayRead: (m) => canRead(who, m),
    unattributed: uuidV5(`chokepoint:unattributed:${writerScope(who)}`),
    now: Math.floor(Date.now() / 1000),
  });
  const out: MispSnapshot = {
    events: new Map(),
    manifest: {},
    hashes: '',
    intelligence: new Map(),
    entities: views.length,
  };
  const lines: string[] = [];
  events.forEach((e, i) => {
    const uuid = (e.Event as Json).uuid as string;
    out.events.set(uuid, e);
    out.manifest[uuid] = manifestEntry(e);
    for (const h of attributeHashes(e)) lines.push(`${h},${uuid}`);
    const meta = groups[i]!.meta;
    out.intelligence.set(uuid, meta?.kind === 'intelligence' ? [meta.id] : []);
  });
  out.hashes = lines.length ? `${lines.join('\n')}\n` : '';
  return out;
}

// Snapshots per reader scope and store version: a subscribing MISP fetches the manifest, then each event,
// and each of those requests would otherwise read everything again.
const caches = new WeakMap<Store, Map<string, Promise<MispSnapshot>>>();
async function cachedSnapshot(store: Store, who: Principal): Promise<MispSnapshot> {
  const [v] = await store.db.query<{ v: string }>(
    "SELECT (SELECT coalesce(max(id), 0) FROM statements) || ':' || (SELECT count(*) FROM statement_deletions) || ':' || (SELECT coalesce(max(id), 0) || '/' || coalesce(extract(epoch FROM max(imported_at))::bigint, 0) FROM records) AS v",
  );
  const key = `${who.agency}|${who.clearance}|${who.groups.join(',')}|${who.country}|${who.lawEnforcement}|${who.government}|${v!.v}`;
  let cache = caches.get(store);
  if (!cache) caches.set(store, (cache = new Map()));
  const hit = cache.get(key);
  if (hit) return hit;
  const p = snapshot(store, who);
  cache.set(key, p);
  p.catch(() => cache!.delete(key));
  while (cache.size > 4) cache.delete(cache.keys().next().value!);
  return p;
}

/** Handed out as an export is: logged as a dissemination with the recipient, the purpose and the intelligence records. */
const logHandedOut = (
  store: Store,
  who: Principal,
  scope: MispScope,
  channel: string,
  details: Record<string, unknown>,
  recordIds: number[],
): Promise<void> => logExport(store, who, scope, channel, details, new Set(recordIds));

function check(who: Principal, scope: MispScope): void {
  assertMay(who, 'export');
  if (!scope.purpose || scope.purpose.trim().length < 5)
    throw new Error('purpose: a MISP export or feed needs a stated purpose (at least 5 characters)');
}

/** The export as one MISP JSON document ({"response": [{"Event": …}, …]}), logged when read in full. */
export async function* mispExportPieces(store: Store, who: Principal, scope: MispScope): AsyncGenerator<string> {
  check(who, scope);
  const s = await snapshot(store, who, scope.pageSize);
  const all = [...s.intelligence.values()].flat();
  await logHandedOut(store, who, scope, 'export.misp', { entities: s.entities, events: s.events.size }, all);
  yield '{"response": [';
  let first = true;
  for (const e of s.events.values()) {
    yield `${first ? '' : ','}\n${JSON.stringify(e)}`;
    first = false;
  }
  yield '\n]}\n';
}

/** A feed file, by the name a MISP instance asks for: manifest.json, hashes.csv or <uuid>.json; undefined when it has no such file. */
export async function mispFeedFile(
  store: Store,
  who: Principal,
  file: string,
  scope: MispScope,
): Promise<{ contentType: string; body: string } | undefined> {
  check(who, scope);
  const s = await cachedSnapshot(store, who);
  if (file === 'manifest.json' || file === 'hashes.csv') {
    await logHandedOut(
      store,
      who,
      scope,
      'feed.misp',
      { file, events: s.events.size },
      [...s.intelligence.values()].flat(),
    );
    return file === 'manifest.json'
      ? { contentType: 'application/json', body: JSON.stringify(s.manifest) }
      : { contentType: 'text/csv; charset=utf-8', body: s.hashes };
  }
  const uuid = /^([0-9a-f-]{36})\.json$/.exec(file)?.[1];
  const event = uuid ? s.events.get(uuid) : undefined;
  if (!event) return undefined;
  await logHandedOut(store, who, scope, 'feed.misp', { file }, s.intelligence.get(uuid!) ?? []);
  return { contentType: 'application/json', body: JSON.stringify(event) };
}

/** Writes the reader's feed to a directory (`chokepoint export --format misp-feed --out DIR`); files are the reader's: 0600. */
export async function writeMispFeed(
  store: Store,
  who: Principal,
  dir: string,
  scope: MispScope,
): Promise<{ events: number; hashes: number }> {
  check(who, scope);
  const s = await snapshot(store, who, scope.pageSize);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const write = (name: string, text: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const out = privateWriteStream(join(dir, name));
      out.on('error', reject);
      out.end(text, () => resolve());
    });
  // Logged before a file is written: a write that fails midway has still handed out what it wrote.
  await logHandedOut(
    store,
    who,
    scope,
    'export.misp-feed',
    { entities: s.entities, events: s.events.size, dir },
    [...s.intelligence.values()].flat(),
  );
  for (const [uuid, e] of s.events) await write(`${uuid}.json`, JSON.stringify(e));
  await write('manifest.json', JSON.stringify(s.manifest));
  await write('hashes.csv', s.hashes);
  return { events: s.events.size, hashes: s.hashes ? s.hashes.trimEnd().split('\n').length : 0 };
}

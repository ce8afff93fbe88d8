// TAXII 2.1 (OASIS): what a TAXII server answers, computed in the requester's own
// access. One API root; collections by releasability, which is how Chokepoint's markings
// divide what may be shared:
// - `all`: everything the requester may read (and where a writer posts);
// - `public`: what is public (UNCLASSIFIED, no caveat: TLP:CLEAR), readable by anyone;
// - `rel-<agency>`, one per foreign or private partner agency: what the requester may read
//   AND that agency may receive (its country's REL TO, no NOFORN, LES only to law
//   enforcement, FOUO only to government, ORCON only when approved), each value and
//   existence checked by canRead, the rule the store's row-level security also applies.
// A collection's contents are never computed in anyone's access but the requester's: a
// partner collection is a filter on what the requester reads, not a way to read more.
//
// Objects are STIX objects (src/exchange/stix/write.ts) ordered by date_added, the last
// time a record behind what the requester sees of the entity was written; `next` is the
// (date_added, entity id) of the last object of a page, so paging is complete and stable:
// an entity changed while a client pages moves to the end, where the client meets it again.
import { randomUUID } from 'node:crypto';
import { canRead, type Marking, type ReaderAccess } from '../domain/markings.js';
import { isGovernment, type Agency } from '../domain/agencies.js';
import { StatusError } from '../domain/errors.js';
import { may, type Principal } from '../domain/users.js';
import type { Database, Sql } from '../store/db.js';
import type { MarkingCache } from '../store/markings.js';
import { getEntities, recordIdsOf, type EntityView } from '../store/read.js';
import type { Store } from '../store/store.js';
import { logDissemination } from '../store/retention.js';
import { checkWriteAccess } from '../store/write.js';
import { importRecords } from '../ingest/importer.js';
import { recordsOf, type Parsed } from '../ingest/readers.js';
import { releasable } from './release.js';
import { CHOKEPOINT_NAMESPACE, isStixId, NAMESPACED, sqlDerivedUuid, STIX_ID, uuid5 } from './stix/ids.js';
import { definitions, STIX_MEDIA_TYPE } from './stix/bundle.js';
import { entityObject, entityTimes, refTargetsOf } from './stix/write.js';
import type { StixObject } from './stix/markings.js';
import '../capabilities.js';

export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';
export const API_ROOT = 'chokepoint';
/** The most objects a page holds, whatever `limit` asks (TAXII lets the server choose). */
export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;
/** How long a status resource may be fetched again. */
export const STATUS_HOURS = 24;

/** A TAXII error: its HTTP status, title and description (TAXII 2.1, 3.6.1). */
export class TaxiiError extends StatusError {
  constructor(
    status: number,
    readonly title: string,
    description: string,
  ) {
    super(description, status);
  }
}

export interface Collection {
  id: string;
  alias: string;
  title: string;
  description: string;
  /** Everything the requester may read (undefined), or what this recipient may receive of it. */
  recipient?: ReaderAccess;
  /** Whether objects may be posted here (by a user who may write). */
  writable: boolean;
}

/** The UUID of a collection: the same for a key on every instance (UUIDv5 in Chokepoint's namespace). */
export const collectionId = (alias: string): string => uuid5(CHOKEPOINT_NAMESPACE, `taxii-collection:${alias}`);

/** What the public may read: UNCLASSIFIED without caveats (canRead of a foreign reader with no clearance beyond U). */
const PUBLIC: ReaderAccess = {
  clearance: 'U',
  agency: 'PUBLIC',
  country: 'ZZZ',
  groups: [],
  lawEnforcement: false,
  government: false,
};

/** The collections of an instance whose agencies are `agencies`. */
export function collections(agencies: Agency[]): Collection[] {
  const out: Collection[] = [
    {
      id: collectionId('all'),
      alias: 'all',
      title: 'Everything you may read',
      description:
        'Every entity you may read, with only the values you may read, each with its markings. Objects posted here are written as records of your agency, under their own markings (unmarked objects are refused).',
      writable: true,
    },
    {
      id: collectionId('public'),
      alias: 'public',
      title: 'Public (TLP:CLEAR)',
      description: 'What you may read that is public: UNCLASSIFIED with no caveat, releasable to anyone.',
      recipient: PUBLIC,
      writable: false,
    },
  ];
  const partners = agencies.filter((x) => x.kind === 'foreign' || x.kind === 'private');
  for (const a of partners.sort((x, y) => x.code.localeCompare(y.code)))
    out.push({
      id: collectionId(`rel-${a.code.toLowerCase()}`),
      alias: `rel-${a.code.toLowerCase()}`,
      title: `Releasable to ${a.code} (${a.name})`,
      description: `What you may read that ${a.code} (${a.country}, ${a.kind}${a.lawEnforcement ? ', law enforcement' : ''}) may also receive by its markings: REL TO ${a.country}, no NOFORN, LES only to law enforcement, FOUO only to government, ORCON only when ${a.code} is approved.`,
      recipient: {
        clearance: 'TS',
        agency: a.code,
        country: a.country,
        groups: [],
        lawEnforcement: a.lawEnforcement,
        government: isGovernment(a),
      },
      writable: false,
    });
  return out;
}

/** A collection by its id or alias, or a 404 like any unknown one. */
export function findCollection(all: Collection[], idOrAlias: string): Collection {
  const c = all.find((x) => x.id === idOrAlias || x.alias === idOrAlias);
  if (!c) throw new TaxiiError(404, 'Collection not found', 'No collection has this id.');
  return c;
}

/** A collection as TAXII describes it to `me`. */
export function describeCollection(c: Collection, me: Principal) {
  return {
    id: c.id,
    title: c.title,
    description: c.description,
    alias: c.alias,
    can_read: true,
    can_write: c.writable && may(me, 'write'),
    media_types: [STIX_MEDIA_TYPE],
  };
}

// ---- Paging ----------------------------------------------------------------------------------

export interface ObjectQuery {
  addedAfter?: string;
  limit?: number;
  next?: string;
  ids?: string[];
  types?: string[];
  /** "last", "first", "all", or version timestamps. */
  versions?: string[];
  specVersions?: string[];
}

interface Cursor {
  d: string;
  i: string;
}
const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(next: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(next, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.d === 'string' && typeof c.i === 'string' && !Number.isNaN(Date.parse(c.d))) return c;
  } catch {}
  throw new TaxiiError(400, 'Invalid next', 'next is not a value this server gave.');
}

/** A STIX object with its TAXII metadata. */
export interface Listed {
  object: StixObject;
  entityId: string;
  dateAdded: string;
  version: string;
}

export interface Page {
  items: Listed[];
  more: boolean;
  next?: string;
  /** The marking and extension definitions the page's objects use. */
  definitions: StixObject[];
  /** Intelligence records behind the page (for the dissemination log). */
  records: number[];
}

const versionOf = (o: StixObject, dateAdded: string): string =>
  typeof o.modified === 'string' ? o.modified : dateAdded;

/** Whether the object answers the query's match[] filters. */
function matches(l: Listed, q: ObjectQuery): boolean {
  if (q.ids?.length && !q.ids.includes(l.object.id)) return false;
  if (q.types?.length && !q.types.includes(l.object.type)) return false;
  if (q.specVersions?.length && !q.specVersions.includes('2.1')) return false;
  const vs = q.versions?.length ? q.versions : ['last'];
  // Chokepoint holds one version of an object (the newest record replaces the older): it is first, last and all.
  if (!vs.some((v) => v === 'last' || v === 'first' || v === 'all' || Date.parse(v) === Date.parse(l.version)))
    return false;
  return true;
}

/** The objects of `ids` as the collection shows them to the reader whose transaction `tx` is. */
async function listed(
  tx: Sql,
  markings: MarkingCache,
  c: Collection,
  ids: string[],
  added: Map<string, string>,
): Promise<{ items: Listed[]; markings: Marking[]; extensions: Set<string> }> {
  const out = { items: [] as Listed[], markings: [] as Marking[], extensions: new Set<string>() };
  if (!ids.length) return out;
  let views: EntityView[] = await getEntities(tx, markings, ids);
  if (c.recipient) views = await releasable(tx, markings, views, c.recipient);
  const rows = await tx.query<{ entity_id: string; marking_id: number }>(
    // A stub (an entity only referred to, store/write.ts) says nothing of the entity: there is nothing to write for it.
    'SELECT DISTINCT entity_id, marking_id FROM presence WHERE entity_id = ANY($1) AND NOT stub',
    [views.map((v) => v.id)],
  );
  const presence = new Map<string, Marking[]>();
  for (const r of rows) {
    const m = await markings.get(tx, r.marking_id);
    // A partner collection shows an entity's existence only under the markings its recipient may read.
    if (c.recipient && !canRead(c.recipient, m)) continue;
    (presence.get(r.entity_id) ?? presence.set(r.entity_id, []).get(r.entity_id)!).push(m);
  }
  const times = await entityTimes(
    tx,
    views.map((v) => v.id),
  );
  const targets = await refTargetsOf(tx, markings, views);
  for (const v of views) {
    const p = presence.get(v.id);
    const t = times.get(v.id);
    if (!p?.length || !t) continue;
    // A reference to an entity the recipient may not know of is dropped by releasable(); one it may, kept.
    const built = entityObject(v, { ...t, presence: p }, targets);
    if (!built) continue;
    const dateAdded = added.get(v.id) ?? t.updated;
    out.items.push({ object: built.object, entityId: v.id, dateAdded, version: versionOf(built.object, dateAdded) });
    out.markings.push(...built.markings);
    for (const e of built.extensions) out.extensions.add(e);
  }
  return out;
}

const TS = `to_char(max(r.imported_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * One page of a collection's objects for the reader `who`: entities in (date_added, id)
 * order after the cursor, each as a STIX object, filtered by the query, read in the
 * reader's own transaction. Entities are read in batches until the page is full.
 */
export async function objectsPage(store: Store, who: Principal, c: Collection, q: ObjectQuery): Promise<Page> {
  const limit = Math.max(1, Math.min(q.limit ?? DEFAULT_PAGE, MAX_PAGE));
  const cursor = q.next ? decodeCursor(q.next) : undefined;
  const targetIds = q.ids?.length ? await entityIdsOf(store, who, q.ids) : undefined;
  return store.read(who, async (tx) => {
    const items: Listed[] = [];
    const ms: Marking[] = [];
    const exts = new Set<string>();
    const recordIds = new Set<number>();
    let after = cursor;
    let more = false;
    const batch = Math.min(limit + 1, 500);
    for (;;) {
      const params: unknown[] = [after?.d ?? null, after?.i ?? '', q.addedAfter ?? null, batch];
      if (targetIds) params.push(targetIds);
      const rows = await tx.query<{ entity_id: string; added: string }>(
        `SELECT x.entity_id, ${TS} AS added
           FROM (SELECT entity_id, record_id FROM presence UNION SELECT entity_id, record_id FROM statements) x
           JOIN records r ON r.id = x.record_id
          ${targetIds ? 'WHERE x.entity_id = ANY($5)' : ''}
          GROUP BY x.entity_id
         HAVING ($1::timestamptz IS NULL OR (max(r.imported_at), x.entity_id) > ($1::timestamptz, $2::text))
            AND ($3::timestamptz IS NULL OR max(r.imported_at) > $3::timestamptz)
          ORDER BY max(r.imported_at), x.entity_id
          LIMIT $4`,
        params,
      );
      if (!rows.length) break;
      const added = new Map(rows.map((r) => [r.entity_id, r.added]));
      const got = await listed(
        tx,
        store.markings,
        c,
        rows.map((r) => r.entity_id),
        added,
      );
      const byEntity = new Map(got.items.map((l) => [l.entityId, l]));
      let full = false;
      for (const r of rows) {
        const l = byEntity.get(r.entity_id);
        after = { d: r.added, i: r.entity_id };
        if (!l || !matches(l, q)) continue;
        if (items.length === limit) {
          more = true;
          full = true;
          break;
        }
        items.push(l);
      }
      ms.push(...got.markings);
      for (const e of got.extensions) exts.add(e);
      if (full || rows.length < batch) break;
    }
    const last = items.at(-1);
    if (items.length)
      (
        await recordIdsOf(
          tx,
          items.map((l) => l.entityId),
          'intelligence',
        )
      ).forEach((id) => recordIds.add(id));
    return {
      items,
      more,
      next: more && last ? encodeCursor({ d: last.dateAdded, i: last.entityId }) : undefined,
      definitions: items.length ? definitions(ms, exts) : [],
      records: [...recordIds],
    };
  });
}

/** The entity ids STIX ids name, among those the reader may see (a STIX id, or the id Chokepoint derived one from). */
async function entityIdsOf(store: Store, who: Principal, stixIds: string[]): Promise<string[]> {
  const valid = stixIds.filter(isStixId);
  if (!valid.length) return [];
  const uuids = valid.map((s) => STIX_ID.exec(s)![2]!.toLowerCase());
  return store.read(who, async (tx) => {
    // The entity that is the STIX id, holds it in its writer's namespace, or had it derived from its id.
    const ns = NAMESPACED.source;
    const rows = await tx.query<{ id: string }>(
      `SELECT id FROM entities
        WHERE id = ANY($1) OR (id ~ '${ns}' AND regexp_replace(id, '${ns}', '') = ANY($1)) OR ${sqlDerivedUuid('id')} = ANY($2)`,
      [valid, uuids],
    );
    return rows.map((r) => r.id);
  });
}

/** The object `stixId` of the collection, as the reader may see it; a 404 when there is none they may see. */
export async function objectById(store: Store, who: Principal, c: Collection, stixId: string): Promise<Page> {
  const page = await objectsPage(store, who, c, { ids: [stixId], limit: 1, versions: ['all'] });
  if (!page.items.length)
    throw new TaxiiError(404, 'Object not found', 'The collection holds no object with this id that you may read.');
  return page;
}

/** A page's dissemination (28 CFR 23.20(g)): the intelligence records behind what the client received. */
export async function logPage(
  db: Database,
  who: Principal,
  c: Collection,
  page: Page,
  purpose?: string,
): Promise<void> {
  if (!page.records.length) return;
  await db.transaction((tx) =>
    logDissemination(tx, {
      actor: who.username,
      recipient: who.username,
      recipientAgency: who.agency,
      channel: `taxii ${c.alias}`,
      purpose: purpose ?? 'TAXII 2.1 collection read',
      recordIds: page.records,
    }),
  );
}

// ---- Writing -----------------------------------------------------------------------------------

export interface StatusResource {
  id: string;
  status: 'complete' | 'pending';
  request_timestamp: string;
  total_count: number;
  success_count: number;
  successes: { id: string; version?: string; message?: string }[];
  failure_count: number;
  failures: { id: string; version?: string; message: string }[];
  pending_count: number;
}

const OBJECT_AT = /^objects\[\d+\] \(([^)]+)\)/;

/**
 * Objects posted to a collection: written through the import path (recordsOf, then
 * importRecords: the writer's write rules, validation, markings, idempotency, one
 * transaction), each object on its own (a refused object is a failure of the status, the
 * others are written). A record the writer may not write (a marking owned by another
 * agency, above their access) is refused before the import, so it fails alone.
 */
export async function postObjects(
  store: Store,
  who: Principal,
  c: Collection,
  envelope: { objects?: unknown[] },
): Promise<StatusResource> {
  if (!c.writable)
    throw new TaxiiError(
      403,
      'Collection not writable',
      `Objects cannot be posted to ${c.alias}; post them to the collection "all".`,
    );
  if (!may(who, 'write')) throw new TaxiiError(403, 'Not allowed to write', `${who.username} may not write records.`);
  const objects = Array.isArray(envelope.objects) ? envelope.objects : [];
  const requested = new Date().toISOString();
  const text = JSON.stringify({ type: 'bundle', id: `bundle--${randomUUID()}`, objects });
  const read = recordsOf('stix', { text, name: 'TAXII envelope' }, { source: who.agency });
  const items = async function* (): AsyncGenerator<Parsed> {
    for await (const p of read()) {
      if (!p.record) {
        yield p;
        continue;
      }
      const refused = checkWriteAccess(who, [p.record]);
      yield refused.length
        ? { errors: refused.map((e) => ({ ...e, path: `objects (${p.record!.sourceRecordId})`, message: e.message })) }
        : p;
    }
  };
  const failed = new Map<string, string>();
  try {
    const report = await importRecords(store, who, items, {
      origin: `TAXII POST ${c.alias}`,
      mode: 'skip',
      maxErrors: 10_000,
    });
    for (const e of report.errors) {
      const id = OBJECT_AT.exec(e.path)?.[1] ?? /\(([^)]+)\)/.exec(e.path)?.[1] ?? '';
      if (!failed.has(id)) failed.set(id, `${e.path}: ${e.message}`);
    }
  } catch (e) {
    for (const o of objects) failed.set(String((o as { id?: unknown })?.id ?? ''), (e as Error).message);
  }
  const all = objects.map((o) => o as { id?: unknown; modified?: unknown });
  const status: StatusResource = {
    id: randomUUID(),
    status: 'complete',
    request_timestamp: requested,
    total_count: all.length,
    success_count: 0,
    successes: [],
    failure_count: 0,
    failures: [],
    pending_count: 0,
  };
  for (const o of all) {
    const id = String(o.id ?? '');
    const version = typeof o.modified === 'string' ? o.modified : undefined;
    const why = failed.get(id) ?? (failed.has('') && !id ? failed.get('') : undefined);
    if (why) status.failures.push({ id, ...(version ? { version } : {}), message: why });
    else status.successes.push({ id, ...(version ? { version } : {}) });
  }
  status.success_count = status.successes.length;
  status.failure_count = status.failures.length;
  await store.db.query('INSERT INTO taxii_status (id, user_id, body) VALUES ($1, $2, $3)', [
    status.id,
    who.id,
    JSON.stringify(status),
  ]);
  return status;
}

/** A status resource the reader posted (anyone else's, or an expired one, is a 404 like an id never issued). */
export async function statusOf(db: Database, who: Principal, id: string): Promise<StatusResource> {
  const [row] = /^[0-9a-f-]{36}$/i.test(id)
    ? await db.query<{ body: StatusResource | string }>(
        `SELECT body FROM taxii_status WHERE id = $1::uuid AND user_id = $2 AND created_at > now() - interval '${STATUS_HOURS} hours'`,
        [id, who.id],
      )
    : [];
  if (!row) throw new TaxiiError(404, 'Status not found', 'No status resource of yours has this id.');
  return typeof row.body === 'string' ? JSON.parse(row.body) : row.body;
}

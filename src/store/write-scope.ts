// What a user's write may touch. A write must never reveal, replace or attach to
// what its writer cannot read, and its answer must not differ by what the writer
// cannot see. Two key spaces make that hold without refusing anything:
// - Entity ids. An id the writer can see is written to as it is (adding facts to a
//   visible entity). Any other id, whether unused or held by someone the writer
//   cannot see, is written under the writer's own namespace, `<agency>.<scope>:<id>`,
//   where the scope is a digest of the writer's access: writers with the same
//   access share it (and see each other's writes), so no write can land on, or
//   learn of, a hidden entity.
// - Record keys. A record is replaced only when the writer may read all of it; when
//   the stored record under the same (source, source record id) holds anything the
//   writer may not read, the write goes to a record of the writer's key scope beside
//   it, and answers exactly as for an unused key.
// The system (CLI imports, the demo loader) is trusted with everything and keeps
// the ids and keys it is given.
import { createHash } from 'node:crypto';
import type { Sql } from './db.js';
import { withinReaderScope } from './access.js';
import type { Principal } from '../domain/users.js';
import { referencedIds, type RecordInput } from '../domain/records.js';

/** The writer's key scope: agency and a digest of everything the access rule reads. */
export function writerScope(p: Principal): string {
  const access = [
    p.agency,
    p.country,
    p.clearance,
    [...p.groups].sort().join(','),
    p.lawEnforcement ? 'le' : '',
    p.government ? 'gov' : '',
  ].join('|');
  return `${p.agency.toLowerCase()}.${createHash('sha256').update(access).digest('hex').slice(0, 10)}`;
}

/** Entity ids among `ids` whose existence the writer may read. */
export async function visibleIds(tx: Sql, writer: Principal, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await withinReaderScope(tx, writer, (q) =>
    q.query<{ id: string }>('SELECT id FROM entities WHERE id = ANY($1)', [ids]),
  );
  return new Set(rows.map((r) => r.id));
}

export interface ScopedBatch {
  records: RecordInput[];
  /** Ids written under another id than given: given → stored. */
  renamed: Map<string, string>;
  /** Referenced ids (as written) that are neither in the batch, nor in the import, nor visible to the writer. */
  missing: Set<string>;
}

/**
 * Maps a user's batch onto the ids it may write: visible ids stay, every other id
 * goes to the writer's namespace (one already in it too: see scoped). References follow the
 * same map; one to an id neither defined in the batch (or `known` from earlier
 * batches of the same import) nor visible is missing, whether or not it exists, and
 * is kept as a reference in the writer's namespace.
 */
export async function scopeBatch(
  tx: Sql,
  writer: Principal,
  records: RecordInput[],
  known: (id: string) => boolean,
): Promise<ScopedBatch> {
  const ns = `${writerScope(writer)}:`;
  const defined = new Set(records.flatMap((r) => r.entities.map((e) => e.id)));
  const asked = [...new Set([...defined, ...records.flatMap(referencedIds)])];
  // Always a new id, even for one already in the writer's namespace: such an id that the
  // writer cannot see is held by someone else (a colleague wrote under it when it was
  // shared), and writing to it would attach to what the writer may not read.
  const scoped = (id: string): string => `${ns}${id}`.slice(0, 200);
  const visible = await visibleIds(tx, writer, [...new Set([...asked, ...asked.map(scoped)])]);
  const renamed = new Map<string, string>();
  const missing = new Set<string>();
  const target = (id: string, isRef: boolean): string => {
    if (visible.has(id)) return id;
    const s = scoped(id);
    if (s !== id) renamed.set(id, s);
    // Defined nowhere the writer can see: a reference kept in the writer's namespace (a stub, store/write.ts).
    if (isRef && !defined.has(id) && !known(id) && !visible.has(s)) missing.add(s);
    return s;
  };
  const out = records.map((r) => ({
    ...r,
    entities: r.entities.map((e) => ({
      ...e,
      id: target(e.id, false),
      statements: e.statements.map((s) => (s.propType === 'entity' ? { ...s, value: target(s.value, true) } : s)),
    })),
  }));
  return { records: out, renamed, missing };
}

/**
 * Of the given stored records, those the writer may read in full: the record and its
 * basis under readable markings, and every presence and every value of it visible to
 * the writer under row-level security. Counting through the policy, rather than
 * testing markings, also counts a value hidden because of what it refers to (a
 * readable reference to an entity the writer may not know), which replacing or
 * retracting the record would otherwise destroy unseen.
 */
export async function fullyReadable(tx: Sql, writer: Principal, recordIds: number[]): Promise<Set<number>> {
  if (!recordIds.length) return new Set();
  const COUNTS = `SELECT r.id,
       (SELECT count(*) FROM statements s WHERE s.record_id = r.id)::int AS statements,
       (SELECT count(*) FROM presence p WHERE p.record_id = r.id)::int AS presence,
       (SELECT count(*) FROM record_basis b WHERE b.record_id = r.id)::int AS basis
     FROM records r WHERE r.id = ANY($1) ORDER BY r.id`;
  type Counts = { id: number; statements: number; presence: number; basis: number };
  const all = await tx.query<Counts>(COUNTS, [recordIds]);
  // The same counts as the writer: rows the policy hides are missing. The record row
  // itself is visible with any visible part, so its own marking is tested apart.
  const seen = await withinReaderScope(tx, writer, async (q) => ({
    counts: new Map((await q.query<Counts>(COUNTS, [recordIds])).map((c) => [c.id, c])),
    own: new Set(
      (
        await q.query<{ id: number }>(
          'SELECT r.id FROM records r WHERE r.id = ANY($1) AND r.marking_id IN (SELECT id FROM readable_markings)',
          [recordIds],
        )
      ).map((r) => r.id),
    ),
  }));
  return new Set(
    all
      .filter((a) => {
        const b = seen.counts.get(a.id);
        return (
          b && seen.own.has(a.id) && b.statements === a.statements && b.presence === a.presence && b.basis === a.basis
        );
      })
      .map((a) => a.id),
  );
}

// Retraction: an agency takes back everything its records say about an entity. The
// statements go, then the presence rows, then records and entities left with nothing.
import type { Database } from './db.js';
import type { Principal } from '../domain/users.js';
import { StatusError } from '../domain/errors.js';
import { appendAudit } from './audit.js';
import { fullyReadable } from './write-scope.js';

/** Deletes what `me`'s agency's records (those `me` may read in full) say of `id`; answers how many statements went. */
export async function retractFacts(db: Database, me: Principal, id: string): Promise<{ retracted: number }> {
  return db.transaction(async (tx) => {
    const recs = await tx.query<{ id: number }>(
      'SELECT DISTINCT r.id FROM records r JOIN presence p ON p.record_id = r.id WHERE p.entity_id = $1 AND r.source = $2',
      [id, me.agency],
    );
    // Only records the retracting user may read in full: a retraction must not touch what they cannot see.
    const readable = await fullyReadable(
      tx,
      me,
      recs.map((r) => r.id),
    );
    const ids = recs.map((r) => r.id).filter((r) => readable.has(r));
    if (!ids.length)
      throw new StatusError(
        `no record of ${me.agency} speaks of ${id}; only the owning agency may retract its facts`,
        403,
      );
    const [deleted] = await tx.query<{ n: number }>(
      'WITH d AS (DELETE FROM statements WHERE entity_id = $1 AND record_id = ANY($2) RETURNING 1) SELECT count(*)::int AS n FROM d',
      [id, ids],
    );
    const n = deleted?.n ?? 0;
    await tx.query('DELETE FROM presence WHERE entity_id = $1 AND record_id = ANY($2)', [id, ids]);
    await tx.query(
      'DELETE FROM records r WHERE r.id = ANY($1) AND NOT EXISTS (SELECT 1 FROM presence p WHERE p.record_id = r.id)',
      [ids],
    );
    await tx.query(
      'DELETE FROM entities e WHERE e.id = $1 AND NOT EXISTS (SELECT 1 FROM presence p WHERE p.entity_id = e.id)',
      [id],
    );
    await appendAudit(tx, {
      actor: me.username,
      action: 'entity.retract',
      target: id,
      details: { statements: n, records: ids.length },
    });
    return { retracted: n };
  });
}

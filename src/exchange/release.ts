// Releases to a partner: what the requester may read (their own reader transaction,
// row-level security) intersected with what the recipient may read (canRead, the
// TypeScript twin of the SQL rule, held equal to it by the property tests). Neither
// side's access alone decides: a value the requester cannot see is never read, and
// one the recipient may not receive is dropped.
import type { Sql } from '../store/db.js';
import type { MarkingCache } from '../store/markings.js';
import { captionOf, type EntityView } from '../store/read.js';
import { model } from '../domain/model.js';
import {
  canRead,
  formatMarking,
  highestMarking,
  portionMarking,
  type Marking,
  type ReaderAccess,
} from '../domain/markings.js';

/** The entities (and values) of `views`, read in the requester's transaction `tx`, that `recipient` may receive. */
export async function releasable(
  tx: Sql,
  markings: MarkingCache,
  views: EntityView[],
  recipient: ReaderAccess,
): Promise<EntityView[]> {
  if (!views.length) return [];
  const ids = views.map((v) => v.id);
  // A reference is released only when the recipient may know its target exists: else
  // the target's id (which may embed an identifier) would reach them.
  const isRef = (schema: string, prop: string) => model.properties(schema)[prop]?.type === 'entity';
  const refs = [
    ...new Set(
      views.flatMap((v) =>
        Object.entries(v.properties).flatMap(([p, vals]) => (isRef(v.schema, p) ? vals.map((x) => x.value) : [])),
      ),
    ),
  ];
  const presence = await tx.query<{ entity_id: string; marking_id: number }>(
    'SELECT DISTINCT entity_id, marking_id FROM presence WHERE entity_id = ANY($1)',
    [[...new Set([...ids, ...refs])]],
  );
  const statementIds = views.flatMap((v) =>
    Object.values(v.properties).flatMap((vals) => vals.map((x) => x.statementId)),
  );
  const stmts = await tx.query<{ id: number; marking_id: number }>(
    'SELECT id, marking_id FROM statements WHERE id = ANY($1)',
    [statementIds],
  );
  const ok = new Map<number, boolean>();
  const readable = async (m: number): Promise<boolean> => {
    let r = ok.get(m);
    if (r === undefined) ok.set(m, (r = canRead(recipient, await markings.get(tx, m))));
    return r;
  };
  // The marking a released entity carries is recomputed from what is released, so it
  // names no caveat or level of what was left out.
  const kept = new Map<string, Marking[]>();
  for (const p of presence)
    if (await readable(p.marking_id))
      (kept.get(p.entity_id) ?? kept.set(p.entity_id, []).get(p.entity_id)!).push(await markings.get(tx, p.marking_id));
  const valueOk = new Map<number, Marking>();
  for (const s of stmts) if (await readable(s.marking_id)) valueOk.set(s.id, await markings.get(tx, s.marking_id));
  const out: EntityView[] = [];
  for (const v of views) {
    const ms = kept.get(v.id);
    if (!ms) continue;
    const properties: EntityView['properties'] = {};
    for (const [p, vals] of Object.entries(v.properties)) {
      const ref = isRef(v.schema, p);
      const left = vals.filter((x) => valueOk.has(x.statementId) && (!ref || kept.has(x.value)));
      if (left.length) properties[p] = left;
      for (const x of left) ms.push(valueOk.get(x.statementId)!);
    }
    const top = highestMarking(ms)!;
    out.push({
      ...v,
      caption: captionOf(v.schema, properties),
      marking: formatMarking(top),
      portion: portionMarking(top),
      properties,
      sources: [
        ...new Set(
          Object.values(properties).flatMap((vals) => vals.map((x) => x.source).filter((s): s is string => !!s)),
        ),
      ].sort(),
    });
  }
  return out;
}

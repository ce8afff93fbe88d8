// Analyst judgements on possible links: confirm (the two entities are the same),
// reject (never suggest the pair again), undo. A merge keeps every source record;
// the merged view is assembled per reader from what that reader may see, and a
// link is visible only when both of its entities are (row-level security).
import type { Store } from '../store/store.js';
import type { Sql } from '../store/db.js';
import type { MarkingCache } from '../store/markings.js';
import { getEntities, type ValueView } from '../store/read.js';
import { appendAudit } from '../store/audit.js';
import type { Principal } from '../domain/users.js';
import { model } from '../domain/model.js';
import { StatusError } from '../domain/errors.js';

export const LINK_STATUSES = ['open', 'confirmed', 'rejected'] as const;
export const LINK_ACTIONS = ['confirm', 'reject', 'undo'] as const;
export type LinkStatus = (typeof LINK_STATUSES)[number];
export type LinkAction = (typeof LINK_ACTIONS)[number];

interface LinkRow {
  id: number;
  left_id: string;
  right_id: string;
  score: number;
  reasons: string[];
  status: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_reason: string | null;
}

/** Entities confirmed to be the same as `id`, transitively, that the reader may see (max 100). */
export async function sameAsCluster(tx: Sql, id: string): Promise<string[]> {
  const seen = new Set([id]);
  let frontier = [id];
  while (frontier.length && seen.size < 100) {
    const rows = await tx.query<{ left_id: string; right_id: string }>(
      "SELECT left_id, right_id FROM possible_links WHERE status = 'confirmed' AND (left_id = ANY($1) OR right_id = ANY($1))",
      [frontier],
    );
    const next: string[] = [];
    for (const r of rows)
      for (const x of [r.left_id, r.right_id])
        if (!seen.has(x)) {
          seen.add(x);
          next.push(x);
        }
    frontier = next;
  }
  return [...seen];
}

/**
 * Search results with each result's confirmed merges: the ids (that the reader may
 * see) it was confirmed to be the same as. Every entity stays listed, so totals and
 * paging stay exact; a client shows a merged identity once (the web page does).
 */
export async function withMerges<T extends { id: string }>(
  tx: Sql,
  results: T[],
): Promise<(T & { sameAs: string[] })[]> {
  const merged = await tx.query<{ left_id: string; right_id: string }>(
    "SELECT left_id, right_id FROM possible_links WHERE status = 'confirmed' AND (left_id = ANY($1) OR right_id = ANY($1))",
    [results.map((r) => r.id)],
  );
  const touched = new Set(merged.flatMap((m) => [m.left_id, m.right_id]));
  const clusters = new Map<string, string[]>();
  const out: (T & { sameAs: string[] })[] = [];
  for (const r of results) {
    let cluster = clusters.get(r.id);
    if (!cluster) {
      cluster = touched.has(r.id) ? await sameAsCluster(tx, r.id) : [r.id];
      for (const c of cluster) clusters.set(c, cluster);
    }
    out.push({ ...r, sameAs: cluster.filter((c) => c !== r.id) });
  }
  return out;
}

/** Possible links of one status (open by default), best first, each with a short view of its two entities. */
export async function listLinks(
  tx: Sql,
  markings: MarkingCache,
  q: { status?: LinkStatus; entity?: string; limit: number; offset: number },
) {
  const rows = await tx.query<LinkRow>(
    `SELECT id, left_id, right_id, score, reasons, status, decided_by, decided_at::text, decision_reason FROM possible_links
    WHERE status = $1 AND ($4::text IS NULL OR left_id = $4 OR right_id = $4) ORDER BY score DESC, id LIMIT $2 OFFSET $3`,
    [q.status ?? 'open', q.limit, q.offset, q.entity ?? null],
  );
  const entities = await getEntities(tx, markings, [...new Set(rows.flatMap((r) => [r.left_id, r.right_id]))]);
  const byId = new Map(
    entities.map((e) => [
      e.id,
      { id: e.id, schema: e.schema, caption: e.caption, portion: e.portion, sources: e.sources },
    ]),
  );
  return rows.map((r) => ({
    ...r,
    score: Math.round(r.score * 1000) / 1000,
    left: byId.get(r.left_id),
    right: byId.get(r.right_id),
  }));
}

/** Confirms, rejects or undoes the judgement of a link `me` may see; a judged link must be undone before it is judged again. */
export async function judgeLink(
  store: Store,
  me: Principal,
  id: number,
  action: LinkAction,
  reason?: string,
): Promise<{ id: number; status: LinkStatus }> {
  const [link] = await store.read(me, (tx) =>
    tx.query<LinkRow>('SELECT id, left_id, right_id, status FROM possible_links WHERE id = $1', [id]),
  );
  if (!link) throw new StatusError(`no link ${id}`, 404);
  const want = action === 'confirm' ? 'confirmed' : action === 'reject' ? 'rejected' : 'open';
  if (action === 'undo' ? link.status === 'open' : link.status !== 'open') {
    throw new StatusError(
      action === 'undo' ? `link ${id} has no judgement to undo` : `link ${id} is already ${link.status}; undo it first`,
      409,
    );
  }
  return store.db.transaction(async (tx) => {
    await tx.query(
      'UPDATE possible_links SET status = $2, decided_by = $3, decided_at = CASE WHEN $2 = $4 THEN NULL ELSE now() END, decision_reason = $5 WHERE id = $1',
      [id, want, action === 'undo' ? null : me.username, 'open', reason ?? null],
    );
    await appendAudit(tx, {
      actor: me.username,
      action: `link.${action}`,
      target: `${link.left_id}~${link.right_id}`,
      purpose: reason,
      details: { link: id, from: link.status, to: want },
    });
    return { id, status: want };
  });
}

/** The entity with every entity confirmed to be the same that the reader may see; undefined when the reader cannot see it. */
export async function mergedEntity(tx: Sql, markings: MarkingCache, id: string) {
  const members = await getEntities(tx, markings, await sameAsCluster(tx, id));
  if (!members.some((m) => m.id === id)) return undefined;
  const schema = members.map((m) => m.schema).reduce((a, b) => model.compatible(a, b) ?? a);
  const properties: Record<string, (ValueView & { entityId: string })[]> = {};
  for (const m of members)
    for (const [p, vals] of Object.entries(m.properties))
      for (const v of vals) (properties[p] ??= []).push({ ...v, entityId: m.id });
  const self = members.find((m) => m.id === id)!;
  return {
    id,
    schema,
    caption: self.caption,
    members: members.map((m) => ({
      id: m.id,
      schema: m.schema,
      caption: m.caption,
      sources: m.sources,
      portion: m.portion,
    })),
    properties,
  };
}

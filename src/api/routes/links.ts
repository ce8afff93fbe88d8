// Analyst judgements on possible links: confirm (the two entities are the same),
// reject (never suggest the pair again), undo. A merge keeps every source record;
// the merged view is assembled per reader from what that reader may see, and a
// link is visible only when both of its entities are (row-level security).
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Store } from '../../store/store.js';
import type { Sql } from '../../store/db.js';
import { getEntities } from '../../store/read.js';
import { appendAudit, audit } from '../../store/audit.js';
import { assertMay } from '../../domain/users.js';
import { model } from '../../domain/model.js';
import { HttpError, principal } from '../server.js';

const Status = Type.Union([Type.Literal('open'), Type.Literal('confirmed'), Type.Literal('rejected')]);
const ListQ = Type.Object(
  {
    status: Type.Optional(Status),
    entity: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'only pairs with this entity on one side' }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: 100000, default: 0 }),
  },
  { additionalProperties: false },
);
const Decision = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);
const LinkId = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  action: Type.Union([Type.Literal('confirm'), Type.Literal('reject'), Type.Literal('undo')]),
});

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

export async function registerLinkRoutes(app: FastifyInstance, store: Store): Promise<void> {
  app.get(
    '/links',
    {
      schema: {
        tags: ['resolution'],
        querystring: ListQ,
        summary: 'Possible links to review (only those whose two entities you may see)',
      },
    },
    async (req) => {
      const me = principal(req);
      const q = req.query as Static<typeof ListQ>;
      const out = await store.read(me, async (tx) => {
        const rows = await tx.query<LinkRow>(
          `SELECT id, left_id, right_id, score, reasons, status, decided_by, decided_at::text, decision_reason FROM possible_links
          WHERE status = $1 AND ($4::text IS NULL OR left_id = $4 OR right_id = $4) ORDER BY score DESC, id LIMIT $2 OFFSET $3`,
          [q.status ?? 'open', q.limit, q.offset, q.entity ?? null],
        );
        const entities = await getEntities(tx, store.markings, [
          ...new Set(rows.flatMap((r) => [r.left_id, r.right_id])),
        ]);
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
      });
      await audit(store.db, {
        actor: me.username,
        action: 'links.read',
        details: { status: q.status ?? 'open', count: out.length },
      });
      return out;
    },
  );

  app.post(
    '/links/:id/:action',
    {
      schema: {
        tags: ['resolution'],
        params: LinkId,
        body: Decision,
        summary: 'confirm (merge), reject (never suggest again) or undo a judgement',
      },
    },
    async (req) => {
      const me = principal(req);
      assertMay(me, 'write');
      const { id, action } = req.params as Static<typeof LinkId>;
      const { reason } = (req.body ?? {}) as Static<typeof Decision>;
      const [link] = await store.read(me, (tx) =>
        tx.query<LinkRow>('SELECT id, left_id, right_id, status FROM possible_links WHERE id = $1', [id]),
      );
      if (!link) throw new HttpError(404, `no link ${id}`);
      const want = action === 'confirm' ? 'confirmed' : action === 'reject' ? 'rejected' : 'open';
      if (action === 'undo' ? link.status === 'open' : link.status !== 'open') {
        throw new HttpError(
          409,
          action === 'undo'
            ? `link ${id} has no judgement to undo`
            : `link ${id} is already ${link.status}; undo it first`,
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
    },
  );

  app.get(
    '/entities/:id/merged',
    {
      schema: {
        tags: ['resolution'],
        params: Type.Object({ id: Type.String({ maxLength: 200, pattern: '^[A-Za-z0-9][A-Za-z0-9._:+-]*$' }) }),
        summary: 'The entity with every entity confirmed to be the same, as far as you may see them',
      },
    },
    async (req) => {
      const me = principal(req);
      const { id } = req.params as { id: string };
      const merged = await store.read(me, async (tx) => {
        const members = await getEntities(tx, store.markings, await sameAsCluster(tx, id));
        if (!members.some((m) => m.id === id)) return undefined;
        const schema = members.map((m) => m.schema).reduce((a, b) => model.compatible(a, b) ?? a);
        const properties: Record<string, (Record<string, unknown> & { entityId: string })[]> = {};
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
      });
      await audit(store.db, {
        actor: me.username,
        action: 'entity.merged',
        target: id,
        details: { members: merged?.members.length ?? 0 },
      });
      if (!merged) throw new HttpError(404, `no entity ${id}`);
      return merged;
    },
  );
}

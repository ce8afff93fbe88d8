// Key-node analysis API: measures, target ranking, disruption simulation and a
// k-node interdiction plan, each over the graph the reader may see.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Store } from '../../store/store.js';
import { audit } from '../../store/audit.js';
import { principal } from '../server.js';
import { projection } from '../../graph/cache.js';
import { rankTargets, simulateDisruption, interdictionPlan, EXACT_BETWEENNESS_MAX } from '../../graph/analyze.js';
import { pageRank, betweenness, louvain, degrees } from '../../graph/measures.js';

const Merges = Type.Optional(
  Type.Union([Type.Literal('confirmed'), Type.Literal('suggested')], {
    description: 'join entities by confirmed merges only (default), or by open suggestions too',
  }),
);
const Top = Type.Integer({ minimum: 1, maximum: 1000, default: 50 });

export async function registerGraphRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const tags = ['graph'];
  app.get(
    '/graph/measures',
    {
      schema: {
        tags,
        querystring: Type.Object({
          measure: Type.Union([
            Type.Literal('degree'),
            Type.Literal('pagerank'),
            Type.Literal('betweenness'),
            Type.Literal('communities'),
          ]),
          top: Top,
          samples: Type.Optional(Type.Integer({ minimum: 16, maximum: 4096 })),
          merges: Merges,
        }),
        summary:
          'Degree, PageRank, betweenness (exact, or sampled with an error bound on large graphs) or Louvain communities',
      },
    },
    async (req) => {
      const me = principal(req);
      const q = req.query as { measure: string; top: number; samples?: number; merges?: 'confirmed' | 'suggested' };
      const p = await projection(store, me, q.merges);
      const g = p.graph;
      const t0 = performance.now();
      let values: Float64Array;
      let extra: Record<string, unknown> = {};
      if (q.measure === 'communities') {
        const c = louvain(g);
        const sizes = new Map<number, string[]>();
        for (let v = 0; v < g.n; v++) sizes.set(c.community[v]!, [...(sizes.get(c.community[v]!) ?? []), g.ids[v]!]);
        const communities = [...sizes.values()]
          .sort((a, b) => b.length - a.length)
          .slice(0, q.top)
          .map((members) => ({ size: members.length, members: members.slice(0, 50) }));
        await audit(store.db, { actor: me.username, action: 'graph.communities', details: { n: g.n } });
        return {
          nodes: g.n,
          edges: g.m,
          modularity: c.modularity,
          count: c.count,
          communities,
          ms: Math.round(performance.now() - t0),
        };
      }
      if (q.measure === 'degree') {
        const d = degrees(g);
        values = d.inDeg.map((x, i) => x + d.outDeg[i]!);
      } else if (q.measure === 'pagerank') values = pageRank(g).rank;
      else {
        const b = betweenness(
          g,
          g.n > EXACT_BETWEENNESS_MAX || q.samples ? { samples: q.samples ?? 256, seed: 1 } : {},
        );
        values = b.score;
        extra = {
          sampledSources: b.sources,
          errorBound: b.errorBound,
          note: b.errorBound
            ? `normalised scores within ±${b.errorBound.toFixed(3)} of exact, 95% per node (Hoeffding)`
            : 'exact',
        };
      }
      const order = Array.from(values.keys())
        .sort((a, b) => values[b]! - values[a]!)
        .slice(0, q.top);
      await audit(store.db, { actor: me.username, action: `graph.${q.measure}`, details: { n: g.n } });
      return {
        nodes: g.n,
        edges: g.m,
        projectionMs: Math.round(p.ms),
        ms: Math.round(performance.now() - t0),
        ...extra,
        top: order.map((v) => ({ id: g.ids[v], schema: p.schema[v], value: values[v] })),
      };
    },
  );

  app.get(
    '/graph/ranking',
    {
      schema: {
        tags,
        querystring: Type.Object({ top: Top, merges: Merges }),
        summary: 'Priority targets, each with why it ranks high',
      },
    },
    async (req) => {
      const me = principal(req);
      const q = req.query as { top: number; merges?: 'confirmed' | 'suggested' };
      const p = await projection(store, me, q.merges);
      const t0 = performance.now();
      const r = rankTargets(p, { top: q.top });
      await audit(store.db, { actor: me.username, action: 'graph.ranking', details: { n: p.graph.n } });
      return {
        nodes: p.graph.n,
        edges: p.graph.m,
        sources: p.sources.length,
        sinks: p.sinks.length,
        ms: Math.round(performance.now() - t0),
        ...r,
      };
    },
  );

  const Sim = Type.Object(
    { remove: Type.Array(Type.String({ maxLength: 200 }), { minItems: 1, maxItems: 200 }), merges: Merges },
    { additionalProperties: false },
  );
  app.post(
    '/graph/simulate',
    {
      schema: {
        tags,
        body: Sim,
        summary: 'What if these nodes were removed: flow and reachability lost, and where the network reroutes',
      },
    },
    async (req) => {
      const me = principal(req);
      const b = req.body as Static<typeof Sim>;
      const p = await projection(store, me, b.merges);
      const r = simulateDisruption(p, b.remove);
      // Ids the reader may not see are reported like ids that do not exist.
      await audit(store.db, {
        actor: me.username,
        action: 'graph.simulate',
        details: { remove: b.remove.slice(0, 50), flowLostPct: r.flowLostPct },
      });
      return r;
    },
  );

  app.get(
    '/graph/interdiction',
    {
      schema: {
        tags,
        querystring: Type.Object({
          k: Type.Integer({ minimum: 1, maximum: 20, default: 5 }),
          budgetMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 20_000 }),
          merges: Merges,
        }),
        summary: 'The k nodes whose removal cuts the most supply flow (greedy), within a time budget',
      },
    },
    async (req) => {
      const me = principal(req);
      const q = req.query as { k: number; budgetMs: number; merges?: 'confirmed' | 'suggested' };
      const p = await projection(store, me, q.merges);
      const r = interdictionPlan(p, q.k, q.budgetMs);
      await audit(store.db, {
        actor: me.username,
        action: 'graph.interdiction',
        details: { k: q.k, complete: r.complete },
      });
      return r;
    },
  );
}

// Key-node analysis: measures, target ranking, disruption simulation and a k-node
// interdiction plan, each over the graph the reader may see.
import { Type } from '@sinclair/typebox';
import { audit } from '../store/audit.js';
import { projection } from '../graph/cache.js';
import {
  rankTargets,
  simulateDisruption,
  interdictionPlan,
  EXACT_BETWEENNESS_MAX,
  type RankedTarget,
} from '../graph/analyze.js';
import { pageRank, betweenness, louvain, degrees } from '../graph/measures.js';
import { command, type CliOption, type Command } from './command.js';
import * as G from './answers/graph.js';

const Merges = Type.Optional(
  Type.Union([Type.Literal('confirmed'), Type.Literal('suggested')], {
    description: 'join entities by confirmed merges only (default), or by open suggestions too',
  }),
);
const Top = Type.Integer({ minimum: 1, maximum: 1000, default: 50 });
const Sim = Type.Object(
  { remove: Type.Array(Type.String({ maxLength: 200 }), { minItems: 1, maxItems: 200 }), merges: Merges },
  { additionalProperties: false },
);

/** `--suggested`, the old command line's word for `--merges suggested`. */
const suggested = (where: 'query' | 'body'): CliOption => ({
  flags: '--suggested',
  description: 'join entities by open merge suggestions too (--merges suggested)',
  into: (_on, input) => {
    if (where === 'query') input.query.merges = 'suggested';
    else input.body = { ...(input.body as object), merges: 'suggested' };
  },
});

/** The size of the graph analysed, on stderr, so stdout holds only the answer. */
const sizeLine = (r: { nodes: number; edges: number }, rest = ''): string =>
  `graph: ${r.nodes} nodes, ${r.edges} edges${rest}`;

const tags = ['graph'];

/** The CLI groups these commands make, with their help lines. */
export const GROUPS: Record<string, string> = {
  graph: 'key-node analysis over the graph the user may see',
};

export const COMMANDS: Command[] = [
  command({
    name: 'graph.measure',
    summary:
      'Degree, PageRank, betweenness (exact, or sampled with an error bound on large graphs) or Louvain communities',
    tags,
    method: 'GET',
    path: '/graph/measures',
    response: { 200: G.Measure },
    errors: [413],
    query: Type.Object({
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
    cli: {
      options: [suggested('query')],
      format: (out, io) => {
        const r = out as {
          nodes: number;
          edges: number;
          count?: number;
          modularity?: number;
          sampledSources?: number;
          errorBound?: number;
          top?: { id: string; schema: string; value: number }[];
        };
        io.err(sizeLine(r));
        if (r.count !== undefined) {
          io.out(`${r.count} communities, modularity ${r.modularity!.toFixed(3)}`);
          return;
        }
        if (r.errorBound)
          io.err(
            `sampled from ${r.sampledSources} sources: normalised scores within ±${r.errorBound.toFixed(3)} (95%, per node)`,
          );
        for (const t of r.top ?? []) io.out(`${t.value.toPrecision(4).padStart(10)}  ${t.schema.padEnd(12)} ${t.id}`);
      },
    },
    run: async ({ store, db, me }, { query: q }) => {
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
        await audit(db, { actor: me.username, action: 'graph.communities', details: { n: g.n } });
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
      await audit(db, { actor: me.username, action: `graph.${q.measure}`, details: { n: g.n } });
      return {
        nodes: g.n,
        edges: g.m,
        projectionMs: Math.round(p.ms),
        ms: Math.round(performance.now() - t0),
        ...extra,
        top: order.map((v) => ({ id: g.ids[v]!, schema: p.schema[v]!, value: values[v]! })),
      };
    },
  }),
  command({
    name: 'graph.rank',
    summary: 'Priority targets, each with why it ranks high',
    tags,
    method: 'GET',
    path: '/graph/ranking',
    response: { 200: G.Ranking },
    errors: [413],
    query: Type.Object({ top: Top, merges: Merges }),
    cli: {
      options: [suggested('query')],
      format: (out, io) => {
        const r = out as { nodes: number; edges: number; sources: number; sinks: number; targets: RankedTarget[] };
        io.err(sizeLine(r, `, ${r.sources} precursor sources, ${r.sinks} retail outlets`));
        for (const t of r.targets)
          io.out(`${t.score.toFixed(3)}  ${t.schema.padEnd(12)} ${t.id}\n         ${t.why.join('; ')}`);
      },
    },
    run: async ({ store, db, me }, { query: q }) => {
      const p = await projection(store, me, q.merges);
      const t0 = performance.now();
      const r = rankTargets(p, { top: q.top });
      await audit(db, { actor: me.username, action: 'graph.ranking', details: { n: p.graph.n } });
      return {
        nodes: p.graph.n,
        edges: p.graph.m,
        sources: p.sources.length,
        sinks: p.sinks.length,
        ms: Math.round(performance.now() - t0),
        ...r,
      };
    },
  }),
  command({
    name: 'graph.simulate',
    summary: 'What if these nodes were removed: flow and reachability lost, and where the network reroutes',
    tags,
    method: 'POST',
    path: '/graph/simulate',
    response: { 200: G.Simulation },
    errors: [413],
    body: Sim,
    cli: { options: [suggested('body')] },
    run: async ({ store, db, me }, { body: b }) => {
      const p = await projection(store, me, b.merges);
      const r = simulateDisruption(p, b.remove);
      // Ids the reader may not see are reported like ids that do not exist.
      await audit(db, {
        actor: me.username,
        action: 'graph.simulate',
        details: { remove: b.remove.slice(0, 50), flowLostPct: r.flowLostPct },
      });
      return r;
    },
  }),
  command({
    name: 'graph.interdiction',
    summary: 'The k nodes whose removal cuts the most supply flow (greedy), within a time budget',
    tags,
    method: 'GET',
    path: '/graph/interdiction',
    response: { 200: G.Interdiction },
    errors: [413],
    query: Type.Object({
      k: Type.Integer({ minimum: 1, maximum: 20, default: 5 }),
      budgetMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 20_000 }),
      merges: Merges,
    }),
    cli: { options: [suggested('query')] },
    run: async ({ store, db, me }, { query: q }) => {
      const p = await projection(store, me, q.merges);
      const r = interdictionPlan(p, q.k, q.budgetMs);
      await audit(db, {
        actor: me.username,
        action: 'graph.interdiction',
        details: { k: q.k, complete: r.complete },
      });
      return r;
    },
  }),
];

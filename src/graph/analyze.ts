// Target ranking and disruption simulation over a projection.
import { model } from '../domain/model.js';
import type { Projection } from './project.js';
import { pageRank, betweenness, louvain } from './measures.js';
import { supplyFlow, greedyInterdiction } from './flow.js';

const TARGETABLE = ['Person', 'Organization', 'Company', 'Lab'];
/** People, organisations, companies and labs: what can be targeted (and leads a network). */
export const targetable = (schema: string): boolean => TARGETABLE.some((t) => model.isA(schema, t));

/** Above this many nodes betweenness is sampled (Brandes & Pich) rather than exact. */
export const EXACT_BETWEENNESS_MAX = 5_000;

export interface RankedTarget {
  id: string;
  schema: string;
  score: number;
  pageRank: number;
  betweenness: number;
  flowCarried: number;
  inMinimumCut: boolean;
  communities: number;
  seizures: number;
  sanctioned: boolean;
  inCase: boolean;
  why: string[];
}

const normalise = (a: Float64Array): Float64Array => {
  let max = 0;
  for (const x of a) if (x > max) max = x;
  return max ? a.map((x) => x / max) : a;
};

/**
 * A priority list: network position (PageRank, betweenness), the supply flow a node
 * carries and whether it sits in the minimum cut, communities it bridges, and the
 * record (seizures, sanctions, open case). Weighted sum, each part explained.
 */
export function rankTargets(
  p: Projection,
  opts: { top?: number; samples?: number } = {},
): {
  targets: RankedTarget[];
  maxFlow: number;
  betweennessSources: number;
  betweennessErrorBound: number;
  communities: number;
} {
  const g = p.graph;
  const pr = pageRank(g).rank;
  const bt = betweenness(g, g.n > EXACT_BETWEENNESS_MAX ? { samples: opts.samples ?? 256, seed: 1 } : {});
  const flow = supplyFlow(p.flow, p.sources, p.sinks);
  const cut = new Set(flow.cut);
  const com = louvain(g);
  const prN = normalise(pr);
  const btN = normalise(bt.score);
  const flN = normalise(flow.through.map((x) => (Number.isFinite(x) && x < 1e14 ? x : 0)));
  const u = g.undirected();
  const out: RankedTarget[] = [];
  for (let v = 0; v < g.n; v++) {
    if (!targetable(p.schema[v]!)) continue;
    const comms = new Set<number>([com.community[v]!]);
    for (let e = u.offsets[v]!; e < u.offsets[v + 1]!; e++) comms.add(com.community[u.targets[e]!]!);
    const why: string[] = [];
    let score = 0.25 * prN[v]! + 0.25 * btN[v]! + 0.3 * flN[v]!;
    if (cut.has(v)) {
      score += 0.1;
      why.push(
        `in the minimum cut between ${p.sources.length} precursor sources and ${p.sinks.length} retail outlets: removing it cuts ${((1 / Math.max(1, flow.maxFlow)) * 100).toFixed(0)}% of the independent supply routes`,
      );
    }
    if (flow.through[v]! > 0 && Number.isFinite(flow.maxFlow))
      why.push(`carries ${flow.through[v]} of ${flow.maxFlow} node-independent supply routes`);
    if (comms.size > 1) {
      score += 0.05 * Math.min(1, (comms.size - 1) / 3);
      why.push(`bridges ${comms.size} communities`);
    }
    if (btN[v]! > 0.5)
      why.push(`lies on many shortest paths (betweenness ${(btN[v]! * 100).toFixed(0)}% of the highest)`);
    if (prN[v]! > 0.5) why.push(`central by PageRank (${(prN[v]! * 100).toFixed(0)}% of the highest)`);
    if (p.seizures[v]) {
      score += 0.05 * Math.min(1, p.seizures[v]! / 3);
      why.push(`involved in ${p.seizures[v]} seizure or enforcement event(s)`);
    }
    if (p.inCase[v]) why.push('subject of a case');
    if (p.sanctioned[v]) why.push('already sanctioned');
    out.push({
      id: g.ids[v]!,
      schema: p.schema[v]!,
      score: Math.round(score * 1000) / 1000,
      pageRank: pr[v]!,
      betweenness: bt.score[v]!,
      flowCarried: flow.through[v]!,
      inMinimumCut: cut.has(v),
      communities: comms.size,
      seizures: p.seizures[v]!,
      sanctioned: !!p.sanctioned[v],
      inCase: !!p.inCase[v],
      why,
    });
  }
  out.sort((a, b) => b.score - a.score);
  return {
    targets: out.slice(0, opts.top ?? 50),
    maxFlow: flow.maxFlow,
    betweennessSources: bt.sources,
    betweennessErrorBound: bt.errorBound,
    communities: com.count,
  };
}

export interface Simulation {
  removed: string[];
  unknown: string[];
  flowBefore: number;
  flowAfter: number;
  flowLostPct: number;
  reachableBefore: number;
  reachableAfter: number;
  /** Nodes that carry more flow once the removed ones are gone: where the network reroutes. */
  rerouting: { id: string; schema: string; before: number; after: number }[];
  /** For retail outlets still supplied: the shortest remaining route from a source. */
  nextBestPaths: string[][];
}

function reachableSinks(p: Projection, removed: Set<number>): { count: number; parent: Int32Array } {
  const g = p.flow;
  const parent = new Int32Array(g.n).fill(-2);
  const q: number[] = [];
  for (const s of p.sources)
    if (!removed.has(s)) {
      parent[s] = -1;
      q.push(s);
    }
  for (let h = 0; h < q.length; h++) {
    const v = q[h]!;
    for (let e = g.offsets[v]!; e < g.offsets[v + 1]!; e++) {
      const w = g.targets[e]!;
      if (parent[w] === -2 && !removed.has(w)) {
        parent[w] = v;
        q.push(w);
      }
    }
  }
  return { count: p.sinks.filter((t) => parent[t] !== -2).length, parent };
}

/** What if these nodes were removed (arrested, sanctioned, shut down)? */
export function simulateDisruption(p: Projection, removeIds: string[]): Simulation {
  const g = p.flow;
  const removed = new Set<number>();
  const unknown: string[] = [];
  for (const id of removeIds) {
    const i = g.indexOf(id);
    if (i >= 0) removed.add(i);
    else unknown.push(id);
  }
  const before = supplyFlow(g, p.sources, p.sinks);
  const after = supplyFlow(g, p.sources, p.sinks, { removed });
  const rb = reachableSinks(p, new Set());
  const ra = reachableSinks(p, removed);
  const rerouting = [];
  for (let v = 0; v < g.n; v++) {
    if (after.through[v]! > before.through[v]! && !p.sources.includes(v) && !p.sinks.includes(v))
      rerouting.push({ id: g.ids[v]!, schema: p.schema[v]!, before: before.through[v]!, after: after.through[v]! });
  }
  rerouting.sort((a, b) => b.after - b.before - (a.after - a.before));
  const nextBestPaths: string[][] = [];
  for (const t of p.sinks) {
    if (ra.parent[t] === -2 || nextBestPaths.length >= 5) continue;
    const path: string[] = [];
    for (let v = t; v >= 0; v = ra.parent[v]!) path.unshift(g.ids[v]!);
    nextBestPaths.push(path);
  }
  const fb = before.maxFlow;
  const fa = after.maxFlow;
  return {
    removed: [...removed].map((v) => g.ids[v]!),
    unknown,
    flowBefore: fb,
    flowAfter: fa,
    flowLostPct: fb > 0 && Number.isFinite(fb) ? Math.round(((fb - fa) / fb) * 1000) / 10 : 0,
    reachableBefore: rb.count,
    reachableAfter: ra.count,
    rerouting: rerouting.slice(0, 20),
    nextBestPaths,
  };
}

/** The k nodes whose removal cuts the most supply flow, greedily, within a time budget. */
export function interdictionPlan(
  p: Projection,
  k: number,
  budgetMs: number,
): { plan: { id: string; schema: string; flowAfter: number }[]; initial: number; complete: boolean } {
  const deadline = Date.now() + budgetMs;
  const r = greedyInterdiction(p.flow, p.sources, p.sinks, k, { deadline });
  return {
    plan: r.removed.map((v, i) => ({ id: p.flow.ids[v]!, schema: p.schema[v]!, flowAfter: r.flowAfter[i]! })),
    initial: r.initial,
    complete: Date.now() <= deadline,
  };
}

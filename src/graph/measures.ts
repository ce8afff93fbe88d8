// Centrality and communities on a CsrGraph.
import type { CsrGraph } from './csr.js';

/** Weighted in-, out- and total degree. */
export function degrees(g: CsrGraph): { inDeg: Float64Array; outDeg: Float64Array } {
  const inDeg = new Float64Array(g.n);
  const outDeg = new Float64Array(g.n);
  for (let v = 0; v < g.n; v++) {
    for (let e = g.offsets[v]!; e < g.offsets[v + 1]!; e++) outDeg[v]! += g.weights[e]!;
    for (let e = g.inOffsets[v]!; e < g.inOffsets[v + 1]!; e++) inDeg[v]! += g.inWeights[e]!;
  }
  return { inDeg, outDeg };
}

/**
 * PageRank by power iteration (Page, Brin, Motwani & Winograd 1999, "The PageRank
 * citation ranking"), weighted by edge weight; dangling nodes' rank is spread
 * uniformly. Stops when the L1 change is below `tol`.
 */
export function pageRank(
  g: CsrGraph,
  opts: { damping?: number; tol?: number; maxIter?: number } = {},
): { rank: Float64Array; iterations: number } {
  const d = opts.damping ?? 0.85;
  const tol = opts.tol ?? 1e-9;
  const n = g.n;
  if (!n) return { rank: new Float64Array(0), iterations: 0 };
  const outW = new Float64Array(n);
  for (let v = 0; v < n; v++) for (let e = g.offsets[v]!; e < g.offsets[v + 1]!; e++) outW[v]! += g.weights[e]!;
  let rank = new Float64Array(n).fill(1 / n);
  let next = new Float64Array(n);
  let it = 0;
  for (; it < (opts.maxIter ?? 100); it++) {
    let dangling = 0;
    for (let v = 0; v < n; v++) if (outW[v] === 0) dangling += rank[v]!;
    const base = (1 - d) / n + (d * dangling) / n;
    // Pull over in-edges: each node reads its predecessors' shares (sequential writes).
    for (let v = 0; v < n; v++) {
      let s = 0;
      for (let e = g.inOffsets[v]!; e < g.inOffsets[v + 1]!; e++) {
        const u = g.sources[e]!;
        s += (rank[u]! * g.inWeights[e]!) / outW[u]!;
      }
      next[v] = base + d * s;
    }
    let diff = 0;
    for (let v = 0; v < n; v++) diff += Math.abs(next[v]! - rank[v]!);
    [rank, next] = [next, rank];
    if (diff < tol) {
      it++;
      break;
    }
  }
  return { rank, iterations: it };
}

/**
 * Betweenness on the undirected, unweighted view (Brandes 2001, "A faster algorithm
 * for betweenness centrality"): one BFS and one dependency accumulation per source,
 * O(nm). With `samples` < n it follows Brandes & Pich 2007 ("Centrality estimation in
 * large networks"): sources drawn uniformly, scores scaled by n/k. Each source's
 * contribution to a node, divided by n-2, lies in [0,1], so by Hoeffding's inequality
 * the normalised estimate is within ±sqrt(ln(2/δ)/(2k)) of the exact normalised value
 * with probability 1-δ for each node; `errorBound` reports that at δ = 0.05.
 */
export function betweenness(
  g: CsrGraph,
  opts: { samples?: number; seed?: number; sources?: Int32Array } = {},
): { score: Float64Array; sources: number; errorBound: number } {
  const n = g.n;
  const u = g.undirected();
  const score = new Float64Array(n);
  let chosen: Int32Array;
  if (opts.sources) chosen = opts.sources;
  else if (opts.samples && opts.samples < n) {
    // Seeded Fisher-Yates over 0..n-1, first k.
    const all = Int32Array.from({ length: n }, (_, i) => i);
    let s = (opts.seed ?? 1) >>> 0;
    const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    for (let i = 0; i < opts.samples; i++) {
      const j = i + Math.floor(rnd() * (n - i));
      [all[i], all[j]] = [all[j]!, all[i]!];
    }
    chosen = all.slice(0, opts.samples);
  } else chosen = Int32Array.from({ length: n }, (_, i) => i);
  const sigma = new Float64Array(n);
  const dist = new Int32Array(n).fill(-1);
  const delta = new Float64Array(n);
  const stack = new Int32Array(n);
  const queue = new Int32Array(n);
  for (const s of chosen) {
    let head = 0;
    let tail = 0;
    let top = 0;
    sigma[s] = 1;
    dist[s] = 0;
    queue[tail++] = s;
    while (head < tail) {
      const v = queue[head++]!;
      stack[top++] = v;
      const dv = dist[v]!;
      for (let e = u.offsets[v]!; e < u.offsets[v + 1]!; e++) {
        const w = u.targets[e]!;
        if (dist[w]! < 0) {
          dist[w] = dv + 1;
          queue[tail++] = w;
        }
        if (dist[w] === dv + 1) sigma[w]! += sigma[v]!;
      }
    }
    // Predecessors are not stored: w's predecessors are its neighbours one step nearer.
    while (top > 0) {
      const w = stack[--top]!;
      const dw = dist[w]!;
      for (let e = u.offsets[w]!; e < u.offsets[w + 1]!; e++) {
        const v = u.targets[e]!;
        if (dist[v] === dw - 1) delta[v]! += (sigma[v]! / sigma[w]!) * (1 + delta[w]!);
      }
      if (w !== s) score[w]! += delta[w]!;
    }
    for (let i = 0; i < tail; i++) {
      const v = queue[i]!;
      sigma[v] = 0;
      dist[v] = -1;
      delta[v] = 0;
    }
  }
  // Undirected: each pair was counted from both ends.
  const scale = (chosen.length < n ? n / chosen.length : 1) / 2;
  for (let v = 0; v < n; v++) score[v]! *= scale;
  const k = chosen.length;
  return { score, sources: k, errorBound: k < n ? Math.sqrt(Math.log(2 / 0.05) / (2 * k)) : 0 };
}

/**
 * Communities by Louvain (Blondel, Guillaume, Lambiotte & Lefebvre 2008, "Fast
 * unfolding of communities in large networks"): local moving of nodes to the
 * neighbouring community with the best modularity gain, then aggregation of
 * communities into nodes, repeated while modularity improves.
 */
export function louvain(
  g: CsrGraph,
  opts: { maxLevels?: number } = {},
): { community: Int32Array; modularity: number; count: number } {
  let { offsets, targets, weights } = g.undirected();
  let n = g.n;
  const membership = Int32Array.from({ length: n }, (_, i) => i); // original node -> current community
  for (let level = 0; level < (opts.maxLevels ?? 10); level++) {
    const k = new Float64Array(n);
    let m2 = 0;
    for (let v = 0; v < n; v++)
      for (let e = offsets[v]!; e < offsets[v + 1]!; e++) {
        k[v]! += weights[e]!;
        m2 += weights[e]!;
      }
    if (m2 === 0) break;
    const comm = Int32Array.from({ length: n }, (_, i) => i);
    const tot = Float64Array.from(k);
    const neighW = new Float64Array(n);
    const touched: number[] = [];
    let moved = true;
    let anyMove = false;
    for (let pass = 0; moved && pass < 50; pass++) {
      moved = false;
      for (let v = 0; v < n; v++) {
        const cv = comm[v]!;
        for (let e = offsets[v]!; e < offsets[v + 1]!; e++) {
          const c = comm[targets[e]!]!;
          if (neighW[c] === 0) touched.push(c);
          neighW[c]! += weights[e]!;
        }
        tot[cv]! -= k[v]!;
        let best = cv;
        let bestGain = neighW[cv]! - (tot[cv]! * k[v]!) / m2;
        for (const c of touched) {
          const gain = neighW[c]! - (tot[c]! * k[v]!) / m2;
          if (gain > bestGain + 1e-12) {
            bestGain = gain;
            best = c;
          }
        }
        tot[best]! += k[v]!;
        if (best !== cv) {
          comm[v] = best;
          moved = true;
          anyMove = true;
        }
        for (const c of touched) neighW[c] = 0;
        neighW[cv] = 0;
        touched.length = 0;
      }
    }
    if (!anyMove) break;
    // Renumber communities and aggregate.
    const remap = new Int32Array(n).fill(-1);
    let nc = 0;
    for (let v = 0; v < n; v++) if (remap[comm[v]!]! < 0) remap[comm[v]!] = nc++;
    for (let i = 0; i < membership.length; i++) membership[i] = remap[comm[membership[i]!]!]!;
    const agg = new Map<number, number>();
    for (let v = 0; v < n; v++)
      for (let e = offsets[v]!; e < offsets[v + 1]!; e++) {
        const key = remap[comm[v]!]! * nc + remap[comm[targets[e]!]!]!;
        agg.set(key, (agg.get(key) ?? 0) + weights[e]!);
      }
    const off = new Int32Array(nc + 1);
    for (const key of agg.keys()) off[Math.floor(key / nc) + 1]!++;
    for (let c = 0; c < nc; c++) off[c + 1]! += off[c]!;
    const fill = off.slice(0, nc);
    const tg = new Int32Array(agg.size);
    const wt = new Float64Array(agg.size);
    for (const [key, w] of agg) {
      const c = Math.floor(key / nc);
      const p = fill[c]!++;
      tg[p] = key % nc;
      wt[p] = w;
    }
    offsets = off;
    targets = tg;
    weights = wt;
    n = nc;
  }
  return { community: membership, modularity: modularity(g, membership), count: new Set(membership).size };
}

/** Newman's modularity of a partition, on the undirected weighted view. */
export function modularity(g: CsrGraph, community: Int32Array): number {
  const u = g.undirected();
  let m2 = 0;
  const tot = new Map<number, number>();
  let inside = 0;
  for (let v = 0; v < g.n; v++) {
    for (let e = u.offsets[v]!; e < u.offsets[v + 1]!; e++) {
      m2 += u.weights[e]!;
      if (community[u.targets[e]!] === community[v]) inside += u.weights[e]!;
    }
  }
  for (let v = 0; v < g.n; v++) {
    let k = 0;
    for (let e = u.offsets[v]!; e < u.offsets[v + 1]!; e++) k += u.weights[e]!;
    tot.set(community[v]!, (tot.get(community[v]!) ?? 0) + k);
  }
  if (!m2) return 0;
  let q = inside / m2;
  for (const t of tot.values()) q -= (t / m2) ** 2;
  return q;
}

// Graph analytics checked against brute force on small random graphs, and against
// properties any correct implementation has.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CsrGraph } from '../src/graph/csr.js';
import { pageRank, betweenness, louvain, degrees } from '../src/graph/measures.js';
import { supplyFlow, greedyInterdiction } from '../src/graph/flow.js';
import { buildProjection } from '../src/graph/project.js';

const graphArb = fc.integer({ min: 2, max: 9 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    edges: fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 })), {
      maxLength: 25,
    }),
  }),
);
const build = (n: number, edges: [number, number][]) =>
  CsrGraph.fromEdges(
    Array.from({ length: n }, (_, i) => `v${i}`),
    edges.map((e) => e[0]),
    edges.map((e) => e[1]),
  );

/** Betweenness by definition: for every pair, the share of shortest paths through v (undirected). */
function bruteBetweenness(n: number, edges: [number, number][]): number[] {
  const adj = Array.from({ length: n }, () => new Set<number>());
  for (const [a, b] of edges)
    if (a !== b) {
      adj[a]!.add(b);
      adj[b]!.add(a);
    }
  const bfs = (s: number) => {
    const d = new Array(n).fill(-1);
    const c = new Array(n).fill(0);
    d[s] = 0;
    c[s] = 1;
    const q = [s];
    while (q.length) {
      const v = q.shift()!;
      for (const w of adj[v]!) {
        if (d[w] < 0) {
          d[w] = d[v] + 1;
          q.push(w);
        }
        if (d[w] === d[v] + 1) c[w] += c[v];
      }
    }
    return { d, c };
  };
  const all = Array.from({ length: n }, (_, s) => bfs(s));
  const out = new Array(n).fill(0);
  for (let s = 0; s < n; s++)
    for (let t = s + 1; t < n; t++) {
      if (all[s]!.d[t] < 0) continue;
      for (let v = 0; v < n; v++) {
        if (v === s || v === t || all[s]!.d[v] < 0 || all[v]!.d[t] < 0) continue;
        if (all[s]!.d[v] + all[v]!.d[t] === all[s]!.d[t]) out[v] += (all[s]!.c[v] * all[v]!.c[t]) / all[s]!.c[t];
      }
    }
  return out;
}

/** Minimum vertex cut by trying every subset of non-terminal nodes (tiny graphs only). */
function bruteVertexCut(n: number, edges: [number, number][], sources: number[], sinks: number[]): number {
  const inner = Array.from({ length: n }, (_, i) => i).filter((v) => !sources.includes(v) && !sinks.includes(v));
  const connected = (removed: Set<number>) => {
    const seen = new Set(sources);
    const q = [...sources];
    while (q.length) {
      const v = q.pop()!;
      for (const [a, b] of edges)
        if (a === v && !removed.has(b) && !seen.has(b)) {
          seen.add(b);
          q.push(b);
        }
    }
    return sinks.some((t) => seen.has(t));
  };
  if (sources.some((s) => sinks.includes(s))) return Infinity;
  for (let size = 0; size <= inner.length; size++) {
    const pick = (from: number, chosen: number[]): boolean =>
      chosen.length === size
        ? !connected(new Set(chosen))
        : inner.slice(from).some((v, i) => pick(from + i + 1, [...chosen, v]));
    if (pick(0, [])) return size;
  }
  return Infinity;
}

describe('graph analytics', () => {
  it('betweenness (Brandes) equals the definition on random graphs', () => {
    fc.assert(
      fc.property(graphArb, ({ n, edges }) => {
        const want = bruteBetweenness(n, edges);
        const got = betweenness(build(n, edges)).score;
        want.forEach((w, v) => expect(got[v]).toBeCloseTo(w, 6));
      }),
      { numRuns: 200 },
    );
  });

  it('sampled betweenness is unbiased and within its stated error bound', () => {
    const edges: [number, number][] = [];
    for (let i = 0; i < 400; i++) edges.push([i, (i * 7 + 3) % 400], [i, (i + 1) % 400]);
    const g = build(400, edges);
    const exact = betweenness(g).score;
    const est = betweenness(g, { samples: 200, seed: 3 });
    const norm = (n: number) => ((n - 1) * (n - 2)) / 2;
    let worst = 0;
    for (let v = 0; v < 400; v++) worst = Math.max(worst, (Math.abs(est.score[v]! - exact[v]!) / norm(400)) * 2);
    expect(est.errorBound).toBeGreaterThan(0);
    expect(worst).toBeLessThan(est.errorBound);
  });

  it('max flow equals the brute-force minimum vertex cut (unit node capacities)', () => {
    fc.assert(
      fc.property(graphArb, ({ n, edges }) => {
        const sources = [0];
        const sinks = [n - 1];
        const g = build(n, edges);
        const f = supplyFlow(g, sources, sinks);
        const want = bruteVertexCut(n, edges, sources, sinks);
        if (want === Infinity)
          expect(f.maxFlow).toBeGreaterThan(n); // a direct edge: only a supplier or market can cut it, at a cost above all other nodes
        else {
          expect(f.maxFlow).toBe(want);
          expect(f.cut).toHaveLength(want);
          expect(supplyFlow(g, sources, sinks, { removed: new Set(f.cut) }).maxFlow).toBe(0); // removing the cut cuts everything
        }
      }),
      { numRuns: 300 },
    );
  });

  it('greedy interdiction cuts a two-route network in two moves, the shared bottleneck first', () => {
    // Two suppliers -> broker B -> labs L1, L2 -> markets; a second route via broker C.
    const ids = ['sup1', 'sup2', 'B', 'C', 'L1', 'L2', 'mkt1', 'mkt2'];
    const e: [number, number][] = [
      [0, 2],
      [1, 2],
      [2, 4],
      [2, 5],
      [4, 6],
      [5, 7],
      [1, 3],
      [3, 5],
    ];
    const g = CsrGraph.fromEdges(
      ids,
      e.map((x) => x[0]),
      e.map((x) => x[1]),
    );
    const r = greedyInterdiction(g, [0, 1], [6, 7], 3);
    expect(r.initial).toBe(2);
    expect(ids[r.removed[0]!]).toBe('B'); // both suppliers' shared broker
    expect(['C', 'L2']).toContain(ids[r.removed[1]!]); // then the second route, anywhere along it
    expect(r.flowAfter).toEqual([1, 0]);
  });

  it('PageRank sums to one and ranks the node everyone points at first', () => {
    const e: [number, number][] = [
      [1, 0],
      [2, 0],
      [3, 0],
      [0, 1],
      [4, 3],
    ];
    const { rank } = pageRank(build(5, e));
    expect(rank.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(Array.from(rank).indexOf(Math.max(...rank))).toBe(0);
    expect(degrees(build(5, e)).inDeg[0]).toBe(3);
  });

  it('Louvain separates two cliques joined by one edge', () => {
    const e: [number, number][] = [];
    for (const base of [0, 6]) for (let i = 0; i < 6; i++) for (let j = i + 1; j < 6; j++) e.push([base + i, base + j]);
    e.push([5, 6]);
    const r = louvain(build(12, e));
    expect(r.count).toBe(2);
    expect(new Set(Array.from(r.community.slice(0, 6))).size).toBe(1);
    expect(r.community[0]).not.toBe(r.community[11]);
    expect(r.modularity).toBeGreaterThan(0.4);
  });

  it('weighs ties by volume (log scale) and recency (half every two years), and leaves places out', async () => {
    const ref = (entity_id: string, schema: string, prop: string, value: string) => ({
      entity_id,
      schema,
      prop,
      value,
    });
    const p = await buildProjection({
      refs: [
        ref('s1', 'Supply', 'supplier', 'cn'),
        ref('s1', 'Supply', 'recipient', 'big'),
        ref('s2', 'Supply', 'supplier', 'cn'),
        ref('s2', 'Supply', 'recipient', 'small'),
        ref('s3', 'Supply', 'supplier', 'cn'),
        ref('s3', 'Supply', 'recipient', 'old'),
        ref('lab', 'Lab', 'addressEntity', 'culiacan'),
      ],
      modes: [],
      links: [],
      now: Date.parse('2031-01-01'),
      attrs: [
        { entity_id: 's1', prop: 'quantityKg', value: '999' },
        { entity_id: 's2', prop: 'quantityKg', value: '9' },
        { entity_id: 's3', prop: 'quantityKg', value: '999' },
        { entity_id: 's3', prop: 'date', value: '2027-01-01' },
      ],
      entities: async (ids) =>
        ids.map((id) => ({
          id,
          schema: id === 'cn' || id === 'big' || id === 'small' || id === 'old' ? 'Company' : 'Thing',
        })),
    });
    const g = p.graph;
    const w = (to: string) => {
      const v = g.indexOf('cn');
      for (let e = g.offsets[v]!; e < g.offsets[v + 1]!; e++) if (g.ids[g.targets[e]!] === to) return g.weights[e]!;
      return NaN;
    };
    expect(w('big')).toBeCloseTo(4, 6); // 1 + log10(1000)
    expect(w('small')).toBeCloseTo(2, 6); // 1 + log10(10)
    expect(w('old')).toBeCloseTo(1, 1); // four years old: a quarter
    expect(g.indexOf('culiacan')).toBe(-1);
    expect(p.sources.map((v) => g.ids[v])).toEqual(['cn']);
  });
});

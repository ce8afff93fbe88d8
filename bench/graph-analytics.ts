// Graph analytics on supply-chain graphs of about 10k, 100k and 1M edges built
// from the scenario generator: projection time, betweenness from a fixed set of
// sampled sources, and source-to-sink max flow on the node-split network, beside
// the named baselines igraph (python3-igraph, C) and networkx (pure Python) run in
// the same script on the same graphs, timed inside Python (loading excluded).
// Ratio = their time / ours (above 1: we are faster).
//
//   npm run bench:graph                      (10k, 100k, 1M edges)
//   npm run bench:graph -- --edges 10000     (one size)
// Needs Debian's python3-igraph and python3-networkx (.ci/run installs them; without them only ours runs).
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateScenario } from '../src/scenario/generate.js';
import { model } from '../src/domain/model.js';
import { buildProjection, type Ref } from '../src/graph/project.js';
import { betweenness } from '../src/graph/measures.js';
import { supplyFlow } from '../src/graph/flow.js';

const { values: args } = parseArgs({
  options: {
    edges: { type: 'string', default: '10000,100000,1000000' },
    sources: { type: 'string', default: '32' },
    timeout: { type: 'string', default: '300' },
    'store-entities': { type: 'string' },
    'exact-max': { type: 'string', default: '80000' },
  },
});
const sizes = args.edges.split(',').map(Number);
const K = Number(args.sources);
const PY = '/usr/bin/python3';
const haveIgraph = spawnSync(PY, ['-c', 'import igraph'], { encoding: 'utf8' }).status === 0;
const haveNx = spawnSync(PY, ['-c', 'import networkx'], { encoding: 'utf8' }).status === 0;
if (!haveIgraph || !haveNx)
  console.log(
    `baselines missing (apt-get install -y python3-igraph python3-networkx): igraph ${haveIgraph}, networkx ${haveNx}`,
  );

const EDGES_PER_NETWORK = 63; // about, after projection

async function scenarioGraph(edges: number) {
  const refs: Ref[] = [];
  const modes: { entity_id: string; value: string }[] = [];
  const schemas = new Map<string, string>();
  const t0 = performance.now();
  for (const rec of generateScenario({ seed: 1, networks: Math.max(1, Math.round(edges / EDGES_PER_NETWORK)) })) {
    for (const e of rec.entities) {
      schemas.set(e.id, e.schema);
      const props = model.properties(e.schema);
      for (const [prop, vals] of Object.entries(e.properties)) {
        if (props[prop]?.type === 'entity')
          for (const v of vals) refs.push({ entity_id: e.id, schema: e.schema, prop, value: v });
        else if (e.schema === 'Shipment' && prop === 'mode') modes.push({ entity_id: e.id, value: vals[0]! });
      }
    }
  }
  const genMs = performance.now() - t0;
  const p = await buildProjection({
    refs,
    modes,
    links: [],
    entities: async (ids) => ids.filter((id) => schemas.has(id)).map((id) => ({ id, schema: schemas.get(id)! })),
  });
  return { p, genMs, refs: refs.length };
}

const python = `
import sys, json, time
kind, path, extra = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
rows = [l.split() for l in open(path)]
out = {}
if kind == 'btw':
    n = extra['n']; edges = [(int(a), int(b)) for a, b in rows]; src = extra['sources']
    if extra.get('igraph'):
        # igraph 0.10 (Debian) has no source subsets: its comparable work is exact betweenness.
        import igraph
        g = igraph.Graph(n=n, edges=edges, directed=False)
        t = time.perf_counter(); b = g.betweenness(directed=False); out['igraph'] = time.perf_counter() - t
        out['igraph_sum'] = sum(b)
    if extra.get('nx'):
        import networkx as nx
        G = nx.Graph(); G.add_nodes_from(range(n)); G.add_edges_from(edges)
        t = time.perf_counter(); bb = nx.betweenness_centrality_subset(G, sources=src, targets=list(range(n)), normalized=False); out['networkx'] = time.perf_counter() - t
        out['networkx_sum'] = sum(bb.values())
else:
    n = extra['n']; s = extra['s']; tt = extra['t']
    edges = [(int(a), int(b)) for a, b, c in rows]; caps = [float(c) for a, b, c in rows]
    import igraph
    g = igraph.Graph(n=n, edges=edges, directed=True)
    t = time.perf_counter(); f = g.maxflow(s, tt, capacity=caps); out['igraph'] = time.perf_counter() - t; out['igraph_flow'] = f.value
    if extra.get('nx'):
        import networkx as nx
        G = nx.DiGraph(); G.add_nodes_from(range(n))
        for (a, b), c in zip(edges, caps): G.add_edge(a, b, capacity=c)
        t = time.perf_counter(); v = nx.maximum_flow_value(G, s, tt); out['networkx'] = time.perf_counter() - t; out['networkx_flow'] = v
print(json.dumps(out))
`;

function runPython(
  kind: 'btw' | 'flow',
  path: string,
  extra: Record<string, unknown>,
): Record<string, number> | string {
  const r = spawnSync(PY, ['-c', python, kind, path, JSON.stringify(extra)], {
    encoding: 'utf8',
    timeout: Number(args.timeout) * 1000,
    maxBuffer: 1 << 26,
  });
  if (r.error || r.status !== 0)
    return (r.error?.message ?? r.stderr.trim().split('\n').pop() ?? 'failed').slice(0, 120);
  return JSON.parse(r.stdout) as Record<string, number>;
}

const dir = mkdtempSync(join(tmpdir(), 'cp-graph-'));
const fmt = (s: number | undefined) =>
  s === undefined ? '-' : s < 1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(2)} s`;
const ratio = (theirs: number | undefined, ours: number) =>
  theirs === undefined ? '-' : `${(theirs / ours).toFixed(2)}x`;
console.log(
  `betweenness undirected: exact (every source) ours / igraph; from ${K} sampled sources ours / networkx (betweenness_centrality_subset). Max flow from precursor sources to retail outlets on the node-split network, ours (Dinic) / igraph (push-relabel) / networkx (preflow-push). Ratio = their time / ours; every figure checked equal to the baseline's.`,
);
console.log(
  'edges | nodes | projection | exact betweenness ours / igraph = ratio | sampled betweenness ours / networkx = ratio | max flow ours / igraph / networkx = ratios | max flow | generation',
);
for (const size of sizes) {
  const { p, genMs, refs } = await scenarioGraph(size);
  const g = p.graph;
  // Betweenness from the same K sources, undirected, unweighted.
  const u = g.undirected();
  const srcs = Int32Array.from({ length: Math.min(K, g.n) }, (_, i) => Math.floor((i * 2654435761) % g.n));
  let t = performance.now();
  const b = betweenness(g, { sources: srcs });
  const oursBtw = (performance.now() - t) / 1000;
  const edgeFile = join(dir, `btw-${size}.txt`);
  const lines: string[] = [];
  for (let v = 0; v < g.n; v++)
    for (let e = u.offsets[v]!; e < u.offsets[v + 1]!; e++) if (u.targets[e]! > v) lines.push(`${v} ${u.targets[e]}`);
  writeFileSync(edgeFile, lines.join('\n'));
  const nx = size <= 100_000;
  // Exact betweenness (every source) where it takes seconds: ours beside igraph's.
  const exact = g.n <= Number(args['exact-max']);
  t = performance.now();
  const full = exact ? betweenness(g) : undefined;
  const oursExact = (performance.now() - t) / 1000;
  const pb =
    haveIgraph || haveNx
      ? runPython('btw', edgeFile, { n: g.n, sources: Array.from(srcs), nx: haveNx && nx, igraph: haveIgraph && exact })
      : 'baselines missing';
  // Max flow on the node-split network, exported with the same capacities.
  t = performance.now();
  const f = supplyFlow(p.flow, p.sources, p.sinks);
  const oursFlow = (performance.now() - t) / 1000;
  const fg = p.flow;
  const n = fg.n;
  const S = 2 * n;
  const T = 2 * n + 1;
  const terminal = new Set([...p.sources, ...p.sinks]);
  const flines: string[] = [];
  for (let v = 0; v < n; v++) flines.push(`${2 * v} ${2 * v + 1} ${terminal.has(v) ? n + 1 : 1}`); // as supplyFlow: terminals cost more than all others
  for (let v = 0; v < n; v++)
    for (let e = fg.offsets[v]!; e < fg.offsets[v + 1]!; e++) flines.push(`${2 * v + 1} ${2 * fg.targets[e]!} 1e9`);
  for (const s of p.sources) flines.push(`${S} ${2 * s} 1e9`);
  for (const s of p.sinks) flines.push(`${2 * s + 1} ${T} 1e9`);
  const flowFile = join(dir, `flow-${size}.txt`);
  writeFileSync(flowFile, flines.join('\n'));
  const pf = haveIgraph
    ? runPython('flow', flowFile, { n: 2 * n + 2, s: S, t: T, nx: haveNx && nx })
    : 'igraph missing';
  const pbo = typeof pb === 'string' ? {} : pb;
  const pfo = typeof pf === 'string' ? {} : pf;
  // The same numbers, or it is no comparison.
  const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);
  if (
    full &&
    pbo.igraph_sum !== undefined &&
    Math.abs(pbo.igraph_sum - sum(full.score)) > 1e-6 * Math.max(1, pbo.igraph_sum)
  )
    throw new Error(`exact betweenness disagrees with igraph: ${pbo.igraph_sum} vs ${sum(full.score)}`);
  // Ours scales the subset sum by n/k into an estimate of the whole; networkx reports the subset sum.
  const subsetSum = (sum(b.score) * srcs.length) / g.n;
  if (pbo.networkx_sum !== undefined && Math.abs(pbo.networkx_sum - subsetSum) > 1e-6 * Math.max(1, pbo.networkx_sum))
    throw new Error(`subset betweenness disagrees with networkx: ${pbo.networkx_sum} vs ${subsetSum}`);
  if (pfo.igraph_flow !== undefined && pfo.igraph_flow !== f.maxFlow)
    throw new Error(`max flow disagrees with igraph: ${pfo.igraph_flow} vs ${f.maxFlow}`);
  console.log(
    `${String(g.m).padStart(9)} | ${g.n} | ${fmt(p.ms / 1000)} | ${exact ? `${fmt(oursExact)} / ${fmt(pbo.igraph)} = ${ratio(pbo.igraph, oursExact)}` : 'too slow for both'} | ${fmt(oursBtw)} / ${nx ? `${fmt(pbo.networkx)} = ${ratio(pbo.networkx, oursBtw)}` : 'skipped'} | ${fmt(oursFlow)} / ${fmt(pfo.igraph)} / ${nx ? fmt(pfo.networkx) : 'skipped'} = ${ratio(pfo.igraph, oursFlow)}, ${ratio(pfo.networkx, oursFlow)} | ${f.maxFlow} | ${refs} refs generated in ${(genMs / 1000).toFixed(1)} s`,
  );
  if (typeof pb === 'string') console.log(`  betweenness baseline: ${pb}`);
  if (typeof pf === 'string') console.log(`  max-flow baseline: ${pf}`);
}
rmSync(dir, { recursive: true, force: true });

// Projection from a store (PostgreSQL when DATABASE_URL is set, else PGlite on disk): the
// statements read inside a reader's marking scope, then built into CSR.
if (args['store-entities']) {
  const { Store } = await import('../src/store/store.js');
  const { scratchPostgres } = await import('../src/store/scratch.js');
  const { loadScenario } = await import('../src/scenario/load.js');
  const { projectGraph } = await import('../src/graph/project.js');
  const { SYSTEM } = await import('../src/store/write.js');
  const { ENTITIES_PER_NETWORK } = await import('../src/scenario/generate.js');
  const url = process.env.DATABASE_URL;
  const scratch = url ? await scratchPostgres(url) : undefined;
  const sdir = url ? undefined : mkdtempSync(join(tmpdir(), 'cp-graph-store-'));
  const store = await Store.open(scratch ? { url: scratch.url } : { dataDir: sdir });
  const n = Number(args['store-entities']);
  const load = await loadScenario(store, { seed: 1, networks: Math.max(1, Math.round(n / ENTITIES_PER_NETWORK)) });
  const reader = { ...SYSTEM, agency: 'DEA', clearance: 'S' as const, groups: ['OCDETF'] };
  for (let i = 0; i < 2; i++) {
    const t = performance.now();
    const p = await store.read(reader, (tx) => projectGraph(tx));
    console.log(
      `projection from the store (${store.db.kind}, ${load.entities} entities, DEA reader${i ? ', second run' : ''}): ${p.graph.n} nodes, ${p.graph.m} edges in ${((performance.now() - t) / 1000).toFixed(2)} s`,
    );
  }
  await store.close();
  if (scratch) await scratch.drop();
  if (sdir) rmSync(sdir, { recursive: true, force: true });
}
console.log(
  `(networkx is skipped above 100k edges: minutes per run; ${new Date().toISOString().slice(0, 10)}, node ${process.version})`,
);

// Supply-chain flow: how much can move from precursor sources to retail markets,
// and which nodes, removed, cut it. Each node v is split into v_in -> v_out with
// the node's capacity, so a minimum cut is a set of nodes (Ford & Fulkerson 1956's
// max-flow min-cut theorem, with node capacities by splitting); max flow by Dinic's
// blocking flows (Dinic 1970, "Algorithm for solution of a problem of maximum flow
// in networks with power estimation"), O(V²E) in general and far less on these
// layered graphs. Greedy k-node interdiction removes, k times, the node whose
// removal lowers the max flow most among the current cut's nodes (Wood 1993,
// "Deterministic network interdiction", solves it exactly as a MIP; the greedy
// rule is the common heuristic for it).
import type { CsrGraph } from './csr.js';

export class FlowNetwork {
  private head: Int32Array;
  private next: Int32Array;
  private to: Int32Array;
  private cap: Float64Array;
  private m = 0;
  private level: Int32Array;
  private iter: Int32Array;

  constructor(
    readonly size: number,
    expectedArcs: number,
  ) {
    this.head = new Int32Array(size).fill(-1);
    this.next = new Int32Array(expectedArcs * 2);
    this.to = new Int32Array(expectedArcs * 2);
    this.cap = new Float64Array(expectedArcs * 2);
    this.level = new Int32Array(size);
    this.iter = new Int32Array(size);
  }

  addArc(u: number, v: number, c: number): number {
    if (this.m + 2 > this.to.length) this.grow();
    const e = this.m;
    this.to[e] = v;
    this.cap[e] = c;
    this.next[e] = this.head[u]!;
    this.head[u] = e;
    this.to[e + 1] = u;
    this.cap[e + 1] = 0;
    this.next[e + 1] = this.head[v]!;
    this.head[v] = e + 1;
    this.m += 2;
    return e;
  }

  private grow(): void {
    const k = this.to.length * 2 + 16;
    const re = <T extends Int32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as { new (n: number): T })(k);
      b.set(a);
      return b;
    };
    this.next = re(this.next);
    this.to = re(this.to);
    this.cap = re(this.cap);
  }

  capacityOf(arc: number): number {
    return this.cap[arc]!;
  }

  setCapacity(arc: number, c: number): void {
    this.cap[arc] = c;
    this.cap[arc + 1] = 0;
  }

  private bfs(s: number, t: number): boolean {
    this.level.fill(-1);
    const q = new Int32Array(this.size);
    let h = 0;
    let tl = 0;
    q[tl++] = s;
    this.level[s] = 0;
    while (h < tl) {
      const v = q[h++]!;
      for (let e = this.head[v]!; e >= 0; e = this.next[e]!) {
        if (this.cap[e]! > 1e-12 && this.level[this.to[e]!]! < 0) {
          this.level[this.to[e]!] = this.level[v]! + 1;
          q[tl++] = this.to[e]!;
        }
      }
    }
    return this.level[t]! >= 0;
  }

  // Iterative DFS for a blocking flow (recursion would overflow on long chains).
  private augment(s: number, t: number): number {
    const pathArcs = new Int32Array(this.size);
    let total = 0;
    for (;;) {
      let depth = 0;
      let v = s;
      let found = false;
      while (true) {
        if (v === t) {
          found = true;
          break;
        }
        let advanced = false;
        for (; this.iter[v]! >= 0; this.iter[v] = this.next[this.iter[v]!]!) {
          const e = this.iter[v]!;
          const w = this.to[e]!;
          if (this.cap[e]! > 1e-12 && this.level[w] === this.level[v]! + 1) {
            pathArcs[depth++] = e;
            v = w;
            advanced = true;
            break;
          }
        }
        if (!advanced) {
          if (depth === 0) break;
          // Dead end: retreat and skip the arc that led here.
          this.level[v] = -1;
          const e = pathArcs[--depth]!;
          v = this.to[e ^ 1]!;
          this.iter[v] = this.next[this.iter[v]!]!;
        }
      }
      if (!found) return total;
      let f = Infinity;
      for (let i = 0; i < depth; i++) f = Math.min(f, this.cap[pathArcs[i]!]!);
      for (let i = 0; i < depth; i++) {
        this.cap[pathArcs[i]!]! -= f;
        this.cap[pathArcs[i]! ^ 1]! += f;
      }
      total += f;
    }
  }

  maxFlow(s: number, t: number): number {
    let flow = 0;
    while (this.bfs(s, t)) {
      this.iter.set(this.head);
      flow += this.augment(s, t);
    }
    return flow;
  }

  /** After maxFlow: nodes reachable from s in the residual graph (the source side of a minimum cut). */
  sourceSide(s: number): Uint8Array {
    const seen = new Uint8Array(this.size);
    const q = [s];
    seen[s] = 1;
    while (q.length) {
      const v = q.pop()!;
      for (let e = this.head[v]!; e >= 0; e = this.next[e]!)
        if (this.cap[e]! > 1e-12 && !seen[this.to[e]!]) {
          seen[this.to[e]!] = 1;
          q.push(this.to[e]!);
        }
    }
    return seen;
  }

  /** Flow on an arc after maxFlow, given its original capacity. */
  flowOn(arc: number, original: number): number {
    return original - this.cap[arc]!;
  }
}

export interface FlowResult {
  maxFlow: number;
  /** Nodes of a minimum vertex cut (graph indices). */
  cut: number[];
  /** Flow through each node. */
  through: Float64Array;
}

const BIG = 1e15;

/**
 * Max flow from `sources` to `sinks` with node capacities (default 1: the flow is
 * then the number of node-disjoint supply routes) and edge capacities from weights
 * when `edgeCapacity` is set (else unlimited), ignoring `removed` nodes.
 */
export function supplyFlow(
  g: CsrGraph,
  sources: number[],
  sinks: number[],
  opts: { nodeCapacity?: Float64Array; edgeCapacity?: boolean; removed?: Set<number> } = {},
): FlowResult {
  const n = g.n;
  const S = 2 * n;
  const T = 2 * n + 1;
  const net = new FlowNetwork(2 * n + 2, n + g.m + sources.length + sinks.length);
  const removed = opts.removed ?? new Set<number>();
  const nodeArc = new Int32Array(n).fill(-1);
  const nodeCap = new Float64Array(n);
  const terminal = new Set([...sources, ...sinks]);
  let terminalCap = 1;
  for (let v = 0; v < n; v++) terminalCap += opts.nodeCapacity ? opts.nodeCapacity[v]! : 1;
  for (let v = 0; v < n; v++) {
    if (removed.has(v)) continue;
    // Suppliers and markets may be cut too, but each costs more than every other node
    // together, so a cut goes between them when it can; a supplier selling straight
    // to a market can only be cut at one of the two.
    nodeCap[v] = terminal.has(v) ? terminalCap : opts.nodeCapacity ? opts.nodeCapacity[v]! : 1;
    nodeArc[v] = net.addArc(2 * v, 2 * v + 1, nodeCap[v]!);
  }
  for (let v = 0; v < n; v++) {
    if (removed.has(v)) continue;
    for (let e = g.offsets[v]!; e < g.offsets[v + 1]!; e++) {
      const w = g.targets[e]!;
      if (!removed.has(w)) net.addArc(2 * v + 1, 2 * w, opts.edgeCapacity ? g.weights[e]! : BIG);
    }
  }
  for (const s of sources) if (!removed.has(s)) net.addArc(S, 2 * s, BIG);
  for (const t of sinks) if (!removed.has(t)) net.addArc(2 * t + 1, T, BIG);
  const maxFlow = net.maxFlow(S, T);
  const side = net.sourceSide(S);
  const cut: number[] = [];
  const through = new Float64Array(n);
  for (let v = 0; v < n; v++) {
    if (nodeArc[v]! < 0) continue;
    through[v] = net.flowOn(nodeArc[v]!, nodeCap[v]!);
    if (side[2 * v] && !side[2 * v + 1]) cut.push(v);
  }
  return { maxFlow, cut, through };
}

/** Greedy k-node interdiction: each round removes the cut node whose removal lowers the max flow most. */
export function greedyInterdiction(
  g: CsrGraph,
  sources: number[],
  sinks: number[],
  k: number,
  opts: { nodeCapacity?: Float64Array; deadline?: number } = {},
): { removed: number[]; flowAfter: number[]; initial: number } {
  const removed = new Set<number>();
  const order: number[] = [];
  const flowAfter: number[] = [];
  let current = supplyFlow(g, sources, sinks, { ...opts, removed });
  const initial = current.maxFlow;
  for (let round = 0; round < k && current.maxFlow > 0; round++) {
    // Candidates: the current minimum cut, plus the nodes carrying the most flow.
    const byFlow = Array.from(current.through.keys())
      .filter((v) => current.through[v]! > 0 && !removed.has(v))
      .sort((a, b) => current.through[b]! - current.through[a]!)
      .slice(0, 10);
    const candidates = [...new Set([...current.cut, ...byFlow])];
    let best = -1;
    let bestFlow = Infinity;
    for (const c of candidates) {
      if (opts.deadline && Date.now() > opts.deadline) break;
      const f = supplyFlow(g, sources, sinks, { ...opts, removed: new Set([...removed, c]) }).maxFlow;
      if (f < bestFlow) {
        bestFlow = f;
        best = c;
      }
    }
    if (best < 0) break;
    removed.add(best);
    order.push(best);
    flowAfter.push(bestFlow);
    current = supplyFlow(g, sources, sinks, { ...opts, removed });
  }
  return { removed: order, flowAfter, initial };
}

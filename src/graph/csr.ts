// A compact directed graph in compressed sparse row form (typed arrays: out-edges
// of node v are targets[offsets[v] .. offsets[v+1]), with weights alongside), plus
// the reverse (in-edges) and an undirected view. Analytics run on these arrays,
// not on objects: a million edges are a few megabytes and scans stay in cache.
export class CsrGraph {
  private constructor(
    readonly ids: string[],
    readonly offsets: Int32Array,
    readonly targets: Int32Array,
    readonly weights: Float64Array,
    readonly inOffsets: Int32Array,
    readonly sources: Int32Array,
    readonly inWeights: Float64Array,
  ) {}

  get n(): number {
    return this.ids.length;
  }

  get m(): number {
    return this.targets.length;
  }

  /** From edges as (source, target, weight); parallel edges are merged by adding weights, self-loops dropped. */
  static fromEdges(
    ids: string[],
    src: Int32Array | number[],
    dst: Int32Array | number[],
    w?: Float64Array | number[],
  ): CsrGraph {
    const n = ids.length;
    // Merge parallel edges: sort edge indices by (src, dst) via counting on src, then dst within each row.
    const order = Array.from({ length: src.length }, (_, i) => i).filter((i) => src[i] !== dst[i]);
    order.sort((a, b) => src[a]! - src[b]! || dst[a]! - dst[b]!);
    const s: number[] = [];
    const d: number[] = [];
    const ww: number[] = [];
    for (const i of order) {
      const k = s.length - 1;
      if (k >= 0 && s[k] === src[i] && d[k] === dst[i]) ww[k]! += w ? w[i]! : 1;
      else {
        s.push(src[i]!);
        d.push(dst[i]!);
        ww.push(w ? w[i]! : 1);
      }
    }
    const build = (from: number[], to: number[]): [Int32Array, Int32Array, Float64Array] => {
      const off = new Int32Array(n + 1);
      for (const f of from) off[f + 1]!++;
      for (let v = 0; v < n; v++) off[v + 1]! += off[v]!;
      const fill = off.slice(0, n);
      const tg = new Int32Array(from.length);
      const wt = new Float64Array(from.length);
      for (let e = 0; e < from.length; e++) {
        const p = fill[from[e]!]!++;
        tg[p] = to[e]!;
        wt[p] = ww[e]!;
      }
      return [off, tg, wt];
    };
    const [offsets, targets, weights] = build(s, d);
    const [inOffsets, sources, inWeights] = build(d, s);
    return new CsrGraph(ids, offsets, targets, weights, inOffsets, sources, inWeights);
  }

  indexOf(id: string): number {
    return (this.index ??= new Map(this.ids.map((x, i) => [x, i]))).get(id) ?? -1;
  }
  private index?: Map<string, number>;

  /** Undirected view: each edge both ways, once per neighbour (weights added where both directions exist). */
  undirected(): { offsets: Int32Array; targets: Int32Array; weights: Float64Array } {
    if (this.undirectedView) return this.undirectedView;
    const n = this.n;
    const offsets = new Int32Array(n + 1);
    const targets = new Int32Array(this.m * 2);
    const weights = new Float64Array(this.m * 2);
    const at = new Int32Array(n).fill(-1); // position of neighbour w in v's row, while v is being built
    let p = 0;
    for (let v = 0; v < n; v++) {
      const start = p;
      const add = (w: number, x: number): void => {
        if (at[w]! >= start) weights[at[w]!]! += x;
        else {
          at[w] = p;
          targets[p] = w;
          weights[p++] = x;
        }
      };
      for (let e = this.offsets[v]!; e < this.offsets[v + 1]!; e++) add(this.targets[e]!, this.weights[e]!);
      for (let e = this.inOffsets[v]!; e < this.inOffsets[v + 1]!; e++) add(this.sources[e]!, this.inWeights[e]!);
      offsets[v + 1] = p;
    }
    return (this.undirectedView = { offsets, targets: targets.slice(0, p), weights: weights.slice(0, p) });
  }
  private undirectedView?: { offsets: Int32Array; targets: Int32Array; weights: Float64Array };
}

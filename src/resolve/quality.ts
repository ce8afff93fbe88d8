// Screening quality on labelled queries, for any matcher (Chokepoint's, and the
// baselines a user would pick instead), counted per query as a screener sees it:
// - a query for a listed identity is found (true positive) when its entry is among
//   the hits at or above the threshold, missed (false negative) otherwise, and also
//   a false positive when it hit only other entries;
// - a query for a name nobody listed is a false positive when it hits anything;
// - "top hit" is whether the best-scored candidate, at any score, is the right entry.
// Precision is TP / (TP + FP), recall TP / (TP + FN).

export interface Scored {
  id: string;
  /** On the matcher's own scale; compared with the threshold. */
  score: number;
}

export interface Labelled {
  expect: string | null;
}

export interface Tally {
  queries: number;
  positives: number;
  tp: number;
  fp: number;
  fn: number;
  /** Positives whose best candidate is the right entry, at any score. */
  top: number;
  /** Negatives with any hit. */
  falseHits: number;
  precision: number;
  recall: number;
  f1: number;
  topHit: number;
  falseHitRate: number;
}

const ratio = (a: number, b: number): number => (b ? a / b : 0);

export function tally(queries: Labelled[], results: Scored[][], threshold: number): Tally {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let top = 0;
  let positives = 0;
  let falseHits = 0;
  queries.forEach((q, i) => {
    const all = results[i]!;
    const hits = all.filter((h) => h.score >= threshold);
    if (q.expect === null) {
      if (hits.length) {
        fp++;
        falseHits++;
      }
      return;
    }
    positives++;
    let best: Scored | undefined;
    for (const h of all) if (!best || h.score > best.score) best = h;
    if (best?.id === q.expect) top++;
    if (hits.some((h) => h.id === q.expect)) tp++;
    else {
      fn++;
      if (hits.length) fp++;
    }
  });
  const precision = tp + fp ? tp / (tp + fp) : 1;
  const recall = ratio(tp, tp + fn);
  return {
    queries: queries.length,
    positives,
    tp,
    fp,
    fn,
    top,
    falseHits,
    precision,
    recall,
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    topHit: ratio(top, positives),
    falseHitRate: ratio(falseHits, queries.length - positives),
  };
}

/** Tallies per group (kind, script, variant, …), groups in first-seen order. */
export function tallyBy<Q extends Labelled>(
  queries: Q[],
  results: Scored[][],
  threshold: number,
  group: (q: Q) => string,
): Map<string, Tally> {
  const idx = new Map<string, number[]>();
  queries.forEach((q, i) => {
    const g = group(q);
    const list = idx.get(g) ?? [];
    list.push(i);
    idx.set(g, list);
  });
  const out = new Map<string, Tally>();
  for (const [g, is] of idx)
    out.set(
      g,
      tally(
        is.map((i) => queries[i]!),
        is.map((i) => results[i]!),
        threshold,
      ),
    );
  return out;
}

/**
 * The best threshold among `thresholds` by `better` (is this tally better than the best so
 * far?), starting from `initial`: one sweep for best F1, best recall at a precision, and the fit.
 */
export function sweep(
  queries: Labelled[],
  results: Scored[][],
  thresholds: Iterable<number>,
  better: (t: Tally, best: Tally) => boolean,
  initial: { threshold: number; tally: Tally },
): { threshold: number; tally: Tally } {
  let best = initial;
  for (const threshold of thresholds) {
    const t = tally(queries, results, threshold);
    if (better(t, best.tally)) best = { threshold, tally: t };
  }
  return best;
}

/** About `n` of the scores seen, evenly through them: enough to find an optimum within noise, and linear. */
function someScores(results: Scored[][], n: number): number[] {
  const scores = [...new Set(results.flat().map((h) => Math.round(h.score * 1000) / 1000))].sort((a, b) => a - b);
  const step = Math.max(1, Math.floor(scores.length / n));
  return scores.filter((_, i) => i % step === 0);
}

/** The threshold with the best F1 among the scores seen (a matcher's best case, for baselines). */
export function bestThreshold(queries: Labelled[], results: Scored[][]): { threshold: number; tally: Tally } {
  return sweep(queries, results, someScores(results, 200), (t, b) => t.f1 > b.f1, {
    threshold: 1,
    tally: tally(queries, results, 1),
  });
}

/**
 * Expected calibration error of scores that claim to be probabilities: hits binned by
 * score, the gap between each bin's mean score and the share of its hits that were the
 * right entry, weighted by the bin's size. Hits below `floor` are left out (a matcher
 * that scores everything near 0 would otherwise look perfectly calibrated).
 */
export function calibrationError(
  queries: Labelled[],
  results: Scored[][],
  floor = 0.05,
  bins = 10,
): { error: number; hits: number; bins: { from: number; n: number; meanScore: number; right: number }[] } {
  const b = Array.from({ length: bins }, (_, i) => ({ from: i / bins, n: 0, sum: 0, right: 0 }));
  queries.forEach((q, i) => {
    for (const h of results[i]!) {
      if (h.score < floor) continue;
      const bin = b[Math.min(bins - 1, Math.floor(h.score * bins))]!;
      bin.n++;
      bin.sum += h.score;
      if (h.id === q.expect) bin.right++;
    }
  });
  const n = b.reduce((a, x) => a + x.n, 0);
  return {
    error: ratio(
      b.reduce((a, x) => a + Math.abs(x.sum - x.right), 0),
      n,
    ),
    hits: n,
    bins: b.filter((x) => x.n).map((x) => ({ from: x.from, n: x.n, meanScore: x.sum / x.n, right: x.right / x.n })),
  };
}

/** The threshold with the best recall at a precision of at least `minPrecision` (what a compliance officer tunes for). */
export function recallAtPrecision(
  queries: Labelled[],
  results: Scored[][],
  minPrecision: number,
): { threshold: number; tally: Tally } {
  return sweep(
    queries,
    results,
    someScores(results, 400),
    (t, b) => t.precision >= minPrecision && t.recall > b.recall,
    { threshold: 1, tally: tally(queries, results, 1) },
  );
}

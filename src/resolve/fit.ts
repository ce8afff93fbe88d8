// Fits the matching model (matcher.ts) on labelled queries: every candidate the
// screening index selects for a tuning query becomes a labelled pair (features, is
// it the expected entry?), the same pairs the model will score in production.
// Logistic regression by Newton's method (IRLS) with a small L2 penalty, then
// isotonic calibration of its probability, then the default threshold: the one with
// the best recall at a precision of at least 0.90 on the same queries. Deterministic:
// the same sets give the same file, which a test checks against the shipped one.
//
// Written here rather than taken from a package: npm's logistic-regression packages
// fit by gradient descent with a learning rate to tune, and this is 40 lines with an
// exact, deterministic optimum.
import { Calibration, isotonicFit } from './calibrate.js';
import { FEATURES, FEATURE_COUNT } from './features.js';
import { Matcher, type MatcherFile } from './matcher.js';
import { sweep, tally, type Scored } from './quality.js';
import { ScreeningIndex, type ListEntry, type ScreeningQuery } from './screen-index.js';

export interface FitQuery extends Omit<ScreeningQuery, 'kind'> {
  expect: string | null;
}

export interface FitSet {
  name: string;
  index: ListEntry[];
  queries: FitQuery[];
}

const L2 = 1;
const MIN_PRECISION = 0.9;

/** Solves A x = b for a small symmetric positive definite A (Cholesky). */
function solve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = i === j ? Math.sqrt(Math.max(sum, 1e-12)) : sum / l[j * n + j]!;
    }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i * n + k]! * y[k]!;
    y[i] = sum / l[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i]! * x[k]!;
    x[i] = sum / l[i * n + i]!;
  }
  return x;
}

/** Weights (index 0: bias) maximising the L2-penalised log-likelihood; `x` holds FEATURE_COUNT values per pair. */
export function logisticFit(x: Float64Array, y: Uint8Array, l2 = L2, iterations = 30): Float64Array {
  const d = FEATURE_COUNT + 1;
  const n = y.length;
  let w = new Float64Array(d);
  const row = new Float64Array(d);
  for (let it = 0; it < iterations; it++) {
    const h = new Float64Array(d * d);
    const g = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      row[0] = 1;
      for (let k = 0; k < FEATURE_COUNT; k++) row[k + 1] = x[i * FEATURE_COUNT + k]!;
      let z = 0;
      for (let k = 0; k < d; k++) z += w[k]! * row[k]!;
      const p = 1 / (1 + Math.exp(-z));
      const r = p - y[i]!;
      const v = p * (1 - p);
      for (let a = 0; a < d; a++) {
        if (!row[a]) continue;
        g[a] = g[a]! + r * row[a]!;
        for (let b = 0; b <= a; b++) if (row[b]) h[a * d + b] = h[a * d + b]! + v * row[a]! * row[b]!;
      }
    }
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < a; b++) h[b * d + a] = h[a * d + b]!;
      if (a > 0) {
        h[a * d + a] = h[a * d + a]! + l2;
        g[a] = g[a]! + l2 * w[a]!;
      }
      h[a * d + a] = h[a * d + a]! + 1e-9;
    }
    const step = solve(h, g, d);
    let change = 0;
    const next = new Float64Array(d);
    for (let k = 0; k < d; k++) {
      next[k] = w[k]! - step[k]!;
      change = Math.max(change, Math.abs(step[k]!));
    }
    w = next;
    if (change < 1e-7) break;
  }
  return w;
}

const round = (x: number, digits = 6): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Lets the event loop run between slices of the fit (callers stay responsive). */
const breathe = (): Promise<void> => new Promise((r) => setImmediate(r));

export async function fitMatcher(sets: FitSet[], fittedOn: string): Promise<MatcherFile> {
  // 1. Candidates and their features, as production selects them.
  const xs: number[] = [];
  const ys: number[] = [];
  const perQuery: { expect: string | null; pairs: { id: string; at: number }[] }[] = [];
  for (const set of sets) {
    const index = new ScreeningIndex();
    for (const e of set.index) index.add(e);
    index.build();
    for (const [i, q] of set.queries.entries()) {
      if (i % 1000 === 0) await breathe();
      const pairs: { id: string; at: number }[] = [];
      index.candidates({ ...q, kind: 'any' }, (entry, x) => {
        pairs.push({ id: entry.id, at: ys.length });
        for (let k = 0; k < FEATURE_COUNT; k++) xs.push(x[k]!);
        ys.push(entry.id === q.expect ? 1 : 0);
      });
      perQuery.push({ expect: q.expect, pairs });
    }
  }
  const x = Float64Array.from(xs);
  const y = Uint8Array.from(ys);
  // 2. Weights. A feature seen only on true pairs, or only on false ones, has no
  // finite best weight: it takes its stated prior instead, and the file says so.
  const priors: Record<string, string> = {};
  const fitted = Float64Array.from(x);
  FEATURES.forEach((f, k) => {
    let pos = 0;
    let neg = 0;
    for (let i = 0; i < y.length; i++)
      if (x[i * FEATURE_COUNT + k]) {
        if (y[i]) pos++;
        else neg++;
      }
    if ((pos && neg) || !f.prior) return;
    priors[f.name] = `${f.prior.why} (seen on ${pos} true and ${neg} false tuning pairs)`;
    for (let i = 0; i < y.length; i++) fitted[i * FEATURE_COUNT + k] = 0;
  });
  const w = logisticFit(fitted, y);
  const weights = Object.fromEntries(
    FEATURES.map((f, k) => [f.name, priors[f.name] ? f.prior!.weight : round(w[k + 1]!)]),
  );
  const bias = round(w[0]!);
  const provisional = new Matcher({
    fittedOn,
    pairs: y.length,
    bias,
    weights,
    calibration: [
      [0, 0],
      [1, 1],
    ],
    priors: {},
    threshold: 0.5,
    thresholdRule: '',
    tuning: {},
  });
  const probs = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++)
    probs[i] = provisional.probability(x.subarray(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT));
  // 3. Calibration.
  const calibration = isotonicFit(Array.from(probs, (p, i) => ({ raw: p, match: y[i] === 1 })));
  const cal = new Calibration(calibration);
  const results: Scored[][] = perQuery.map((q) =>
    q.pairs.map((p) => ({ id: p.id, score: cal.probability(probs[p.at]!) })),
  );
  // 4. Threshold: the best recall with precision at least MIN_PRECISION.
  // The first threshold that reaches the precision is taken whatever its recall.
  const start = { threshold: calibration[calibration.length - 1]![1], tally: tally(perQuery, results, 1) };
  const chosen = sweep(
    perQuery,
    results,
    calibration.map(([, p]) => p),
    (t, b) => t.precision >= MIN_PRECISION && (b === start.tally || t.recall > b.recall),
    start,
  );
  const best = { threshold: chosen.threshold, t: chosen.tally };
  return {
    fittedOn,
    pairs: y.length,
    bias,
    weights,
    calibration,
    priors,
    threshold: best.threshold,
    thresholdRule: `the calibrated score with the best recall at precision ≥ ${MIN_PRECISION} on the tuning queries`,
    tuning: {
      queries: perQuery.length,
      precision: round(best.t.precision, 4),
      recall: round(best.t.recall, 4),
      f1: round(best.t.f1, 4),
      topHit: round(best.t.topHit, 4),
    },
  };
}

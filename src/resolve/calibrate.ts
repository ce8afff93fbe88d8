// Score calibration: the matching model's probability (matcher.ts) is monotone in the
// chance that a hit is the listed identity, but not equal to it. Isotonic regression
// (pool-adjacent-violators) on labelled pairs from the tuning half of real lists maps
// it to the observed share of true matches, so a score of 0.9 means "about nine in
// ten such hits were the listed identity". The fitted map is data (matcher.json).
import { readFileSync } from 'node:fs';

/** Points (raw similarity, probability), raw strictly increasing, probability strictly increasing. */
export type CalibrationPoints = [number, number][];

/** Pool-adjacent-violators: the non-decreasing step function closest (least squares) to the labels. */
export function isotonicFit(samples: { raw: number; match: boolean }[]): CalibrationPoints {
  // Equal raw scores are pooled: matches first among ties, so they violate order and merge.
  const sorted = [...samples].sort((a, b) => a.raw - b.raw || Number(b.match) - Number(a.match));
  const blocks: { sumX: number; sumY: number; n: number }[] = [];
  for (const s of sorted) {
    blocks.push({ sumX: s.raw, sumY: s.match ? 1 : 0, n: 1 });
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1]!;
      const a = blocks[blocks.length - 2]!;
      if (a.sumY / a.n < b.sumY / b.n) break;
      a.sumX += b.sumX;
      a.sumY += b.sumY;
      a.n += b.n;
      blocks.pop();
    }
  }
  // Each block as a point at its mean raw score; between points the map is linear, so it is strictly increasing.
  return blocks.map((b) => [round(b.sumX / b.n), round(b.sumY / b.n)]);
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6;

export class Calibration {
  constructor(readonly points: CalibrationPoints) {
    if (!points.length) throw new Error('calibration: no points');
    for (let i = 1; i < points.length; i++) {
      if (!(points[i]![0] > points[i - 1]![0] && points[i]![1] > points[i - 1]![1]))
        throw new Error('calibration: points must increase');
    }
  }

  /** The raw score itself: used to fit a calibration, and where none is wanted. */
  static identity(): Calibration {
    return new Calibration([
      [0, 0],
      [1, 1],
    ]);
  }

  /** Probability of a raw score; flat beyond the fitted range (no evidence there to go further). */
  probability(raw: number): number {
    const p = this.points;
    if (raw <= p[0]![0]) return p[0]![1];
    const last = p[p.length - 1]!;
    if (raw >= last[0]) return last[1];
    let lo = 0;
    let hi = p.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (p[mid]![0] <= raw) lo = mid;
      else hi = mid;
    }
    const [x0, y0] = p[lo]!;
    const [x1, y1] = p[hi]!;
    return y0 + ((y1 - y0) * (raw - x0)) / (x1 - x0);
  }

  /** The least raw score whose probability reaches `prob` (so a threshold can be applied before calibrating). */
  rawFor(prob: number): number {
    const p = this.points;
    if (prob <= p[0]![1]) return 0;
    const last = p[p.length - 1]!;
    if (prob > last[1]) return Infinity;
    for (let i = 1; i < p.length; i++) {
      const [x0, y0] = p[i - 1]!;
      const [x1, y1] = p[i]!;
      if (prob <= y1) return x0 + ((x1 - x0) * (prob - y0)) / (y1 - y0);
    }
    return last[0];
  }
}

/** The default screening and cross-referencing threshold (calibrated scale), fitted with the model (matcher.json). */
export const DEFAULT_THRESHOLD = (
  JSON.parse(readFileSync(new URL('./matcher.json', import.meta.url), 'utf8')) as { threshold: number }
).threshold;

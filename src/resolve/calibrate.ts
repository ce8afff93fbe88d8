// Score calibration: the raw similarity of a pair (name, date of birth, country,
// identifiers) is monotone in the chance that it is the same identity, but not equal
// to it. Isotonic regression (pool-adjacent-violators) on labelled pairs from the
// tuning set (seed 101) maps raw similarity to the observed share of true matches,
// so a score of 0.9 means "about nine in ten such hits were the listed identity" on
// that labelled distribution. The fitted map is data (calibration.json), written by
// `npm run calibrate`; a test refits it and checks the file is what the fit gives.
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

export interface CalibrationFile {
  fittedOn: string;
  pairs: number;
  /** The default screening threshold, on the calibrated scale: best F1 on the tuning set. */
  threshold: number;
  points: CalibrationPoints;
}

export function readCalibrationFile(): CalibrationFile {
  return JSON.parse(readFileSync(new URL('./calibration.json', import.meta.url), 'utf8')) as CalibrationFile;
}

/** The default screening and cross-referencing threshold (calibrated scale), fitted with the map. */
export const DEFAULT_THRESHOLD = readCalibrationFile().threshold;

let shipped: Calibration | undefined;
/** The calibration fitted on the tuning set and shipped with the code. */
export function shippedCalibration(): Calibration {
  return (shipped ??= new Calibration(readCalibrationFile().points));
}

// The matching model: a logistic regression over the features (features.ts), its
// output calibrated by isotonic regression into the share of such hits that were the
// listed identity. Weights, calibration and the default threshold are data
// (matcher.json), fitted on the tuning half of real lists by `npm run calibrate`
// (fit.ts, scripts/calibrate.ts); a test refits and checks the file is what the fit gives.
import { readFileSync } from 'node:fs';
import { Calibration, type CalibrationPoints } from './calibrate.js';
import { FEATURES, FEATURE_COUNT } from './features.js';

export interface MatcherFile {
  fittedOn: string;
  /** Labelled (query, candidate) pairs the weights and calibration were fitted on. */
  pairs: number;
  /** Log-odds of a pair with every feature 0. */
  bias: number;
  /** Feature name -> weight (log-odds per unit of the feature). */
  weights: Record<string, number>;
  /** Features whose weight is a stated prior, not fitted, and why. */
  priors: Record<string, string>;
  /** Isotonic map from the regression's probability to the calibrated score. */
  calibration: CalibrationPoints;
  /** The default screening threshold (calibrated scale) and how it was chosen. */
  threshold: number;
  thresholdRule: string;
  /** Quality on the tuning half at that threshold, as the fit measured it. */
  tuning: Record<string, number>;
}

export interface Contribution {
  feature: string;
  value: number;
  weight: number;
  /** weight × value, in log-odds. */
  contribution: number;
}

export class Matcher {
  readonly weights: Float64Array;
  readonly calibration: Calibration;
  constructor(readonly file: MatcherFile) {
    this.weights = Float64Array.from(FEATURES, (f) => {
      const w = file.weights[f.name];
      if (w === undefined) throw new Error(`matcher.json: no weight for feature ${f.name} (refit: npm run calibrate)`);
      return w;
    });
    this.calibration = new Calibration(file.calibration);
  }

  /** The regression's probability (before calibration). */
  probability(x: Float64Array): number {
    let z = this.file.bias;
    for (let i = 0; i < FEATURE_COUNT; i++) z += this.weights[i]! * x[i]!;
    return 1 / (1 + Math.exp(-z));
  }

  score(x: Float64Array): { probability: number; score: number } {
    const p = this.probability(x);
    return { probability: p, score: this.calibration.probability(p) };
  }

  contributions(x: Float64Array): Contribution[] {
    const out: Contribution[] = [];
    for (let i = 0; i < FEATURE_COUNT; i++)
      if (x[i]) {
        const weight = this.weights[i]!;
        out.push({
          feature: FEATURES[i]!.name,
          value: round(x[i]!),
          weight: round(weight),
          contribution: round(weight * x[i]!),
        });
      }
    return out;
  }
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

export function readMatcherFile(): MatcherFile {
  return JSON.parse(readFileSync(new URL('./matcher.json', import.meta.url), 'utf8')) as MatcherFile;
}

let shipped: Matcher | undefined;
/** The model fitted on the tuning half and shipped with the code. */
export function shippedMatcher(): Matcher {
  return (shipped ??= new Matcher(readMatcherFile()));
}

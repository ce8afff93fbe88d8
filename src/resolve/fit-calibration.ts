// Fits the screening calibration on the tuning set (seed 101; the evaluation set is
// seed 202 and the tests use 303): labelled (raw similarity, same identity?) pairs
// from screening every tuning query, isotonic regression over them, then the
// default threshold as the calibrated score with the best F1 on the same set.
import { ScreeningIndex, type ListEntry } from './screen-index.js';
import { generateEvalSet } from './evalset.js';
import { evaluate } from './evaluate.js';
import { Calibration, isotonicFit, type CalibrationFile } from './calibrate.js';

export const TUNING_SEED = 101;

/** Lets the event loop run between slices of the fit (it takes half a minute; callers stay responsive). */
const breathe = (): Promise<void> => new Promise((r) => setImmediate(r));

export async function fitCalibration(
  distractors: ListEntry[],
  seed = TUNING_SEED,
  identities = 1500,
): Promise<CalibrationFile> {
  const set = generateEvalSet(seed, identities);
  const raw = new ScreeningIndex({ calibration: Calibration.identity() });
  for (const e of [...set.entries, ...distractors]) raw.add(e);
  const samples: { raw: number; match: boolean }[] = [];
  for (const [i, q] of set.queries.entries()) {
    if (i % 500 === 0) await breathe();
    for (const h of raw.search({ name: q.name, birthDate: q.birthDate }, { threshold: 0.5, limit: 5 }))
      samples.push({ raw: h.similarity, match: h.entry.id === q.expect });
  }
  const points = isotonicFit(samples);
  const calibrated = new ScreeningIndex({ calibration: new Calibration(points) });
  for (const e of [...set.entries, ...distractors]) calibrated.add(e);
  // Candidate thresholds: the fitted probabilities themselves (between them nothing changes but interpolation).
  let best = { threshold: 0.5, f1: -1 };
  for (const [, p] of points) {
    await breathe();
    const q = evaluate(calibrated, set.queries, p);
    if (q.f1 > best.f1) best = { threshold: p, f1: q.f1 };
  }
  return {
    fittedOn: `generateEvalSet(${seed}, ${identities}) + ${distractors.length} OFAC SDN entries as distractors`,
    pairs: samples.length,
    threshold: best.threshold,
    points,
  };
}

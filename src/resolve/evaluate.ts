// Precision, recall and F1 of screening on a labelled set, overall and per variant,
// counted per query: a query for a listed identity is a true positive when that
// entry is among its hits at or above the threshold (other similar listed names may
// rank beside it: the analyst sees them all), a false negative otherwise, and also
// a false positive when it hit only other entries; a query for a name not listed is
// a false positive when it hits anything.
import type { ScreeningIndex } from './screen-index.js';
import type { LabelledQuery } from './evalset.js';

export interface Quality {
  threshold: number;
  queries: number;
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
  byVariant: Record<string, { n: number; found: number; falseHits: number }>;
}

export function evaluate(index: ScreeningIndex, queries: LabelledQuery[], threshold: number): Quality {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const byVariant: Quality['byVariant'] = {};
  for (const q of queries) {
    const hits = index.search({ name: q.name, birthDate: q.birthDate }, { threshold, limit: 5 });
    const v = (byVariant[q.variant] ??= { n: 0, found: 0, falseHits: 0 });
    v.n++;
    const found = q.expect !== null && hits.some((h) => h.entry.id === q.expect);
    if (found) {
      tp++;
      v.found++;
    } else {
      if (q.expect !== null) fn++;
      if (hits.length) {
        fp++;
        v.falseHits++;
      }
    }
  }
  const precision = tp + fp ? tp / (tp + fp) : 1;
  const recall = tp + fn ? tp / (tp + fn) : 1;
  return {
    threshold,
    queries: queries.length,
    tp,
    fp,
    fn,
    precision,
    recall,
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    byVariant,
  };
}

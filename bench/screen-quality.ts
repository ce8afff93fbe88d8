// Screening quality on real names (src/lists/labelled.ts), on the test half only:
// precision, recall, F1 and right top hit per set, by kind, script and variant, and
// the calibration error of the scores, at the default threshold. Baselines a user
// would pick instead run on the same queries (`--baselines`): PostgreSQL pg_trgm
// similarity over the same folded names with a GIN index, and a token-sort-ratio full
// scan (rapidfuzz's / fuzzywuzzy's), each at its own best threshold.
//   npm run bench:quality [-- --baselines] [-- --sample N]
import { performance } from 'node:perf_hooks';
import { indexSet, labelledSets, screenQueries, type LabelledName, type LabelledSet } from '../src/lists/labelled.js';
import { DEFAULT_THRESHOLD } from '../src/resolve/calibrate.js';
import {
  bestThreshold,
  calibrationError,
  recallAtPrecision,
  tally,
  tallyBy,
  type Scored,
  type Tally,
} from '../src/resolve/quality.js';
import { type Run, runBaselines } from './screen-baselines.js';

const args = process.argv.slice(2);
const BASELINES = args.includes('--baselines');
const sampleArg = args.indexOf('--sample');
// The baselines are slower (pg_trgm one query at a time, token-sort a full scan): 1,000 queries a set unless told.
const SAMPLE = sampleArg >= 0 ? Number(args[sampleArg + 1]) : BASELINES ? 1000 : 0;

const pct = (x: number): string => x.toFixed(3);
const row = (label: string, t: Tally): string =>
  t.positives
    ? `| ${label} | ${t.positives} | ${pct(t.precision)} | ${pct(t.recall)} | ${pct(t.f1)} | ${pct(t.topHit)} |`
    : `| ${label} | ${t.queries} negatives | false hits ${(100 * t.falseHitRate).toFixed(2)}% (${t.falseHits}) | | | |`;

/** Every k-th query, so a sample is spread over the whole set (and the same for every matcher). */
function sample(set: LabelledSet): LabelledName[] {
  if (!SAMPLE || set.queries.length <= SAMPLE) return set.queries;
  const k = set.queries.length / SAMPLE;
  return Array.from({ length: SAMPLE }, (_, i) => set.queries[Math.floor(i * k)]!);
}

/** Chokepoint's answers, and its rate (the index build is not timed). */
export function chokepoint(set: LabelledSet, queries: LabelledName[]): { results: Scored[][]; perSecond: number } {
  const index = indexSet(set);
  const t0 = performance.now();
  const results = screenQueries(index, queries);
  return { results, perSecond: queries.length / ((performance.now() - t0) / 1000) };
}

/** What the query carried besides its name. */
const evidenceOf = (q: LabelledName): string =>
  [q.birthDate && 'birth date', q.countries && 'country', q.identifiers && 'identifier'].filter(Boolean).join(' + ') ||
  'name only';

const sets = labelledSets('test');
const overall: { set: string; t: Tally }[] = [];
const measured: { set: LabelledSet; queries: LabelledName[]; chokepoint: Run }[] = [];
for (const set of sets) {
  const queries = sample(set);
  const { results, perSecond } = chokepoint(set, queries);
  const names = new Map(set.index.map((e) => [e.id, e.names[0]]));
  const t = tally(queries, results, DEFAULT_THRESHOLD);
  overall.push({ set: set.name, t });
  measured.push({ set, queries, chokepoint: { matcher: 'Chokepoint', results, perSecond } });
  if (process.env.SHOW_FALSE)
    queries.forEach((q, i) => {
      const hits = results[i]!.filter((h) => h.score >= DEFAULT_THRESHOLD && h.id !== q.expect);
      if (
        hits.length &&
        (q.expect === null || !results[i]!.some((h) => h.id === q.expect && h.score >= DEFAULT_THRESHOLD))
      )
        console.log(`FALSE ${q.name} -> ${hits.map((h) => `${names.get(h.id)} ${h.score.toFixed(2)}`).join('; ')}`);
    });
  console.log(`\n## ${set.name}: ${set.description}`);
  console.log(
    `${queries.length} queries${queries.length < set.queries.length ? ` (every ${(set.queries.length / queries.length).toFixed(1)}th of ${set.queries.length})` : ''} against ${set.index.length} entries, ${Math.round(perSecond)} names/s; left out: ${JSON.stringify(set.dropped)}`,
  );
  console.log(
    `| at threshold ${DEFAULT_THRESHOLD} | n | precision | recall | F1 | right top hit |\n|---|---|---|---|---|---|`,
  );
  console.log(row('all', t));
  for (const [by, f] of [
    ['kind', (q: LabelledName) => q.kind],
    ['script', (q: LabelledName) => q.script],
    ['variant', (q: LabelledName) => q.variant],
    ['evidence', evidenceOf],
  ] as const) {
    const groups = tallyBy(queries, results, DEFAULT_THRESHOLD, f);
    if (groups.size > 1) for (const [g, gt] of groups) console.log(row(`${by}: ${g}`, gt));
  }
  if (t.positives) {
    const best = bestThreshold(queries, results);
    const cal = calibrationError(queries, results);
    const nameOnly = queries.map((q, i) => [q, results[i]!] as const).filter(([q]) => evidenceOf(q) === 'name only');
    const ceiling = recallAtPrecision(
      nameOnly.map(([q]) => q),
      nameOnly.map(([, r]) => r),
      0.9,
    );
    console.log(
      `best F1 ${pct(best.tally.f1)} at threshold ${best.threshold} (P ${pct(best.tally.precision)}, R ${pct(best.tally.recall)}); name only: best recall at precision ≥ 0.90 is ${pct(ceiling.tally.recall)} (threshold ${ceiling.threshold}); calibration error ${pct(cal.error)} over ${cal.hits} hits scored ≥ 0.05`,
    );
  }
}
console.log('\n## summary (test half, default threshold)');
for (const { set, t } of overall) console.log(row(set, t));
if (BASELINES) await runBaselines(measured, DEFAULT_THRESHOLD);

// The baselines of bench/screen-quality.ts (`--baselines`): pg_trgm and a token-sort
// full scan on the same sampled queries against the same index entries as Chokepoint,
// each at its own best threshold, their answers compared query by query, and one
// summary table. Every matcher sees the query's name only except Chokepoint, which also
// uses the birth date, countries and identifiers a query carries (what a user gets).
import { performance } from 'node:perf_hooks';
import type { LabelledName, LabelledSet } from '../src/lists/labelled.js';
import { bestThreshold, recallAtPrecision, tally, type Scored, type Tally } from '../src/resolve/quality.js';
import { openTrgm, pgTrgm, TRGM_FLOOR } from './pg-trgm.js';
import { checkTokenSort, TokenSortScan } from './token-sort.js';

export interface Run {
  matcher: string;
  results: Scored[][];
  perSecond: number;
}

interface Measured {
  set: LabelledSet;
  queries: LabelledName[];
  runs: Run[];
}

const pct = (x: number): string => x.toFixed(3);
const hitsAt = (r: Scored[], t: number): Scored[] => r.filter((h) => h.score >= t);
/** A positive is found when its entry is among the hits; a negative is flagged when it hits anything. */
const flagged = (q: LabelledName, r: Scored[], t: number): boolean =>
  q.expect === null ? hitsAt(r, t).length > 0 : hitsAt(r, t).some((h) => h.id === q.expect);
const topOf = (r: Scored[]): string | undefined =>
  r.reduce<Scored | undefined>((b, h) => (!b || h.score > b.score ? h : b), undefined)?.id;

function compare(m: Measured, thresholds: Map<string, number>): void {
  const positives = m.queries.some((q) => q.expect !== null);
  const what = positives ? 'finds the right entry' : 'hits anything (false)';
  console.log(
    `| on the same ${m.queries.length} queries: A, B | A ${what}, B not | B, A not | both | neither | same top hit (both answer) |`,
  );
  console.log('|---|---|---|---|---|---|');
  for (let i = 0; i < m.runs.length; i++)
    for (let j = i + 1; j < m.runs.length; j++) {
      const a = m.runs[i]!;
      const b = m.runs[j]!;
      const ta = thresholds.get(a.matcher)!;
      const tb = thresholds.get(b.matcher)!;
      let onlyA = 0;
      let onlyB = 0;
      let both = 0;
      let answered = 0;
      let same = 0;
      m.queries.forEach((q, k) => {
        const fa = flagged(q, a.results[k]!, ta);
        const fb = flagged(q, b.results[k]!, tb);
        if (fa && fb) both++;
        else if (fa) onlyA++;
        else if (fb) onlyB++;
        const xa = topOf(a.results[k]!);
        const xb = topOf(b.results[k]!);
        if (xa && xb) {
          answered++;
          if (xa === xb) same++;
        }
      });
      const neither = m.queries.length - onlyA - onlyB - both;
      console.log(
        `| ${a.matcher} ≥ ${ta}, ${b.matcher} ≥ ${tb} | ${onlyA} | ${onlyB} | ${both} | ${neither} | ${answered ? `${(100 * (same / answered)).toFixed(1)}% of ${answered}` : '–'} |`,
      );
    }
}

const cell = (t: Tally): string =>
  t.positives
    ? `F1 ${pct(t.f1)} (P ${pct(t.precision)}, R ${pct(t.recall)})`
    : `false hits ${(100 * t.falseHitRate).toFixed(2)}%`;

export async function runBaselines(
  measured: { set: LabelledSet; queries: LabelledName[]; chokepoint: Run }[],
  defaultThreshold: number,
): Promise<void> {
  checkTokenSort();
  const trgm = await openTrgm();
  const all: Measured[] = [];
  try {
    console.log(`\n# Baselines on the same queries and index entries (pg_trgm on ${trgm.label})`);
    for (const { set, queries, chokepoint } of measured) {
      const names = queries.map((q) => q.name);
      const t = await pgTrgm(trgm, set.index, names, all.length === 0);
      if (t.plan) {
        const bitmap = /Bitmap Index Scan on bench_trgm_name/.test(t.plan);
        console.log(`\npg_trgm plan (${bitmap ? 'uses' : 'does NOT use'} the GIN index by a Bitmap Index Scan):`);
        console.log(t.plan.replace(/^/gm, '    '));
      }
      const scan = new TokenSortScan(set.index);
      const t0 = performance.now();
      const ts = names.map((n) => scan.search(n));
      const tsRate = names.length / ((performance.now() - t0) / 1000);
      all.push({
        set,
        queries,
        runs: [
          chokepoint,
          { matcher: 'pg_trgm', results: t.results, perSecond: t.perSecond },
          { matcher: 'token-sort', results: ts, perSecond: tsRate },
        ],
      });
      console.log(
        `\n## ${set.name}: ${queries.length} queries against ${set.index.length} entries (${scan.size} names)`,
      );
    }
  } finally {
    await trgm.close();
  }

  // A set of negatives has no best threshold of its own (any threshold above every score
  // is "best"): it is judged at the matcher's thresholds over all sets pooled, where the
  // negatives' false hits count against precision: the best F1, and the best recall at
  // precision ≥ 0.90 (what a compliance officer would tune for).
  const pooled = new Map<string, number>();
  const pooled90 = new Map<string, number>();
  for (let r = 0; r < all[0]!.runs.length; r++) {
    const qs = all.flatMap((m) => m.queries);
    const rs = all.flatMap((m) => m.runs[r]!.results);
    pooled.set(all[0]!.runs[r]!.matcher, bestThreshold(qs, rs).threshold);
    pooled90.set(all[0]!.runs[r]!.matcher, recallAtPrecision(qs, rs, 0.9).threshold);
  }
  const listed = (m: Map<string, number>): string => [...m].map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(
    `\nThresholds over all sets pooled, for the sets of negatives: best F1 ${listed(pooled)}; best recall at P ≥ 0.90 ${listed(pooled90)}. pg_trgm scores below ${TRGM_FLOOR} are never returned.`,
  );

  const summary: string[] = [];
  for (const m of all) {
    const positives = m.queries.some((q) => q.expect !== null);
    const chosen = new Map<string, number>();
    const cells = m.runs.map((run) => {
      const best = positives ? bestThreshold(m.queries, run.results) : undefined;
      const threshold = best?.threshold ?? pooled.get(run.matcher)!;
      chosen.set(run.matcher, threshold);
      const t = best?.tally ?? tally(m.queries, run.results, threshold);
      const rp = positives ? recallAtPrecision(m.queries, run.results, 0.9) : undefined;
      return { run, threshold, t, rp };
    });
    console.log(`\n### ${m.set.name}`);
    console.log(
      '| matcher | threshold | P | R | F1 | right top hit | R at P ≥ 0.90 (threshold), all queries | names/s |',
    );
    console.log('|---|---|---|---|---|---|---|---|');
    const dflt = tally(m.queries, m.runs[0]!.results, defaultThreshold);
    const line = (name: string, th: number, t: Tally, rp: string, rate: number): string =>
      t.positives
        ? `| ${name} | ${th} | ${pct(t.precision)} | ${pct(t.recall)} | ${pct(t.f1)} | ${pct(t.topHit)} | ${rp} | ${Math.round(rate)} |`
        : `| ${name} | ${th} | false hits ${(100 * t.falseHitRate).toFixed(2)}% (${t.falseHits} of ${t.queries}) | | | | | ${Math.round(rate)} |`;
    const rpText = (rp?: { threshold: number; tally: Tally }): string =>
      rp ? `${pct(rp.tally.recall)} (${rp.threshold})` : '';
    console.log(line(`${m.runs[0]!.matcher} (default)`, defaultThreshold, dflt, '', m.runs[0]!.perSecond));
    for (const c of cells)
      console.log(
        line(
          `${c.run.matcher} (${positives ? 'best' : 'pooled best F1'})`,
          c.threshold,
          c.t,
          rpText(c.rp),
          c.run.perSecond,
        ),
      );
    const at90 = (run: Run): Tally => tally(m.queries, run.results, pooled90.get(run.matcher)!);
    if (!positives)
      for (const run of m.runs)
        console.log(line(`${run.matcher} (pooled P ≥ 0.90)`, pooled90.get(run.matcher)!, at90(run), '', run.perSecond));
    const trgm = cells.find((c) => c.run.matcher === 'pg_trgm');
    if (positives && trgm && trgm.threshold < TRGM_FLOOR + 0.02)
      console.log(
        `(pg_trgm's best threshold is at its floor ${TRGM_FLOOR}: scores below it were never returned, so a lower one might do better)`,
      );
    compare(m, chosen);
    summary.push(
      `| ${m.set.name} | ${cell(dflt)} | ${cells.map((c) => `${cell(c.t)} @${c.threshold}${c.rp ? `; R@P≥.9 ${pct(c.rp.tally.recall)}` : `; ${(100 * at90(c.run).falseHitRate).toFixed(2)}% @${pooled90.get(c.run.matcher)} (P≥.9)`}`).join(' | ')} |`,
    );
  }
  console.log(
    '\n## summary: the three matchers side by side (test half; each at its best threshold; negatives at the pooled best-F1 and P ≥ 0.90 thresholds)',
  );
  console.log(
    `| set | Chokepoint @${defaultThreshold} (default) | ${all[0]!.runs.map((r) => `${r.matcher} @best`).join(' | ')} |`,
  );
  console.log(`|---|---|${all[0]!.runs.map(() => '---|').join('')}`);
  for (const s of summary) console.log(s);
  const rate = (r: number): string => all.map((m) => Math.round(m.runs[r]!.perSecond)).join(' / ');
  console.log(`| names/s per set | | ${all[0]!.runs.map((_, r) => rate(r)).join(' | ')} |`);
}

// Screening: quality on a held-out labelled set, and throughput against lists of
// 10k, 100k and 1M entries beside the named baseline "naive-jw": a scan of every
// entry's folded name with the `jaro-winkler` npm package (what a first version
// would do). Same machine, same process, same queries; the ratio is names/s.
//
//   npm run bench:screen                    (10k, 100k, 1M)
//   npm run bench:screen -- --sizes 10000   (one size)
import { parseArgs } from 'node:util';
import jaroWinklerLib from 'jaro-winkler';
import { ScreeningIndex } from '../src/resolve/screen-index.js';
import { ScreeningPool } from '../src/resolve/screen-pool.js';
import { generateEvalSet } from '../src/resolve/evalset.js';
import { evaluate } from '../src/resolve/evaluate.js';
import { foldName } from '../src/resolve/normalize.js';
import { DEFAULT_THRESHOLD } from '../src/lists/registry.js';
import { loadOfacCsv } from '../src/lists/ofac.js';
import { syntheticList, variantsOf } from './screen-lists.js';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000,1000000' },
    queries: { type: 'string', default: '5000' },
    'skip-quality': { type: 'boolean', default: false },
  },
});
const sizes = args.sizes.split(',').map(Number);

// ---- Quality on the held-out evaluation seed (the threshold was chosen on seed 101).
if (!args['skip-quality']) {
  const evalSet = generateEvalSet(202, 1500);
  const idx = new ScreeningIndex();
  for (const e of evalSet.entries) idx.add(e);
  for (const e of loadOfacCsv(new URL('../reference/ofac/', import.meta.url).pathname).entries) idx.add(e); // real distractors
  const q = evaluate(idx, evalSet.queries, DEFAULT_THRESHOLD);
  console.log(
    `quality at threshold ${DEFAULT_THRESHOLD} on the evaluation set (seed 202; ${q.queries} labelled queries against ${idx.size} entries, the OFAC list included as distractors):`,
  );
  console.log(
    `  precision ${q.precision.toFixed(3)}  recall ${q.recall.toFixed(3)}  F1 ${q.f1.toFixed(3)}  (tp ${q.tp}, fp ${q.fp}, fn ${q.fn})`,
  );
  for (const [k, v] of Object.entries(q.byVariant))
    console.log(`    ${k.padEnd(46)} ${v.found}/${v.n} found, ${v.falseHits} false hits`);
  console.log('');
}

// ---- Throughput.
console.log(
  'list size | index build | chokepoint names/s (1 thread / all cores) | variant recall | baseline naive-jw names/s | ratio (1 thread) | baseline top hit = ours',
);
for (const size of sizes) {
  const list = syntheticList(size, 7);
  const t0 = performance.now();
  const idx = new ScreeningIndex();
  for (const e of list) idx.add(e);
  idx.build();
  const buildS = (performance.now() - t0) / 1000;
  const queries = variantsOf(list, Number(args.queries), 11);
  for (const q of queries.slice(0, 200)) idx.search({ name: q.name }, { threshold: DEFAULT_THRESHOLD, limit: 10 }); // warm-up
  const t1 = performance.now();
  const ours: (string | undefined)[] = [];
  let found = 0;
  for (const q of queries) {
    const hits = idx.search({ name: q.name }, { threshold: DEFAULT_THRESHOLD, limit: 10 });
    ours.push(hits[0]?.entry.id);
    if (hits.some((h) => h.entry.id === q.expect)) found++;
  }
  const oursRate = queries.length / ((performance.now() - t1) / 1000);
  // The same queries on every core (each worker builds its own index first).
  const pool = await ScreeningPool.start(list);
  await pool.screen(
    queries.slice(0, 400).map((q) => ({ name: q.name })),
    { threshold: DEFAULT_THRESHOLD, limit: 10 },
  ); // warm-up, as for one thread
  const pooled = await pool.screen(
    queries.map((q) => ({ name: q.name })),
    { threshold: DEFAULT_THRESHOLD, limit: 10 },
  );
  await pool.stop();
  const poolRate = queries.length / (pooled.ms / 1000);
  const poolFound = pooled.results.filter((hits, i) => hits.some((h) => h.id === queries[i]!.expect)).length;
  if (poolFound !== found)
    throw new Error(`parallel screening found ${poolFound}, single-threaded ${found}: they must agree`);
  // The baseline scans everything, so it gets fewer queries at the larger sizes.
  const folded = list.map((e) => foldName(e.names[0]!));
  const nBase = Math.max(10, Math.min(queries.length, Math.round(2e7 / size)));
  const t2 = performance.now();
  let agree = 0;
  for (let i = 0; i < nBase; i++) {
    const fq = foldName(queries[i]!.name);
    let best = -1;
    let bestI = -1;
    for (let j = 0; j < folded.length; j++) {
      const s = jaroWinklerLib(fq, folded[j]!);
      if (s > best) {
        best = s;
        bestI = j;
      }
    }
    if (list[bestI]?.id === ours[i]) agree++;
  }
  const baseRate = nBase / ((performance.now() - t2) / 1000);
  console.log(
    `${String(size).padStart(9)} | ${buildS.toFixed(1).padStart(9)} s | ${`${Math.round(oursRate)} / ${Math.round(poolRate)}`.padStart(39)} | ${(found / queries.length).toFixed(3).padStart(14)} | ${baseRate.toFixed(1).padStart(25)} | ${Math.round(
      oursRate / baseRate,
    )
      .toString()
      .padStart(5)}x | ${agree}/${nBase}`,
  );
}
console.log(
  `(${args.queries} queries per size: accents/case lost, people's names reversed or companies' legal form rewritten, one transposition of a listed name; variant recall = the listed entry is among the hits; ${new Date().toISOString().slice(0, 10)}, node ${process.version})`,
);

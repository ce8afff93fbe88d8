// Cross-referencing at three store sizes: the cost per entity of cross-referencing
// (a) a fresh import of about 5,000 entities into the store (written, then
// cross-referenced as the importer's reaction does it), and (b) the whole store (what a one-file import of all of it, or `chokepoint xref`,
// does), with the one-off build of the store's index timed apart. Each size runs in
// its own process, so its peak memory (process.memoryUsage().rss, sampled every
// 100 ms: while loading, and while indexing and cross-referencing) is its own. On
// PGlite the database is in the process too; on PostgreSQL the figure is Node's alone. The growth of each per-entity cost between the smallest and
// the largest size is printed (cost ∝ size^k; 0 is flat, 1 would be a cost per
// entity that grows with the store).
//
//   npm run bench:xref                                   (10k, 100k entities, PGlite on disk)
//   DATABASE_URL=postgres://root@127.0.0.1:5432/test npm run bench:xref -- --sizes 10000,100000,1000000
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../src/store/store.js';
import { scratchPostgres } from '../src/store/scratch.js';
import { importRecords } from '../src/ingest/importer.js';
import { parseRecord } from '../src/ingest/record-input.js';
import type { Parsed } from '../src/ingest/readers.js';
import { SYSTEM } from '../src/store/write.js';
import { ENTITIES_PER_NETWORK, generateScenario } from '../src/scenario/generate.js';
import { LINK_THRESHOLD, crossReference, crossReferenceAll } from '../src/resolve/xref.js';
import { profiles, queriesOf, storeIndex } from '../src/resolve/store-index.js';
import { model } from '../src/domain/model.js';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000' },
    fresh: { type: 'string', default: '5000' },
    one: { type: 'string' }, // internal: run one size in this process
  },
});
const fresh = Number(args.fresh);

interface Result {
  size: number;
  entities: number;
  parties: number;
  loadSeconds: number;
  indexSeconds: number;
  freshEntities: number;
  freshParties: number;
  freshMsPerParty: number;
  freshLinks: number;
  allMsPerParty: number;
  allLinks: number;
  /** The index alone: µs a name searched. */
  searchUs: number;
  /** Peak RSS while loading the store (cross-referencing off). */
  loadPeakRssMb: number;
  /** Peak RSS while building the index and cross-referencing. */
  peakRssMb: number;
}

async function runOne(size: number): Promise<Result> {
  let peak = 0;
  const sample = (): void => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const sampler = setInterval(sample, 100);
  let store: Store;
  let cleanup: () => Promise<void>;
  if (process.env.DATABASE_URL) {
    // A database of its own name: a long run should not be taken for a test's leftover scratch database.
    const scratch = await scratchPostgres(process.env.DATABASE_URL, 'cp_bench_xref');
    store = await Store.open({ url: scratch.url });
    cleanup = async () => {
      await store.close();
      await scratch.drop();
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'cp-xref-'));
    store = await Store.open({ dataDir: dir });
    cleanup = async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  // One scenario of size + fresh entities: the store gets the first `size`, the fresh
  // import the rest. Generated as it is read (the importer reads twice), so the
  // records are never all in memory and the peak is cross-referencing's.
  const networks = Math.max(1, Math.round((size + fresh) / ENTITIES_PER_NETWORK));
  const part = (from: number, to: number) =>
    async function* (): AsyncGenerator<Parsed> {
      let n = 0;
      for (const raw of generateScenario({ seed: 1, networks })) {
        if (n >= from && n < to)
          yield parseRecord(raw, { source: raw.source, path: `${raw.source}/${raw.sourceRecordId}` });
        n += raw.entities.length;
      }
    };
  let t = performance.now();
  const load = await importRecords(store, SYSTEM, part(0, size), {
    origin: 'bench',
    crossReference: false,
    batchSize: 2000,
  });
  const loadSeconds = (performance.now() - t) / 1000;
  const parties = (
    await store.db.query<{ id: string }>('SELECT id FROM entities WHERE schema = ANY($1) ORDER BY id', [
      model.descendants('LegalEntity').filter((s) => model.matchable(s)),
    ])
  ).map((r) => r.id);

  // The store's index, built once per process by the first cross-reference.
  sample();
  const peakBeforeXref = peak;
  peak = process.memoryUsage().rss;
  t = performance.now();
  await crossReference(store.db, [parties[0]!]);
  const indexSeconds = (performance.now() - t) / 1000;

  // (a) A fresh import: written, then cross-referenced as the importer's reaction does
  // (crossReferenceAll over what it wrote), so commit and ANALYZE are not in the time.
  const freshIds = new Set<string>();
  for await (const p of part(size, Number.POSITIVE_INFINITY)())
    for (const e of p.record?.entities ?? []) freshIds.add(e.id);
  const written = await importRecords(store, SYSTEM, part(size, Number.POSITIVE_INFINITY), {
    origin: 'bench fresh',
    crossReference: false,
  });
  t = performance.now();
  const a = await crossReferenceAll(store.db, [...freshIds], 'bench');
  const freshSeconds = (performance.now() - t) / 1000;

  // (b) The whole store, in batches against the same index.
  t = performance.now();
  const all = await crossReferenceAll(store.db, parties, 'bench');
  const allSeconds = (performance.now() - t) / 1000;
  // The index alone: µs a name searched, over 2,000 of the store's parties spread
  // through it (apart from the database work, which grows with the links found).
  const step = Math.max(1, Math.floor(parties.length / 2000));
  const spread = parties.filter((_, i) => i % step === 0).slice(0, 2000);
  const searchUs = await store.db.transaction(async (tx) => {
    const index = await storeIndex(tx, store.db);
    const qs = [...(await profiles(tx, spread)).values()].flatMap(queriesOf);
    const t0 = performance.now();
    for (const q of qs) index.search(q, { threshold: LINK_THRESHOLD, limit: 20 });
    return ((performance.now() - t0) * 1000) / qs.length;
  });
  sample();
  clearInterval(sampler);
  await cleanup();
  return {
    size,
    entities: load.entities,
    parties: parties.length,
    loadSeconds,
    indexSeconds,
    freshEntities: written.entities,
    freshParties: a.checked,
    freshMsPerParty: (freshSeconds * 1000) / a.checked,
    freshLinks: a.links,
    allMsPerParty: (allSeconds * 1000) / all.checked,
    allLinks: all.links,
    searchUs,
    loadPeakRssMb: peakBeforeXref / 2 ** 20,
    peakRssMb: peak / 2 ** 20,
  };
}

if (args.one) {
  const r = await runOne(Number(args.one));
  console.log(`RESULT ${JSON.stringify(r)}`);
  process.exit(0);
}

const sizes = args.sizes!.split(',').map(Number);
const backend = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite (on disk)';
console.log(
  `cross-referencing at ${sizes.join(', ')} entities; ${backend}; fresh import ~${fresh} entities; ${cpus().length} cores, node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
);
console.log('');
console.log(
  'store entities | parties | load (xref off) | index build | fresh import: ms/party (parties of entities, links) | whole store: ms/party (links a party) | index alone: µs/name | peak RSS: load / xref',
);
console.log(
  '---------------|---------|-----------------|-------------|---------------------------------------------------|-------------------------------------|----------------------|----------------------',
);
const results: Result[] = [];
for (const size of sizes) {
  const out = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--max-old-space-size=6144',
      new URL(import.meta.url).pathname,
      '--one',
      String(size),
      '--fresh',
      String(fresh),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 },
  );
  const line = out.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`size ${size}: no result\n${out}`);
  const r = JSON.parse(line.slice(7)) as Result;
  results.push(r);
  console.log(
    `${r.entities.toLocaleString('en').padStart(14)} | ${r.parties.toLocaleString('en').padStart(7)} | ${r.loadSeconds.toFixed(0).padStart(13)} s | ${r.indexSeconds.toFixed(1).padStart(9)} s | ${r.freshMsPerParty.toFixed(3).padStart(8)} (${r.freshParties} of ${r.freshEntities}, ${r.freshLinks} links) | ${r.allMsPerParty.toFixed(3).padStart(8)} (${r.allLinks} links, ${(r.allLinks / r.parties).toFixed(2)} a party) | ${r.searchUs.toFixed(0).padStart(6)} | ${r.loadPeakRssMb.toFixed(0)} / ${r.peakRssMb.toFixed(0)} MB`,
  );
}
if (results.length > 1) {
  const first = results[0]!;
  const last = results.at(-1)!;
  const k = (a: number, b: number) => Math.log(b / a) / Math.log(last.entities / first.entities);
  console.log('');
  // The database work of a link (its marking, the other side's search, the insert) is
  // per link, and the scenario's name pools are finite, so a larger store has more
  // namesakes: the whole store's time over parties and links together.
  const perItem = (r: Result) => (r.allMsPerParty * r.parties) / (r.parties + r.allLinks);
  console.log(
    `growth ${first.entities} → ${last.entities} entities (cost ∝ size^k): whole store per party or link k=${k(perItem(first), perItem(last)).toFixed(2)} (${perItem(first).toFixed(3)} → ${perItem(last).toFixed(3)} ms),`,
  );
  console.log(
    `   fresh import per party k=${k(first.freshMsPerParty, last.freshMsPerParty).toFixed(2)}, whole store per party k=${k(first.allMsPerParty, last.allMsPerParty).toFixed(2)}, index alone per name k=${k(first.searchUs, last.searchUs).toFixed(2)}, links a party k=${k(first.allLinks / first.parties, last.allLinks / last.parties).toFixed(2)}, index build k=${k(first.indexSeconds, last.indexSeconds).toFixed(2)}, peak RSS while cross-referencing k=${k(first.peakRssMb, last.peakRssMb).toFixed(2)}`,
  );
}

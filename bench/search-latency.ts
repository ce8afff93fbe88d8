// Search latency under row-level security: Chokepoint's search (trigram-index
// candidates from cp_search_candidates, re-read under the full policy) beside the
// named baseline "rls-like" (the same LIKE written directly against statements,
// which RLS forces into a scan), on the same store, same queries, same reader.
//
//   npm run bench:search -- --networks 300        (about 45k entities)
import { parseArgs } from 'node:util';
import type { Store } from '../src/store/store.js';
import { benchBackends, openBenchStore } from './backends.js';
import { loadScenario } from '../src/scenario/load.js';
import { searchEntities } from '../src/store/read.js';
import { foldForSearch } from '../src/domain/values.js';
import type { ReaderAccess } from '../src/domain/markings.js';

const { values: args } = parseArgs({
  options: { networks: { type: 'string', default: '300' }, runs: { type: 'string', default: '15' } },
});
const reader: ReaderAccess = {
  clearance: 'C',
  agency: 'CBP',
  country: 'USA',
  groups: [],
  lawEnforcement: true,
  government: true,
};
const QUERIES = ['garcia', 'wang', 'comercializadora', '+52 667', 'msku', 'el chapito'];

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function measure(
  _store: Store,
  fn: (q: string) => Promise<number>,
): Promise<{ p50: number; p95: number; totals: number[] }> {
  const times: number[] = [];
  const totals: number[] = [];
  for (let i = 0; i < Number(args.runs); i++) {
    for (const q of QUERIES) {
      const t = performance.now();
      const n = await fn(q);
      times.push(performance.now() - t);
      if (i === 0) totals.push(n);
    }
  }
  return { p50: pct(times, 50), p95: pct(times, 95), totals };
}

const kinds = benchBackends();
console.log(
  `scenario networks=${args.networks}; queries ${QUERIES.map((q) => JSON.stringify(q)).join(', ')}; ${args.runs} runs each; reader CBP/C`,
);
console.log('backend  | entities | chokepoint p50 / p95 (ms) | baseline rls-like p50 / p95 (ms) | ratio (p50)');
for (const kind of kinds) {
  const { store, drop } = await openBenchStore(kind);
  const load = await loadScenario(store, { seed: 1, networks: Number(args.networks) });
  const ours = await measure(store, (q) =>
    store.read(reader, (tx) => searchEntities(tx, { q, limit: 25, offset: 0 })).then((r) => r.total),
  );
  const base = await measure(store, (q) =>
    store.read(reader, async (tx) => {
      const rows = await tx.query<{ n: number }>(
        'SELECT count(DISTINCT entity_id)::int AS n FROM statements WHERE search_key LIKE $1',
        [`%${foldForSearch(q)}%`],
      );
      return rows[0]!.n;
    }),
  );
  console.log(
    `${kind.padEnd(8)} | ${String(load.entities).padStart(8)} | ${ours.p50.toFixed(1).padStart(10)} / ${ours.p95.toFixed(1).padEnd(12)} | ${base.p50.toFixed(1).padStart(12)} / ${base.p95.toFixed(1).padEnd(17)} | ${(base.p50 / ours.p50).toFixed(1)}x`,
  );
  console.log(`         | hits per query: chokepoint ${ours.totals.join(', ')}; baseline ${base.totals.join(', ')}`);
  await drop();
}

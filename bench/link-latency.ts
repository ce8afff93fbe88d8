// Interdiction to investigation: the time from ingesting a seizure record to the
// case owner's notification arriving (through LISTEN/NOTIFY and the notification
// hub, as a server-sent-event stream gets it), p50 and p99, with the demo scenario
// in the store and thousands of registered targets. Beside it, the named baseline
// "scan-all-targets": resolving the same seizures by comparing every entity with
// every registered target (identifiers and the name scorer, no key index, no name
// blocking), run in the same process. Ratio = baseline time / ours, per seizure.
//
//   npm run bench:link -- --entities 100000
//   DATABASE_URL=postgres://root@127.0.0.1:5432/test npm run bench:link -- --entities 1000000
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../src/store/store.js';
import { scratchPostgres } from '../src/store/scratch.js';
import { loadScenario } from '../src/scenario/load.js';
import { ENTITIES_PER_NETWORK } from '../src/scenario/generate.js';
import { createUser } from '../src/store/users.js';
import { createCase, registerTargets, findTargets } from '../src/deconflict/targets.js';
import { targetKeys, statementKeys, type TargetInput } from '../src/deconflict/keys.js';
import { parseRecord } from '../src/ingest/record-input.js';
import { writeBatch, SYSTEM } from '../src/store/write.js';
import { NotificationHub } from '../src/notify/notifications.js';
import { normalizeName } from '../src/resolve/normalize.js';
import { nameSimilarity } from '../src/resolve/score.js';
import { crossReference } from '../src/resolve/xref.js';
import { rng } from '../src/scenario/generate.js';

const { values: args } = parseArgs({
  options: {
    entities: { type: 'string', default: '100000' },
    targets: { type: 'string', default: '10000' },
    seizures: { type: 'string', default: '200' },
  },
});
const entities = Number(args.entities);
const nTargets = Number(args.targets);
const nSeizures = Number(args.seizures);

const pct = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

let store: Store;
let cleanup: () => Promise<void>;
if (process.env.DATABASE_URL) {
  const scratch = await scratchPostgres(process.env.DATABASE_URL);
  store = await Store.open({ url: scratch.url });
  cleanup = async () => {
    await store.close();
    await scratch.drop();
  };
} else {
  const dir = mkdtempSync(join(tmpdir(), 'cp-link-'));
  store = await Store.open({ dataDir: dir });
  cleanup = async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  };
}
console.log(`store: ${store.db.kind}; loading the demo scenario at ~${entities} entities...`);
let t = performance.now();
const load = await loadScenario(store, { seed: 1, networks: Math.max(1, Math.round(entities / ENTITIES_PER_NETWORK)) });
console.log(
  `  ${load.entities} entities, ${load.statements} statements in ${((performance.now() - t) / 1000).toFixed(0)} s`,
);

// Targets: people and phones taken from the store (so seizures can touch them), the rest synthetic.
const owner = await createUser(store.db, {
  username: 'bench.agent',
  password: 'correct horse battery staple',
  agency: 'DEA',
  clearance: 'S',
  roles: ['case_agent'],
});
const names = await store.db.query<{ entity_id: string; name: string }>(
  "SELECT entity_id, value AS name FROM statements WHERE prop = 'name' AND schema = 'Person' ORDER BY entity_id LIMIT 100",
);
const phones = await store.db.query<{ phone: string }>(
  "SELECT value AS phone FROM statements WHERE prop = 'number' AND schema = 'Phone' ORDER BY entity_id LIMIT 100",
);
const people = names.map((n, i) => ({ ...n, phone: phones[i % phones.length]!.phone }));
const r = rng(99);
const targets: TargetInput[] = [];
for (const p of people) targets.push({ kind: 'phone', value: p.phone }, { kind: 'person', value: p.name });
while (targets.length < nTargets) {
  const i = targets.length;
  targets.push(
    i % 2
      ? {
          kind: 'phone',
          value: `+1 602 ${String(200 + Math.floor(r() * 700))} ${String(1000 + Math.floor(r() * 8999))}`,
        }
      : { kind: 'person', value: `Target${i} Persona${Math.floor(r() * 1e6)}` },
  );
}
t = performance.now();
for (let c = 0; c * 100 < targets.length; c++) {
  const k = await createCase(store.db, owner, {
    caseNumber: `BENCH-${c}`,
    title: `bench case ${c}`,
    contactName: 'SA Bench',
    contactPhone: '+1 619 555 0100',
  });
  await registerTargets(store.db, owner, k.id, targets.slice(c * 100, (c + 1) * 100));
}
console.log(`  ${targets.length} targets registered in ${((performance.now() - t) / 1000).toFixed(1)} s`);

// The cross-referencing index of the store is built once per process, on the first write: timed apart.
t = performance.now();
await crossReference(store.db, [people[0]!.entity_id]);
console.log(
  `  cross-referencing index of the store built in ${((performance.now() - t) / 1000).toFixed(1)} s (once per process)`,
);

const hub = new NotificationHub(store.db);
await hub.start();
const arrived = new Map<string, number>();
hub.subscribe(owner, (n) => {
  const rec = (n.payload as { record?: string } | null)?.record;
  if (n.kind === 'interdiction.link' && rec && !arrived.has(rec)) arrived.set(rec, performance.now());
});

const seizures = Array.from({ length: nSeizures }, (_, i) => {
  const hit = i % 2 === 0 ? people[i % people.length]! : undefined;
  return parseRecord(
    {
      sourceRecordId: `BENCH-SZ-${i}`,
      marking: 'U//LES',
      entities: [
        {
          id: `bsz-${i}`,
          schema: 'Seizure',
          properties: { name: [`Bench seizure ${i}`], date: ['2031-01-05'], involved: [`bdrv-${i}`] },
        },
        {
          id: `bdrv-${i}`,
          schema: 'Person',
          properties: {
            name: [`Driver${i} Benchmark`],
            phone: [hit ? hit.phone : `+1 520 555 ${String(1000 + i).padStart(4, '0')}`],
          },
        },
      ],
    },
    { source: 'CBP' },
  ).record!;
});

const latencies: number[] = [];
const oursMs: number[] = [];
for (const s of seizures) {
  const start = performance.now();
  await writeBatch(store.db, store.markings, SYSTEM, [s], { origin: 'bench' });
  oursMs.push(performance.now() - start);
  const key = `CBP/${s.sourceRecordId}`;
  const expect = Number(s.sourceRecordId.split('-').pop()) % 2 === 0;
  if (expect) {
    const deadline = performance.now() + 10_000;
    while (!arrived.has(key) && performance.now() < deadline) await new Promise((res) => setTimeout(res, 1));
    if (!arrived.has(key)) throw new Error(`no notification for ${key}`);
    latencies.push(arrived.get(key)! - start);
  }
}
await hub.stop();

// The baseline: every entity of a seizure against every registered target, no index.
const keyed = targets.map((x) => ({
  keys: targetKeys(x),
  name: x.kind === 'person' ? normalizeName(x.value, 'person') : undefined,
}));
const baseMs: number[] = [];
for (const s of seizures.slice(0, 50)) {
  const start = performance.now();
  let found = 0;
  for (const e of s.entities) {
    const keys = e.statements.flatMap((st) => statementKeys(e.schema, st.prop, st.value, e.schema === 'Person', false));
    const name = e.statements.find((st) => st.prop === 'name');
    const q =
      name && e.schema === 'Person'
        ? { names: [normalizeName(name.value, 'person')], birthDates: [], countries: [], identifiers: [] }
        : undefined;
    for (const k of keyed) {
      if (k.keys.some((x) => keys.includes(x))) found++;
      else if (q && k.name && nameSimilarity(q.names[0]!, k.name, false).score > 0.9) found++;
    }
  }
  baseMs.push(performance.now() - start);
  if (found < 0) console.log(found);
}

// Ours, matching alone (the same probes): key index and name blocking.
const matchMs: number[] = [];
for (const s of seizures.slice(0, 50)) {
  const start = performance.now();
  await store.db.transaction(async (tx) => {
    for (const e of s.entities) {
      const keys = e.statements.flatMap((st) =>
        statementKeys(e.schema, st.prop, st.value, e.schema === 'Person', false),
      );
      const name = e.statements.find((st) => st.prop === 'name');
      await findTargets(tx, store.db, {
        keys,
        name: name && e.schema === 'Person' ? { value: name.value, person: true } : undefined,
      });
    }
  });
  matchMs.push(performance.now() - start);
}

const p50 = pct(latencies, 0.5);
const p99 = pct(latencies, 0.99);
console.log('');
console.log(
  `ingest to notification, ${latencies.length} linked seizures (of ${seizures.length} written), ${load.entities} entities, ${targets.length} targets, ${store.db.kind}:`,
);
console.log(`  p50 ${p50.toFixed(0)} ms   p99 ${p99.toFixed(0)} ms   (goal: p99 under 1000 ms)`);
console.log(
  `  whole write path (validate, write, cross-reference, link, notify) per seizure: p50 ${pct(oursMs, 0.5).toFixed(0)} ms`,
);
console.log(
  `  matching alone per seizure: ours (key index, name blocking) p50 ${pct(matchMs, 0.5).toFixed(2)} ms; baseline scan-all-targets p50 ${pct(baseMs, 0.5).toFixed(2)} ms; ratio ${(pct(baseMs, 0.5) / pct(matchMs, 0.5)).toFixed(1)}x`,
);
console.log(`(${new Date().toISOString().slice(0, 10)}, node ${process.version})`);
await cleanup();

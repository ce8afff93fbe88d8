// Import speed of each exchange format (entities/s), against plain Chokepoint JSON
// import of the same entities, at three sizes, with the growth of the cost printed.
// The entities are real: OpenSanctions' FtM test datasets (test/fixtures/ftm),
// repeated under suffixed ids (references rewritten alike) to reach each size. Before
// a ratio is printed, both stores must hold the same statements (entity, property,
// value, marking): a format that drops or changes a value fails the bench.
//
//   npm run bench:formats                 (1,000 / 4,000 / 16,000 entities)
//   npm run bench:formats -- --sizes 2000,8000,32000
//   DATABASE_URL=postgres://root@127.0.0.1:5432/test npm run bench:formats
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import { benchBackends, openBenchStore, type BenchBackend } from './backends.js';
import { importRecords } from '../src/ingest/importer.js';
import { recordsOf, type ImportFormat } from '../src/ingest/readers.js';
import { exportStatements } from '../src/ingest/statements.js';
import { exportFile } from '../src/ingest/export.js';
import { SYSTEM } from '../src/store/write.js';
import type { Store } from '../src/store/store.js';
import { formatMarking } from '../src/domain/markings.js';
import { uuidV5 } from '../src/exchange/misp/ids.js';

const { values: args } = parseArgs({ options: { sizes: { type: 'string', default: '1000,4000,16000' } } });
const sizes = args.sizes.split(',').map(Number);
const dir = mkdtempSync(join(tmpdir(), 'cp-bench-formats-'));

interface FtmEntity {
  id: string;
  schema: string;
  properties: Record<string, string[]>;
}
const FIXTURES = ['yente-t1.ftm.json', 'yente-parteispenden.ftm.json', 'nomenklatura-donations.ijson'];
const real: FtmEntity[] = [
  ...new Map(
    FIXTURES.flatMap((f) =>
      readFileSync(new URL(`../test/fixtures/ftm/${f}`, import.meta.url), 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as FtmEntity),
    ).map((e) => [e.id, { id: e.id, schema: e.schema, properties: e.properties }]),
  ).values(),
];

/** `n` real entities: copy k of each entity gets the id `<id>-k`, and so do its references. */
function entities(n: number): FtmEntity[] {
  const ids = new Set(real.map((e) => e.id));
  const out: FtmEntity[] = [];
  for (let k = 0; out.length < n; k++)
    for (const e of real) {
      if (out.length >= n) break;
      const rename = (v: string) => (ids.has(v) ? `${v}-${k}` : v);
      const properties = Object.fromEntries(Object.entries(e.properties).map(([p, vs]) => [p, vs.map(rename)]));
      out.push({ id: `${e.id}-${k}`, schema: e.schema, properties });
    }
  return out;
}

/** A digest of every statement a store holds (order-free): equal digests, equal contents. */
async function digest(store: Store): Promise<{ statements: number; digest: string }> {
  const rows = await store.db.query<{ s: string }>(
    `SELECT s.entity_id || '|' || s.prop || '|' || s.value || '|' || m.canonical AS s
       FROM statements s JOIN markings m ON m.id = s.marking_id ORDER BY 1`,
  );
  const h = createHash('sha256');
  for (const r of rows) h.update(r.s).update('\n');
  return { statements: rows.length, digest: h.digest('hex').slice(0, 16) };
}

async function timeImport(store: Store, format: ImportFormat, path: string): Promise<number> {
  const t = performance.now();
  const r = await importRecords(
    store,
    SYSTEM,
    recordsOf(format, { path }, { source: 'PUBLIC', marking: 'U', kind: 'public' }),
    { origin: path, crossReference: false },
  );
  if (r.rejected) throw new Error(`${format}: ${r.rejected} rejected: ${JSON.stringify(r.errors.slice(0, 3))}`);
  return (performance.now() - t) / 1000;
}

/**
 * STIX 2.1: what the baseline store exports as a STIX bundle (src/exchange/stix), the exchange with a
 * threat-intelligence platform or another instance over TAXII; its import must give back every statement.
 */
async function stixFile(es: FtmEntity[], baseline: Store): Promise<{ format: ImportFormat; path: string }> {
  const path = join(dir, `${es.length}.stix.json`);
  const pieces: string[] = [];
  for await (const piece of exportFile(baseline, SYSTEM, 'stix', { purpose: 'format benchmark' })) pieces.push(piece);
  writeFileSync(path, pieces.join(''));
  return { format: 'stix', path };
}

/** Each format: the file it imports for the same entities (written once per size). */
const FORMATS: Record<string, (es: FtmEntity[], baseline: Store) => Promise<{ format: ImportFormat; path: string }>> = {
  ftm: async (es) => {
    const path = join(dir, `${es.length}.ftm.json`);
    writeFileSync(path, es.map((e) => JSON.stringify(e)).join('\n'));
    return { format: 'ftm', path };
  },
  // What the baseline store exports as statements: the exchange between two instances.
  statements: async (es, baseline) => {
    const path = join(dir, `${es.length}.statements.json`);
    const lines: string[] = [];
    for await (const s of exportStatements(baseline, SYSTEM, { purpose: 'format benchmark' }))
      lines.push(JSON.stringify(s));
    writeFileSync(path, lines.join('\n'));
    return { format: 'statements', path };
  },
  stix: stixFile,
};

async function run(backend: BenchBackend): Promise<void> {
  // A first import warms up the code paths (JIT, the database's caches), so the first format measured is not penalised.
  const warm = await openBenchStore(backend);
  const warmPath = join(dir, 'warm.ftm.json');
  writeFileSync(
    warmPath,
    entities(500)
      .map((e) => JSON.stringify(e))
      .join('\n'),
  );
  await timeImport(warm.store, 'ftm', warmPath);
  await warm.drop();
  const seconds: Record<string, number[]> = { json: [] };
  for (const n of sizes) {
    const es = entities(n);
    const jsonPath = join(dir, `${n}.json`);
    writeFileSync(
      jsonPath,
      JSON.stringify({
        source: 'PUBLIC',
        records: es.map((e) => ({ sourceRecordId: e.id, kind: 'public', marking: 'U', entities: [e] })),
      }),
    );
    const base = await openBenchStore(backend);
    try {
      const tJson = await timeImport(base.store, 'json', jsonPath);
      seconds.json!.push(tJson);
      const want = await digest(base.store);
      console.log(
        `${backend} ${n} entities: json ${(n / tJson).toFixed(0)} entities/s (${want.statements} statements)`,
      );
      for (const [name, make] of Object.entries(FORMATS)) {
        const { format, path } = await make(es, base.store);
        const other = await openBenchStore(backend);
        try {
          const t = await timeImport(other.store, format, path);
          const got = await digest(other.store);
          if (got.digest !== want.digest || got.statements !== want.statements)
            throw new Error(
              `${name} at ${n}: ${got.statements} statements (${got.digest}), json ${want.statements} (${want.digest})`,
            );
          (seconds[name] ??= []).push(t);
          console.log(
            `${backend} ${n} entities: ${name} ${(n / t).toFixed(0)} entities/s, ${(t / tJson).toFixed(2)}x the time of json (same ${got.statements} statements)`,
          );
        } finally {
          await other.drop();
        }
      }
    } finally {
      await base.drop();
    }
  }
  // Cost growth: time ∝ size^k between the smallest and the largest size (1 is linear).
  const k = (ts: number[]) => Math.log(ts.at(-1)! / ts[0]!) / Math.log(sizes.at(-1)! / sizes[0]!);
  for (const [name, ts] of Object.entries(seconds))
    console.log(`${backend} ${name}: time grows as size^${k(ts).toFixed(2)} (${sizes.join(' → ')} entities)`);
}

// ---- MISP ----------------------------------------------------------------------------
// The real MISP events (test/fixtures/misp), copied under fresh uuids to reach each size,
// imported as MISP and, for the baseline, as the Chokepoint JSON records the MISP reader
// makes of them (the same entities, values and markings).

const MISP_FIXTURES = [
  'sednit-event.json',
  'samsam-objects-event.json',
  'pubg-galaxy-event.json',
  'ursnif-sighting-event.json',
];
const mispEvents = MISP_FIXTURES.map((f) =>
  readFileSync(new URL(`../test/fixtures/misp/${f}`, import.meta.url), 'utf8'),
);
const UUIDS = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Copy k of every event, each uuid in it replaced by one of its own (so references stay references). */
function mispCopies(copies: number): string {
  const events: unknown[] = [];
  for (let k = 0; k < copies; k++)
    for (const text of mispEvents)
      events.push(JSON.parse(text.replace(UUIDS, (u) => uuidV5(`${u.toLowerCase()}:${k}`))));
  return JSON.stringify({ response: events.map((e) => ((e as { Event?: unknown }).Event ? e : { Event: e })) });
}

/** The Chokepoint JSON records of what the MISP reader reads (not timed). */
async function asChokepointJson(path: string): Promise<{ json: string; entities: number }> {
  const records: unknown[] = [];
  let entities = 0;
  for await (const p of recordsOf('misp', { path }, MISP_OPTIONS)()) {
    const r = p.record!;
    entities += r.entities.length;
    records.push({
      sourceRecordId: r.sourceRecordId,
      kind: r.kind,
      reportDate: r.reportDate,
      marking: formatMarking(r.marking),
      entities: r.entities.map((e) => {
        const properties: Record<string, string[]> = {};
        const propertyMarkings: Record<string, string> = {};
        for (const st of e.statements) {
          (properties[st.prop] ??= []).push(st.value);
          propertyMarkings[st.prop] = formatMarking(st.marking);
        }
        return { id: e.id, schema: e.schema, marking: formatMarking(e.marking), properties, propertyMarkings };
      }),
    });
  }
  return { json: JSON.stringify({ source: 'PUBLIC', records }), entities };
}
const MISP_OPTIONS = { source: 'PUBLIC', marking: 'U', kind: 'public' as const };

async function mispBench(backend: BenchBackend): Promise<void> {
  const perCopy = (await asChokepointJson(writeMisp('per-copy', mispCopies(1)))).entities;
  const seconds: Record<string, number[]> = { json: [], misp: [] };
  const counted: number[] = [];
  for (const n of sizes) {
    const mispPath = writeMisp(String(n), mispCopies(Math.max(1, Math.round(n / perCopy))));
    const { json, entities } = await asChokepointJson(mispPath);
    const jsonPath = join(dir, `${n}.misp-records.json`);
    writeFileSync(jsonPath, json);
    counted.push(entities);
    const base = await openBenchStore(backend);
    const other = await openBenchStore(backend);
    try {
      const tJson = await timeImportWith(base.store, 'json', jsonPath);
      const tMisp = await timeImportWith(other.store, 'misp', mispPath);
      const want = await digest(base.store);
      const got = await digest(other.store);
      if (got.digest !== want.digest || got.statements !== want.statements)
        throw new Error(
          `misp at ${entities}: ${got.statements} statements (${got.digest}), json ${want.statements} (${want.digest})`,
        );
      seconds.json!.push(tJson);
      seconds.misp!.push(tMisp);
      console.log(
        `${backend} ${entities} entities (${mispEvents.length * Math.max(1, Math.round(n / perCopy))} MISP events): json ${(entities / tJson).toFixed(0)} entities/s, misp ${(entities / tMisp).toFixed(0)} entities/s, ${(tMisp / tJson).toFixed(2)}x the time of json (same ${got.statements} statements)`,
      );
    } finally {
      await base.drop();
      await other.drop();
    }
  }
  const k = (ts: number[]) => Math.log(ts.at(-1)! / ts[0]!) / Math.log(counted.at(-1)! / counted[0]!);
  for (const [name, ts] of Object.entries(seconds))
    console.log(
      `${backend} ${name} (MISP events): time grows as size^${k(ts).toFixed(2)} (${counted.join(' → ')} entities)`,
    );
}

function writeMisp(name: string, text: string): string {
  const path = join(dir, `${name}.misp.json`);
  writeFileSync(path, text);
  return path;
}

async function timeImportWith(store: Store, format: ImportFormat, path: string): Promise<number> {
  const t = performance.now();
  const r = await importRecords(store, SYSTEM, recordsOf(format, { path }, MISP_OPTIONS), {
    origin: path,
    crossReference: false,
  });
  if (r.rejected) throw new Error(`${format}: ${r.rejected} rejected: ${JSON.stringify(r.errors.slice(0, 3))}`);
  return (performance.now() - t) / 1000;
}

for (const b of benchBackends()) {
  await run(b);
  await mispBench(b);
}

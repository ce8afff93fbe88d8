// Import throughput: records/s of the Chokepoint importer (validation + bulk unnest
// writes in one transaction) into PGlite and into PostgreSQL, beside a named
// baseline run in the same process on the same data: "naive-rows", which writes the
// same rows with one INSERT per row (also in one transaction). Prints the ratio.
//
//   npm run bench:import -- --networks 200        (about 30k entities)
//   DATABASE_URL=postgres://root@127.0.0.1:5432/test npm run bench:import
import { parseArgs } from 'node:util';
import type { Sql } from '../src/store/db.js';
import { openBenchStore } from './backends.js';
import { importRecords } from '../src/ingest/importer.js';
import { parseRecord, type RecordInput } from '../src/ingest/record-input.js';
import { SYSTEM } from '../src/store/write.js';
import { generateScenario } from '../src/scenario/generate.js';
import type { MarkingCache } from '../src/store/markings.js';

const { values: args } = parseArgs({
  options: { networks: { type: 'string', default: '100' }, seed: { type: 'string', default: '1' } },
});
const networks = Number(args.networks);
const seed = Number(args.seed);

function parsedRecords(): RecordInput[] {
  return [...generateScenario({ seed, networks })].map((r) => parseRecord(r, { source: r.source }).record!);
}

/** The baseline: the same rows, one parameterised INSERT each. */
async function naiveRows(tx: Sql, markings: MarkingCache, records: RecordInput[]): Promise<void> {
  const local = new Map<string, number>();
  for (const r of records) {
    const [row] = await tx.query<{ id: number }>(
      `INSERT INTO records (source, source_record_id, kind, report_date, reliability, credibility, marking_id, review_by, content_hash, imported_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'bench') RETURNING id`,
      [
        r.source,
        r.sourceRecordId,
        r.kind,
        r.reportDate,
        r.reliability,
        r.credibility,
        await markings.intern(tx, r.marking, local),
        r.reviewBy,
        r.contentHash,
      ],
    );
    for (const e of r.entities) {
      await tx.query('INSERT INTO entities (id, schema) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [e.id, e.schema]);
      await tx.query('INSERT INTO presence (entity_id, record_id, schema, marking_id) VALUES ($1, $2, $3, $4)', [
        e.id,
        row!.id,
        e.schema,
        await markings.intern(tx, e.marking, local),
      ]);
      for (const s of e.statements) {
        await tx.query(
          'INSERT INTO statements (entity_id, schema, prop, prop_type, value, search_key, record_id, marking_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
          [
            e.id,
            e.schema,
            s.prop,
            s.propType,
            s.value,
            s.searchKey,
            row!.id,
            await markings.intern(tx, s.marking, local),
          ],
        );
      }
    }
  }
}

const backendsToRun: ('pglite' | 'postgres')[] = ['pglite', ...(process.env.DATABASE_URL ? ['postgres' as const] : [])];
if (!process.env.DATABASE_URL) console.log('DATABASE_URL not set: PostgreSQL is skipped.');

const t0 = performance.now();
const records = parsedRecords();
const parseSeconds = (performance.now() - t0) / 1000;
const entities = records.reduce((n, r) => n + r.entities.length, 0);
const statements = records.reduce((n, r) => n + r.entities.reduce((m, e) => m + e.statements.length, 0), 0);
console.log(
  `scenario seed=${seed} networks=${networks}: ${records.length} records, ${entities} entity entries, ${statements} statements (generated and validated in ${parseSeconds.toFixed(2)} s)`,
);
console.log(
  `machine: ${(await import('node:os')).cpus().length} cores, node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
);
console.log('');
console.log('backend   | importer (records/s, statements/s) | baseline naive-rows (records/s) | ratio');
console.log('----------|------------------------------------|---------------------------------|------');
for (const kind of backendsToRun) {
  const a = await openBenchStore(kind);
  const r = await importRecords(
    a.store,
    SYSTEM,
    async function* () {
      for (const rec of records) yield { record: rec, errors: [] };
    },
    { origin: 'bench' },
  );
  await a.drop();
  const b = await openBenchStore(kind);
  const tb = performance.now();
  await b.store.db.transaction((tx) => naiveRows(tx, b.store.markings, records));
  const baseSeconds = (performance.now() - tb) / 1000;
  await b.drop();
  const ours = records.length / r.seconds;
  const base = records.length / baseSeconds;
  console.log(
    `${kind.padEnd(9)} | ${Math.round(ours).toString().padStart(8)} rec/s, ${Math.round(statements / r.seconds)
      .toString()
      .padStart(
        7,
      )} stmt/s (${r.seconds.toFixed(2)} s) | ${Math.round(base).toString().padStart(8)} rec/s (${baseSeconds.toFixed(2)} s)         | ${(ours / base).toFixed(1)}x`,
  );
}

// Baseline: PostgreSQL's pg_trgm, what a team already on PostgreSQL would use. One row
// per name of every entry, folded with foldName (so it sees the text the other matchers
// see), a GIN trigram index, and per query each entry's best similarity, the 16 best.
// The similarity threshold of `%` is set low (0.2) so that the best threshold can be
// chosen afterwards, as for every matcher here. On a scratch PostgreSQL database when
// DATABASE_URL is set (dropped after), else on embedded PGlite with its pg_trgm.
import { performance } from 'node:perf_hooks';
import { type Database, openPglite, openPostgres } from '../src/store/db.js';
import { scratchPostgres } from '../src/store/scratch.js';
import { foldName } from '../src/resolve/normalize.js';
import type { ListEntry } from '../src/resolve/screen-index.js';
import type { Scored } from '../src/resolve/quality.js';

export const TRGM_FLOOR = 0.2;
const BATCH = 5000;

const SEARCH = `SELECT id, max(similarity(name, $1)) AS score FROM bench_trgm WHERE name % $1
  GROUP BY id ORDER BY 2 DESC, id LIMIT 16`;

export interface TrgmBackend {
  db: Database;
  label: string;
  close(): Promise<void>;
}

export async function openTrgm(): Promise<TrgmBackend> {
  if (!process.env.DATABASE_URL) {
    const db = await openPglite();
    await db.exec('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    return { db, label: 'PGlite (embedded)', close: () => db.close() };
  }
  const scratch = await scratchPostgres(process.env.DATABASE_URL);
  const db = await openPostgres(scratch.url);
  await db.exec('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  const [v] = await db.query<{ v: string }>("SELECT current_setting('server_version') AS v");
  return {
    db,
    label: `PostgreSQL ${v?.v} (scratch database)`,
    close: async () => {
      await db.close();
      await scratch.drop();
    },
  };
}

/** Loads the set's index (every name of each entry) into a fresh table with its GIN index. */
async function load(db: Database, entries: ListEntry[]): Promise<number> {
  await db.exec('DROP TABLE IF EXISTS bench_trgm; CREATE TABLE bench_trgm (id text NOT NULL, name text NOT NULL)');
  const rows = entries.flatMap((e) => e.names.map((n) => [e.id, foldName(n)] as const)).filter(([, n]) => n);
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    await db.query('INSERT INTO bench_trgm (id, name) SELECT * FROM unnest($1::text[], $2::text[])', [
      batch.map((r) => r[0]),
      batch.map((r) => r[1]),
    ]);
  }
  await db.exec('CREATE INDEX bench_trgm_name ON bench_trgm USING gin (name gin_trgm_ops); ANALYZE bench_trgm');
  return rows.length;
}

export async function pgTrgm(
  backend: TrgmBackend,
  entries: ListEntry[],
  queries: string[],
  explain: boolean,
): Promise<{ results: Scored[][]; perSecond: number; names: number; plan?: string }> {
  const { db } = backend;
  const names = await load(db, entries);
  // SET LOCAL: the setting holds for this transaction's connection only, on a pool too.
  const out = await db.transaction(async (tx) => {
    await tx.query(`SET LOCAL pg_trgm.similarity_threshold = ${TRGM_FLOOR}`);
    let plan: string | undefined;
    if (explain) {
      const probe = foldName(queries.find((q) => foldName(q)) ?? 'x');
      const lines = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${SEARCH}`, [probe]);
      plan = lines.map((l) => l['QUERY PLAN']).join('\n');
    }
    const t0 = performance.now();
    const results: Scored[][] = [];
    for (const q of queries) {
      const folded = foldName(q);
      const rows = folded ? await tx.query<{ id: string; score: number }>(SEARCH, [folded]) : [];
      results.push(rows.map((r) => ({ id: r.id, score: Number(r.score) })));
    }
    return { results, perSecond: queries.length / ((performance.now() - t0) / 1000), plan };
  });
  await db.exec('DROP TABLE bench_trgm');
  return { ...out, names };
}

// One small interface over the two backends: PGlite (PostgreSQL compiled to
// WebAssembly, in-process, the embedded default) and a PostgreSQL server via `pg`
// when DATABASE_URL is set. Both run the same SQL; type parsing is aligned here so
// the rest of the code never knows which one it talks to.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import pg from 'pg';

export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Runs several statements with no parameters (migrations). */
  exec(text: string): Promise<void>;
}

export interface Database extends Sql {
  readonly kind: 'pglite' | 'postgres';
  readonly location: string;
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /** LISTEN on a channel (pg_notify from any transaction, delivered at its commit); returns the unlisten. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

// OIDs: int8, numeric, date, timestamp, timestamptz.
const toNumber = (v: string): number => Number(v);
const toIso = (v: string): string => new Date(v.includes('T') || v.includes('+') || v.endsWith('Z') ? v : `${v}Z`).toISOString();
const PARSERS: Record<number, (v: string) => unknown> = {
  20: toNumber,
  1700: toNumber,
  1082: (v) => v,
  1114: toIso,
  1184: (v) => new Date(v).toISOString(),
};

export async function openPglite(dir?: string): Promise<Database> {
  if (dir && !dir.startsWith('memory://')) mkdirSync(dir, { recursive: true });
  const db = await PGlite.create({ dataDir: dir, extensions: { pg_trgm }, parsers: PARSERS });
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>): Sql => ({
    async query<T>(text: string, params?: unknown[]) {
      return (await q.query<T>(text, params)).rows;
    },
    async exec(text: string) {
      await q.exec(text);
    },
  });
  const base = wrap(db);
  return {
    kind: 'pglite',
    location: dir ?? 'memory://',
    ...base,
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx as unknown as PGlite))),
    listen: async (channel, onPayload) => db.listen(channel, onPayload),
    close: () => db.close(),
  };
}

export async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: Number(process.env.PG_POOL_SIZE ?? 10) });
  // A dropped server connection must not crash the process; queries fail and the pool reconnects.
  pool.on('error', (err) => console.error(`postgres pool: ${err.message}`));
  const types = {
    getTypeParser: (oid: number, format?: string) => PARSERS[oid] ?? pg.types.getTypeParser(oid, format as 'text'),
  };
  const run = async <T>(c: pg.Pool | pg.PoolClient, text: string, params?: unknown[]): Promise<T[]> =>
    (await c.query({ text, values: params, types } as pg.QueryConfig)).rows as T[];
  const client = (c: pg.Pool | pg.PoolClient): Sql => ({
    query: (text, params) => run(c, text, params),
    async exec(text) {
      await c.query(text);
    },
  });
  return {
    kind: 'postgres',
    location: url.replace(/\/\/[^@/]*@/, '//***@'),
    ...client(pool),
    async transaction(fn) {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const out = await fn(client(c));
        await c.query('COMMIT');
        return out;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        c.release();
      }
    },
    async listen(channel, onPayload) {
      // LISTEN holds a connection of its own, outside the pool.
      const c = new pg.Client({ connectionString: url });
      c.on('error', (err) => console.error(`postgres listener: ${err.message}`));
      await c.connect();
      c.on('notification', (n) => { if (n.channel === channel) onPayload(n.payload ?? ''); });
      await c.query(`LISTEN ${c.escapeIdentifier(channel)}`);
      return async () => { await c.end(); };
    },
    close: () => pool.end(),
  };
}

/** DATABASE_URL selects PostgreSQL; otherwise PGlite in `dataDir` (default ./data). */
export async function openDatabase(opts: { url?: string; dataDir?: string } = {}): Promise<Database> {
  const url = opts.url ?? process.env.DATABASE_URL;
  if (url) return openPostgres(url);
  return openPglite(opts.dataDir ?? process.env.CHOKEPOINT_DATA ?? './data');
}

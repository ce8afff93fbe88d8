// One small interface over the two backends: PGlite (PostgreSQL compiled to
// WebAssembly, in-process, the embedded default) and a PostgreSQL server via `pg`
// when DATABASE_URL is set. Both run the same SQL; type parsing is aligned here so
// the rest of the code never knows which one it talks to.
import { chmodSync, mkdirSync, statfsSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StatusError } from '../domain/errors.js';
import { lockDataDir } from './data-lock.js';
import { PRIVATE_DIR_MODE, restrictUmask, tightenTree } from './private-files.js';
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
  listen(channel: string, onPayload: (payload: string) => void, onReconnect?: () => void): Promise<() => Promise<void>>;
  /**
   * Takes a lock that this process holds until it releases it or dies: on PostgreSQL a
   * session advisory lock on a connection of the process's own, so another process
   * learns at once that a crashed one no longer holds it. Null when someone else holds it.
   */
  tryLock(space: number, key: number): Promise<(() => Promise<void>) | null>;
  /**
   * Records in the embedded data directory's lock what this process does and where it
   * serves, so a command refused the directory can say where to go. Nothing on PostgreSQL.
   */
  announce(info: { command?: string; url?: string }): void;
  close(): Promise<void>;
}

/** Locks taken by this process, so that its own workers do not take one twice. */
function localLocks(): { take(k: string): boolean; drop(k: string): void } {
  const held = new Set<string>();
  return {
    take: (k) => !held.has(k) && !!held.add(k),
    drop: (k) => {
      held.delete(k);
    },
  };
}

// OIDs: int8, numeric, date, timestamp, timestamptz.
const toNumber = (v: string): number => Number(v);
const toIso = (v: string): string =>
  new Date(v.includes('T') || v.includes('+') || v.endsWith('Z') ? v : `${v}Z`).toISOString();
const PARSERS: Record<number, (v: string) => unknown> = {
  20: toNumber,
  1700: toNumber,
  1082: (v) => v,
  1114: toIso,
  1184: (v) => new Date(v).toISOString(),
};

/** The database cannot write: its disk is (nearly) full or read-only. The API answers 507. */
export class StorageError extends StatusError {
  constructor(message: string) {
    super(message, 507);
  }
}

/** Free space the embedded database must keep: PostgreSQL adds its write-ahead log 16 MB at a time. */
const MIN_FREE_BYTES = Number(process.env.CHOKEPOINT_MIN_FREE_MB ?? 64) * 1024 * 1024;

const freeBytes = (dir: string): number => {
  const f = statfsSync(dir);
  return f.bavail * f.bsize;
};

/**
 * Checks that an embedded data directory can be used before PGlite opens it: PGlite
 * reports a read-only or missing directory as "failed to initialize", and a disk
 * that fills up under it leaves it wedged (every later query fails or hangs). So the
 * directory is probed here with a clear message, and free space is kept (see guard).
 */
export function checkDataDir(dir: string): void {
  const where = resolve(dir);
  const fix =
    'point --data (or CHOKEPOINT_DATA) at a writable directory with free space, or set DATABASE_URL to use a PostgreSQL server';
  try {
    mkdirSync(where, { recursive: true, mode: PRIVATE_DIR_MODE });
    const probe = join(where, `.write-test-${process.pid}`);
    writeFileSync(probe, 'ok');
    unlinkSync(probe);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'EROFS'
        ? 'is on a read-only file system'
        : err.code === 'EACCES' || err.code === 'EPERM'
          ? 'is not writable by this user'
          : err.code === 'ENOSPC'
            ? 'is on a full disk'
            : err.code === 'ENOENT'
              ? 'cannot be created (a parent is missing or read-only)'
              : `cannot be written (${err.code ?? err.message})`;
    throw new StorageError(`data directory ${where} ${why}: the embedded database writes there; ${fix}`);
  }
  const free = freeBytes(where);
  if (free < MIN_FREE_BYTES) {
    throw new StorageError(
      `data directory ${where} has ${(free / 1048576).toFixed(0)} MB free; the embedded database needs at least ${MIN_FREE_BYTES / 1048576} MB (CHOKEPOINT_MIN_FREE_MB); free some space, or ${fix}`,
    );
  }
}

/** Refuses work, with a clear error, once free space falls below the minimum (looked up at most once a second). */
function spaceGuard(dir: string): () => void {
  let checkedAt = 0;
  let free = Infinity;
  return () => {
    const now = Date.now();
    if (now - checkedAt > 1000) {
      checkedAt = now;
      try {
        free = freeBytes(dir);
      } catch {
        free = Infinity; // cannot tell: let the database report what it meets
      }
    }
    if (free < MIN_FREE_BYTES) {
      throw new StorageError(
        `the data directory's disk is nearly full (${(free / 1048576).toFixed(0)} MB free, at least ${MIN_FREE_BYTES / 1048576} MB kept so the embedded database stays consistent); nothing was written; free some space and retry`,
      );
    }
  };
}

/**
 * Opens the embedded database. On disk the directory is first locked against other
 * processes (see data-lock.ts), then kept private: 0700, its files 0600 (see private-files.ts).
 */
export async function openPglite(dir?: string): Promise<Database> {
  const onDisk = !!dir && !dir.startsWith('memory://');
  let release = (): void => undefined;
  let lock: ReturnType<typeof lockDataDir> | undefined;
  if (onDisk) {
    checkDataDir(dir);
    lock = lockDataDir(dir);
    const restore = restrictUmask();
    release = () => {
      lock!.release();
      restore();
    };
  }
  const guard = onDisk ? spaceGuard(dir) : () => undefined;
  let db: PGlite;
  try {
    if (onDisk) chmodSync(dir, PRIVATE_DIR_MODE); // before PGlite writes: nobody else may look in meanwhile
    db = await PGlite.create({ dataDir: dir, extensions: { pg_trgm }, parsers: PARSERS });
    // After creating: PGlite writes a new cluster's files 0666 whatever the umask.
    if (onDisk) tightenTree(dir);
  } catch (e) {
    release();
    throw e;
  }
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>): Sql => ({
    async query<T>(text: string, params?: unknown[]) {
      guard();
      return (await q.query<T>(text, params)).rows;
    },
    async exec(text: string) {
      guard();
      await q.exec(text);
    },
  });
  const base = wrap(db);
  const locks = localLocks();
  return {
    kind: 'pglite',
    location: dir ?? 'memory://',
    ...base,
    transaction: (fn) => {
      guard();
      return db.transaction((tx) => fn(wrap(tx as unknown as PGlite)));
    },
    listen: async (channel, onPayload) => db.listen(channel, onPayload),
    // One process owns a PGlite directory, so a lock need only be unique within it.
    async tryLock(space, key) {
      const k = `${space}:${key}`;
      if (!locks.take(k)) return null;
      return async () => locks.drop(k);
    },
    announce: (info) => lock?.announce(info),
    async close() {
      try {
        await db.close();
      } finally {
        release();
      }
    },
  };
}

export async function openPostgres(url: string): Promise<Database> {
  // connectionTimeoutMillis: while the server is unreachable, a request fails in seconds rather than hanging.
  const pool = new pg.Pool({
    connectionString: url,
    max: Number(process.env.PG_POOL_SIZE ?? 10),
    connectionTimeoutMillis: 5000,
  });
  // A dropped server connection must not crash the process; queries fail and the pool reconnects.
  pool.on('error', (err) => console.error(`postgres pool: ${err.message}`));
  const locks = localLocks();
  // Advisory locks live on one connection of this process's own, outside the pool, so
  // holding one never takes a connection from the work it protects.
  let lockClient: Promise<pg.Client> | undefined;
  const lockConnection = (): Promise<pg.Client> => {
    lockClient ??= (async () => {
      const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
      const lost = (): void => {
        lockClient = undefined;
      };
      c.on('error', (err) => {
        console.error(`postgres lock connection: ${err.message}`);
        lost();
      });
      c.on('end', lost);
      try {
        await c.connect();
      } catch (e) {
        lost();
        throw e;
      }
      return c;
    })();
    return lockClient;
  };
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
      // A checked-out client has no pool listener: if the server drops the connection
      // between two statements, its 'error' event would otherwise crash the process.
      let lost: Error | undefined;
      const onError = (err: Error): void => {
        lost = err;
        console.error(`postgres connection in a transaction: ${err.message}`);
      };
      c.on('error', onError);
      try {
        await c.query('BEGIN');
        const out = await fn(client(c));
        await c.query('COMMIT');
        return out;
      } catch (err) {
        if (databaseUnavailable(err as Error)) lost ??= err as Error;
        else await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        c.off('error', onError);
        c.release(lost); // a lost connection is discarded, not handed to the next request
      }
    },
    async listen(channel, onPayload, onReconnect) {
      // LISTEN holds a connection of its own, outside the pool. When the server goes
      // away (restart, failover) it is re-established with back-off, and onReconnect
      // lets the caller catch up on what was committed while nobody listened.
      let c: pg.Client | undefined;
      let stopped = false;
      let retry: NodeJS.Timeout | undefined;
      const connect = async (): Promise<void> => {
        const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
        client.on('error', (err) => console.error(`postgres listener: ${err.message}`));
        client.on('notification', (n) => {
          if (n.channel === channel) onPayload(n.payload ?? '');
        });
        try {
          await client.connect();
          await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
        } catch (e) {
          await client.end().catch(() => undefined); // a half-open attempt is closed, not left behind
          throw e;
        }
        c = client;
        client.once('end', () => {
          if (!stopped) reconnect(250);
        });
      };
      const reconnect = (delay: number): void => {
        if (stopped) return;
        retry = setTimeout(() => {
          connect().then(
            () => onReconnect?.(),
            () => reconnect(Math.min(delay * 2, 5000)),
          );
        }, delay);
      };
      await connect();
      return async () => {
        stopped = true;
        clearTimeout(retry);
        await c?.end().catch(() => undefined);
      };
    },
    async tryLock(space, key) {
      const k = `${space}:${key}`;
      if (!locks.take(k)) return null;
      try {
        const c = await lockConnection();
        const [row] = (
          await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::int, ($2::bigint % 2147483647)::int) AS ok', [
            space,
            key,
          ])
        ).rows;
        if (!row?.ok) {
          locks.drop(k);
          return null;
        }
        return async () => {
          locks.drop(k);
          await c
            .query('SELECT pg_advisory_unlock($1::int, ($2::bigint % 2147483647)::int)', [space, key])
            .catch(() => undefined);
        };
      } catch (e) {
        locks.drop(k);
        throw e;
      }
    },
    announce: () => undefined, // many processes share a server: nothing to hold
    async close() {
      const c = await lockClient?.catch(() => undefined);
      lockClient = undefined;
      await c?.end().catch(() => undefined);
      await pool.end();
    },
  };
}

/**
 * True when an error means the database server cannot be reached right now (restart,
 * failover, network). The request may be retried: writes are idempotent, so a retry
 * is safe even in the rare case that the connection dropped after the commit.
 */
export function databaseUnavailable(err: { message?: string; code?: string }): boolean {
  // 08xxx connection exceptions; 57P01-57P03 admin shutdown, crash shutdown, cannot connect now.
  if (typeof err.code === 'string' && /^(08...|57P0[1-3])$/.test(err.code)) return true;
  return /ECONNREFUSED|ECONNRESET|EPIPE|Connection terminated|timeout exceeded when trying to connect|the database system is (starting up|shutting down|in recovery mode)|Client has encountered a connection error/.test(
    `${err.message ?? ''} ${err.code ?? ''}`,
  );
}

/** DATABASE_URL selects PostgreSQL; otherwise PGlite in `dataDir` (default ./data). */
export async function openDatabase(opts: { url?: string; dataDir?: string } = {}): Promise<Database> {
  const url = opts.url ?? process.env.DATABASE_URL;
  if (url) return openPostgres(url);
  return openPglite(opts.dataDir ?? process.env.CHOKEPOINT_DATA ?? './data');
}

// Throwaway databases on a PostgreSQL server, for tests and benchmarks: each run
// gets its own database, created here and dropped when done.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export async function scratchPostgres(
  serverUrl: string,
  prefix = 'cp_scratch',
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string): Promise<void> => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

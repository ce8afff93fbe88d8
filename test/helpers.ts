// Test helpers: every storage test runs on PGlite (embedded) and, when DATABASE_URL
// is set, on a fresh database of that PostgreSQL server, created and dropped here.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Store } from '../src/store/store.js';
import { createUser, issueToken } from '../src/store/users.js';
import { buildServer } from '../src/api/server.js';
import type { Role } from '../src/domain/users.js';
import type { Classification } from '../src/domain/markings.js';

export interface Backend {
  name: string;
  open(): Promise<{ store: Store; drop(): Promise<void> }>;
}

const url = process.env.DATABASE_URL;
if (!url) console.warn('DATABASE_URL is not set: PostgreSQL-server tests are skipped (PGlite tests run). .ci/run sets it.');

export const backends: Backend[] = [
  {
    name: 'pglite',
    async open() {
      const store = await Store.open({ dataDir: 'memory://' });
      return { store, drop: () => store.close() };
    },
  },
  ...(url
    ? [{
        name: 'postgres',
        async open() {
          const db = `cp_test_${randomBytes(6).toString('hex')}`;
          const admin = new pg.Client({ connectionString: url });
          await admin.connect();
          await admin.query(`CREATE DATABASE ${db}`);
          await admin.end();
          const u = new URL(url);
          u.pathname = `/${db}`;
          const store = await Store.open({ url: u.toString() });
          return {
            store,
            async drop() {
              await store.close();
              const a = new pg.Client({ connectionString: url });
              await a.connect();
              await a.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
              await a.end();
            },
          };
        },
      }]
    : []),
];

/** A user and a session token for API tests. */
export async function userWithToken(store: Store, u: { username: string; agency: string; clearance: Classification; roles: Role[]; groups?: string[]; country?: string }): Promise<string> {
  const p = await createUser(store.db, { ...u, password: 'correct horse battery staple' });
  return (await issueToken(store.db, p.id, 'session', 1)).token;
}

export async function server(store: Store) {
  return buildServer({ store, rateLimit: 100_000 });
}

export const auth = (token: string) => ({ authorization: `Bearer ${token}` });

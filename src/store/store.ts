// The store: one database (PGlite or PostgreSQL), migrated, with its reference rows
// and the marking cache. Everything that touches data goes through it.
import { openDatabase, type Database, type Sql } from './db.js';
import { migrate } from './migrate.js';
import { MarkingCache } from './markings.js';
import { asReader } from './access.js';
import { defaultAgencies, type Agency } from '../domain/agencies.js';
import type { ReaderAccess } from '../domain/markings.js';

export class Store {
  readonly markings = new MarkingCache();
  private constructor(readonly db: Database) {}

  static async open(opts: { url?: string; dataDir?: string } = {}): Promise<Store> {
    const db = await openDatabase(opts);
    return Store.over(db);
  }

  static async over(db: Database): Promise<Store> {
    await migrate(db);
    await upsertAgencies(db, defaultAgencies());
    return new Store(db);
  }

  /** A marking-filtered read transaction (see access.ts). */
  read<T>(who: ReaderAccess, fn: (tx: Sql) => Promise<T>): Promise<T> {
    return asReader(this.db, who, fn);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

export async function upsertAgencies(db: Sql, agencies: Agency[]): Promise<void> {
  await db.query(
    `INSERT INTO agencies (code, name, country, kind, law_enforcement)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[])
     ON CONFLICT (code) DO UPDATE SET name = excluded.name, country = excluded.country, kind = excluded.kind, law_enforcement = excluded.law_enforcement`,
    [
      agencies.map((a) => a.code),
      agencies.map((a) => a.name),
      agencies.map((a) => a.country),
      agencies.map((a) => a.kind),
      agencies.map((a) => a.lawEnforcement),
    ],
  );
}

export async function listAgencies(db: Sql): Promise<Agency[]> {
  const rows = await db.query<{
    code: string;
    name: string;
    country: string;
    kind: Agency['kind'];
    law_enforcement: boolean;
  }>('SELECT * FROM agencies ORDER BY code');
  return rows.map((r) => ({
    code: r.code,
    name: r.name,
    country: r.country,
    kind: r.kind,
    lawEnforcement: r.law_enforcement,
  }));
}

// The stores a benchmark runs on: embedded PGlite always, and a scratch database on
// the PostgreSQL server when DATABASE_URL is set (created here, dropped after).
import { Store } from '../src/store/store.js';
import { openPglite } from '../src/store/db.js';
import { scratchPostgres } from '../src/store/scratch.js';

export type BenchBackend = 'pglite' | 'postgres';
export const benchBackends = (): BenchBackend[] => [
  'pglite',
  ...(process.env.DATABASE_URL ? ['postgres' as const] : []),
];

export async function openBenchStore(kind: BenchBackend): Promise<{ store: Store; drop: () => Promise<void> }> {
  if (kind === 'pglite') {
    const store = await Store.over(await openPglite());
    return { store, drop: () => store.close() };
  }
  const scratch = await scratchPostgres(process.env.DATABASE_URL!);
  const store = await Store.open({ url: scratch.url });
  return {
    store,
    drop: async () => {
      await store.close();
      await scratch.drop();
    },
  };
}

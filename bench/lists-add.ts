// What adding a list costs (src/lists/custom.ts): the shipped SDN list's legacy CSV files
// (14,965 entries) added as a list of one's own, replaced by a version with one entry
// changed, and (PostgreSQL, where a second process can open the same database) its index
// rebuilt from the stored entries as after a restart. `npm run bench:lists`; with
// DATABASE_URL set, PostgreSQL too.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { customScreener, putList } from '../src/lists/custom.js';
import { SYSTEM } from '../src/store/write.js';
import { Store } from '../src/store/store.js';
import { scratchPostgres } from '../src/store/scratch.js';
import { benchBackends, openBenchStore } from './backends.js';

const dir = fileURLToPath(new URL('../reference/ofac/', import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.csv'))
  .map((f) => ({ name: f, content: readFileSync(dir + f, 'utf8') }));
const changed = files.map((f) =>
  f.name === 'sdn.csv' ? { ...f, content: f.content.replace('AEROCARIBBEAN AIRLINES', 'AEROCARIBBEAN AIRWAYS') } : f,
);
const seconds = (since: number): string => ((performance.now() - since) / 1000).toFixed(1);

for (const kind of benchBackends()) {
  const scratch = kind === 'postgres' ? await scratchPostgres(process.env.DATABASE_URL!) : undefined;
  const { store, drop } = scratch
    ? { store: await Store.open({ url: scratch.url }), drop: () => scratch.drop() }
    : await openBenchStore(kind);
  let t = performance.now();
  const added = await putList(store, SYSTEM, { name: 'SDN-COPY', format: 'ofac-csv', files, marking: 'U' }, 'add');
  const add = seconds(t);
  t = performance.now();
  const replaced = await putList(
    store,
    SYSTEM,
    { name: 'SDN-COPY', format: 'ofac-csv', files: changed, marking: 'U' },
    'add',
  );
  const replace = seconds(t);
  let rebuilt = '';
  if (scratch) {
    // A second store over the same database has no index in memory: it builds it from the rows.
    const other = await Store.open({ url: scratch.url });
    t = performance.now();
    await customScreener(other.db, SYSTEM);
    rebuilt = `; index rebuilt from the database in ${seconds(t)} s`;
    await other.close();
  }
  console.log(
    `${kind}: added ${added.list.entries} entries in ${add} s; replaced (${replaced.changed} changed) in ${replace} s${rebuilt}`,
  );
  if (scratch) await store.close();
  await drop();
}

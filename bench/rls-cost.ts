// What the access rule costs. The same three reads (a name search, the dashboard's
// aggregates, the graph projection's reference scan) run two ways for one reader:
// under cp_reader, where row-level security applies the policy, and as the table
// owner with the same rule written by hand into the query (the readable marking ids
// passed in, the existence and reference checks as explicit EXISTS), which is what a
// developer would write without row-level security. Both answers are checked equal
// before the ratio is printed; three sizes, with the growth exponent of each.
//
//   npm run bench:rls -- --sizes 10,30,90 --runs 5
import { parseArgs } from 'node:util';
import type { Sql } from '../src/store/db.js';
import { benchBackends, openBenchStore } from './backends.js';
import { loadScenario } from '../src/scenario/load.js';
import type { ReaderAccess } from '../src/domain/markings.js';

const { values: args } = parseArgs({
  options: { sizes: { type: 'string', default: '10,30,90' }, runs: { type: 'string', default: '5' } },
});
const sizes = args.sizes!.split(',').map(Number);
const reader: ReaderAccess = {
  clearance: 'S',
  agency: 'DEA',
  country: 'USA',
  groups: [],
  lawEnforcement: true,
  government: true,
};

// The rule by hand, as the owner: $1 is the reader's readable marking ids.
const VISIBLE = (
  alias: string,
) => `${alias}.marking_id = ANY($1) AND EXISTS (SELECT 1 FROM presence p WHERE p.entity_id = ${alias}.entity_id AND p.marking_id = ANY($1))
  AND (${alias}.prop_type <> 'entity' OR EXISTS (SELECT 1 FROM presence t WHERE t.entity_id = ${alias}.value AND t.marking_id = ANY($1)))`;

interface Read {
  name: string;
  rls: (tx: Sql) => Promise<unknown[]>;
  owner: (tx: Sql, ids: number[]) => Promise<unknown[]>;
}
const READS: Read[] = [
  {
    name: 'search "garcia"',
    rls: (tx) => tx.query("SELECT DISTINCT entity_id FROM statements WHERE search_key LIKE '%garcia%' ORDER BY 1"),
    owner: (tx, ids) =>
      tx.query(
        `SELECT DISTINCT entity_id FROM statements s WHERE s.search_key LIKE '%garcia%' AND ${VISIBLE('s')} ORDER BY 1`,
        [ids],
      ),
  },
  {
    name: 'dashboard aggregates',
    rls: (tx) =>
      tx.query(
        `SELECT s.schema, count(DISTINCT s.entity_id)::int AS n, count(*)::int AS values FROM statements s GROUP BY 1 ORDER BY 1`,
      ),
    owner: (tx, ids) =>
      tx.query(
        `SELECT s.schema, count(DISTINCT s.entity_id)::int AS n, count(*)::int AS values FROM statements s WHERE ${VISIBLE('s')} GROUP BY 1 ORDER BY 1`,
        [ids],
      ),
  },
  {
    name: 'graph projection refs',
    rls: (tx) => tx.query("SELECT entity_id, prop, value FROM statements WHERE prop_type = 'entity' ORDER BY 1, 2, 3"),
    owner: (tx, ids) =>
      tx.query(
        `SELECT entity_id, prop, value FROM statements s WHERE s.prop_type = 'entity' AND ${VISIBLE('s')} ORDER BY 1, 2, 3`,
        [ids],
      ),
  },
];

async function best(n: number, fn: () => Promise<unknown>): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

console.log(`reader DEA/S (no groups); sizes ${sizes.join(', ')} networks; best of ${args.runs} runs`);
for (const kind of benchBackends()) {
  const rows: { size: number; statements: number; times: Record<string, { rls: number; owner: number }> }[] = [];
  for (const size of sizes) {
    const { store, drop } = await openBenchStore(kind);
    const load = await loadScenario(store, { seed: 1, networks: size });
    const ids = (await store.read(reader, (tx) => tx.query<{ id: number }>('SELECT id FROM readable_markings'))).map(
      (r) => r.id,
    );
    const times: Record<string, { rls: number; owner: number }> = {};
    for (const r of READS) {
      const a = JSON.stringify(await store.read(reader, r.rls));
      const b = JSON.stringify(await store.db.transaction((tx) => r.owner(tx, ids)));
      if (a !== b)
        throw new Error(
          `${kind} ${r.name}: row-level security and the hand-written rule disagree (${a.length} vs ${b.length} bytes)`,
        );
      times[r.name] = {
        rls: await best(Number(args.runs), () => store.read(reader, r.rls)),
        owner: await best(Number(args.runs), () => store.db.transaction((tx) => r.owner(tx, ids))),
      };
    }
    rows.push({ size, statements: load.statements, times });
    await drop();
  }
  console.log(
    `\n${kind}: ms (cp_reader with row-level security / owner with the rule by hand = ratio); answers checked equal`,
  );
  console.log(['statements', ...READS.map((r) => r.name)].join(' | '));
  for (const r of rows)
    console.log(
      [
        String(r.statements),
        ...READS.map(
          (x) =>
            `${r.times[x.name]!.rls.toFixed(1)} / ${r.times[x.name]!.owner.toFixed(1)} = ${(r.times[x.name]!.rls / r.times[x.name]!.owner).toFixed(2)}x`,
        ),
      ].join(' | '),
    );
  const first = rows[0]!;
  const last = rows.at(-1)!;
  const growth = (a: number, b: number) => (Math.log(b / a) / Math.log(last.statements / first.statements)).toFixed(2);
  console.log(
    `growth exponent (time ~ statements^k), first to last size: ${READS.map((x) => `${x.name}: rls ${growth(first.times[x.name]!.rls, last.times[x.name]!.rls)}, owner ${growth(first.times[x.name]!.owner, last.times[x.name]!.owner)}`).join('; ')}`,
  );
}

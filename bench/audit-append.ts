// Audit appends per second with one entry per API read. Three figures per backend:
//   - "one-tx-each" (baseline): every entry in its own transaction, head lock, INSERT
//     and head update each time (what every read cost before the group commit);
//   - group commit: AuditQueue, as the API uses it, with `--concurrency` appenders;
//   - end to end: GET /auth/me through the API in process (app.inject), each read
//     leaving its entry before it is answered, beside GET /health (not audited).
// Every figure's entries are counted and the chain verified before it is printed.
//
//   npm run bench:audit                                                  (PGlite)
//   DATABASE_URL=postgres://root@127.0.0.1:5432/test npm run bench:audit (adds PostgreSQL)
//   options: --entries 5000 --concurrency 64
import { parseArgs } from 'node:util';
import { benchBackends, openBenchStore } from './backends.js';
import { audit, auditQueue, verifyAudit } from '../src/store/audit.js';
import { buildServer } from '../src/api/server.js';
import { createUser, issueToken } from '../src/store/users.js';
import type { Store } from '../src/store/store.js';

const { values: args } = parseArgs({
  options: { entries: { type: 'string', default: '5000' }, concurrency: { type: 'string', default: '64' } },
});
const N = Number(args.entries);
const C = Number(args.concurrency);

const entry = (i: number) => ({
  actor: 'bench.reader',
  action: 'api.request',
  target: `/entities/e${i}`,
  details: { http: { method: 'GET', route: '/entities/:id', status: 200, ip: '127.0.0.1' } },
});
const headSeq = async (store: Store): Promise<number> =>
  (await store.db.query<{ seq: number }>('SELECT seq FROM audit_head'))[0]!.seq;

/** Runs `task(i)` for i < n with `c` in flight at once; returns per second. */
async function rate(n: number, c: number, task: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (next < n) await task(next++);
    }),
  );
  return n / ((performance.now() - t0) / 1000);
}

async function counted(store: Store, label: string, n: number, run: () => Promise<number>): Promise<string> {
  const before = await headSeq(store);
  const perSecond = await run();
  const written = (await headSeq(store)) - before;
  if (written !== n) throw new Error(`${label}: ${written} entries written for ${n} appends`);
  return perSecond.toFixed(0).padStart(8);
}

console.log(
  `audit appends: ${N} entries per figure, ${C} concurrent appenders or requests; ` +
    new Date().toISOString().slice(0, 10),
);
console.log(
  'backend  | one-tx-each/s (1 appender) | one-tx-each/s | group commit/s | speed-up ' +
    '| GET /auth/me/s (1 entry each) | GET /health/s (none)',
);
for (const kind of benchBackends()) {
  const { store, drop } = await openBenchStore(kind);
  try {
    const serial = await counted(store, 'one-tx-each, serial', N, () => rate(N, 1, (i) => audit(store.db, entry(i))));
    const each = await counted(store, 'one-tx-each', N, () => rate(N, C, (i) => audit(store.db, entry(i))));
    const queue = auditQueue(store.db);
    const grouped = await counted(store, 'group commit', N, () => rate(N, C, (i) => queue.append([entry(i)])));
    const app = await buildServer({
      store,
      rateLimit: 10_000_000,
      escalateEveryMs: 0,
      maxEventLoopDelayMs: 0,
      maxInFlight: 0,
      resumeAfterWritesEveryMs: 0,
    });
    const u = await createUser(store.db, {
      username: 'bench.reader',
      password: 'correct horse battery staple',
      agency: 'DEA',
      clearance: 'S',
      roles: ['analyst'],
    });
    const headers = { authorization: `Bearer ${(await issueToken(store.db, u.id, 'session', 1)).token}` };
    const get = (url: string) => async () => {
      const r = await app.inject({ url, headers });
      if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body}`);
    };
    const reads = await counted(store, 'GET /auth/me', N, () => rate(N, C, get('/auth/me')));
    const health = await counted(store, 'GET /health', 0, () => rate(N, C, get('/health')));
    await app.close();
    const v = await verifyAudit(store.db);
    if (!v.ok) throw new Error(`chain does not verify: ${v.problems.join('; ')}`);
    const speedUp = (Number(grouped) / Number(each)).toFixed(1);
    const cells = [
      kind.padEnd(8),
      serial.padStart(26),
      each.padStart(13),
      grouped.padStart(14),
      `${speedUp}x`.padStart(8),
      reads.padStart(29),
      health.padStart(20),
    ];
    console.log(cells.join(' | '));
  } finally {
    await drop();
  }
}

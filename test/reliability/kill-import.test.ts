// Fault drill: a real `chokepoint serve` process is killed (SIGKILL: no clean-up
// runs) in the middle of an import, once while the import's transaction is open and
// once just after it committed, while the cross-referencing and case-owner notices
// that follow it are under way. After a restart on the same data, nothing is
// half-written, the interrupted follow-up work is finished by the new process, and
// re-importing the file completes idempotently. Every figure is compared with the
// same import run without a fault.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writerScope } from '../../src/store/write-scope.js';
import { Store } from '../../src/store/store.js';
import { openPglite } from '../../src/store/db.js';
import { scratchPostgres } from '../../src/store/scratch.js';
import { createUser, issueToken } from '../../src/store/users.js';
import { createCase, registerTargets } from '../../src/deconflict/targets.js';
import { importRecords } from '../../src/ingest/importer.js';
import { readChokepointJson } from '../../src/ingest/readers.js';
import { generateScenario } from '../../src/scenario/generate.js';
import { startChokepoint, type ServingProcess } from '../../src/cli/spawn.js';
import { verifyAudit } from '../../src/store/audit.js';
import type { Principal } from '../../src/domain/users.js';

const url = process.env.DATABASE_URL;
if (!url) console.warn('DATABASE_URL is not set: the kill-during-import drill runs on PGlite only.');

const records = [...generateScenario({ seed: 7, networks: 16 })];
const jsonl = records.map((r) => JSON.stringify(r)).join('\n');
/** An entity of the last record: it can be read once the import's transaction has committed. */
const lastEntity = records[records.length - 1]!.entities[0]!.id;
/** Phones that appear in the data, registered as targets of an open case so the import touches it. */
const phones = [
  ...new Set(
    records.flatMap((r) =>
      r.entities
        .filter((e) => e.schema === 'Phone')
        .flatMap((e) => (e.properties as Record<string, string[]>).number ?? []),
    ),
  ),
].slice(0, 6);

interface Figures {
  records: number;
  links: number;
  notices: number;
  queued: number;
}

async function figures(store: Store): Promise<Figures> {
  const [f] = await store.db.query<Figures>(`SELECT
    (SELECT count(*)::int FROM records) AS records,
    (SELECT count(*)::int FROM possible_links) AS links,
    (SELECT count(*)::int FROM notifications WHERE kind LIKE 'interdiction.%') AS notices,
    (SELECT count(*)::int FROM after_write_queue) AS queued`);
  return f!;
}

/** A loader who may write any source and marking, and a DEA case with the phones as targets. */
async function setUp(store: Store): Promise<{ loader: Principal; token: string }> {
  const loader = await createUser(store.db, {
    username: 'loader',
    agency: 'DEA',
    clearance: 'TS',
    roles: ['admin', 'analyst'],
    groups: ['OCDETF'],
    password: 'correct horse battery staple',
  });
  const agent = await createUser(store.db, {
    username: 'case.agent',
    agency: 'DEA',
    clearance: 'S',
    roles: ['case_agent'],
    password: 'correct horse battery staple',
  });
  const c = await createCase(store.db, agent, {
    caseNumber: 'DEA-2026-0042',
    title: 'Drill case',
    contactName: 'Case Agent',
    contactPhone: '+1 202 555 0100',
  });
  await registerTargets(
    store.db,
    agent,
    c.id,
    phones.map((value) => ({ kind: 'phone' as const, value })),
  );
  return { loader, token: (await issueToken(store.db, loader.id, 'session', 1)).token };
}

interface Backend {
  name: string;
  /** Arguments and environment for a server on this backend's data. */
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Opens the data in this process (PGlite: only while no server holds the directory). */
  open(): Promise<Store>;
  /** Resolves once the import's transaction is open and writing; undefined where it cannot be seen from outside. */
  writing?(): Promise<void>;
  cleanUp(): Promise<void>;
}

async function pgliteBackend(): Promise<Backend> {
  const dir = mkdtempSync(join(tmpdir(), 'cp-kill-'));
  // url '': PGlite in the directory even when this process has DATABASE_URL set.
  return {
    name: 'pglite',
    args: ['--data', dir],
    env: { ...process.env, DATABASE_URL: '' },
    open: () => Store.open({ url: '', dataDir: dir }),
    cleanUp: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function postgresBackend(): Promise<Backend> {
  const scratch = await scratchPostgres(url!);
  const db = new URL(scratch.url).pathname.slice(1);
  return {
    name: 'postgres',
    args: [],
    env: { ...process.env, DATABASE_URL: scratch.url },
    open: () => Store.open({ url: scratch.url }),
    // The server's transaction has written once it holds a transaction id.
    async writing() {
      const store = await Store.open({ url: scratch.url });
      try {
        await expect
          .poll(
            async () =>
              (
                await store.db.query<{ n: number }>(
                  'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND backend_xid IS NOT NULL',
                  [db],
                )
              )[0]!.n,
            { timeout: 60_000, interval: 20 },
          )
          .toBeGreaterThan(0);
      } finally {
        await store.close();
      }
    },
    cleanUp: () => scratch.drop(),
  };
}

const serve = (b: Backend): Promise<ServingProcess> =>
  startChokepoint([...b.args, 'serve', '--port', '0', '--host', '127.0.0.1'], { ...b.env, RATE_LIMIT: '100000' });

const importFile = (s: ServingProcess, token: string): Promise<Response> =>
  fetch(`${s.url}/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ format: 'jsonl', name: 'drill.jsonl', content: jsonl }),
  });

/** Resolves when the import has committed: its last entity can be read through the API. */
async function committed(s: ServingProcess, token: string): Promise<void> {
  // A user's new ids are written under their namespace (src/store/write-scope.ts).
  const me = (await (
    await fetch(`${s.url}/auth/me`, { headers: { authorization: `Bearer ${token}` } })
  ).json()) as Principal;
  const stored = `${writerScope(me)}:${lastEntity}`;
  await expect
    .poll(
      async () =>
        (
          await fetch(`${s.url}/entities/${encodeURIComponent(stored)}`, {
            headers: { authorization: `Bearer ${token}` },
          })
        ).status,
      { timeout: 60_000, interval: 20 },
    )
    .toBe(200);
}

/** Waits, through the API, until no after-write work is queued. */
async function settled(s: ServingProcess, token: string): Promise<void> {
  await expect
    .poll(
      async () =>
        (
          (await (
            await fetch(`${s.url}/admin/after-write`, { headers: { authorization: `Bearer ${token}` } })
          ).json()) as { queued: number }
        ).queued,
      { timeout: 120_000, interval: 200 },
    )
    .toBe(0);
}

const makers = [pgliteBackend, ...(url ? [postgresBackend] : [])];

describe.each(makers.map((m) => [m.name.replace('Backend', ''), m] as const))(
  'a server killed during an import (%s)',
  (_name, make) => {
    let expected: Figures;
    /** When the reference import had written its last batch, and when it was done (ms). */
    const reference = { written: 0, total: 0 };
    beforeAll(async () => {
      // The same import without a fault, on the same kind of database.
      const b = await make();
      try {
        const store = b.name === 'pglite' ? await Store.over(await openPglite()) : await b.open();
        try {
          const { loader } = await setUp(store);
          const t0 = performance.now();
          await importRecords(
            store,
            loader,
            () => readChokepointJson({ text: jsonl, name: 'drill.jsonl' }, { source: 'DEA' }),
            {
              origin: 'reference',
              onProgress: (phase) => {
                if (phase === 'write') reference.written = performance.now() - t0;
              },
            },
          );
          reference.total = performance.now() - t0;
          expected = await figures(store);
        } finally {
          await store.close();
        }
      } finally {
        await b.cleanUp();
      }
      expect(expected.records).toBe(records.length);
      expect(expected.links).toBeGreaterThan(0);
      expect(expected.notices).toBeGreaterThan(0); // the drill must touch the case, or it proves nothing about notices
      expect(expected.queued).toBe(0);
    }, 300_000);

    for (const when of ['while the transaction writes', 'after the commit, during the follow-up work'] as const) {
      it(`killed ${when}: nothing half-written, the follow-up finished after restart, re-import idempotent`, async () => {
        const b = await make();
        try {
          let store = await b.open();
          const { token } = await setUp(store);
          if (b.name === 'pglite') await store.close();
          const first = await serve(b);
          const answer = importFile(first, token).then(
            (r) => r.status,
            () => 'connection lost',
          );
          if (when === 'while the transaction writes') {
            // PostgreSQL shows the open transaction; PGlite's cannot be seen from outside, so kill partway through the reference's writing.
            if (b.writing) await b.writing();
            else await new Promise((r) => setTimeout(r, reference.written * 0.6));
          } else if (b.name === 'postgres') await committed(first, token);
          // PGlite serves one query at a time, so the API answers only when the follow-up is done: kill halfway through the reference's follow-up.
          else await new Promise((r) => setTimeout(r, (reference.written + reference.total) / 2));
          first.child.kill('SIGKILL');
          expect(await answer).toBe('connection lost'); // killed before it could answer
          await first.stop();

          // Straight after the crash (PGlite recovers its directory on opening): all of the import or none of it.
          if (b.name === 'pglite') store = await b.open();
          const crashed = await figures(store);
          if (b.name === 'pglite') await store.close();
          if (when === 'while the transaction writes')
            expect(b.writing ? [0] : [0, records.length]).toContain(crashed.records);
          else expect(crashed).toMatchObject({ records: records.length, queued: 1 }); // committed, its follow-up interrupted

          const second = await serve(b);
          try {
            await settled(second, token); // the new process finishes what the dead one left queued
            const r = await importFile(second, token);
            expect(r.status).toBe(200);
            const report = (await r.json()) as { inserted: number; unchanged: number; rejected: number };
            expect(report.rejected).toBe(0);
            expect(report.inserted + report.unchanged).toBe(records.length);
            if (when !== 'while the transaction writes') expect(report.unchanged).toBe(records.length);
            await settled(second, token);
            const again = (await (await importFile(second, token)).json()) as {
              inserted: number;
              updated: number;
              unchanged: number;
            };
            expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: records.length });
          } finally {
            await second.stop();
          }
          if (b.name === 'pglite') store = await b.open();
          try {
            expect(await figures(store)).toEqual(expected);
            expect((await verifyAudit(store.db)).ok).toBe(true);
          } finally {
            await store.close();
          }
        } finally {
          await b.cleanUp();
        }
      }, 300_000);
    }
  },
);

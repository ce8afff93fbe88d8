// Fault drill: `chokepoint import` on the data directory a running server holds. Two
// processes on one PGlite directory each keep their own buffers and write-ahead log,
// so an import written beside the server used to print "1 new" and vanish at the next
// restart. Now the import either goes through the server's API (with a token) or is
// refused with what to do; a second server is refused; what was reported written is
// there after a restart; a lock left by a killed server is taken over; and the audit
// chain verifies. PGlite only: PostgreSQL servers are shared by design and take no lock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../src/store/store.js';
import { createUser, issueToken } from '../../src/store/users.js';
import { runChokepoint, startChokepoint, type ServingProcess } from '../../src/cli/spawn.js';
import { LOCK_FILE } from '../../src/store/data-lock.js';

const root = mkdtempSync(join(tmpdir(), 'cp-shared-'));
const dir = join(root, 'data');
const env = { ...process.env, DATABASE_URL: '' };
const file = join(root, 'one.json');
writeFileSync(
  file,
  JSON.stringify({
    source: 'DEA',
    records: [
      {
        sourceRecordId: 'DEA-DRILL-1',
        marking: 'U//LES',
        entities: [{ id: 'drill-p-1', schema: 'Person', properties: { name: ['Ana Drill'] } }],
      },
    ],
  }),
);
let token = '';

const cli = (...args: string[]) => runChokepoint(['--data', dir, ...args], env, 90_000);
const serve = (): Promise<ServingProcess> =>
  startChokepoint(['--data', dir, 'serve', '--port', '0', '--host', '127.0.0.1'], env);
/** 200 when the imported person is there, 404 when not (found by name: a user's new ids go to their namespace). */
const entity = async (s: ServingProcess): Promise<number> => {
  const headers = { authorization: `Bearer ${token}` };
  const found = (await (await fetch(`${s.url}/entities?q=ana%20drill`, { headers })).json()) as {
    results: { id: string }[];
  };
  const id = found.results.find((e) => e.id.endsWith('drill-p-1'))?.id ?? 'drill-p-1';
  return (await fetch(`${s.url}/entities/${encodeURIComponent(id)}`, { headers })).status;
};

beforeAll(async () => {
  const store = await Store.open({ url: '', dataDir: dir });
  const loader = await createUser(store.db, {
    username: 'dea.loader',
    agency: 'DEA',
    clearance: 'S',
    roles: ['analyst'],
    password: 'correct horse battery staple',
  });
  token = (await issueToken(store.db, loader.id, 'api', 24)).token;
  await store.close();
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('a CLI command on the data directory a running server holds', () => {
  let server: ServingProcess;
  beforeAll(async () => {
    server = await serve();
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('import without a token is refused: non-zero, the holder named, the exact commands to run instead', async () => {
    const pid = server.child.pid!;
    const r = await cli('import', file);
    expect(r.status).toBe(2);
    expect(r.stdout).not.toMatch(/written/);
    expect(r.stderr).toContain(`data directory ${dir} is in use by chokepoint serve (pid ${pid} on `);
    expect(r.stderr).toContain(`serving ${server.url})`);
    expect(r.stderr).toContain('nothing was read or written');
    expect(r.stderr).toContain(`npx chokepoint --data ${dir} import ${file} --token <token>`);
    expect(r.stderr).toContain(`kill -TERM ${pid}`);
  }, 120_000);

  it('read-only commands and a second server are refused too, at once, with the same message', async () => {
    const verify = await cli('audit', 'verify');
    expect(verify.status).toBe(2);
    expect(verify.stderr).toContain(`is in use by chokepoint serve (pid ${server.child.pid}`);
    expect(verify.stderr).toContain(`use its API at ${server.url}`);
    const second = await cli('serve', '--port', '0', '--host', '127.0.0.1');
    expect(second.status).toBe(2); // exited: it did not serve beside the first (that would time out with no status)
    expect(second.stderr).toContain(`is in use by chokepoint serve (pid ${server.child.pid}`);
    expect(second.stdout).not.toMatch(/serving on/);
    expect(await entity(server)).toBe(404); // the refused import wrote nothing
  }, 180_000);

  it('import with a token goes through the server as that user, and the server sees it at once', async () => {
    const r = await cli('import', file, '--token', token);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`importing through its API as dea.loader (DEA)`);
    expect(r.stdout).toMatch(/read 1 records: 1 new, 0 updated/);
    expect(await entity(server)).toBe(200);
    const viaEnv = await runChokepoint(['--data', dir, 'import', file], { ...env, CHOKEPOINT_TOKEN: token }, 90_000);
    expect(viaEnv.stdout).toMatch(/read 1 records: 0 new, 0 updated, 1 unchanged/);
  }, 180_000);
});

describe('after the server stops', () => {
  it("what was reported written is there after a restart; a killed server's lock is taken over", async () => {
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false); // released by the clean stop (SIGTERM)
    const again = await serve();
    let killed = 0;
    try {
      expect(await entity(again)).toBe(200);
      killed = again.child.pid!;
      const lock = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'));
      expect(lock).toMatchObject({ pid: killed, command: 'serve', url: again.url });
      again.child.kill('SIGKILL'); // no clean-up runs: the lock stays behind
    } finally {
      await again.stop();
    }
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    const v = await cli('audit', 'verify');
    expect(v.status, v.stderr).toBe(0);
    expect(v.stderr).toContain(`took over the lock of pid ${killed} `);
    expect(v.stderr).toContain(`pid ${killed} is no longer running`);
    expect(v.stdout).toMatch(/^OK: \d+ entries/);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  }, 300_000);
});

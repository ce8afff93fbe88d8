// Fault drill: the embedded database's directory is read-only, or its disk fills up.
// Each gets a clear error that says what is wrong and what to do, nothing is
// half-written, and once space is freed the same process serves again. The drill
// mounts small tmpfs file systems of its own (root only). On a PostgreSQL server a
// full disk (SQLSTATE 53100) is answered 507 the same way; that is checked with the
// server raising that error for a real insert.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, unlinkSync, statfsSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../src/store/store.js';
import { createUser, issueToken } from '../../src/store/users.js';
import { runChokepoint, startChokepoint, type ServingProcess } from '../../src/cli/spawn.js';
import { generateScenario } from '../../src/scenario/generate.js';
import { backends, openApi, userWithToken, postAs } from '../helpers.js';

function canMount(): string | undefined {
  if (userInfo().uid !== 0) return 'not root';
  const probe = mkdtempSync(join(tmpdir(), 'cp-mnt-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe]);
    return undefined;
  } catch (e) {
    return `cannot mount tmpfs (${(e as Error).message.split('\n')[0]})`;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}
const noMount = canMount();
if (noMount) console.warn(`the read-only and disk-full drills are skipped: ${noMount}`);

/** A tmpfs of `mb` megabytes, mounted for the test. */
function tmpfs(mb: number): { dir: string; remount(opt: 'ro' | 'rw'): void; unmount(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'cp-fs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mb}m`, 'tmpfs', dir]);
  return {
    dir,
    remount: (opt) => execFileSync('mount', ['-o', `remount,${opt}`, dir]),
    unmount: () => {
      execFileSync('umount', ['--lazy', dir]); // lazy: a closed PGlite may keep a handle open until collected
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `chokepoint <args>` on PGlite, with its output as one text. */
const cli = async (args: string[]): Promise<{ code: number | null; out: string }> => {
  const r = await runChokepoint(args, { ...process.env, DATABASE_URL: '' });
  return { code: r.status, out: r.stdout + r.stderr };
};

describe.skipIf(!!noMount)('a read-only data directory', () => {
  it('stops the server at start with a message that names the directory and the fix', async () => {
    const fs = tmpfs(160);
    try {
      const data = join(fs.dir, 'data');
      await (await Store.open({ url: '', dataDir: data })).close(); // a working database, then the disk goes read-only
      fs.remount('ro');
      for (const dir of [data, join(fs.dir, 'new')]) {
        const r = await cli(['--data', dir, 'serve', '--port', '0']);
        expect(r.code).toBe(2);
        expect(r.out).toContain(`data directory ${dir}`);
        expect(r.out).toMatch(/read-only file system|cannot be created/);
        expect(r.out).toMatch(/--data .*DATABASE_URL/);
        expect(r.out).not.toMatch(/failed to initialize|ENOENT|at .*\.ts:\d+/); // no raw errors or stack traces
      }
      fs.remount('rw');
      const store = await Store.open({ url: '', dataDir: data }); // and the data is intact
      await store.close();
    } finally {
      fs.unmount();
    }
  }, 120_000);
});

describe.skipIf(!!noMount)('a data directory whose disk fills up', () => {
  let fs: ReturnType<typeof tmpfs>;
  let server: ServingProcess;
  let token: string;
  const data = () => join(fs.dir, 'data');
  const records = [...generateScenario({ seed: 11, networks: 12 })];
  const jsonl = records.map((r) => JSON.stringify(r)).join('\n');
  const free = () => {
    const f = statfsSync(fs.dir);
    return f.bavail * f.bsize;
  };
  const importFile = async () => {
    const r = await fetch(`${server.url}/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'jsonl', content: jsonl }),
    });
    return { status: r.status, body: (await r.json()) as { error?: string; inserted?: number; unchanged?: number } };
  };
  beforeAll(async () => {
    fs = tmpfs(160);
    const store = await Store.open({ url: '', dataDir: data() });
    const loader = await createUser(store.db, {
      username: 'loader',
      agency: 'DEA',
      clearance: 'TS',
      roles: ['admin', 'analyst'],
      groups: ['OCDETF'],
      password: 'correct horse battery staple',
    });
    token = (await issueToken(store.db, loader.id, 'session', 1)).token;
    await store.close();
    server = await startChokepoint(['--data', data(), 'serve', '--port', '0', '--host', '127.0.0.1'], {
      ...process.env,
      DATABASE_URL: '',
      RATE_LIMIT: '100000',
    });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    fs?.unmount();
  });

  it('refuses an import once the disk runs low with 507, writes none of it, and serves again once space is freed', async () => {
    // Something else (logs, say) fills the disk until less than the 64 MB the database keeps free is left.
    const filler = join(fs.dir, 'filler');
    writeFileSync(filler, Buffer.alloc(Math.max(0, free() - 60 * 1024 * 1024)));
    await new Promise((r) => setTimeout(r, 1100)); // the guard looks at free space at most once a second
    const refused = await importFile();
    expect(refused.status).toBe(507);
    expect(refused.body.error).toMatch(
      /disk is nearly full .* MB free.*nothing was written; free some space and retry/,
    );
    unlinkSync(filler);

    // Nothing of the refused import was written, and the same process (not wedged) serves again.
    await new Promise((r) => setTimeout(r, 1100)); // the guard looks at free space at most once a second
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    const done = await importFile();
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ inserted: records.length, unchanged: 0 });
    expect(server.child.exitCode).toBeNull();

    // A full disk from the start: every request gets 507 with the reason, and the server stays up.
    writeFileSync(filler, Buffer.alloc(Math.max(0, free() - 8 * 1024 * 1024)));
    await new Promise((r) => setTimeout(r, 1100));
    const full = await fetch(`${server.url}/health`);
    expect(full.status).toBe(507);
    expect(((await full.json()) as { error: string }).error).toMatch(/nearly full/);
    unlinkSync(filler);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await importFile()).body).toMatchObject({ inserted: 0, unchanged: records.length });
  }, 180_000);
});

// The PostgreSQL server's own answer to a full disk, SQLSTATE 53100, raised by the server for a real insert.
for (const backend of backends.filter((b) => b.name === 'postgres')) {
  describe(`a full disk on the PostgreSQL server (${backend.name})`, () => {
    let api: Awaited<ReturnType<typeof openApi>>;
    beforeAll(async () => {
      api = await openApi(backend);
    });
    afterAll(async () => {
      await api?.close();
    });

    it('answers 507 with the reason and writes nothing', async () => {
      const token = await userWithToken(api.store, {
        username: 'writer',
        agency: 'DEA',
        clearance: 'S',
        roles: ['analyst'],
      });
      await api.store.db.exec(`CREATE FUNCTION drill_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'could not extend file "base/1/2": No space left on device' USING ERRCODE = 'disk_full'; END $$;
        CREATE TRIGGER drill_disk_full BEFORE INSERT ON statements FOR EACH STATEMENT EXECUTE FUNCTION drill_disk_full();`);
      const record = {
        source: 'DEA',
        sourceRecordId: 'full-1',
        kind: 'operational',
        reportDate: '2026-11-01',
        grade: 'B2',
        marking: 'U//LES',
        entities: [{ id: 'full-p-1', schema: 'Person', properties: { name: ['Disk Full'] } }],
      };
      const r = await postAs(api.app, '/records', token, [record]);
      expect(r.statusCode).toBe(507);
      expect(r.json().error).toMatch(/out of disk space; nothing of this request was written/);
      expect(await api.store.db.query("SELECT 1 FROM records WHERE source_record_id = 'full-1'")).toEqual([]);
      await api.store.db.exec('DROP TRIGGER drill_disk_full ON statements');
      expect((await postAs(api.app, '/records', token, [record])).statusCode).toBe(200);
    });
  });
}

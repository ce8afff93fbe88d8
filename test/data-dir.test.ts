// The embedded database's directory: private to its owner (folders 0700, files 0600,
// since a readable file bypasses row-level security), and held by one process at a
// time (PGlite keeps its buffers and write-ahead log in the process that opened it).
// These run on PGlite whatever DATABASE_URL says: PostgreSQL has no directory of ours.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../src/store/store.js';
import { DataDirBusyError, LOCK_FILE, lockDataDir, type LockHolder } from '../src/store/data-lock.js';
import { privateWriteStream } from '../src/store/private-files.js';

const root = mkdtempSync(join(tmpdir(), 'cp-datadir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(root, `d${++n}`);
const open = (dir: string): Promise<Store> => Store.open({ url: '', dataDir: dir });

/** Every path under `dir` (and `dir`) whose mode is not 0700 for a folder or 0600 for a file. */
function loose(dir: string): string[] {
  const out: string[] = [];
  const visit = (p: string): void => {
    const st = lstatSync(p);
    const mode = st.mode & 0o777;
    if (st.isDirectory()) {
      if (mode !== 0o700) out.push(`${p} ${mode.toString(8)}`);
      for (const e of readdirSync(p)) visit(join(p, e));
    } else if (mode !== 0o600) out.push(`${p} ${mode.toString(8)}`);
  };
  visit(dir);
  return out;
}

const count = (dir: string): number => readdirSync(dir, { recursive: true }).length;

async function writeSomething(store: Store, id: string): Promise<void> {
  await store.db.query(
    "INSERT INTO agencies (code, name, country, kind, law_enforcement) VALUES ($1, 'Test agency', 'USA', 'federal', true)",
    [id],
  );
}

describe('the data directory is private to its owner', () => {
  it('a new directory: after open, write and close, every folder is 0700 and every file 0600', async () => {
    const dir = fresh();
    const store = await open(dir);
    await writeSomething(store, 'TSTA');
    expect(loose(dir)).toEqual([]); // while open too: the umask is 0077 meanwhile
    await store.close();
    expect(count(join(dir, 'base'))).toBeGreaterThan(500); // the real cluster, not an empty folder
    expect(loose(dir)).toEqual([]);
  });

  it('an existing directory with loose modes is tightened when it opens, and stays tight', async () => {
    const dir = fresh();
    await (await open(dir)).close();
    // As left by earlier versions: files 0666, folders 0777, and a file of ours 0644.
    writeFileSync(join(dir, 'demo-users.json'), '{}', { mode: 0o644 });
    const loosen = (p: string): void => {
      const d = statSync(p).isDirectory();
      chmodSync(p, d ? 0o777 : 0o666);
      if (d) for (const e of readdirSync(p)) loosen(join(p, e));
    };
    loosen(dir);
    expect(loose(dir).length).toBeGreaterThan(900);
    const store = await open(dir);
    expect(loose(dir)).toEqual([]);
    await writeSomething(store, 'TSTB');
    await store.close();
    expect(loose(dir)).toEqual([]);
  });

  it('an export written to a path is 0600, also over an existing file of looser mode', async () => {
    const file = join(root, 'export.ftm.json');
    writeFileSync(file, 'old contents that are longer than the new ones', { mode: 0o644 });
    const out = privateWriteStream(file);
    await new Promise<void>((r) => out.end('{"id":"x"}\n', () => r()));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('{"id":"x"}\n');
  });
});

/** A lock file as another process would have left it. */
function plantLock(dir: string, h: Partial<LockHolder>): void {
  mkdirSync(dir, { recursive: true });
  const holder: LockHolder = { pid: 1, hostname: hostname(), started: '2026-01-01T00:00:00Z', nonce: 'planted', ...h };
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify(holder));
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('one process at a time holds the data directory', () => {
  it('a second open is refused while the first holds it, names the holder, and succeeds after the close', async () => {
    const dir = fresh();
    const first = await open(dir);
    first.db.announce({ command: 'serve', url: 'http://127.0.0.1:9' });
    const holder = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as LockHolder;
    expect(holder).toMatchObject({
      pid: process.pid,
      hostname: hostname(),
      command: 'serve',
      url: 'http://127.0.0.1:9',
    });
    expect(statSync(join(dir, LOCK_FILE)).mode & 0o777).toBe(0o600);
    const second = await open(dir).then(
      () => 'opened',
      (e: Error) => e,
    );
    expect(second).toBeInstanceOf(DataDirBusyError);
    expect((second as Error).message).toMatch(/is in use by this process already/);
    await first.close();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false); // released on close
    const again = await open(dir);
    await again.close();
  });

  it('a lock held by another live process is refused with its pid, command and URL', () => {
    const dir = fresh();
    plantLock(dir, { pid: process.ppid, command: 'serve', url: 'http://localhost:8080' }); // the test runner: alive
    const who = `pid ${process.ppid} on ${hostname()}, since .*, serving http://localhost:8080`;
    expect(() => lockDataDir(dir)).toThrow(new RegExp(`in use by chokepoint serve \\(${who}\\)`));
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).nonce).toBe('planted'); // left alone
  });

  it('a lock from another host is never taken over: its process cannot be looked up from here', () => {
    const dir = fresh();
    plantLock(dir, { pid: deadPid(), hostname: 'elsewhere.example' });
    expect(() => lockDataDir(dir)).toThrow(/pid \d+ on elsewhere\.example/);
  });

  it('a stale lock (dead pid on this host) is taken over with a message', () => {
    const dir = fresh();
    const pid = deadPid();
    plantLock(dir, { pid });
    const said: string[] = [];
    const lock = lockDataDir(dir, (l) => said.push(l));
    const message = new RegExp(`took over the lock of pid ${pid} .*: pid ${pid} is no longer running`);
    expect(said).toEqual([expect.stringMatching(message)]);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(readdirSync(dir)).toEqual([]); // no temporary or guard files left
  });

  it('a takeover under way in another process is waited for; a guard left by one that died during it is cleared', () => {
    const dir = fresh();
    plantLock(dir, { pid: deadPid() });
    const guard = join(dir, `${LOCK_FILE}.takeover`);
    writeFileSync(guard, '');
    expect(() => lockDataDir(dir)).toThrow(/taking over its stale lock right now; retry/);
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(guard, minuteAgo, minuteAgo);
    const said: string[] = [];
    lockDataDir(dir, (l) => said.push(l)).release();
    expect(said.join('\n')).toMatch(/is no longer running/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it.runIf(existsSync('/proc/self/stat'))(
    'a lock whose pid is another process now (a reused pid) is taken over',
    () => {
      const dir = fresh();
      // The parent is alive, but its start tick is not the one recorded: the lock's process died, its pid was reused.
      const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      plantLock(dir, { pid: process.ppid, identity: `${bootId}:1` });
      const said: string[] = [];
      lockDataDir(dir, (l) => said.push(l)).release();
      expect(said.join('\n')).toMatch(new RegExp(`pid ${process.ppid} is now another process \\(a reused pid\\)`));
      // So is a lock that names this very process but was never taken by it (a container restarted with the same pid).
      plantLock(dir, { pid: process.pid, identity: `${bootId}:1` });
      said.length = 0;
      lockDataDir(dir, (l) => said.push(l)).release();
      expect(said.join('\n')).toMatch(/a reused pid/);
      // And one from before the machine restarted.
      plantLock(dir, { pid: process.ppid, identity: 'another-boot:1' });
      said.length = 0;
      lockDataDir(dir, (l) => said.push(l)).release();
      expect(said.join('\n')).toMatch(/the machine has restarted/);
    },
  );
});

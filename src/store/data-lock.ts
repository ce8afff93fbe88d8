// An exclusive lock on an embedded data directory. PGlite is PostgreSQL in one
// process with no shared memory between processes: two processes on one directory
// each keep their own buffers and write-ahead log, and what one commits the other
// never sees and later overwrites. So whoever opens the directory first holds this
// lock until it closes or dies, and everyone else is refused with who holds it.
//
// The lock is a file, `chokepoint.lock`, created atomically (a complete temporary file
// hard-linked into place, which fails if one exists) and naming its holder: pid, host,
// start time and, on Linux, the kernel's boot id and the process's start tick, so that
// a pid reused after a crash (common in containers, where the server is often pid 1
// or 7 on every start) is recognised as a different process.
import {
  closeSync,
  constants,
  copyFileSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { StatusError } from '../domain/errors.js';

export const LOCK_FILE = 'chokepoint.lock';

export interface LockHolder {
  pid: number;
  hostname: string;
  /** When the holding process started (ISO 8601). */
  started: string;
  /** `<boot id>:<start tick>` of the holding process, where the system tells it (Linux /proc). */
  identity?: string;
  /** What the holder does, e.g. "serve", and where it serves (set by announce). */
  command?: string;
  url?: string;
  /** Tells this holder's lock from a later one, so a release never removes another's lock. */
  nonce: string;
}

/** The directory is held by another live process (or by this one already). */
export class DataDirBusyError extends StatusError {
  constructor(
    readonly dir: string,
    readonly holder: LockHolder | undefined,
    detail: string,
  ) {
    super(
      `data directory ${dir} is in use ${detail}: the embedded database (PGlite) can be opened by one process ` +
        'at a time, so nothing was read or written',
      409,
    );
  }
}

const describe = (h: LockHolder): string =>
  `by ${h.command ? `chokepoint ${h.command}` : 'Chokepoint'} (pid ${h.pid} on ${h.hostname}, since ${h.started}` +
  `${h.url ? `, serving ${h.url}` : ''})`;

/** `<boot id>:<start tick>` of a process, or undefined where /proc does not tell. */
function processIdentity(pid: number): string | undefined {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); counted after the command name, which is in parentheses and may hold spaces.
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return start ? `${boot}:${start}` : undefined;
  } catch {
    return undefined;
  }
}

const bootOf = (identity: string | undefined): string | undefined => identity?.split(':')[0];

/** Why a lock is stale (its holder is gone), or undefined when it may still be held. */
function staleBecause(h: LockHolder, heldHere: boolean): string | undefined {
  if (h.hostname !== hostname()) return undefined; // another machine's process cannot be looked up from here
  const now = processIdentity(h.pid);
  if (h.identity && bootOf(now ?? processIdentity(process.pid)) !== bootOf(h.identity)) {
    return `the machine has restarted since pid ${h.pid} took it`;
  }
  if (h.pid === process.pid && !heldHere) return `pid ${h.pid} is this process, which never took it (a reused pid)`;
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return `pid ${h.pid} is no longer running`;
    // EPERM: the process exists and belongs to another user.
  }
  if (h.identity && now && now !== h.identity) return `pid ${h.pid} is now another process (a reused pid)`;
  return undefined;
}

function readHolder(file: string): LockHolder | 'unreadable' | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    return typeof h.pid === 'number' && typeof h.hostname === 'string' ? h : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

/** Writes `h` to a fresh temporary file beside the lock (mode 0600, synced) and returns its path. */
function writeTemp(dir: string, h: LockHolder): string {
  const tmp = join(dir, `${LOCK_FILE}.${process.pid}.${h.nonce}`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(h, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return tmp;
}

/**
 * Puts the temporary file in place as the lock, failing with EEXIST if one exists. A hard
 * link is atomic, so a lock is never seen half-written; a file system without hard links
 * gets an exclusive create and copy instead.
 */
function place(tmp: string, file: string): void {
  try {
    linkSync(tmp, file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw e;
    copyFileSync(tmp, file, constants.COPYFILE_EXCL);
  }
}

/** Directories this process holds, by resolved path: a second open in the same process is refused too. */
const held = new Map<string, LockHolder>();
let exitHookInstalled = false;

function removeIfOurs(dir: string, h: LockHolder): void {
  const file = join(dir, LOCK_FILE);
  const now = readHolder(file);
  if (now && now !== 'unreadable' && now.nonce === h.nonce) {
    try {
      unlinkSync(file);
    } catch {
      // already gone: nothing to release
    }
  }
  held.delete(dir);
}

export interface DataDirLock {
  readonly holder: LockHolder;
  /** Adds what this process does and where it serves, so a refused command can say where to go. */
  announce(info: { command?: string; url?: string }): void;
  release(): void;
}

/**
 * Takes the directory's lock, or throws DataDirBusyError naming the holder. A lock left
 * by a process that is gone (on this host) is taken over, with a message on stderr.
 */
export function lockDataDir(dirIn: string, log: (line: string) => void = (l) => console.error(l)): DataDirLock {
  const dir = resolve(dirIn);
  const file = join(dir, LOCK_FILE);
  const mine: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    started: new Date(Date.now() - process.uptime() * 1000).toISOString(),
    identity: processIdentity(process.pid),
    nonce: randomBytes(8).toString('hex'),
  };
  if (held.has(dir)) throw new DataDirBusyError(dir, held.get(dir), 'by this process already (opened and not closed)');
  const tmp = writeTemp(dir, mine);
  try {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 5)
        throw new DataDirBusyError(dir, undefined, 'by processes that keep taking and releasing it; retry');
      try {
        place(tmp, file);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const h = readHolder(file);
      if (h === undefined) continue; // released between our attempt and our look: try again
      const why = h === 'unreadable' ? 'the lock file is unreadable' : staleBecause(h, false);
      if (!why) throw new DataDirBusyError(dir, h as LockHolder, describe(h as LockHolder));
      if (takeOver(dir, tmp, h, why, log)) break;
    }
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // renamed into place by the takeover
    }
  }
  held.set(dir, mine);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // process.exit() (and a signal handler that calls it) still releases the directory.
    process.on('exit', () => {
      for (const [d, h] of held) removeIfOurs(d, h);
    });
  }
  return {
    holder: mine,
    announce(info) {
      Object.assign(mine, info);
      renameSync(writeTemp(dir, mine), file); // atomic replacement of our own lock
    },
    release: () => removeIfOurs(dir, mine),
  };
}

/**
 * Replaces a stale lock by ours. Two processes may find the same stale lock at once,
 * so the replacement happens under a second exclusive file, after looking again: the
 * one that comes second then finds the first one's live lock and is refused.
 */
function takeOver(
  dir: string,
  tmp: string,
  stale: LockHolder | 'unreadable',
  why: string,
  log: (l: string) => void,
): boolean {
  const guard = join(dir, `${LOCK_FILE}.takeover`);
  let fd: number;
  try {
    fd = openSync(guard, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    // A takeover lasts milliseconds; a guard older than 10 s was left by a process that died during one.
    const age = Date.now() - (statSync(guard, { throwIfNoEntry: false })?.mtimeMs ?? 0);
    if (age < 10_000)
      throw new DataDirBusyError(dir, undefined, 'by another process taking over its stale lock right now; retry');
    rmSync(guard, { force: true });
    return false;
  }
  try {
    const again = readHolder(join(dir, LOCK_FILE));
    if (again === undefined) return false; // released meanwhile: take it the ordinary way
    const unchanged =
      again === 'unreadable' ? stale === 'unreadable' : stale !== 'unreadable' && again.nonce === stale.nonce;
    if (!unchanged) {
      if (again === 'unreadable') throw new DataDirBusyError(dir, undefined, 'by a process writing its lock; retry');
      throw new DataDirBusyError(dir, again, describe(again));
    }
    renameSync(tmp, join(dir, LOCK_FILE));
    const who = stale === 'unreadable' ? 'an unreadable lock' : `the lock of pid ${stale.pid} (since ${stale.started})`;
    log(`data directory ${dir}: took over ${who}: ${why}. PGlite recovers the directory as after a crash.`);
    return true;
  } finally {
    closeSync(fd);
    unlinkSync(guard);
  }
}

/**
 * Throws DataDirBusyError when a live process holds the directory, without opening it:
 * a command can refuse at once, before it does work it could not record.
 */
export function assertDataDirFree(dirIn: string): void {
  const dir = resolve(dirIn);
  const h = readHolder(join(dir, LOCK_FILE));
  if (h && h !== 'unreadable' && !staleBecause(h, held.has(dir))) throw new DataDirBusyError(dir, h, describe(h));
}

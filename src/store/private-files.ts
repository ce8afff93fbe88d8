// Files that hold data are readable by their owner only. Row-level security filters
// reads through PostgreSQL; a local account that can read the embedded database's
// files, or an export, bypasses it (and could edit audit_log in place). PGlite
// writes its initial cluster with mode 0666 whatever the umask, and later files
// under the process's umask, so the directory is tightened once when it opens and
// the umask is kept at 0077 while it is open.
import {
  chmodSync,
  closeSync,
  createWriteStream,
  fchmodSync,
  lstatSync,
  openSync,
  readdirSync,
  type WriteStream,
} from 'node:fs';
import { join } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

let opened = 0;
let previousUmask: number | undefined;

/**
 * Sets the process's umask to 0077 until the returned function has been called as
 * often as this one (several embedded databases may be open at once). Worker threads
 * cannot change the umask; there the tightened directory (0700) still keeps others out.
 */
export function restrictUmask(): () => void {
  try {
    if (opened === 0) previousUmask = process.umask(0o077);
  } catch {
    return () => undefined; // ERR_WORKER_UNSUPPORTED_OPERATION
  }
  opened++;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--opened === 0 && previousUmask !== undefined) process.umask(previousUmask);
  };
}

/** Folders 0700 and files 0600 under `dir` (and `dir` itself); symbolic links are left alone. */
export function tightenTree(dir: string): { changed: number } {
  let changed = 0;
  const visit = (path: string): void => {
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // removed while we walked
      throw e;
    }
    if (st.isSymbolicLink()) return;
    const want = st.isDirectory() ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE;
    if ((st.mode & 0o7777) !== want) {
      chmodSync(path, want);
      changed++;
    }
    if (st.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(dir);
  return { changed };
}

/**
 * A stream writing `path` with mode 0600. An existing file is truncated and its mode
 * tightened too: `mode` alone only applies when a file is created.
 */
export function privateWriteStream(path: string): WriteStream {
  const fd = openSync(path, 'w', PRIVATE_FILE_MODE);
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  return createWriteStream(path, { fd });
}

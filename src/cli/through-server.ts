// `chokepoint import` while a server holds the embedded data directory: the server is
// the one process that may write there (see src/store/data-lock.ts), so the file goes
// to its API (POST /import) as the user whose token is given, under that user's write
// rules, and is audited as theirs.
import { readFileSync, statSync } from 'node:fs';
import type { LockHolder } from '../store/data-lock.js';
import type { ImportReport } from '../ingest/importer.js';
import { ValidationError, type FieldError } from '../ingest/record-input.js';
import type { Principal } from '../domain/users.js';
import { IMPORT_LIMIT } from '../commands/data.js';

export interface ServerImport {
  file: string;
  format: string;
  mode: string;
  as?: string;
  source?: string;
  marking?: string;
  kind?: string;
  criminalBasis?: string;
  sensitivity?: string;
  confidence?: string;
  mapping?: string;
}

async function call<T>(holder: LockHolder, token: string, method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${holder.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch (e) {
    const why = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
    throw new Error(
      `the server that holds the data directory (pid ${holder.pid}) does not answer at ${holder.url} ` +
        `(${why}); nothing was written; retry once it serves, or stop it and run the command again`,
    );
  }
  const text = await res.text();
  let json: { error?: string; errors?: FieldError[] } | undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (res.status === 422 && json?.errors) throw new ValidationError(json.errors);
  if (res.status === 401) throw new Error(`the server at ${holder.url} refused the token (401): sign in for a new one`);
  if (!res.ok)
    throw new Error(`${method} ${holder.url}${path} answered ${res.status}: ${json?.error ?? text.slice(0, 300)}`);
  return json as T;
}

/** Imports the file through the holder's API; the report is the server's, as `chokepoint import` prints it. */
export async function importThroughServer(
  holder: LockHolder,
  token: string,
  o: ServerImport,
  log: (line: string) => void,
): Promise<ImportReport> {
  const stop = `stop the server (pid ${holder.pid}) and run the command again`;
  if (o.format === 'cbp') throw new Error(`the API has no import of CBP statistics: ${stop}`);
  const me = await call<Principal>(holder, token, 'GET', '/auth/me');
  if (o.as && o.as !== me.username) {
    throw new Error(
      `--as ${o.as}: the token is ${me.username}'s, and through the server an import acts as ` +
        "the token's user; leave out --as or use that user's token",
    );
  }
  if (o.source && o.source.toUpperCase() !== me.agency) {
    throw new Error(
      `--source ${o.source}: through the server the records are those of ${me.username}'s agency ` +
        `(${me.agency}); use a token of a ${o.source.toUpperCase()} user, or ${stop} to import as the system`,
    );
  }
  if (statSync(o.file).isDirectory())
    throw new Error(
      `${o.file}: a MISP feed directory is read from the disk, not sent to the API: import its event files one by one, or ${stop}`,
    );
  const size = statSync(o.file).size;
  if (size > IMPORT_LIMIT) {
    throw new Error(
      `${o.file}: ${(size / 1048576).toFixed(0)} MB; the API takes files up to 64 MB: split it, or ${stop}`,
    );
  }
  log(
    `the data directory is held by the server at ${holder.url} (pid ${holder.pid}): ` +
      `importing through its API as ${me.username} (${me.agency})`,
  );
  return call<ImportReport>(holder, token, 'POST', '/import', {
    format: o.format,
    name: o.file.length <= 200 ? o.file : o.file.slice(-200),
    content: readFileSync(o.file, 'utf8'),
    mapping: o.mapping ? JSON.parse(readFileSync(o.mapping, 'utf8')) : undefined,
    marking: o.marking,
    kind: o.kind,
    criminalBasis: o.criminalBasis,
    sensitivity: o.sensitivity,
    confidence: o.confidence,
    mode: o.mode,
  });
}

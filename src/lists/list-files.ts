// A list a user adds, read from the files they give in one of five formats: the
// publishers' own (OFAC legacy CSV, SDN.XML, the UN consolidated XML; read by the same
// loaders as the shipped lists, ofac.ts and un.ts) and two of users' (FtM, CSV:
// entry-formats.ts). Files arrive as their contents, through the API and the CLI alike,
// never as a path on the server (a path would let a user read any file the server can).
// Every refusal is a ValidationError naming the file, the line and the field.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { ListEntry } from '../resolve/screen-index.js';
import { ValidationError } from '../domain/records.js';
import { loadOfacCsv, loadOfacXml, type LoadedList } from './ofac.js';
import { loadUnXml } from './un.js';
import { readCsvEntries, readFtmEntries, MAX_ERRORS, type ReadEntries } from './entry-formats.js';

export const LIST_FORMATS = ['un-xml', 'ofac-csv', 'ofac-xml', 'ftm', 'csv'] as const;
export type ListFormat = (typeof LIST_FORMATS)[number];

export interface ListFile {
  /** The file's name as its user knows it (errors name it). */
  name: string;
  content: string;
}

export interface ReadList {
  entries: Omit<ListEntry, 'list'>[];
  publishDate: string | null;
  skipped: Record<string, number>;
  /** A digest of the format and the files: the same files again change nothing. */
  contentHash: string;
  /** The files' names, as the list's source. */
  source: string;
}

const OFAC_CSV = /^(sdn|alt|add|sdn_comments|cons_prim|cons_alt|cons_add|cons_comments)\.csv$/i;

/** The publishers' loaders read files: the contents go to a private directory for them, and are removed at once. */
function withFiles<T>(files: ListFile[], fn: (dir: string, paths: string[]) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'cp-list-')); // mode 0700: the list may be sensitive
  try {
    const paths = files.map((f) => {
      const p = join(dir, basename(f.name).toLowerCase());
      writeFileSync(p, f.content, { mode: 0o600 });
      return p;
    });
    return fn(dir, paths);
  } catch (e) {
    throw loaderError(e, dir, files);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A loader's Error ("<path>:<line>: an entry with no name ...") as a field error on the user's file. */
function loaderError(e: unknown, dir: string, files: ListFile[]): unknown {
  if (!(e instanceof Error) || e instanceof ValidationError) return e;
  let message = e.message;
  let file: string | undefined;
  for (const f of files) {
    const p = join(dir, basename(f.name).toLowerCase());
    if (message.includes(p)) {
      file = f.name;
      message = message.split(p).join('');
    }
  }
  message = message.split(`${dir}/`).join('').split(dir).join('');
  const m = /^(?: \(legacy CSV\))?:(\d+):\s*(.*)$/s.exec(message) ?? /^(?: \(legacy CSV\))?:\s*(.*)$/s.exec(message);
  const text = m ? m[m.length - 1]! : message;
  // The XML loaders say where well-formedness broke inside their message: "(line 12: ...".
  const at = m && m.length === 3 ? m[1] : /\bline (\d+)\b/.exec(text)?.[1];
  const line = at ? Number(at) : undefined;
  const field = /\bno (ent_num|name|uid|reference number|REFERENCE_NUMBER|Record_Count)\b/i.exec(text)?.[1] ?? '(file)';
  return new ValidationError([{ file: file ?? files[0]?.name, line, path: field, message: text }]);
}

function fromLoaded(l: LoadedList): Pick<ReadList, 'entries' | 'publishDate' | 'skipped'> {
  return { entries: l.entries.map(({ list: _, ...e }) => e), publishDate: l.publishDate, skipped: {} };
}

function one(format: ListFormat, files: ListFile[]): ListFile {
  if (files.length !== 1)
    throw new ValidationError([
      { path: 'files', message: `the ${format} format is one file; ${files.length} were given` },
    ]);
  return files[0]!;
}

function entriesOrThrow(r: ReadEntries): Pick<ReadList, 'entries' | 'publishDate' | 'skipped'> {
  if (r.errors.length) {
    const errors = r.errors.slice(0, MAX_ERRORS);
    if (r.errors.length >= MAX_ERRORS)
      errors.push({ path: '(file)', message: `stopped after ${MAX_ERRORS} errors; fix these and load it again` });
    throw new ValidationError(errors);
  }
  if (!r.entries.length) {
    const skipped = Object.entries(r.skipped).map(([k, n]) => `${n} ${k}`);
    throw new ValidationError([
      {
        path: '(file)',
        message: `no entries to screen against${skipped.length ? ` (skipped: ${skipped.join(', ')})` : ''}`,
      },
    ]);
  }
  return { entries: r.entries, publishDate: null, skipped: r.skipped };
}

/** Reads a list's files in `format`; nothing is stored here. */
export function readListFiles(format: ListFormat, files: ListFile[]): ReadList {
  if (!files.length) throw new ValidationError([{ path: 'files', message: 'no file given' }]);
  const contentHash = createHash('sha256')
    .update(format)
    .update(
      JSON.stringify(
        [...files].sort((a, b) => (a.name < b.name ? -1 : 1)).map((f) => [basename(f.name).toLowerCase(), f.content]),
      ),
    )
    .digest('hex');
  const source = `${files.map((f) => basename(f.name)).join(', ')} (${format})`;
  let read: Pick<ReadList, 'entries' | 'publishDate' | 'skipped'>;
  if (format === 'ofac-csv') {
    const other = files.find((f) => !OFAC_CSV.test(basename(f.name)));
    if (other)
      throw new ValidationError([
        {
          file: other.name,
          path: '(file)',
          message:
            "not one of OFAC's legacy CSV files (sdn.csv, alt.csv, add.csv, sdn_comments.csv, or cons_prim.csv, cons_alt.csv, cons_add.csv, cons_comments.csv)",
        },
      ]);
    const set = files.some((f) => /^cons_/i.test(basename(f.name))) ? 'nonsdn' : 'sdn';
    read = fromLoaded(withFiles(files, (dir) => loadOfacCsv(dir, { set })));
  } else if (format === 'ofac-xml') read = fromLoaded(withFiles([one(format, files)], (_, [p]) => loadOfacXml(p!)));
  else if (format === 'un-xml') read = fromLoaded(withFiles([one(format, files)], (_, [p]) => loadUnXml(p!)));
  else {
    const f = one(format, files);
    read = entriesOrThrow(format === 'ftm' ? readFtmEntries(f.content, f.name) : readCsvEntries(f.content, f.name));
  }
  if (!read.entries.length)
    throw new ValidationError([{ file: files[0]!.name, path: '(file)', message: 'no entries' }]);
  return { ...read, contentHash, source };
}

// Lists users add to screening (src/lists/custom.ts): an agency's watchlist, the EU or
// UK consolidated list. `GET /screen/lists` (screening.lists, `chokepoint lists list`)
// shows them beside the shipped ones. The files travel as their contents, on the
// command line read from the path given (`lists add FILE`), so the API never opens a
// path on the server. Managing lists needs `manageLists` (supervisors and admins: a
// supervisor adds their agency's list under its marking; an admin may also load one
// owned by another agency, such as a published list).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { StatusError } from '../domain/errors.js';
import { putList, removeList } from '../lists/custom.js';
import { CSV_COLUMNS } from '../lists/entry-formats.js';
import { LIST_FORMATS, type ListFile } from '../lists/list-files.js';
import { command, type CliSpec, type Command } from './command.js';
import * as S from './answers/screening.js';

const tags = ['screening'];
const MAX_BYTES = 96 * 1024 * 1024;

const Common = {
  format: Type.Union(
    LIST_FORMATS.map((f) => Type.Literal(f)),
    {
      description:
        'un-xml: the UN consolidated XML; ofac-csv: OFAC legacy CSV files (sdn.csv, alt.csv, add.csv, sdn_comments.csv, or the cons_ set); ' +
        'ofac-xml: SDN.XML; ftm: FollowTheMoney entities, one JSON per line; ' +
        `csv: a header and these columns: ${Object.entries(CSV_COLUMNS)
          .map(([k, v]) => `${k} (${v})`)
          .join('; ')}`,
    },
  ),
  files: Type.Array(
    Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 255, description: 'the file name (errors name it)' }),
        content: Type.String({ maxLength: MAX_BYTES }),
      },
      { additionalProperties: false },
    ),
    { minItems: 1, maxItems: 8, description: 'the files, as text: one, or the legacy CSV set for ofac-csv' },
  ),
  marking: Type.Optional(
    Type.String({
      maxLength: 300,
      description: "the list's marking (default: your agency's own, U//ORCON owned by it)",
    }),
  ),
  publishDate: Type.Optional(
    Type.String({ pattern: '^\\d{4}(-\\d{2}(-\\d{2})?)?$', description: 'when its publisher published it' }),
  ),
};
const Add = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 80, description: 'the code its hits carry' }), ...Common },
  { additionalProperties: false },
);
const Update = Type.Object(Common, { additionalProperties: false });
const NameP = Type.Object({ name: Type.String({ minLength: 1, maxLength: 80 }) });

/** FILE on the command line: a file, or for ofac-csv a directory of the legacy CSV files. */
function readFiles(path: string): ListFile[] {
  try {
    if (!statSync(path).isDirectory()) return [{ name: path, content: readFileSync(path, 'utf8') }];
    const files = readdirSync(path)
      .filter((f) => /\.csv$/i.test(f))
      .sort()
      .map((f) => ({ name: join(path, f), content: readFileSync(join(path, f), 'utf8') }));
    if (!files.length) throw new Error('a directory with no .csv file');
    return files;
  } catch (e) {
    throw new StatusError(`${path}: ${(e as Error).message}`);
  }
}

const fileArgument: CliSpec['argument'] = {
  name: 'file',
  description: 'the list: a file, or (ofac-csv) a directory of the legacy CSV files',
  into: (path, input) => {
    input.body = { ...(input.body as object), files: readFiles(path as string) };
  },
};

const printChange: NonNullable<CliSpec['format']> = (out, io) => {
  const c = out as S.ListChangeT;
  const skipped = Object.entries(c.skipped).map(([k, n]) => `${n} ${k}`);
  io.out(
    `${c.outcome} ${c.list.list}: ${c.list.entries} entries (${Object.entries(c.list.byKind)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ')}), marked ${c.list.marking}`,
  );
  if (c.outcome !== 'unchanged')
    io.out(`${c.added} added, ${c.removed} removed, ${c.changed} changed, ${c.unchanged} unchanged`);
  if (skipped.length) io.out(`skipped (not screening entries): ${skipped.join(', ')}`);
  io.out(c.note);
};

export const GROUPS: Record<string, string> = {
  lists: 'the lists screened against: the shipped ones and those users add (add, update, remove, list)',
};

export const COMMANDS: Command[] = [
  command({
    name: 'lists.add',
    summary: 'Add a list to screen against, or replace the one of that name you may read',
    description:
      'The files are read in full first: a file with errors is refused with each error (file, line, field) and nothing changes. ' +
      'Replacing is one transaction; the answer counts the entries added, removed and changed. Earlier screening results are not re-run.',
    tags,
    method: 'POST',
    path: '/screen/lists',
    permission: 'manageLists',
    body: Add,
    response: { 200: S.ListChange },
    errors: [409, 413, 422],
    http: { bodyLimit: MAX_BYTES + 1024 * 1024 },
    cli: { omit: ['files'], argument: fileArgument, format: printChange },
    run: async ({ store, me }, { body }) => putList(store, me, body, 'add'),
  }),
  command({
    name: 'lists.update',
    summary: 'Replace a list you may read with a new version of it (one transaction)',
    tags,
    method: 'PUT',
    path: '/screen/lists/:name',
    permission: 'manageLists',
    params: NameP,
    body: Update,
    response: { 200: S.ListChange },
    errors: [409, 413, 422],
    http: { bodyLimit: MAX_BYTES + 1024 * 1024 },
    cli: { omit: ['files'], argument: fileArgument, format: printChange },
    run: async ({ store, me }, { params, body }) => putList(store, me, { ...body, name: params.name }, 'update'),
  }),
  command({
    name: 'lists.remove',
    summary: 'Remove a list you may read from screening',
    tags,
    method: 'DELETE',
    path: '/screen/lists/:name',
    permission: 'manageLists',
    params: NameP,
    response: { 200: S.ListRemoved },
    cli: { format: (out, io) => io.out(`removed ${(out as { removed: string }).removed}`) },
    run: async ({ store, me }, { params }) => removeList(store, me, params.name),
  }),
];

// Records in and out: a batch of Chokepoint JSON, a file given inline (JSON, JSON
// lines, FtM, CSV with a mapping), the export of everything the reader may see, the
// figures of what they may see, and their agency's notifications. The operator's
// `chokepoint import` and `chokepoint export` (src/cli/main.ts) stream files from and
// to the disk through the same capability functions (recordsOf, importRecords, exportFile).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Type } from '@sinclair/typebox';
import type { Store } from '../store/store.js';
import { statistics } from '../store/read.js';
import { audit } from '../store/audit.js';
import { importRecords, type ImportMode } from '../ingest/importer.js';
import { IMPORT_FORMATS, readChokepointJson, recordsOf, type Parsed } from '../ingest/readers.js';
import { EXPORT_FORMATS, exportFile } from '../ingest/export.js';
import { cbpPublished } from '../ingest/cbp.js';
import { notificationsFor } from '../notify/notifications.js';
import type { Principal } from '../domain/users.js';
import type { MarkingInput } from '../domain/markings.js';
import { STIX_MEDIA_TYPE } from '../exchange/stix/bundle.js';
import { command, Download, file, type CliOption, type Command } from './command.js';
import * as A from './answers/admin.js';

/** The most characters an import's content may have (the CLI checks it before sending a file to a server). */
export const IMPORT_LIMIT = 64 * 1024 * 1024;
const Mode = Type.Optional(Type.Union([Type.Literal('atomic'), Type.Literal('skip')]));
const ImportBody = Type.Object(
  {
    format: Type.Union(IMPORT_FORMATS.map((f) => Type.Literal(f))),
    content: Type.String({ maxLength: IMPORT_LIMIT }),
    name: Type.Optional(Type.String({ maxLength: 200, description: 'File name, shown in errors' })),
    mapping: Type.Optional(
      Type.Object(
        {},
        {
          additionalProperties: true,
          description:
            'csv: the CSV mapping; misp: markings for the data\'s own sharing groups and tags, {"sharingGroups": {"<uuid>": "<marking>"}, "tags": {"<tag>": "<marking>"}}',
        },
      ),
    ),
    marking: Type.Optional(
      Type.Union([Type.String({ maxLength: 300 }), Type.Object({}, { additionalProperties: true })]),
    ),
    kind: Type.Optional(
      Type.Union([
        Type.Literal('intelligence'),
        Type.Literal('case'),
        Type.Literal('operational'),
        Type.Literal('public'),
      ]),
    ),
    reportDate: Type.Optional(Type.String({ maxLength: 40 })),
    grade: Type.Optional(Type.String({ maxLength: 2 })),
    criminalBasis: Type.Optional(Type.String({ maxLength: 4000 })),
    sensitivity: Type.Optional(Type.String({ maxLength: 20 })),
    confidence: Type.Optional(Type.String({ maxLength: 20 })),
    mode: Mode,
  },
  { additionalProperties: false },
);
const ExportQ = Type.Object(
  {
    purpose: Type.String({ minLength: 5, maxLength: 500 }),
    recipientAgency: Type.Optional(Type.String({ maxLength: 32 })),
    format: Type.Union(
      EXPORT_FORMATS.map((f) => Type.Literal(f)),
      {
        default: 'ftm',
        description:
          'ftm: FollowTheMoney JSON lines; csv: one row per value with its portion marking (cells that could be formulas are neutralised); statements: FtM statements as JSON lines, each with its marking and source record, for another Chokepoint instance; misp: MISP events, one per source record, each value with its marking as tags; stix: a STIX 2.1 bundle, each object with its markings (TLP where exact, and Chokepoint marking definitions)',
      },
    ),
  },
  { additionalProperties: false },
);

/** A user's import: the report without the count of possible links. */
async function importAs(
  store: Store,
  me: Principal,
  items: () => AsyncIterable<Parsed>,
  origin: string,
  mode?: ImportMode,
) {
  // The count of possible links found is left out of a user's answer: it is computed over everything
  // stored, so it would say that a hidden person matches what was written. GET /links lists those the writer may see.
  const { links: _found, ...report } = await importRecords(store, me, items, { origin, mode });
  return report;
}

/** A command line option that reads a file into a body property. */
const fileInto = (
  flags: string,
  description: string,
  put: (text: string, body: Record<string, unknown>, path: string) => void,
): CliOption => ({
  flags,
  description,
  into: (path, input) => {
    const body: Record<string, unknown> = { ...(input.body as object) };
    put(readFileSync(String(path), 'utf8'), body, String(path));
    input.body = body;
  },
});

const tags = ['import'];

/** The CLI groups these commands make, with their help lines. */
export const GROUPS: Record<string, string> = {
  records: 'records as a signed-in user: write a batch, import a file, figures, retention review and purge',
  notifications: "your agency's notifications",
};

/**
 * GET /export (`chokepoint records export --as U --purpose …`; the operator's
 * `chokepoint export --as` goes through the same exportFile). The whole file is built before it is sent, as the route did: the dissemination is
 * logged once the last entity is read, so a stream would send what is not yet logged,
 * and an error midway would come after a 200.
 */
const EXPORT = command({
  name: 'records.export',
  summary:
    'Everything you may see, as FollowTheMoney JSON lines, CSV, FtM statements, MISP events or a STIX 2.1 bundle (logged as a dissemination)',
  tags: ['export'],
  method: 'GET',
  path: '/export',
  response: {
    200: file(
      ['application/x-ndjson', 'text/csv', STIX_MEDIA_TYPE],
      'One JSON object a line: FtM entities (format=ftm) or FtM statements with each value’s marking and provenance (format=statements); CSV, one row per value with its portion marking (format=csv); a STIX 2.1 bundle (format=stix); MISP events, {"response": [{"Event": …}]} (format=misp)',
      Type.Object(
        { response: Type.Array(Type.Object({ Event: Type.Object({}, { additionalProperties: true }) })) },
        { description: 'MISP events (format=misp)' },
      ),
    ),
  },
  query: ExportQ,
  permission: 'export',
  run: async ({ store, me }, { query }) => {
    const pieces: string[] = [];
    const scope = { purpose: query.purpose, recipientAgency: query.recipientAgency };
    for await (const piece of exportFile(store, me, query.format, scope)) pieces.push(piece);
    const text = pieces.join('');
    if (query.format === 'csv') return new Download('text/csv; charset=utf-8', text, 'chokepoint-export.csv');
    if (query.format === 'stix')
      return new Download(`${STIX_MEDIA_TYPE}; charset=utf-8`, text, 'chokepoint-export.stix.json');
    if (query.format === 'misp') return new Download('application/json', text, 'chokepoint-export.misp.json');
    return new Download(
      'application/x-ndjson; charset=utf-8',
      text,
      query.format === 'statements' ? 'chokepoint-export.statements.json' : 'chokepoint-export.ftm.json',
    );
  },
});

export const COMMANDS: Command[] = [
  EXPORT,
  command({
    name: 'records.write',
    summary: 'Write a batch of records (Chokepoint JSON); all or nothing unless mode=skip',
    tags,
    method: 'POST',
    path: '/records',
    response: { 200: A.ImportReport },
    errors: [422],
    query: Type.Object({ mode: Mode }),
    body: Type.Array(Type.Object({}, { additionalProperties: true }), { maxItems: 100000 }),
    permission: 'write',
    http: { bodyLimit: IMPORT_LIMIT },
    run: async ({ store, me }, { query, body }) => {
      const text = JSON.stringify(body);
      return importAs(
        store,
        me,
        () => readChokepointJson({ text, name: 'body' }, { source: me.agency }),
        'POST /records',
        query.mode,
      );
    },
  }),
  command({
    name: 'records.import',
    summary:
      'Import a file given inline: Chokepoint JSON/JSONL, FtM entity stream, CSV with a mapping, MISP events, or a STIX 2.1 bundle',
    tags,
    method: 'POST',
    path: '/import',
    response: { 200: A.ImportReport },
    errors: [422],
    body: ImportBody,
    permission: 'write',
    http: { bodyLimit: IMPORT_LIMIT + 1024 * 1024 },
    cli: {
      options: [
        fileInto('--from <file>', 'the file: its text is the content, its name the name', (text, b, path) => {
          b.content = text;
          b.name ??= basename(path);
        }),
        fileInto(
          '--mapping <file>',
          'the CSV mapping, or the MISP sharing-group and tag markings (JSON)',
          (text, b, path) => {
            try {
              b.mapping = JSON.parse(text);
            } catch (e) {
              throw new Error(`${path}: ${(e as Error).message}`);
            }
          },
        ),
        {
          flags: '--marking <marking>',
          description:
            'the marking of FtM and CSV data, of MISP events without a marking tag, and of STIX objects that carry none, e.g. "U//LES"',
          into: (v, input) => {
            input.body = { ...(input.body as object), marking: v };
          },
        },
      ],
    },
    run: async ({ store, me }, { body: b }) => {
      const name = b.name ?? `upload.${b.format}`;
      const items = recordsOf(
        b.format,
        { text: b.content, name },
        {
          source: me.agency,
          marking: b.marking as MarkingInput | undefined,
          kind: b.kind,
          reportDate: b.reportDate,
          grade: b.grade,
          criminalBasis: b.criminalBasis,
          sensitivity: b.sensitivity,
          confidence: b.confidence,
        },
        b.mapping,
      );
      return importAs(store, me, items, `POST /import ${name}`, b.mode);
    },
  }),
  command({
    name: 'records.stats',
    summary: 'Counts by schema and seizures by month and drug (what you may see)',
    tags: ['picture'],
    method: 'GET',
    path: '/stats',
    response: { 200: A.Stats },
    run: async ({ store, db, me }) => {
      const s = await store.read(me, (tx) => statistics(tx));
      const cbp = await store.read(me, (tx) => cbpPublished(tx));
      await audit(db, { actor: me.username, action: 'stats.read' });
      return { ...s, cbpPublished: cbp };
    },
  }),
  command({
    name: 'notifications.list',
    summary: 'Notifications for your agency (e.g. purged records you received)',
    tags: ['picture'],
    method: 'GET',
    path: '/notifications',
    response: { 200: Type.Array(A.Notification) },
    run: async ({ db, me }) => {
      await audit(db, { actor: me.username, action: 'notifications.read' });
      return notificationsFor(db, me);
    },
  }),
];

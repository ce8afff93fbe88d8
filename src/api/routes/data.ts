import type { FastifyInstance } from 'fastify';
import { notificationsFor } from '../../notify/notifications.js';
import { Type, type Static } from '@sinclair/typebox';
import type { Store } from '../../store/store.js';
import { statistics } from '../../store/read.js';
import { importRecords } from '../../ingest/importer.js';
import {
  readChokepointJson,
  readCsv,
  readFtm,
  validateMapping,
  type Input,
  type Parsed,
  type ReadOptions,
} from '../../ingest/readers.js';
import { exportFtm, exportStatementRows, STATEMENT_CSV_COLUMNS } from '../../ingest/export.js';
import { toCsv } from '../../exchange/csv.js';
import { assertMay } from '../../domain/users.js';
import { audit } from '../../store/audit.js';
import type { MarkingInput } from '../../domain/markings.js';
import { HttpError, principal } from '../server.js';

const IMPORT_LIMIT = 64 * 1024 * 1024;
const Mode = Type.Optional(Type.Union([Type.Literal('atomic'), Type.Literal('skip')]));
const ImportBody = Type.Object(
  {
    format: Type.Union([Type.Literal('json'), Type.Literal('jsonl'), Type.Literal('ftm'), Type.Literal('csv')]),
    content: Type.String({ maxLength: IMPORT_LIMIT }),
    name: Type.Optional(Type.String({ maxLength: 200, description: 'File name, shown in errors' })),
    mapping: Type.Optional(Type.Object({}, { additionalProperties: true })),
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
    format: Type.Union([Type.Literal('ftm'), Type.Literal('csv')], {
      default: 'ftm',
      description:
        'ftm: FollowTheMoney JSON lines; csv: one row per value with its portion marking (cells that could be formulas are neutralised)',
    }),
  },
  { additionalProperties: false },
);

export async function registerDataRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const run = async (
    me: ReturnType<typeof principal>,
    items: () => AsyncIterable<Parsed>,
    origin: string,
    mode?: 'atomic' | 'skip',
  ) => {
    assertMay(me, 'write');
    // The count of possible links found is left out of a user's answer: it is computed over everything
    // stored, so it would say that a hidden person matches what was written. GET /links lists those the writer may see.
    const { links: _found, ...report } = await importRecords(store, me, items, { origin, mode });
    return report;
  };

  app.post(
    '/records',
    {
      bodyLimit: IMPORT_LIMIT,
      schema: {
        tags: ['import'],
        querystring: Type.Object({ mode: Mode }),
        body: Type.Array(Type.Object({}, { additionalProperties: true }), { maxItems: 100000 }),
        summary: 'Write a batch of records (Chokepoint JSON); all or nothing unless mode=skip',
      },
    },
    async (req) => {
      const me = principal(req);
      const text = JSON.stringify(req.body);
      return run(
        me,
        () => readChokepointJson({ text, name: 'body' }, { source: me.agency }),
        'POST /records',
        (req.query as { mode?: 'atomic' | 'skip' }).mode,
      );
    },
  );

  app.post(
    '/import',
    {
      bodyLimit: IMPORT_LIMIT + 1024 * 1024,
      schema: {
        tags: ['import'],
        body: ImportBody,
        summary: 'Import a file given inline: Chokepoint JSON/JSONL, FtM entity stream, or CSV with a mapping',
      },
    },
    async (req) => {
      const me = principal(req);
      const b = req.body as Static<typeof ImportBody>;
      const name = b.name ?? `upload.${b.format}`;
      const input: Input = {
        text: b.content,
        name: b.format === 'jsonl' && !/\.(jsonl|ndjson)$/.test(name) ? `${name}.jsonl` : name,
      };
      const ro: ReadOptions = {
        source: me.agency,
        marking: b.marking as MarkingInput | undefined,
        kind: b.kind,
        reportDate: b.reportDate,
        grade: b.grade,
        criminalBasis: b.criminalBasis,
        sensitivity: b.sensitivity,
        confidence: b.confidence,
      };
      if ((b.format === 'ftm' || b.format === 'csv') && !b.marking)
        throw new HttpError(400, `marking: ${b.format} data carries no markings; state the marking for the whole file`);
      let items: () => AsyncIterable<Parsed>;
      if (b.format === 'csv') {
        if (!b.mapping) throw new HttpError(400, 'mapping: a CSV import needs a mapping (see README, "CSV mappings")');
        let mapping: ReturnType<typeof validateMapping>;
        try {
          mapping = validateMapping(b.mapping);
        } catch (e) {
          throw new HttpError(400, (e as Error).message);
        }
        items = () => readCsv(input, mapping, ro);
      } else if (b.format === 'ftm') items = () => readFtm(input, ro);
      else items = () => readChokepointJson(input, ro);
      return run(me, items, `POST /import ${name}`, b.mode);
    },
  );

  app.get(
    '/export',
    {
      schema: {
        tags: ['export'],
        querystring: ExportQ,
        summary: 'Everything you may see, as FollowTheMoney JSON lines or CSV (logged as a dissemination)',
      },
    },
    async (req, reply) => {
      const me = principal(req);
      const q = req.query as Static<typeof ExportQ>;
      assertMay(me, 'export');
      if (q.format === 'csv') {
        const rows: string[][] = [];
        for await (const r of exportStatementRows(store, me, {
          purpose: q.purpose,
          recipientAgency: q.recipientAgency,
        }))
          rows.push(r);
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="chokepoint-export.csv"')
          .send(toCsv(STATEMENT_CSV_COLUMNS, rows));
      }
      const lines: string[] = [];
      for await (const e of exportFtm(store, me, { purpose: q.purpose, recipientAgency: q.recipientAgency }))
        lines.push(JSON.stringify(e));
      return reply
        .header('content-type', 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', 'attachment; filename="chokepoint-export.ftm.json"')
        .send(lines.join('\n') + (lines.length ? '\n' : ''));
    },
  );

  app.get(
    '/stats',
    { schema: { tags: ['picture'], summary: 'Counts by schema and seizures by month and drug (what you may see)' } },
    async (req) => {
      const me = principal(req);
      const s = await store.read(me, (tx) => statistics(tx));
      const cbp = await store.read(me, (tx) =>
        tx.query<{ fy: number; drug_type: string; events: number; lbs: number }>(
          'SELECT fy, drug_type, sum(event_count)::int AS events, sum(qty_lbs) AS lbs FROM cbp_seizure_stats GROUP BY 1, 2 ORDER BY 1, 2',
        ),
      );
      await audit(store.db, { actor: me.username, action: 'stats.read' });
      return { ...s, cbpPublished: cbp };
    },
  );

  app.get(
    '/notifications',
    { schema: { tags: ['picture'], summary: 'Notifications for your agency (e.g. purged records you received)' } },
    async (req) => {
      const me = principal(req);
      await audit(store.db, { actor: me.username, action: 'notifications.read' });
      return notificationsFor(store.db, me);
    },
  );
}

import type { FastifyInstance } from 'fastify';
import { screeningCsv } from '../../exchange/screening-csv.js';
import { Type, type Static } from '@sinclair/typebox';
import type { Store } from '../../store/store.js';
import { audit } from '../../store/audit.js';
import { DEFAULT_THRESHOLD, type ScreeningLists } from '../../lists/registry.js';
import { toScreeningQuery, readScreeningCsv, ScreenInputError } from '../../resolve/screen-request.js';
import type { Hit } from '../../resolve/screen-index.js';
import { HttpError, principal } from '../server.js';
import { screenName, screenRows } from '../../lists/screen.js';

const Identifier = Type.Object(
  { kind: Type.String({ maxLength: 20 }), value: Type.String({ maxLength: 200 }) },
  { additionalProperties: false },
);
const Single = Type.Object(
  {
    name: Type.String({ maxLength: 1000 }),
    kind: Type.Optional(Type.Union([Type.Literal('person'), Type.Literal('organization'), Type.Literal('any')])),
    birthDate: Type.Optional(Type.String({ maxLength: 40 })),
    nationality: Type.Optional(
      Type.Union([Type.String({ maxLength: 40 }), Type.Array(Type.String({ maxLength: 40 }), { maxItems: 10 })]),
    ),
    identifiers: Type.Optional(Type.Array(Identifier, { maxItems: 20 })),
    threshold: Type.Optional(
      Type.Number({
        minimum: 0.01,
        maximum: 1,
        description:
          'minimum calibrated score (the share of such hits that were the listed identity on the tuning set)',
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
  },
  { additionalProperties: false },
);
const Batch = Type.Object(
  {
    csv: Type.String({
      maxLength: 10 * 1024 * 1024,
      description: 'CSV with a header: name, and optionally birthDate (or dob), nationality (or country), kind',
    }),
    threshold: Type.Optional(
      Type.Number({
        minimum: 0.01,
        maximum: 1,
        description:
          'minimum calibrated score (the share of such hits that were the listed identity on the tuning set)',
      }),
    ),
  },
  { additionalProperties: false },
);
const BatchQ = Type.Object(
  { format: Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' }) },
  { additionalProperties: false },
);
export const MAX_BATCH_ROWS = 100_000;

export function hitView(h: Hit) {
  return {
    score: Math.round(h.score * 1000) / 1000,
    similarity: Math.round(h.similarity * 1000) / 1000,
    list: h.entry.list,
    id: h.entry.id,
    kind: h.entry.kind,
    name: (h.entry.details?.name as string | undefined) ?? h.entry.names[0],
    aliases: h.entry.names.slice(0, 12),
    programs: h.entry.programs ?? [],
    birthDates: h.entry.birthDates ?? [],
    countries: h.entry.countries ?? [],
    reasons: h.reasons,
    explanation: h.explanation,
  };
}

export async function registerScreenRoutes(
  app: FastifyInstance,
  store: Store,
  lists: () => ScreeningLists,
): Promise<void> {
  app.get(
    '/screen/lists',
    { schema: { tags: ['screening'], summary: 'The lists screened against, with their publication dates' } },
    async () => lists().lists,
  );

  app.post(
    '/screen',
    {
      schema: {
        tags: ['screening'],
        body: Single,
        summary: 'Screen one name (with optional birth date, nationality, identifiers) against the sanctions lists',
      },
    },
    async (req) => {
      const me = principal(req);
      const b = req.body as Static<typeof Single>;
      let q: ReturnType<typeof toScreeningQuery>;
      try {
        q = toScreeningQuery(b);
      } catch (e) {
        if (e instanceof ScreenInputError) throw new HttpError(400, e.message);
        throw e;
      }
      // The watchlist answers with a pointer only ("contact the watchlist center") and logs the encounter.
      const { hits, watchlist } = await screenName(store.db, me, lists(), q, {
        threshold: b.threshold,
        limit: b.limit,
      });
      await audit(store.db, {
        actor: me.username,
        action: 'screen',
        target: q.name,
        details: {
          hits: hits.map((h) => h.entry.id),
          watchlist: watchlist.map((w) => w.encounter),
          threshold: b.threshold ?? DEFAULT_THRESHOLD,
        },
      });
      return {
        lists: lists().lists,
        threshold: b.threshold ?? DEFAULT_THRESHOLD,
        query: q,
        hits: hits.map(hitView),
        watchlist,
      };
    },
  );

  app.post(
    '/screen/batch',
    {
      bodyLimit: 11 * 1024 * 1024,
      schema: {
        tags: ['screening'],
        body: Batch,
        querystring: BatchQ,
        summary:
          'Screen a CSV of names; rows with errors are reported and the rest screened (JSON, or CSV with format=csv)',
      },
    },
    async (req, reply) => {
      const me = principal(req);
      const b = req.body as Static<typeof Batch>;
      let rows: Record<string, string>[];
      try {
        rows = readScreeningCsv(b.csv);
      } catch (e) {
        if (e instanceof ScreenInputError) throw new HttpError(400, e.message);
        throw e;
      }
      if (rows.length > MAX_BATCH_ROWS)
        throw new HttpError(413, `csv: ${rows.length} rows; at most ${MAX_BATCH_ROWS} per batch`);
      const started = performance.now();
      const screened = await screenRows(store.db, me, lists(), rows, { threshold: b.threshold });
      const results = screened.results.map((r) => ({
        line: r.line,
        name: r.query.name,
        hits: r.hits.map(hitView),
        watchlist: r.watchlist,
      }));
      const errors = screened.errors;
      const seconds = (performance.now() - started) / 1000;
      await audit(store.db, {
        actor: me.username,
        action: 'screen.batch',
        details: { rows: rows.length, withHits: results.filter((r) => r.hits.length).length, errors: errors.length },
      });
      if ((req.query as Static<typeof BatchQ>).format === 'csv') {
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="screening-results.csv"')
          .send(screeningCsv(results, errors));
      }
      return {
        rows: rows.length,
        screened: results.length,
        withHits: results.filter((r) => r.hits.length).length,
        seconds,
        namesPerSecond: Math.round(results.length / Math.max(seconds, 1e-6)),
        results,
        errors,
      };
    },
  );
}

// Screening against the sanctions lists and the watchlist (which answers with a pointer
// only): one name, a CSV batch, and the lists screened against. `chokepoint screen`
// (src/cli/main.ts) is the operator's screening of the data directory through the same
// functions (src/lists/screen.ts); these are the API's operations, on the command line too.
import { readFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { audit } from '../store/audit.js';
import { DEFAULT_THRESHOLD, type ListInfo } from '../lists/registry.js';
import { toScreeningQuery, readScreeningCsv } from '../resolve/screen-request.js';
import type { Hit } from '../resolve/screen-index.js';
import { shippedMatcher } from '../resolve/matcher.js';
import { FEATURES } from '../resolve/features.js';
import { LEGAL_FORM_CLASSES } from '../resolve/normalize.js';
import { screenName, screenRows } from '../lists/screen.js';
import { customLists } from '../lists/custom.js';
import type { WatchlistResult } from '../watchlist/screening.js';
import { screeningCsv } from '../exchange/screening-csv.js';
import { StatusError } from '../domain/errors.js';
import { command, Download, file, type Command } from './command.js';
import * as S from './answers/screening.js';

const tags = ['screening'];
const Threshold = Type.Number({
  minimum: 0.01,
  maximum: 1,
  description: 'minimum calibrated score (the share of such hits that were the listed identity on the tuning set)',
});
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
    threshold: Type.Optional(Threshold),
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
    threshold: Type.Optional(Threshold),
  },
  { additionalProperties: false },
);
const BatchQ = Type.Object(
  { format: Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' }) },
  { additionalProperties: false },
);
const MAX_BATCH_ROWS = 100_000;

function algorithm() {
  const m = shippedMatcher().file;
  return {
    model: 'logistic regression over the features, calibrated by isotonic regression (src/resolve/matcher.ts)',
    fittedOn: m.fittedOn,
    pairs: m.pairs,
    bias: m.bias,
    features: FEATURES.map((f) => ({
      name: f.name,
      description: f.description,
      weight: m.weights[f.name]!,
      ...(m.priors[f.name] ? { prior: m.priors[f.name]! } : {}),
    })),
    calibration: m.calibration,
    threshold: m.threshold,
    thresholdRule: m.thresholdRule,
    tuning: m.tuning,
    legalForms: LEGAL_FORM_CLASSES,
    refit: 'npm run calibrate (a test checks the shipped fit is what the command gives)',
  };
}

/** Each list's marking by its code: a hit carries the marking of the list it quotes (null: a shipped, public list). */
const markingsOf = (lists: ListInfo[]): Map<string, string | null> => new Map(lists.map((l) => [l.list, l.marking]));

function hitView(h: Hit, markings: Map<string, string | null>) {
  return {
    score: Math.round(h.score * 1000) / 1000,
    similarity: Math.round(h.similarity * 1000) / 1000,
    list: h.entry.list,
    marking: markings.get(h.entry.list) ?? null,
    id: h.entry.id,
    kind: h.entry.kind,
    name: (h.entry.details?.name as string | undefined) ?? h.entry.names[0] ?? h.entry.id,
    aliases: h.entry.names.slice(0, 12),
    programs: h.entry.programs ?? [],
    birthDates: h.entry.birthDates ?? [],
    countries: h.entry.countries ?? [],
    reasons: h.reasons,
    explanation: h.explanation,
    /** What the list says of the entry besides its names (gender, place of birth, vessel, "Linked To", weak aliases). */
    details: h.entry.details ?? {},
  };
}
type HitView = ReturnType<typeof hitView>;

/** A name's hits and watchlist pointers as `chokepoint screen` prints them. */
function printScreened(out: (line: string) => void, hits: HitView[], watchlist: WatchlistResult[]): void {
  for (const w of watchlist) out(`WATCHLIST  ${w.result}  (encounter ${w.encounter})`);
  for (const h of hits) {
    out(`${h.score.toFixed(3)}  ${h.list} ${h.id}  ${h.name}  [${h.programs.join(', ')}]`);
    for (const r of h.reasons) out(`         ${r}`);
  }
}

/** The CLI groups these commands make, with their help lines. */
export const GROUPS: Record<string, string> = {
  screening:
    "the API's screening: one name, a CSV batch (at most 100,000 rows); the lists screened against are `lists list` " +
    '(`chokepoint screen` screens on the data directory, as the system or --as a user)',
};

export const COMMANDS: Command[] = [
  command({
    name: 'screening.algorithm',
    summary:
      'How a hit is scored: the matching features, their fitted weights, the calibration and the default threshold',
    description:
      'Every feature of the matching model with its description and weight (log-odds), the features whose weight is a stated prior rather than fitted and why, the isotonic calibration map, the default threshold and the rule that chose it, what the model was fitted on and its quality on the tuning half, and the legal-form classes names are compared under. A hit explains itself in the same terms (explanation.features).',
    tags,
    method: 'GET',
    path: '/screen/algorithm',
    response: { 200: S.Algorithm },
    cli: {
      format: (out, io) => {
        const a = out as ReturnType<typeof algorithm>;
        io.out(`fitted on ${a.fittedOn} (${a.pairs} labelled pairs); bias ${a.bias}`);
        for (const f of a.features)
          io.out(
            `  ${f.name.padEnd(30)} ${String(f.weight).padStart(10)}${f.prior ? '  (prior)' : ''}  ${f.description}`,
          );
        io.out(`default threshold ${a.threshold}: ${a.thresholdRule}`);
      },
    },
    run: async () => algorithm(),
  }),
  command({
    name: 'screening.lists',
    summary: 'The lists screened against (shipped, and those users added that you may read), with their dates',
    tags,
    method: 'GET',
    path: '/screen/lists',
    response: { 200: Type.Array(S.ListInfo) },
    cli: {
      path: ['lists', 'list'],
      format: (out, io) => {
        for (const l of out as ListInfo[])
          io.out(
            `${l.list}  ${l.name}: ${l.entries} entries${l.drugProgramEntries ? ` (${l.drugProgramEntries} under drug programs)` : ''}, published ${l.publishDate ?? 'unknown'}${l.custom ? `, added ${l.addedAt}, marked ${l.marking}` : ''}`,
          );
      },
    },
    // The shipped lists, then those users added that you may read (row-level security decides).
    run: async ({ db, me, services }) => [...services.lists().lists, ...(await customLists(db, me))],
  }),
  command({
    name: 'screening.name',
    summary: 'Screen one name (with optional birth date, nationality, identifiers) against the sanctions lists',
    tags,
    method: 'POST',
    path: '/screen',
    response: { 200: S.Screened },
    body: Single,
    cli: {
      format: (out, io) => {
        const o = out as { threshold: number; hits: HitView[]; watchlist: WatchlistResult[] };
        if (!o.hits.length && !o.watchlist.length) io.out(`no hit at or above ${o.threshold}`);
        printScreened(io.out, o.hits, o.watchlist);
      },
    },
    run: async ({ db, me, services }, { body }) => {
      const lists = services.lists();
      const q = toScreeningQuery(body);
      // The watchlist answers with a pointer only ("contact the watchlist center") and logs the encounter.
      const screened = await screenName(db, me, lists, q, { threshold: body.threshold, limit: body.limit });
      const { hits, watchlist } = screened;
      await audit(db, {
        actor: me.username,
        action: 'screen',
        target: q.name,
        details: {
          hits: hits.map((h) => h.entry.id),
          watchlist: watchlist.map((w) => w.encounter),
          threshold: body.threshold ?? DEFAULT_THRESHOLD,
        },
      });
      return {
        lists: screened.lists,
        threshold: body.threshold ?? DEFAULT_THRESHOLD,
        query: q,
        hits: hits.map((h) => hitView(h, markingsOf(screened.lists))),
        watchlist,
      };
    },
  }),
  command({
    name: 'screening.batch',
    summary:
      'Screen a CSV of names; rows with errors are reported and the rest screened (JSON, or CSV with format=csv)',
    tags,
    method: 'POST',
    path: '/screen/batch',
    response: { 200: file(['text/csv'], 'The results as JSON, or with format=csv as CSV: one row per hit', S.Batch) },
    errors: [413],
    body: Batch,
    query: BatchQ,
    // Up to 10 MB of CSV in its JSON body: above the server's 1 MB.
    http: { bodyLimit: 11 * 1024 * 1024 },
    cli: {
      // The body's `csv` is the CSV's text; on the command line it is a file.
      omit: ['csv'],
      options: [
        {
          flags: '--csv <file>',
          description: 'the CSV to screen (header: name[,birthDate][,nationality][,kind])',
          into: (file, input) => {
            let csv: string;
            try {
              csv = readFileSync(file as string, 'utf8');
            } catch (e) {
              throw new StatusError(`--csv: ${(e as Error).message}`);
            }
            input.body = { ...(input.body as object), csv };
          },
        },
      ],
      format: (out, io) => {
        const o = out as {
          rows: number;
          screened: number;
          withHits: number;
          seconds: number;
          namesPerSecond: number;
          results: { line: number; name: string; hits: HitView[]; watchlist: WatchlistResult[] }[];
          errors: { line: number; error: string }[];
        };
        for (const e of o.errors) io.err(`line ${e.line}: ${e.error}`);
        for (const r of o.results.filter((x) => x.hits.length || x.watchlist.length)) {
          io.out(`line ${r.line}  ${r.name}`);
          printScreened(io.out, r.hits, r.watchlist);
        }
        io.out(
          `screened ${o.screened} of ${o.rows} rows in ${o.seconds.toFixed(2)} s (${o.namesPerSecond} names/s): ` +
            `${o.withHits} with hits, ${o.results.filter((r) => r.watchlist.length).length} with a watchlist pointer, ${o.errors.length} rejected`,
        );
      },
    },
    run: async ({ db, me, services }, { body, query }) => {
      const rows = readScreeningCsv(body.csv);
      if (rows.length > MAX_BATCH_ROWS)
        throw new StatusError(`csv: ${rows.length} rows; at most ${MAX_BATCH_ROWS} per batch`, 413);
      const lists = services.lists();
      const started = performance.now();
      const screened = await screenRows(db, me, lists, rows, { threshold: body.threshold });
      const markings = markingsOf(screened.lists);
      const results = screened.results.map((r) => ({
        line: r.line,
        name: r.query.name,
        hits: r.hits.map((h) => hitView(h, markings)),
        watchlist: r.watchlist,
      }));
      const errors = screened.errors;
      const seconds = (performance.now() - started) / 1000;
      await audit(db, {
        actor: me.username,
        action: 'screen.batch',
        details: { rows: rows.length, withHits: results.filter((r) => r.hits.length).length, errors: errors.length },
      });
      if (query.format === 'csv')
        return new Download('text/csv; charset=utf-8', screeningCsv(results, errors), 'screening-results.csv');
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
  }),
];

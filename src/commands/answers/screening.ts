// The answers of screening (src/commands/screen.ts): calibrated hits on the sanctions
// lists, each explained, and the watchlist's pointer (never its content).
import { type Static, Type } from '@sinclair/typebox';
import { Bag, named, Nullable } from './shared.js';

export const ListInfo = named(
  'ScreeningList',
  Type.Object({
    list: Type.String({
      description: 'the code a hit’s list carries: OFAC-SDN, OFAC-NON-SDN, UN-SC, or the name of a list a user added',
    }),
    name: Type.String(),
    publishDate: Nullable(Type.String()),
    source: Type.String(),
    entries: Type.Integer(),
    byKind: Type.Record(Type.String(), Type.Integer(), { description: 'entries by kind (person, organization, ...)' }),
    drugProgramEntries: Type.Integer(),
    custom: Type.Boolean({ description: 'added by a user (POST /screen/lists), not shipped' }),
    format: Type.String({ description: 'ofac-csv, ofac-xml, un-xml, ftm or csv' }),
    addedAt: Nullable(Type.String({ format: 'date-time' })),
    updatedAt: Nullable(Type.String({ format: 'date-time' })),
    marking: Nullable(Type.String({ description: 'the list’s marking; null for a shipped (public) list' })),
  }),
);

export const ListChange = named(
  'ScreeningListChange',
  Type.Object({
    outcome: Type.Union([Type.Literal('added'), Type.Literal('replaced'), Type.Literal('unchanged')]),
    list: ListInfo,
    added: Type.Integer(),
    removed: Type.Integer(),
    changed: Type.Integer(),
    unchanged: Type.Integer(),
    skipped: Type.Record(Type.String(), Type.Integer(), {
      description: 'what was read but is no screening entry (FtM schemata such as Sanction), by what it was',
    }),
    note: Type.String({ description: 'says that earlier screening results were not re-run, or that nothing changed' }),
  }),
);
export type ListChangeT = Static<typeof ListChange>;

export const ListRemoved = Type.Object({ removed: Type.String(), entries: Type.Integer(), note: Type.String() });

const Explanation = Type.Object({
  name: Type.Object({
    score: Type.Number(),
    query: Type.String(),
    matched: Type.String(),
    tokens: Type.Array(Type.Object({ query: Type.String(), matched: Type.String(), score: Type.Number() })),
  }),
  model: Type.Object(
    {
      bias: Type.Number({ description: 'the log-odds of a pair with no evidence' }),
      probability: Type.Number({ description: 'the regression’s probability, before calibration' }),
    },
    { description: 'the matching model (GET /screen/algorithm)' },
  ),
  features: Type.Array(
    Type.Object({
      feature: Type.String(),
      value: Type.Number(),
      weight: Type.Number(),
      contribution: Type.Number({ description: 'weight × value, in log-odds' }),
    }),
    { description: 'each feature that was not 0, with its contribution to the score' },
  ),
  birthDate: Type.Optional(
    Type.Object({
      result: Type.Union([Type.Literal('match'), Type.Literal('year'), Type.Literal('near'), Type.Literal('conflict')]),
      query: Type.String(),
      matched: Type.String(),
    }),
  ),
  country: Type.Optional(
    Type.Object({
      result: Type.Union([Type.Literal('match'), Type.Literal('conflict')]),
      query: Type.Array(Type.String()),
      matched: Type.Array(Type.String()),
    }),
  ),
  identifier: Type.Optional(Type.String()),
});

export const Hit = named(
  'ScreeningHit',
  Type.Object({
    score: Type.Number({ description: 'calibrated: the share of such hits that were the listed identity' }),
    similarity: Type.Number(),
    list: Type.String(),
    marking: Nullable(
      Type.String({
        description: 'the marking of the list the hit quotes (a list a user added); null for a shipped list',
      }),
    ),
    id: Type.String(),
    kind: Type.Union((['person', 'organization', 'vessel', 'aircraft', 'other'] as const).map((k) => Type.Literal(k))),
    name: Type.String(),
    aliases: Type.Array(Type.String()),
    programs: Type.Array(Type.String()),
    birthDates: Type.Array(Type.String()),
    countries: Type.Array(Type.String()),
    reasons: Type.Array(Type.String()),
    explanation: Explanation,
    details: { ...Bag, description: 'what the list says besides names (gender, place of birth, vessel, Linked To)' },
  }),
);

export const WatchlistPointer = named(
  'WatchlistPointer',
  Type.Object({
    result: Type.Union([
      Type.Literal('possible match: contact the watchlist center'),
      Type.Literal('previously cleared'),
    ]),
    encounter: Type.String({ description: 'the encounter’s reference, for the watchlist center' }),
  }),
);

const Query = Type.Object({
  name: Type.String(),
  kind: Type.Optional(Type.Union([Type.Literal('person'), Type.Literal('organization'), Type.Literal('any')])),
  birthDate: Type.Optional(Type.String()),
  countries: Type.Optional(Type.Array(Type.String())),
  identifiers: Type.Optional(Type.Array(Type.String())),
});

export const Screened = Type.Object({
  lists: Type.Array(ListInfo),
  threshold: Type.Number(),
  query: Query,
  hits: Type.Array(Hit),
  watchlist: Type.Array(WatchlistPointer),
});

export const Batch = Type.Object({
  rows: Type.Integer(),
  screened: Type.Integer(),
  withHits: Type.Integer(),
  seconds: Type.Number(),
  namesPerSecond: Type.Integer(),
  results: Type.Array(
    Type.Object({
      line: Type.Integer(),
      name: Type.String(),
      hits: Type.Array(Hit),
      watchlist: Type.Array(WatchlistPointer),
    }),
  ),
  errors: Type.Array(Type.Object({ line: Type.Integer(), error: Type.String() })),
});

export const Algorithm = named(
  'ScreeningAlgorithm',
  Type.Object({
    model: Type.String(),
    fittedOn: Type.String({ description: 'the labelled sets the weights and calibration were fitted on' }),
    pairs: Type.Integer({ description: 'labelled (query, candidate) pairs of the fit' }),
    bias: Type.Number(),
    features: Type.Array(
      Type.Object({
        name: Type.String(),
        description: Type.String(),
        weight: Type.Number({ description: 'log-odds per unit of the feature' }),
        prior: Type.Optional(Type.String({ description: 'why this weight is a stated prior, not fitted' })),
      }),
    ),
    calibration: Type.Array(Type.Array(Type.Number(), { minItems: 2, maxItems: 2 }), {
      description: 'isotonic map: [regression probability, calibrated score] points, linear between',
    }),
    threshold: Type.Number(),
    thresholdRule: Type.String(),
    tuning: Type.Record(Type.String(), Type.Number(), { description: 'quality on the tuning half at the threshold' }),
    legalForms: Type.Array(Type.Object({ class: Type.String(), label: Type.String(), forms: Type.Integer() })),
    refit: Type.String(),
  }),
);

// The watchlist: nominations and their review, investigative equities, removal,
// encounters, settings (criteria and the downgrade rule), and public redress.
import { Type } from '@sinclair/typebox';
import { IDENTIFIER_KINDS } from '../resolve/identifiers.js';
import {
  nominate,
  review,
  amend,
  respondEquities,
  removeNomination,
  getNomination,
  listNominations,
  putSetting,
  setting,
  WatchlistError,
  type Criteria,
} from '../watchlist/nominations.js';
import type { DowngradeRule } from '../watchlist/downgrade.js';
import { resolveEncounter, encounters } from '../watchlist/screening.js';
import { fileRedress, redressStatus, updateRedress } from '../watchlist/redress.js';
import { command, type Command } from './command.js';
import { S, IdParam } from './schemas.js';
import * as W from './answers/watchlist.js';

const Identifier = Type.Object(
  { kind: Type.Union(IDENTIFIER_KINDS.map((k) => Type.Literal(k))), value: S(200) },
  { additionalProperties: false },
);
export const Nomination = Type.Object(
  {
    subjectKind: Type.Union([Type.Literal('person'), Type.Literal('organization')]),
    names: Type.Array(S(300), { minItems: 1, maxItems: 20 }),
    birthDates: Type.Optional(Type.Array(S(10), { maxItems: 5 })),
    nationalities: Type.Optional(Type.Array(S(2, 2), { maxItems: 5 })),
    identifiers: Type.Optional(Type.Array(Identifier, { maxItems: 20 })),
    usPerson: Type.Boolean({
      description: 'U.S. citizen or lawful permanent resident: restricts what is collected and released',
    }),
    categories: Type.Array(S(60), { minItems: 1, maxItems: 8 }),
    basis: S(20_000),
    marking: S(200),
  },
  { additionalProperties: false },
);
const Amend = Type.Object(
  {
    names: Type.Optional(Type.Array(S(300), { maxItems: 20 })),
    birthDates: Type.Optional(Type.Array(S(10), { maxItems: 5 })),
    nationalities: Type.Optional(Type.Array(S(2, 2), { maxItems: 5 })),
    identifiers: Type.Optional(Type.Array(Identifier, { maxItems: 20 })),
    basis: Type.Optional(S(20_000)),
  },
  { additionalProperties: false },
);
const Review = Type.Object(
  {
    decision: Type.Union([Type.Literal('accept'), Type.Literal('reject'), Type.Literal('request_more')]),
    note: S(4000),
  },
  { additionalProperties: false },
);
const Equities = Type.Object(
  {
    caseId: Type.Integer({ minimum: 1 }),
    response: Type.Union([Type.Literal('no objection'), Type.Literal('object')]),
    note: S(4000),
  },
  { additionalProperties: false },
);
const Redress = Type.Object(
  { name: S(300), birthDate: Type.Optional(S(10)), contact: S(300), details: S(10_000) },
  { additionalProperties: false },
);
const Control = Type.Object({ control: S(20) });

const tags = ['watchlist'];

/** The CLI groups these commands make, with their help lines. */
export const GROUPS: Record<string, string> = {
  watchlist: 'watchlist nominations, their review and equities, encounters and settings',
  redress: 'redress requests (filing and the status page need no sign-in)',
};

export const COMMANDS: Command[] = [
  command({
    name: 'watchlist.nominate',
    summary:
      'Nominate a subject: identifying data, derogatory basis, criteria; checked against the configured criteria',
    tags,
    method: 'POST',
    path: '/watchlist/nominations',
    response: { 201: W.Nominated },
    errors: [422],
    body: Nomination,
    status: 201,
    permission: 'nominate',
    run: ({ store, db, me }, { body }) => nominate(db, store.markings, me, body),
  }),
  command({
    name: 'watchlist.list',
    summary: "Nominations: all for a watchlist reviewer, your agency's for others",
    tags,
    method: 'GET',
    path: '/watchlist/nominations',
    response: { 200: W.Nominations },
    query: Type.Object({ status: Type.Optional(S(30)) }),
    run: ({ db, me }, { query }) => listNominations(db, me, query.status),
  }),
  command({
    name: 'watchlist.show',
    summary: 'A nomination with its basis, equities and history',
    tags,
    method: 'GET',
    path: '/watchlist/nominations/:id',
    response: { 200: W.Nomination },
    params: IdParam,
    run: ({ db, me }, { params }) => getNomination(db, me, params.id),
  }),
  command({
    name: 'watchlist.review',
    summary: 'Accept (then deconflict with open cases), reject, or request more information',
    tags,
    method: 'POST',
    path: '/watchlist/nominations/:id/review',
    response: { 200: W.Reviewed },
    errors: [409],
    params: IdParam,
    body: Review,
    permission: 'reviewNominations',
    run: ({ db, me }, { params, body }) => review(db, me, params.id, body.decision, body.note),
  }),
  command({
    name: 'watchlist.amend',
    summary: 'The nominator adds what the reviewer asked for',
    tags,
    method: 'POST',
    path: '/watchlist/nominations/:id/amend',
    response: { 200: Type.Object({ status: Type.Literal('pending_review') }) },
    errors: [403, 409, 422],
    params: IdParam,
    body: Amend,
    run: async ({ db, me }, { params, body }) => {
      await amend(db, me, params.id, body);
      return { status: 'pending_review' as const };
    },
  }),
  command({
    name: 'watchlist.equities',
    summary: 'A case owner answers: would listing harm the investigation?',
    tags,
    method: 'POST',
    path: '/watchlist/nominations/:id/equities',
    response: { 200: Type.Object({ response: Type.Union([Type.Literal('no objection'), Type.Literal('object')]) }) },
    errors: [403],
    params: IdParam,
    body: Equities,
    run: async ({ db, me }, { params, body }) => {
      await respondEquities(db, me, params.id, body.caseId, body.response, body.note);
      return { response: body.response };
    },
  }),
  command({
    name: 'watchlist.remove',
    summary: 'Remove from the watchlist, with the reason',
    tags,
    method: 'POST',
    path: '/watchlist/nominations/:id/remove',
    response: { 200: Type.Object({ status: Type.Literal('removed') }) },
    errors: [409],
    params: IdParam,
    body: Type.Object({ reason: S(4000) }, { additionalProperties: false }),
    permission: 'reviewNominations',
    run: async ({ db, me }, { params, body }) => {
      await removeNomination(db, me, params.id, body.reason);
      return { status: 'removed' as const };
    },
  }),
  command({
    name: 'watchlist.encounters',
    summary: 'Encounters at screening (possible matches), of one nomination or all',
    tags,
    method: 'GET',
    path: '/watchlist/encounters',
    response: { 200: W.Encounters },
    query: Type.Object({ nomination: Type.Optional(Type.Integer({ minimum: 1 })) }),
    permission: 'reviewNominations',
    run: ({ db, me }, { query }) => encounters(db, me, query.nomination),
  }),
  command({
    name: 'watchlist.resolve-encounter',
    summary: 'Resolve an encounter: confirmed, or a false positive (not stopped again for that listing)',
    tags,
    method: 'POST',
    path: '/watchlist/encounters/:ref/resolve',
    response: {
      200: Type.Object({ outcome: Type.Union([Type.Literal('confirmed'), Type.Literal('false positive')]) }),
    },
    errors: [409],
    params: Type.Object({ ref: S(40) }),
    body: Type.Object(
      { outcome: Type.Union([Type.Literal('confirmed'), Type.Literal('false positive')]), note: S(4000) },
      { additionalProperties: false },
    ),
    permission: 'reviewNominations',
    run: async ({ db, me }, { params, body }) => {
      await resolveEncounter(db, me, params.ref, body.outcome, body.note);
      return { outcome: body.outcome };
    },
  }),
  command({
    name: 'watchlist.settings',
    summary: 'The criteria, the downgrade rule and the equities period',
    tags,
    method: 'GET',
    path: '/watchlist/settings',
    response: { 200: W.Settings },
    run: async ({ db }) => ({
      criteria: await setting<Criteria>(db, 'criteria'),
      downgrade: await setting<DowngradeRule>(db, 'downgrade'),
      equitiesHours: await setting<number>(db, 'equitiesHours'),
    }),
  }),
  command({
    name: 'watchlist.set',
    summary: 'Change one watchlist setting',
    tags,
    method: 'PUT',
    path: '/watchlist/settings/:key',
    response: { 200: Type.Object({ updated: Type.Literal(true) }) },
    params: Type.Object({
      key: Type.Union([Type.Literal('criteria'), Type.Literal('downgrade'), Type.Literal('equitiesHours')]),
    }),
    body: Type.Object({ value: Type.Unknown() }),
    permission: 'manageUsers',
    run: async ({ db, me }, { params, body }) => {
      await putSetting(db, me, params.key, body.value);
      return { updated: true as const };
    },
  }),

  // Public redress: no sign-in, its own low rate limit.
  command({
    name: 'redress.file',
    summary: 'File a redress request; answers with a control number',
    tags: ['redress'],
    method: 'POST',
    path: '/redress',
    response: { 201: W.RedressFiled },
    body: Redress,
    status: 201,
    public: true,
    http: { config: { rateLimit: { max: 10, timeWindow: '1 minute' } } },
    run: ({ db }, { body }) => fileRedress(db, body),
  }),
  command({
    name: 'redress.status',
    summary: 'Where a redress request stands (neither confirms nor denies a listing)',
    tags: ['redress'],
    method: 'GET',
    path: '/redress/:control',
    response: { 200: W.RedressStatus },
    params: Control,
    public: true,
    http: { config: { rateLimit: { max: 30, timeWindow: '1 minute' } } },
    run: async ({ db }, { params }) => {
      const s = await redressStatus(db, params.control);
      if (!s) throw new WatchlistError('no request with that control number', 404);
      return s;
    },
  }),
  command({
    name: 'redress.update',
    summary: 'Move a redress request on: under review, or closed',
    tags: ['redress'],
    method: 'POST',
    path: '/redress/:control/status',
    response: { 200: Type.Object({ status: Type.Union([Type.Literal('under review'), Type.Literal('closed')]) }) },
    params: Control,
    body: Type.Object(
      { status: Type.Union([Type.Literal('under review'), Type.Literal('closed')]), note: S(4000) },
      { additionalProperties: false },
    ),
    permission: 'reviewNominations',
    run: async ({ db, me }, { params, body }) => {
      await updateRedress(db, me, params.control, body.status, body.note);
      return { status: body.status };
    },
  }),
];

// Watchlist API: nominations and their review, investigative equities, removal,
// encounters, settings (criteria and the downgrade rule), and public redress.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Store } from '../../store/store.js';
import { HttpError, principal } from '../server.js';
import { IDENTIFIER_KINDS } from '../../resolve/identifiers.js';
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
} from '../../watchlist/nominations.js';
import { resolveEncounter, encounters } from '../../watchlist/screening.js';
import { fileRedress, redressStatus, updateRedress } from '../../watchlist/redress.js';

const S = (max = 200, min = 1) => Type.String({ minLength: min, maxLength: max });
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
const IdParam = Type.Object({ id: Type.Integer({ minimum: 1 }) });
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

export async function registerWatchlistRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const db = store.db;
  const tags = ['watchlist'];
  const id = (req: { params: unknown }) => (req.params as { id: number }).id;

  app.post(
    '/watchlist/nominations',
    {
      schema: {
        tags,
        body: Nomination,
        summary:
          'Nominate a subject: identifying data, derogatory basis, criteria; checked against the configured criteria',
      },
    },
    async (req, reply) =>
      reply.code(201).send(await nominate(db, store.markings, principal(req), req.body as Static<typeof Nomination>)),
  );
  app.get(
    '/watchlist/nominations',
    { schema: { tags, querystring: Type.Object({ status: Type.Optional(S(30)) }) } },
    async (req) => listNominations(db, principal(req), (req.query as { status?: string }).status),
  );
  app.get('/watchlist/nominations/:id', { schema: { tags, params: IdParam } }, async (req) =>
    getNomination(db, principal(req), id(req)),
  );
  app.post(
    '/watchlist/nominations/:id/review',
    {
      schema: {
        tags,
        params: IdParam,
        body: Review,
        summary: 'Accept (then deconflict with open cases), reject, or request more information',
      },
    },
    async (req) => {
      const b = req.body as Static<typeof Review>;
      return review(db, principal(req), id(req), b.decision, b.note);
    },
  );
  app.post(
    '/watchlist/nominations/:id/amend',
    { schema: { tags, params: IdParam, body: Amend, summary: 'The nominator adds what the reviewer asked for' } },
    async (req) => {
      await amend(db, principal(req), id(req), req.body as Static<typeof Amend>);
      return { status: 'pending_review' };
    },
  );
  app.post(
    '/watchlist/nominations/:id/equities',
    {
      schema: {
        tags,
        params: IdParam,
        body: Equities,
        summary: 'A case owner answers: would listing harm the investigation?',
      },
    },
    async (req) => {
      const b = req.body as Static<typeof Equities>;
      await respondEquities(db, principal(req), id(req), b.caseId, b.response, b.note);
      return { response: b.response };
    },
  );
  app.post(
    '/watchlist/nominations/:id/remove',
    {
      schema: {
        tags,
        params: IdParam,
        body: Type.Object({ reason: S(4000) }, { additionalProperties: false }),
        summary: 'Remove from the watchlist, with the reason',
      },
    },
    async (req) => {
      await removeNomination(db, principal(req), id(req), (req.body as { reason: string }).reason);
      return { status: 'removed' };
    },
  );
  app.get(
    '/watchlist/encounters',
    { schema: { tags, querystring: Type.Object({ nomination: Type.Optional(Type.Integer({ minimum: 1 })) }) } },
    async (req) => encounters(db, principal(req), (req.query as { nomination?: number }).nomination),
  );
  app.post(
    '/watchlist/encounters/:ref/resolve',
    {
      schema: {
        tags,
        params: Type.Object({ ref: S(40) }),
        body: Type.Object(
          { outcome: Type.Union([Type.Literal('confirmed'), Type.Literal('false positive')]), note: S(4000) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const b = req.body as { outcome: 'confirmed' | 'false positive'; note: string };
      await resolveEncounter(db, principal(req), (req.params as { ref: string }).ref, b.outcome, b.note);
      return { outcome: b.outcome };
    },
  );
  app.get('/watchlist/settings', { schema: { tags } }, async () => ({
    criteria: await setting(db, 'criteria'),
    downgrade: await setting(db, 'downgrade'),
    equitiesHours: await setting(db, 'equitiesHours'),
  }));
  app.put(
    '/watchlist/settings/:key',
    {
      schema: {
        tags,
        params: Type.Object({
          key: Type.Union([Type.Literal('criteria'), Type.Literal('downgrade'), Type.Literal('equitiesHours')]),
        }),
        body: Type.Object({ value: Type.Unknown() }),
      },
    },
    async (req) => {
      await putSetting(
        db,
        principal(req),
        (req.params as { key: 'criteria' }).key,
        (req.body as { value: unknown }).value,
      );
      return { updated: true };
    },
  );

  // Public redress: no sign-in, its own low rate limit.
  const pub = { public: true, rateLimit: { max: 10, timeWindow: '1 minute' } };
  app.post(
    '/redress',
    {
      config: pub,
      schema: {
        tags: ['redress'],
        security: [],
        body: Redress,
        summary: 'File a redress request; answers with a control number',
      },
    },
    async (req, reply) => reply.code(201).send(await fileRedress(db, req.body as Static<typeof Redress>)),
  );
  app.get(
    '/redress/:control',
    {
      config: { public: true, rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: { tags: ['redress'], security: [], params: Type.Object({ control: S(20) }) },
    },
    async (req) => {
      const s = await redressStatus(db, (req.params as { control: string }).control);
      if (!s) throw new HttpError(404, 'no request with that control number');
      return s;
    },
  );
  app.post(
    '/redress/:control/status',
    {
      schema: {
        tags: ['redress'],
        params: Type.Object({ control: S(20) }),
        body: Type.Object(
          { status: Type.Union([Type.Literal('under review'), Type.Literal('closed')]), note: S(4000) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const b = req.body as { status: 'under review' | 'closed'; note: string };
      await updateRedress(db, principal(req), (req.params as { control: string }).control, b.status, b.note);
      return { status: b.status };
    },
  );
}

// Shipment targeting API: the exam queue, exam results, rules (data, versioned) with their hit rates.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Store } from '../../store/store.js';
import { audit } from '../../store/audit.js';
import { assertMay } from '../../domain/users.js';
import { HttpError, principal } from '../server.js';
import { targetingQueue, recordExam, ruleHitRates, editRule, scoreShipments } from '../../targeting/score.js';
import { filePreExport, listPreExport, respondPreExport } from '../../targeting/pre-export.js';

export async function registerTargetingRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const tags = ['targeting'];
  const db = store.db;
  app.get(
    '/targeting/queue',
    {
      schema: {
        tags,
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }) }),
        summary: 'Highest-risk shipments awaiting exam, with the reasons',
      },
    },
    async (req) => {
      const me = principal(req);
      const out = await targetingQueue(db, me, (req.query as { limit: number }).limit);
      await audit(db, { actor: me.username, action: 'targeting.queue', details: { count: out.length } });
      return out;
    },
  );
  const Exam = Type.Object(
    {
      result: Type.Union([Type.Literal('hit'), Type.Literal('no hit'), Type.Literal('seized')]),
      note: Type.Optional(Type.String({ maxLength: 4000 })),
    },
    { additionalProperties: false },
  );
  app.post(
    '/targeting/shipments/:id/exam',
    {
      schema: {
        tags,
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }),
        body: Exam,
        summary: 'Record the exam result',
      },
    },
    async (req) => {
      const b = req.body as Static<typeof Exam>;
      await recordExam(db, principal(req), (req.params as { id: string }).id, b.result, b.note);
      return { result: b.result };
    },
  );
  app.get(
    '/targeting/rules',
    {
      schema: {
        tags,
        summary: 'Rules, every version, with how often each fired on examined shipments and how often those were hits',
      },
    },
    async (req) => {
      // The targeting method (codes, transshipment points, weights) is for government users, as the queue is.
      const me = principal(req);
      if (!me.government || me.roles.includes('partner'))
        throw new HttpError(403, 'targeting rules are for government users');
      return store.read(me, (tx) => ruleHitRates(tx));
    },
  );
  const Edit = Type.Object(
    {
      name: Type.Optional(Type.String({ minLength: 3, maxLength: 300 })),
      params: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      weight: Type.Optional(Type.Number()),
      active: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  );
  app.put(
    '/targeting/rules/:code',
    {
      schema: {
        tags,
        params: Type.Object({ code: Type.String({ maxLength: 60 }) }),
        body: Edit,
        summary: 'Edit a rule (admin): a new version; the old is kept',
      },
    },
    async (req) => editRule(db, principal(req), (req.params as { code: string }).code, req.body as Static<typeof Edit>),
  );
  const S = (max = 300) => Type.String({ minLength: 1, maxLength: max });
  const Party = Type.Object({ name: S(), address: S(500) }, { additionalProperties: false });
  const Pen = Type.Object(
    {
      importingCountry: Type.String({
        pattern: '^[A-Za-z]{3}$',
        description: 'ISO 3166 alpha-3, as agencies are registered',
      }),
      exporter: Party,
      importer: Party,
      consignee: Party,
      substance: S(200),
      casNumber: Type.Optional(S(20)),
      quantityKg: Type.Number({ exclusiveMinimum: 0, maximum: 1e7 }),
      pointOfEntry: S(200),
      dispatchDate: S(10),
      transportDocument: Type.Optional(S(60)),
    },
    { additionalProperties: false },
  );
  app.post(
    '/pre-export',
    {
      schema: {
        tags,
        body: Pen,
        summary: 'File a pre-export notification for a precursor shipment (1988 Convention art. 12(10)(a))',
      },
    },
    async (req, reply) => reply.code(201).send(await filePreExport(db, principal(req), req.body as Static<typeof Pen>)),
  );
  app.get(
    '/pre-export',
    { schema: { tags, summary: 'Notifications your agency filed or your country must answer' } },
    async (req) => listPreExport(db, principal(req)),
  );
  const Respond = Type.Object(
    {
      decision: Type.Union([Type.Literal('acknowledge'), Type.Literal('clear'), Type.Literal('object')]),
      note: Type.String({ maxLength: 4000, default: '' }),
    },
    { additionalProperties: false },
  );
  app.post(
    '/pre-export/:id/respond',
    {
      schema: {
        tags,
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        body: Respond,
        summary: 'The importing side acknowledges, clears or objects; an objection holds the shipment',
      },
    },
    async (req) => {
      const b = req.body as Static<typeof Respond>;
      return respondPreExport(db, principal(req), (req.params as { id: number }).id, b.decision, b.note);
    },
  );
  app.post(
    '/targeting/rescore',
    { schema: { tags, summary: 'Score every shipment again with the active rules (admin)' } },
    async (req) => {
      const me = principal(req);
      assertMay(me, 'manageUsers');
      const ids = (await db.query<{ id: string }>("SELECT id FROM entities WHERE schema = 'Shipment'")).map(
        (r) => r.id,
      );
      let scored = 0;
      for (let i = 0; i < ids.length; i += 1000) scored += (await scoreShipments(db, ids.slice(i, i + 1000))).length;
      await audit(db, { actor: me.username, action: 'targeting.rescore', details: { scored } });
      return { scored };
    },
  );
}

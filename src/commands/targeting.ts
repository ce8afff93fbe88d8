// Shipment targeting: the exam queue, exam results, rules (data, versioned) with their
// hit rates, rescoring, and pre-export notifications.
import { Type } from '@sinclair/typebox';
import { audit } from '../store/audit.js';
import { targetingQueue, recordExam, ruleHitRates, editRule, rescoreAll, TargetingError } from '../targeting/score.js';
import { filePreExport, listPreExport, respondPreExport } from '../targeting/pre-export.js';
import { command, type Command, countedRead } from './command.js';
import { S } from './schemas.js';
import * as T from './answers/targeting.js';

const tags = ['targeting'];

const Exam = Type.Object(
  {
    result: Type.Union([Type.Literal('hit'), Type.Literal('no hit'), Type.Literal('seized')]),
    note: Type.Optional(Type.String({ maxLength: 4000 })),
  },
  { additionalProperties: false },
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
const Party = Type.Object({ name: S(300), address: S(500) }, { additionalProperties: false });
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
const Respond = Type.Object(
  {
    decision: Type.Union([Type.Literal('acknowledge'), Type.Literal('clear'), Type.Literal('object')]),
    note: Type.String({ maxLength: 4000, default: '' }),
  },
  { additionalProperties: false },
);

/** The CLI groups these commands make, with their help lines. */
export const GROUPS: Record<string, string> = {
  targeting: 'shipment targeting: the exam queue, exam results, rescoring, rules and their hit rates',
  'pre-export': 'pre-export notifications of precursor shipments (1988 Convention art. 12(10)(a))',
};

export const COMMANDS: Command[] = [
  command({
    name: 'targeting.queue',
    summary: 'Highest-risk shipments awaiting exam, with the reasons',
    tags,
    method: 'GET',
    path: '/targeting/queue',
    response: { 200: T.Queue },
    errors: [403, 413],
    query: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }) }),
    cli: {
      format: (out, io) => {
        for (const x of out as { score: number; shipment: string; reasons: { rule: string; detail: string }[] }[])
          io.out(
            `${Number(x.score).toFixed(3)}  ${x.shipment}\n        ${x.reasons.map((r) => `${r.rule}: ${r.detail}`).join('; ')}`,
          );
      },
    },
    run: async ({ db, me }, { query }) =>
      countedRead(db, me, 'targeting.queue', await targetingQueue(db, me, query.limit)),
  }),
  command({
    name: 'targeting.exam',
    summary: 'Record the exam result',
    tags,
    method: 'POST',
    path: '/targeting/shipments/:id/exam',
    response: {
      200: Type.Object({ result: Type.Union([Type.Literal('hit'), Type.Literal('no hit'), Type.Literal('seized')]) }),
    },
    errors: [403, 409],
    params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }),
    body: Exam,
    run: async ({ db, me }, { params, body }) => {
      await recordExam(db, me, params.id, body.result, body.note);
      return { result: body.result };
    },
  }),
  command({
    name: 'targeting.rules',
    summary: 'Rules, every version, with how often each fired on examined shipments and how often those were hits',
    tags,
    method: 'GET',
    path: '/targeting/rules',
    response: { 200: T.Rules },
    errors: [403],
    run: ({ store, me }) => {
      // The targeting method (codes, transshipment points, weights) is for government users, as the queue is.
      if (!me.government || me.roles.includes('partner'))
        throw new TargetingError('targeting rules are for government users', 403);
      return store.read(me, (tx) => ruleHitRates(tx));
    },
  }),
  command({
    name: 'targeting.edit',
    summary: 'Edit a rule (admin): a new version; the old is kept',
    tags,
    method: 'PUT',
    path: '/targeting/rules/:code',
    response: { 200: T.RuleVersion },
    errors: [403],
    params: Type.Object({ code: Type.String({ maxLength: 60 }) }),
    body: Edit,
    run: ({ db, me }, { params, body }) => editRule(db, me, params.code, body),
  }),
  command({
    name: 'targeting.rescore',
    summary: 'Score every shipment again with the active rules (admin)',
    tags,
    method: 'POST',
    path: '/targeting/rescore',
    response: { 200: Type.Object({ scored: Type.Integer() }) },
    permission: 'manageUsers',
    cli: { format: (out, io) => io.out(`${(out as { scored: number }).scored} shipment(s) scored`) },
    run: async ({ db, me }) => {
      const scored = await rescoreAll(db);
      await audit(db, { actor: me.username, action: 'targeting.rescore', details: { scored } });
      return { scored };
    },
  }),
  command({
    name: 'pre-export.notify',
    summary: 'File a pre-export notification for a precursor shipment (1988 Convention art. 12(10)(a))',
    tags,
    method: 'POST',
    path: '/pre-export',
    response: { 201: T.PreExportFiled },
    errors: [403, 422],
    body: Pen,
    status: 201,
    run: ({ db, me }, { body }) => filePreExport(db, me, body),
  }),
  command({
    name: 'pre-export.list',
    summary: 'Notifications your agency filed or your country must answer',
    tags,
    method: 'GET',
    path: '/pre-export',
    response: { 200: T.PreExports },
    run: ({ db, me }) => listPreExport(db, me),
  }),
  command({
    name: 'pre-export.respond',
    summary: 'The importing side acknowledges, clears or objects; an objection holds the shipment',
    tags,
    method: 'POST',
    path: '/pre-export/:id/respond',
    response: { 200: T.Responded },
    errors: [403, 409],
    params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
    body: Respond,
    run: ({ db, me }, { params, body }) => respondPreExport(db, me, params.id, body.decision, body.note),
  }),
];

// Shipment targeting API: the exam queue, exam results, rules (data, versioned) with their hit rates.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Store } from '../../store/store.js';
import { audit } from '../../store/audit.js';
import { assertMay } from '../../domain/users.js';
import { principal } from '../server.js';
import { targetingQueue, recordExam, ruleHitRates, editRule, scoreShipments } from '../../targeting/score.js';

export async function registerTargetingRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const tags = ['targeting'];
  const db = store.db;
  app.get('/targeting/queue', { schema: { tags, querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }) }), summary: 'Highest-risk shipments awaiting exam, with the reasons' } }, async (req) => {
    const me = principal(req);
    const out = await targetingQueue(db, me, (req.query as { limit: number }).limit);
    await audit(db, { actor: me.username, action: 'targeting.queue', details: { count: out.length } });
    return out;
  });
  const Exam = Type.Object({ result: Type.Union([Type.Literal('hit'), Type.Literal('no hit'), Type.Literal('seized')]), note: Type.Optional(Type.String({ maxLength: 4000 })) }, { additionalProperties: false });
  app.post('/targeting/shipments/:id/exam', { schema: { tags, params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }), body: Exam, summary: 'Record the exam result' } }, async (req) => {
    const b = req.body as Static<typeof Exam>;
    await recordExam(db, principal(req), (req.params as { id: string }).id, b.result, b.note);
    return { result: b.result };
  });
  app.get('/targeting/rules', { schema: { tags, summary: 'Rules, every version, with how often each fired on examined shipments and how often those were hits' } }, async () => ruleHitRates(db));
  const Edit = Type.Object({ name: Type.Optional(Type.String({ minLength: 3, maxLength: 300 })), params: Type.Optional(Type.Record(Type.String(), Type.Unknown())), weight: Type.Optional(Type.Number()), active: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
  app.put('/targeting/rules/:code', { schema: { tags, params: Type.Object({ code: Type.String({ maxLength: 60 }) }), body: Edit, summary: 'Edit a rule (admin): a new version; the old is kept' } }, async (req) =>
    editRule(db, principal(req), (req.params as { code: string }).code, req.body as Static<typeof Edit>));
  app.post('/targeting/rescore', { schema: { tags, summary: 'Score every shipment again with the active rules (admin)' } }, async (req) => {
    const me = principal(req);
    assertMay(me, 'manageUsers');
    const ids = (await db.query<{ id: string }>("SELECT id FROM entities WHERE schema = 'Shipment'")).map((r) => r.id);
    let scored = 0;
    for (let i = 0; i < ids.length; i += 1000) scored += (await scoreShipments(db, ids.slice(i, i + 1000))).length;
    await audit(db, { actor: me.username, action: 'targeting.rescore', details: { scored } });
    return { scored };
  });
}

// Deconfliction API: cases and their targets, planned operations, conflicts seen
// from each side (own content, the other side's pointer), the watch-center queue,
// the figures it reports, and notifications as a server-sent-event stream.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Store } from '../../store/store.js';
import { audit, appendAudit } from '../../store/audit.js';
import { assertMay } from '../../domain/users.js';
import { HttpError, principal } from '../server.js';
import { TARGET_KINDS } from '../../deconflict/keys.js';
import {
  createCase,
  listCases,
  closeCase,
  registerTargets,
  conflictsFor,
  acknowledgeConflict,
} from '../../deconflict/targets.js';
import {
  OPERATION_TYPES,
  OUTCOMES,
  submitOperation,
  operationConflictsFor,
  acknowledgeOperationConflict,
  approveExigent,
  watchQueue,
  claimEscalation,
  resolveEscalation,
  deconflictionMetrics,
  setSetting,
  settings,
} from '../../deconflict/events.js';
import {
  newWebhookSecret,
  notificationsAfter,
  type NotificationHub,
  type NotificationRow,
} from '../../notify/notifications.js';

const S = (max = 200, min = 1) => Type.String({ minLength: min, maxLength: max });
const Phone = Type.String({ minLength: 5, maxLength: 40, pattern: '^[+0-9 ()./-]+$' });
const Target = Type.Object(
  {
    kind: Type.Union(TARGET_KINDS.map((k) => Type.Literal(k))),
    value: S(300),
    birthDate: Type.Optional(Type.String({ pattern: '^\\d{4}(-\\d{2}(-\\d{2})?)?$' })),
    country: Type.Optional(S(10, 2)),
    service: Type.Optional(S(40)),
  },
  { additionalProperties: false },
);
export const CaseBody = Type.Object(
  { caseNumber: S(60), title: S(300), contactName: S(120), contactPhone: Phone },
  { additionalProperties: false },
);
export const TargetsBody = Type.Object(
  { targets: Type.Array(Target, { minItems: 1, maxItems: 500 }) },
  { additionalProperties: false },
);
const IdParam = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Point = Type.Object(
  {
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lon: Type.Number({ minimum: -180, maximum: 180 }),
    radiusM: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 50_000 })),
  },
  { additionalProperties: false },
);
const Polygon = Type.Object(
  {
    polygon: Type.Array(
      Type.Tuple([Type.Number({ minimum: -90, maximum: 90 }), Type.Number({ minimum: -180, maximum: 180 })]),
      { minItems: 3, maxItems: 200 },
    ),
  },
  { additionalProperties: false },
);
export const OperationBody = Type.Object(
  {
    type: Type.Union(OPERATION_TYPES.map((t) => Type.Literal(t))),
    title: S(300),
    caseId: Type.Optional(Type.Integer({ minimum: 1 })),
    location: Type.Union([Point, Polygon]),
    startsAt: Type.String({ minLength: 10, maxLength: 40, description: 'ISO 8601 date-time' }),
    endsAt: Type.String({ minLength: 10, maxLength: 40, description: 'ISO 8601 date-time' }),
    contactName: S(120),
    contactPhone: Phone,
    targets: Type.Optional(Type.Array(Target, { maxItems: 100 })),
    exigent: Type.Optional(Type.Object({ reason: S(2000) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
const Resolve = Type.Object(
  { outcome: Type.Union(OUTCOMES.map((o) => Type.Literal(o))), note: S(2000) },
  { additionalProperties: false },
);
const OpenQ = Type.Object({ open: Type.Optional(Type.Boolean()) }, { additionalProperties: false });

export async function registerDeconflictionRoutes(
  app: FastifyInstance,
  store: Store,
  hub: NotificationHub,
): Promise<void> {
  const db = store.db;
  const tags = ['deconfliction'];

  app.post(
    '/cases',
    {
      schema: { tags, body: CaseBody, summary: "Open a case (your agency's); you are its owner and point of contact" },
    },
    async (req, reply) =>
      reply.code(201).send(await createCase(db, principal(req), req.body as Static<typeof CaseBody>)),
  );
  app.get('/cases', { schema: { tags, summary: "Your agency's cases" } }, async (req) => listCases(db, principal(req)));
  app.post(
    '/cases/:id/close',
    { schema: { tags, params: IdParam, summary: 'Close a case: its targets stop matching' } },
    async (req) => {
      await closeCase(db, principal(req), (req.params as { id: number }).id);
      return { status: 'closed' };
    },
  );
  app.post(
    '/cases/:id/targets',
    {
      schema: {
        tags,
        params: IdParam,
        body: TargetsBody,
        summary: 'Register targets; answers with the conflicts found (pointer-only on the other side)',
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(
          await registerTargets(
            db,
            principal(req),
            (req.params as { id: number }).id,
            (req.body as Static<typeof TargetsBody>).targets,
          ),
        ),
  );

  app.get(
    '/deconfliction/targets',
    {
      schema: {
        tags,
        querystring: OpenQ,
        summary: "Target conflicts of your agency's cases: your target, the other side's pointer",
      },
    },
    async (req) => {
      const me = principal(req);
      const out = await conflictsFor(db, me, { openOnly: (req.query as Static<typeof OpenQ>).open });
      await audit(db, { actor: me.username, action: 'deconfliction.target.read', details: { count: out.length } });
      return out;
    },
  );
  app.post(
    '/deconfliction/targets/:id/ack',
    { schema: { tags, params: IdParam, summary: 'Acknowledge a target conflict (you have made contact)' } },
    async (req) => {
      await acknowledgeConflict(db, principal(req), (req.params as { id: number }).id);
      return { acknowledged: true };
    },
  );

  app.post(
    '/operations',
    {
      // Each answer says whether a conflict exists; a bound on operations per user per hour keeps
      // that from being used to search out another agency's operation with many small probes.
      config: {
        rateLimit: {
          max: Number(process.env.CHOKEPOINT_OPERATIONS_PER_HOUR ?? 60),
          timeWindow: '1 hour',
          hook: 'preHandler',
          keyGenerator: (req) => `operations:${req.principal?.username ?? req.ip}`,
        },
      },
      schema: {
        tags,
        body: OperationBody,
        summary: 'Submit a planned operation: "accepted" or "accepted with conflict", in this response',
      },
    },
    async (req, reply) =>
      reply.code(201).send(await submitOperation(db, principal(req), req.body as Static<typeof OperationBody>)),
  );
  app.get('/operations', { schema: { tags, summary: "Your agency's operations" } }, async (req) => {
    const me = principal(req);
    return db.query(
      `SELECT id, type, title, case_id AS "caseId", lat, lon, radius_m AS "radiusM", polygon, starts_at AS "startsAt", ends_at AS "endsAt", contact_name AS "contactName",
      contact_phone AS "contactPhone", status, exigent, exigent_reason AS "exigentReason" FROM operations WHERE agency = $1 ORDER BY starts_at DESC LIMIT 500`,
      [me.agency],
    );
  });
  app.post(
    '/operations/:id/approve',
    { schema: { tags, params: IdParam, summary: 'A supervisor signs off an exigent entry' } },
    async (req) => {
      await approveExigent(db, principal(req), (req.params as { id: number }).id);
      return { status: 'planned' };
    },
  );
  app.get(
    '/deconfliction/operations',
    {
      schema: {
        tags,
        querystring: OpenQ,
        summary: "Operation conflicts of your agency: your operation, the other side's pointer",
      },
    },
    async (req) => {
      const me = principal(req);
      const out = await operationConflictsFor(db, me, { openOnly: (req.query as Static<typeof OpenQ>).open });
      await audit(db, { actor: me.username, action: 'deconfliction.event.read', details: { count: out.length } });
      return out;
    },
  );
  app.post(
    '/deconfliction/operations/:id/ack',
    { schema: { tags, params: IdParam, summary: 'Acknowledge an operation conflict' } },
    async (req) => {
      await acknowledgeOperationConflict(db, principal(req), (req.params as { id: number }).id);
      return { acknowledged: true };
    },
  );
  app.get(
    '/deconfliction/metrics',
    {
      schema: {
        tags,
        querystring: Type.Object({ days: Type.Integer({ minimum: 1, maximum: 3650, default: 30 }) }),
        summary: 'What the watch center reports',
      },
    },
    async (req) => deconflictionMetrics(db, principal(req), (req.query as { days: number }).days),
  );
  app.get(
    '/deconfliction/settings',
    { schema: { tags, summary: 'Buffer, escalation delay and radius per operation type' } },
    async () => settings(db),
  );
  app.put(
    '/deconfliction/settings/:key',
    {
      schema: {
        tags,
        params: Type.Object({ key: S(60) }),
        body: Type.Object({ value: Type.Number() }, { additionalProperties: false }),
      },
    },
    async (req) => {
      await setSetting(db, principal(req), (req.params as { key: string }).key, (req.body as { value: number }).value);
      return settings(db);
    },
  );

  app.get(
    '/watch-center/queue',
    {
      schema: {
        tags,
        querystring: Type.Object({ all: Type.Optional(Type.Boolean()) }),
        summary: "Escalated conflicts, with both sides' contacts",
      },
    },
    async (req) => watchQueue(db, principal(req), { includeResolved: (req.query as { all?: boolean }).all }),
  );
  app.post('/watch-center/:id/claim', { schema: { tags, params: IdParam } }, async (req) => {
    await claimEscalation(db, principal(req), (req.params as { id: number }).id);
    return { claimed: true };
  });
  app.post('/watch-center/:id/resolve', { schema: { tags, params: IdParam, body: Resolve } }, async (req) => {
    const b = req.body as Static<typeof Resolve>;
    await resolveEscalation(db, principal(req), (req.params as { id: number }).id, b.outcome, b.note);
    return { outcome: b.outcome };
  });

  // Server-sent events: the notifications for this user and their agency, as they are committed.
  app.get(
    '/notifications/stream',
    { schema: { tags: ['notifications'], summary: 'Server-sent events: your notifications as they happen' } },
    async (req, reply) => {
      const me = principal(req);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(': connected\n\n');
      const sent = new Set<number>();
      const write = (n: NotificationRow): void => {
        if (sent.has(n.id)) return;
        sent.add(n.id);
        res.write(
          `id: ${n.id}\nevent: ${n.kind}\ndata: ${JSON.stringify({ id: n.id, at: n.at, kind: n.kind, message: n.message, ref: n.ref, payload: n.payload })}\n\n`,
        );
      };
      // A reconnecting client (EventSource sends Last-Event-ID) first gets what it
      // missed; live ones that arrive meanwhile wait, so none is lost or sent twice.
      const lastId = Number(req.headers['last-event-id']);
      let held: NotificationRow[] | undefined = Number.isSafeInteger(lastId) && lastId > 0 ? [] : undefined;
      const unsubscribe = hub.subscribe(me, (n) => (held ? held.push(n) : write(n)));
      if (held) {
        for (const n of [...(await notificationsAfter(db, me, lastId)), ...held]) write(n);
        held = undefined;
      }
      const beat = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
      req.raw.on('close', () => {
        clearInterval(beat);
        unsubscribe();
      });
      await audit(db, { actor: me.username, action: 'notifications.stream' });
    },
  );

  app.post(
    '/admin/webhooks',
    {
      schema: {
        tags: ['notifications'],
        body: Type.Object(
          { agency: S(20), url: Type.String({ maxLength: 2000, pattern: '^https?://[^\\s]+$' }) },
          { additionalProperties: false },
        ),
        summary: 'Add a webhook for an agency; the signing secret is shown once',
      },
    },
    async (req, reply) => {
      const me = principal(req);
      assertMay(me, 'manageWebhooks');
      const b = req.body as { agency: string; url: string };
      const secret = newWebhookSecret();
      const row = await db.transaction(async (tx) => {
        const [a] = await tx.query('SELECT 1 FROM agencies WHERE code = $1', [b.agency]);
        if (!a) throw new HttpError(400, `unknown agency ${b.agency}`);
        const [w] = await tx.query<{ id: number }>(
          'INSERT INTO webhooks (agency, url, secret) VALUES ($1, $2, $3) RETURNING id',
          [b.agency, b.url, secret],
        );
        await appendAudit(tx, {
          actor: me.username,
          action: 'webhook.add',
          target: `webhook:${w!.id}`,
          details: { agency: b.agency, url: b.url },
        });
        return w!;
      });
      return reply.code(201).send({
        id: row.id,
        agency: b.agency,
        url: b.url,
        secret,
        signature: 'header x-chokepoint-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>',
      });
    },
  );
  app.get('/admin/webhooks', { schema: { tags: ['notifications'] } }, async (req) => {
    assertMay(principal(req), 'manageWebhooks');
    return db.query(`SELECT w.id, w.agency, w.url, w.active, count(d.*) FILTER (WHERE d.status = 'delivered')::int AS delivered, count(d.*) FILTER (WHERE d.status = 'failed')::int AS failed
      FROM webhooks w LEFT JOIN webhook_deliveries d ON d.webhook_id = w.id GROUP BY w.id ORDER BY w.id`);
  });
}

// The notification stream (server-sent events: HTTP only, so not a command) and the
// agencies' webhooks. The deconfliction commands are in src/commands/deconflict.ts.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Store } from '../../store/store.js';
import { audit, appendAudit } from '../../store/audit.js';
import { assertMay } from '../../domain/users.js';
import { HttpError, principal } from '../server.js';
import {
  newWebhookSecret,
  notificationsAfter,
  type NotificationHub,
  type NotificationRow,
} from '../../notify/notifications.js';

const S = (max = 200, min = 1) => Type.String({ minLength: min, maxLength: max });

export async function registerDeconflictionRoutes(
  app: FastifyInstance,
  store: Store,
  hub: NotificationHub,
): Promise<void> {
  const db = store.db;
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

// The notification stream: server-sent events, HTTP only, so not a command. The
// deconfliction commands are in src/commands/deconflict.ts, the webhooks' in src/commands/admin.ts.
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.js';
import { audit } from '../../store/audit.js';
import { principal } from '../server.js';
import { errorAnswer } from '../openapi.js';
import { notificationsAfter, type NotificationHub, type NotificationRow } from '../../notify/notifications.js';

export async function registerDeconflictionRoutes(
  app: FastifyInstance,
  store: Store,
  hub: NotificationHub,
): Promise<void> {
  const db = store.db;
  // Server-sent events: the notifications for this user and their agency, as they are committed.
  app.get(
    '/notifications/stream',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Server-sent events: your notifications as they happen',
        description:
          'Each event is `id: <id>`, `event: <kind>` and `data: <JSON of the notification>`; send Last-Event-ID to get what was missed.',
        operationId: 'notifications.stream',
        response: {
          200: {
            description: 'An event stream that stays open',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          401: errorAnswer(401),
          429: errorAnswer(429),
          503: errorAnswer(503),
        },
      },
    },
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
}

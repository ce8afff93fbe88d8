// Notifications: written in the same transaction as what caused them (so none is
// lost and none is sent for a rolled-back change), announced on commit through
// LISTEN/NOTIFY, then fanned out to open server-sent-event streams and to each
// agency's webhooks. The payload is a pointer, never case content (pointer.ts).
import { createHmac, randomBytes } from 'node:crypto';
import type { Database, Sql } from '../store/db.js';
import { asReader } from '../store/access.js';
import { appendAudit } from '../store/audit.js';
import { StatusError } from '../domain/errors.js';
import type { ReaderAccess } from '../domain/markings.js';

export interface NotificationInput {
  agency: string;
  /** One user (e.g. a case owner); null for everyone of the agency. */
  userId?: number | null;
  kind: string;
  message: string;
  ref?: string | null;
  payload?: Record<string, unknown>;
  /** Sent at most once per key: resuming interrupted work must not tell anyone twice. */
  dedupeKey?: string;
  /**
   * The interned marking of what the message, ref and payload quote. A reader who may
   * not read it is shown `pointer` instead (who holds the record), never the content.
   */
  markingId?: number;
  /** Required with a marking: the pointer-only message (names no value or id of the marked content). */
  pointer?: string;
}

/** Who reads notifications: their access, and their id (notifications addressed to them). */
export type Addressee = ReaderAccess & { id: number };

export interface NotificationRow {
  id: number;
  at: string;
  agency: string;
  user_id: number | null;
  kind: string;
  message: string;
  ref: string | null;
  payload: Record<string, unknown> | null;
}

/** Returns the notification's id, or null when one with the same dedupe key was sent already. */
export async function notify(tx: Sql, n: NotificationInput): Promise<number | null> {
  if (n.markingId !== undefined && !n.pointer)
    throw new Error(`notification ${n.kind}: a marked notification needs its pointer-only form`);
  const [row] = await tx.query<{ id: number }>(
    `INSERT INTO notifications (agency, user_id, kind, message, ref, payload, dedupe_key, marking_id, pointer) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING RETURNING id`,
    [
      n.agency,
      n.userId ?? null,
      n.kind,
      n.message,
      n.ref ?? null,
      n.payload ? JSON.stringify(n.payload) : null,
      n.dedupeKey ?? null,
      n.markingId ?? null,
      n.pointer ?? null,
    ],
  );
  return row?.id ?? null;
}

// Read under cp_reader: the policy keeps rows addressed to the reader (their agency, and
// them or all of it); a marked row's content is shown only when its marking is readable
// by the same readable_markings view as statements, else its pointer.
const CONTENT = 'marking_id IS NULL OR marking_id IN (SELECT id FROM readable_markings)';
const COLUMNS = `id, at, agency, user_id, kind,
  CASE WHEN ${CONTENT} THEN message ELSE pointer END AS message,
  CASE WHEN ${CONTENT} THEN ref END AS ref,
  CASE WHEN ${CONTENT} THEN payload END AS payload`;

type Listener = (n: NotificationRow) => void;

/** A user's notifications, newest first: those for their agency and those addressed to them. */
export async function notificationsFor(
  db: Database,
  me: Addressee,
  limit = 200,
): Promise<{ id: number; at: string; kind: string; message: string; ref: string | null; read_at: string | null }[]> {
  return asReader(db, me, (tx) =>
    tx.query(
      `SELECT id, at, kind, message, ref, read_at FROM (SELECT ${COLUMNS}, read_at FROM notifications) n ORDER BY at DESC LIMIT $1`,
      [limit],
    ),
  );
}

/** What a reconnecting stream missed: this user's and their agency's notifications after `afterId`, oldest first. */
export async function notificationsAfter(
  db: Database,
  me: Addressee,
  afterId: number,
  limit = 1000,
): Promise<NotificationRow[]> {
  return asReader(db, me, (tx) =>
    tx.query(`SELECT ${COLUMNS} FROM notifications WHERE id > $1 ORDER BY id LIMIT $2`, [afterId, limit]),
  );
}

/** Signature header value: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">` (as Stripe-style receivers expect). */
export function signWebhook(secret: string, body: string, t = Math.floor(Date.now() / 1000)): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64url')}`;
}

/** Adds a webhook for an agency, audited with it; its signing secret is in this answer only. */
export async function addWebhook(
  db: Database,
  actor: string,
  agency: string,
  url: string,
): Promise<{ id: number; secret: string }> {
  const secret = newWebhookSecret();
  return db.transaction(async (tx) => {
    const [a] = await tx.query('SELECT 1 FROM agencies WHERE code = $1', [agency]);
    if (!a) throw new StatusError(`unknown agency ${agency}`, 400);
    const [w] = await tx.query<{ id: number }>(
      'INSERT INTO webhooks (agency, url, secret) VALUES ($1, $2, $3) RETURNING id',
      [agency, url, secret],
    );
    await appendAudit(tx, {
      actor,
      action: 'webhook.add',
      target: `webhook:${w!.id}`,
      details: { agency, url },
    });
    return { id: w!.id, secret };
  });
}

/** Every agency's webhooks, with how many notifications each has delivered and failed to. */
export async function listWebhooks(
  db: Sql,
): Promise<{ id: number; agency: string; url: string; active: boolean; delivered: number; failed: number }[]> {
  return db.query(`SELECT w.id, w.agency, w.url, w.active, count(d.*) FILTER (WHERE d.status = 'delivered')::int AS delivered, count(d.*) FILTER (WHERE d.status = 'failed')::int AS failed
      FROM webhooks w LEFT JOIN webhook_deliveries d ON d.webhook_id = w.id GROUP BY w.id ORDER BY w.id`);
}

const RETRY_MS = [0, 1000, 5000, 30_000, 120_000];

/**
 * One per server process: listens for committed notifications, hands each to the
 * subscribers it concerns (SSE streams) and posts it to the agency's webhooks,
 * retrying with back-off and recording every attempt.
 */
export class NotificationHub {
  private readonly listeners = new Set<{ who: Addressee; fn: Listener }>();
  private unlisten?: () => Promise<void>;
  private readonly pending = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly opts: { fetch?: typeof fetch } = {},
  ) {}

  /** Ids this process has handed out, so a catch-up after reconnecting repeats none. */
  private readonly seen = new Set<number>();
  private highest = 0;

  async start(): Promise<void> {
    const [row] = await this.db.query<{ highest: number }>('SELECT coalesce(max(id), 0) AS highest FROM notifications');
    this.highest = row?.highest ?? 0;
    this.unlisten = await this.db.listen(
      'cp_notifications',
      (payload) => this.track(this.dispatch(Number(payload))),
      () => this.track(this.catchUp()),
    );
  }

  private track(p: Promise<void>): void {
    const q = p.catch((e) => console.error(`notifications: ${(e as Error).message}`));
    this.pending.add(q);
    void q.finally(() => this.pending.delete(q));
  }

  /** After the database connection came back: what was committed while nobody here listened. */
  private async catchUp(): Promise<void> {
    const missed = await this.db.query<{ id: number }>(
      'SELECT id FROM notifications WHERE id > $1 ORDER BY id LIMIT 10000',
      [this.highest],
    );
    for (const m of missed) await this.dispatch(m.id);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.unlisten?.();
    await Promise.allSettled([...this.pending]);
  }

  /** Called for every notification to this user or to their whole agency, as that user may read it. */
  subscribe(who: Addressee, fn: Listener): () => void {
    const l = { who, fn };
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private async dispatch(id: number): Promise<void> {
    if (this.seen.has(id)) return;
    this.seen.add(id);
    this.highest = Math.max(this.highest, id);
    if (this.seen.size > 20_000) for (const old of [...this.seen].slice(0, 10_000)) this.seen.delete(old);
    const [n] = await this.db.query<NotificationRow & { marking_id: number | null; pointer: string | null }>(
      'SELECT id, at, agency, user_id, kind, message, ref, payload, marking_id, pointer FROM notifications WHERE id = $1',
      [id],
    );
    if (!n) return;
    // Each stream gets the notification as its own reader reads it (the same query as GET /notifications).
    for (const l of this.listeners) {
      if (l.who.agency !== n.agency || (n.user_id !== null && n.user_id !== l.who.id)) continue;
      const [mine] = await asReader(this.db, l.who, (tx) =>
        tx.query<NotificationRow>(`SELECT ${COLUMNS} FROM notifications WHERE id = $1`, [id]),
      );
      if (mine) l.fn(mine);
    }
    await this.db.query(
      'UPDATE notifications SET dispatched_at = clock_timestamp() WHERE id = $1 AND dispatched_at IS NULL',
      [n.id],
    );
    const hooks = await this.db.query<{ id: number; url: string; secret: string }>(
      'SELECT id, url, secret FROM webhooks WHERE agency = $1 AND active',
      [n.agency],
    );
    // A webhook is an agency's system, not a reader: a marked notification reaches it as its pointer only.
    const sent: NotificationRow =
      n.marking_id === null ? n : { ...n, message: n.pointer ?? '', ref: null, payload: null };
    await Promise.all(hooks.map((h) => this.deliver(h, sent)));
  }

  private async deliver(h: { id: number; url: string; secret: string }, n: NotificationRow): Promise<void> {
    const body = JSON.stringify({
      id: n.id,
      at: n.at,
      agency: n.agency,
      kind: n.kind,
      message: n.message,
      ref: n.ref,
      payload: n.payload,
    });
    // Every server process hears every notification; the one whose row this is delivers it, so a
    // webhook gets each notification once however many processes run.
    const claimed = await this.db.query(
      'INSERT INTO webhook_deliveries (webhook_id, notification_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING webhook_id',
      [h.id, n.id],
    );
    if (!claimed.length) return;
    let lastError = '';
    for (let attempt = 0; attempt < RETRY_MS.length && !this.stopped; attempt++) {
      if (RETRY_MS[attempt]) await new Promise((r) => setTimeout(r, RETRY_MS[attempt]));
      try {
        const res = await (this.opts.fetch ?? fetch)(h.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-chokepoint-signature': signWebhook(h.secret, body),
            'x-chokepoint-delivery': `${h.id}-${n.id}`,
          },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        if (res.ok) {
          await this.db.query(
            "UPDATE webhook_deliveries SET status = 'delivered', attempts = $3, delivered_at = now(), last_error = NULL WHERE webhook_id = $1 AND notification_id = $2",
            [h.id, n.id, attempt + 1],
          );
          return;
        }
        lastError = `HTTP ${res.status}`;
      } catch (e) {
        lastError = (e as Error).message;
      }
      await this.db.query(
        'UPDATE webhook_deliveries SET attempts = $3, last_error = $4 WHERE webhook_id = $1 AND notification_id = $2',
        [h.id, n.id, attempt + 1, lastError],
      );
    }
    await this.db.query(
      "UPDATE webhook_deliveries SET status = 'failed' WHERE webhook_id = $1 AND notification_id = $2",
      [h.id, n.id],
    );
  }
}

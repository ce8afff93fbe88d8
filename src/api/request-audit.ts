// One audit entry for every API request, written in one place so no route can forget
// it: who (the signed-in user, or 'anonymous'), from where (client ip), what (method,
// route pattern, concrete path, ids, query without secrets), why (the `purpose` query
// parameter or the X-Purpose header) and the outcome (status, and the error's class).
// Refusals are logged too: 401, 403, 404, 429 and load-shedding 503s.
//
// A handler's own audit(...) calls (reads such as entity.read) do not write separate
// entries: they name the request's entry (action, target, details) and get the request
// fields added. A write's entries appended in its own transaction stand for a request
// that succeeded, so no second, generic entry is written for it; a write that failed
// rolled its entries back and gets the generic entry with its error.
//
// The entry is committed before the response leaves (onSend awaits it): an answered
// request is never missing from the log. If it cannot be written, the answer is
// withheld and replaced by a 503. Only 5xx answers (which carry no data) do not wait:
// their entry is queued, and a failure to write it is reported on stderr. Entries of
// concurrent requests share one transaction (AuditQueue's group commit), so the hash
// chain costs one head lock per batch, not per read.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../store/db.js';
import { auditQueue, auditScope, type AuditEntry } from '../store/audit.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** This request's audit state; set by the first hook of all. */
    auditState?: RequestAuditState;
  }
  interface FastifyContextConfig {
    /** false: not audited (the web app's static files, /health, /openapi.json: no data, no identity). */
    audit?: boolean;
  }
}

interface RequestAuditState {
  notes: AuditEntry[];
  /** Entries the handler appended in transactions of its own. */
  appended: number;
  /** The error's class (and code), for a request that failed. */
  error?: string;
  /** The entry is written (or the answer went out without onSend: a hijacked stream). */
  done: boolean;
}

/** Query parameters whose values are never logged. */
const SECRET = /pass|secret|token|credential|signature|auth/i;
const MAX_TEXT = 300;

const short = (v: unknown): unknown =>
  typeof v === 'string'
    ? v.length > MAX_TEXT
      ? `${v.slice(0, MAX_TEXT)}…`
      : v
    : Array.isArray(v)
      ? v.slice(0, 20).map(short)
      : v && typeof v === 'object'
        ? JSON.stringify(v).slice(0, MAX_TEXT)
        : v;

function redacted(q: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!q || typeof q !== 'object') return out;
  for (const [k, v] of Object.entries(q).slice(0, 50)) out[k] = SECRET.test(k) ? '[redacted]' : short(v);
  return out;
}

/** Why the data is read: `purpose` in the query (the API's convention) or the X-Purpose header. */
function purposeOf(req: FastifyRequest): string | null {
  const q = (req.query as Record<string, unknown> | undefined)?.purpose;
  const h = req.headers['x-purpose'];
  const p = typeof q === 'string' && q ? q : typeof h === 'string' && h ? h : null;
  return p === null ? null : p.slice(0, 500);
}

export function errorClass(err: Error & { code?: string }): string {
  const name = err.constructor?.name && err.constructor.name !== 'Error' ? err.constructor.name : err.name;
  return err.code && err.code !== name ? `${name} ${err.code}` : name;
}

/** The request's entries: the handler's notes, or one generic 'api.request', each with the request's fields. */
function entriesOf(req: FastifyRequest, reply: FastifyReply, s: RequestAuditState): AuditEntry[] {
  const path = req.url.split('?')[0]!;
  const http = {
    method: req.method,
    route: req.routeOptions.url ?? null,
    path,
    params: redacted(req.params),
    query: redacted(req.query),
    ip: req.ip,
    status: reply.statusCode,
    ...(s.error ? { error: s.error } : {}),
  };
  const actor = req.principal?.username ?? 'anonymous';
  const purpose = purposeOf(req);
  const notes = s.notes.length ? s.notes : [{ actor, action: 'api.request', target: path }];
  return notes.map((n) => ({ ...n, purpose: n.purpose ?? purpose, details: { ...n.details, http } }));
}

/** Registers the hooks; call before any route is added, so that every route's handler runs in a scope. */
export function registerRequestAudit(app: FastifyInstance, db: Database): void {
  const queue = auditQueue(db);
  const stateOf = (req: FastifyRequest): RequestAuditState =>
    (req.auditState ??= { notes: [], appended: 0, done: false });

  app.addHook('onRequest', async (req) => {
    stateOf(req);
  });
  app.addHook('onError', async (req, _reply, err) => {
    stateOf(req).error = errorClass(err);
  });

  // Every handler runs inside its request's scope, so audit() and appendAudit() called
  // anywhere below it (store, capabilities) reach this request.
  app.addHook('onRoute', (route) => {
    if (route.config?.audit === false) return;
    const handler = route.handler;
    route.handler = function (this: FastifyInstance, req, reply) {
      const s = stateOf(req);
      return auditScope.run(
        {
          db,
          defer: (e) => !reply.sent && !reply.raw.headersSent && !s.done && !!s.notes.push(e),
          appended: () => {
            s.appended++;
          },
        },
        () => handler.call(this, req, reply),
      );
    };
  });

  app.addHook('onSend', async (req, reply, payload) => {
    if (req.routeOptions.config?.audit === false) return payload;
    const s = stateOf(req);
    if (s.done) return payload;
    s.done = true;
    // A write that succeeded is recorded by the entries it committed with its data.
    if (!s.notes.length && s.appended > 0 && reply.statusCode < 400) return payload;
    const entries = entriesOf(req, reply, s);
    // A server-side failure (database down, disk full, load shed) answers no data, and waiting
    // on the database for its entry would slow exactly the answers that must be quick: queued, not awaited.
    if (reply.statusCode >= 500) {
      queue
        .append(entries)
        .catch((err: Error) =>
          console.error(
            `audit entry of ${req.method} ${entries[0]!.target} (${reply.statusCode}) lost: ${err.message}`,
          ),
        );
      return payload;
    }
    try {
      await queue.append(entries);
      return payload;
    } catch (err) {
      req.log.error(err);
      reply
        .code(503)
        .header('retry-after', '2')
        .header('content-type', 'application/json; charset=utf-8')
        .removeHeader('content-disposition');
      return JSON.stringify({
        error: 'the audit log could not be written, so the answer is withheld; try again shortly',
      });
    }
  });
}

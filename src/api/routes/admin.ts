import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Store } from '../../store/store.js';
import { verifyAudit, audit } from '../../store/audit.js';
import { purgeExpired, renewRecord, reviewQueue } from '../../store/retention.js';
import { createUser, listUsers } from '../../store/users.js';
import { assertMay, ROLES, type Role } from '../../domain/users.js';
import { CLASSIFICATIONS, type Classification } from '../../domain/markings.js';
import { principal } from '../server.js';

const AuditQ = Type.Object(
  {
    after: Type.Integer({ minimum: 0, default: 0 }),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
    actor: Type.Optional(Type.String({ maxLength: 64 })),
    action: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
const Renew = Type.Object(
  { justification: Type.String({ minLength: 1, maxLength: 4000 }) },
  { additionalProperties: false },
);
const NewUser = Type.Object(
  {
    username: Type.String({ maxLength: 64 }),
    displayName: Type.Optional(Type.String({ maxLength: 200 })),
    password: Type.String({ minLength: 12, maxLength: 256 }),
    agency: Type.String({ maxLength: 32 }),
    clearance: Type.Union(CLASSIFICATIONS.map((c) => Type.Literal(c))),
    roles: Type.Array(Type.Union(ROLES.map((r) => Type.Literal(r))), { minItems: 1 }),
    groups: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 50 })),
  },
  { additionalProperties: false },
);

export async function registerAdminRoutes(app: FastifyInstance, store: Store): Promise<void> {
  app.get(
    '/audit',
    { schema: { tags: ['audit'], querystring: AuditQ, summary: 'Audit log entries (admin)' } },
    async (req) => {
      const me = principal(req);
      assertMay(me, 'audit');
      const q = req.query as Static<typeof AuditQ>;
      const rows = await store.db.query(
        `SELECT seq, at, actor, action, target, purpose, details, hash FROM audit_log
        WHERE seq > $1 AND ($3::text IS NULL OR actor = $3) AND ($4::text IS NULL OR action = $4) ORDER BY seq LIMIT $2`,
        [q.after, q.limit, q.actor ?? null, q.action ?? null],
      );
      await audit(store.db, { actor: me.username, action: 'audit.read', details: { ...q } });
      return rows;
    },
  );

  app.get(
    '/audit/verify',
    { schema: { tags: ['audit'], summary: 'Verify the hash chain of the audit log (admin)' } },
    async (req) => {
      const me = principal(req);
      assertMay(me, 'audit');
      const r = await verifyAudit(store.db);
      await audit(store.db, { actor: me.username, action: 'audit.verify', details: { ok: r.ok, entries: r.entries } });
      return r;
    },
  );

  app.get(
    '/admin/after-write',
    {
      schema: {
        tags: ['system'],
        summary: 'After-write work still queued (admin): left by a process that stopped after its commit, or failing',
      },
    },
    async (req) => {
      assertMay(principal(req), 'manageUsers');
      const jobs = await store.db.query<{
        id: number;
        entities: number;
        actor: string;
        queued_at: string;
        attempts: number;
        last_error: string | null;
      }>(
        'SELECT id, cardinality(entity_ids) AS entities, actor, queued_at, attempts, last_error FROM after_write_queue ORDER BY id LIMIT 100',
      );
      return { queued: jobs.length, jobs };
    },
  );

  app.get(
    '/retention/review',
    {
      schema: {
        tags: ['retention'],
        querystring: Type.Object({ days: Type.Integer({ minimum: 0, maximum: 3650, default: 30 }) }),
        summary: 'Intelligence records due for review',
      },
    },
    async (req) => {
      const me = principal(req);
      const due = await reviewQueue(store.db, me, (req.query as { days: number }).days);
      await audit(store.db, { actor: me.username, action: 'retention.review_queue', details: { count: due.length } });
      return due;
    },
  );

  app.post(
    '/retention/records/:id/renew',
    {
      schema: {
        tags: ['retention'],
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        body: Renew,
        summary: 'Renew a record for up to five years, with a new justification',
      },
    },
    async (req) =>
      renewRecord(
        store.db,
        principal(req),
        (req.params as { id: number }).id,
        (req.body as Static<typeof Renew>).justification,
      ),
  );

  app.post(
    '/retention/purge',
    { schema: { tags: ['retention'], summary: 'Purge intelligence records past their review date (admin)' } },
    async (req) => purgeExpired(store.db, principal(req)),
  );

  app.get('/users', { schema: { tags: ['users'], summary: 'Users (admin)' } }, async (req) => {
    const me = principal(req);
    assertMay(me, 'manageUsers');
    await audit(store.db, { actor: me.username, action: 'users.list' });
    return listUsers(store.db);
  });

  app.post(
    '/users',
    { schema: { tags: ['users'], body: NewUser, summary: 'Create a local user (admin)' } },
    async (req, reply) => {
      const me = principal(req);
      assertMay(me, 'manageUsers');
      const b = req.body as Static<typeof NewUser>;
      const u = await createUser(store.db, {
        ...b,
        clearance: b.clearance as Classification,
        roles: b.roles as Role[],
      });
      await audit(store.db, {
        actor: me.username,
        action: 'users.create',
        target: u.username,
        details: { agency: u.agency, clearance: u.clearance, roles: u.roles },
      });
      return reply.code(201).send(u);
    },
  );
}

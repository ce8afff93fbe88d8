// Administration as a signed-in user: the audit log and its chain, the after-write
// queue, retention (28 CFR Part 23: review, renewal, purge), local users and the
// agencies' webhooks. The operator's commands on the data directory (`audit verify`,
// `retention review|purge`, `users add|list`, in src/cli/main.ts) do the same as the
// system, so these take other words: `audit check`, `records due|renew|purge`, `admin
// users|add-user`. (Not under `retention`: its own options, such as --days, would take
// those of a command beneath it.)
import { Type } from '@sinclair/typebox';
import { verifyAudit, audit, auditEntries } from '../store/audit.js';
import { queuedAfterWrites } from '../store/after-write.js';
import { purgeExpired, renewRecord, reviewQueue } from '../store/retention.js';
import { createUser, listUsers } from '../store/users.js';
import { addWebhook, listWebhooks } from '../notify/notifications.js';
import { ROLES, type Role } from '../domain/users.js';
import { CLASSIFICATIONS, type Classification } from '../domain/markings.js';
import { command, type Command, countedRead } from './command.js';
import { S } from './schemas.js';
import { passwordStdin } from './auth.js';
import * as A from './answers/admin.js';

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
const NewWebhook = Type.Object(
  { agency: S(20), url: Type.String({ maxLength: 2000, pattern: '^https?://[^\\s]+$' }) },
  { additionalProperties: false },
);

/** The CLI groups these commands make, with their help lines. */
export const GROUPS: Record<string, string> = {
  admin: "an admin's work as a signed-in user: users, webhooks, the after-write queue",
  audit: 'audit log',
};

export const COMMANDS: Command[] = [
  command({
    name: 'audit.log',
    summary: 'Audit log entries (admin)',
    tags: ['audit'],
    method: 'GET',
    path: '/audit',
    response: { 200: A.AuditEntries },
    query: AuditQ,
    permission: 'audit',
    run: async ({ db, me }, { query }) => {
      const rows = await auditEntries(db, query);
      await audit(db, { actor: me.username, action: 'audit.read', details: { ...query } });
      return rows;
    },
  }),
  command({
    name: 'audit.verify',
    summary: 'Verify the hash chain of the audit log (admin)',
    tags: ['audit'],
    method: 'GET',
    path: '/audit/verify',
    response: { 200: A.AuditVerified },
    permission: 'audit',
    // `audit verify` is the operator's (as the system, with --expect-head).
    cli: { path: ['audit', 'check'] },
    run: async ({ db, me }) => {
      const r = await verifyAudit(db);
      await audit(db, { actor: me.username, action: 'audit.verify', details: { ok: r.ok, entries: r.entries } });
      return r;
    },
  }),
  command({
    name: 'admin.after-write',
    summary: 'After-write work still queued (admin): left by a process that stopped after its commit, or failing',
    tags: ['system'],
    method: 'GET',
    path: '/admin/after-write',
    response: { 200: A.AfterWrites },
    permission: 'manageUsers',
    run: async ({ db }) => {
      const jobs = await queuedAfterWrites(db);
      return { queued: jobs.length, jobs };
    },
  }),
  command({
    name: 'retention.review',
    summary: 'Intelligence records due for review',
    tags: ['retention'],
    method: 'GET',
    path: '/retention/review',
    response: { 200: A.DueRecords },
    query: Type.Object({ days: Type.Integer({ minimum: 0, maximum: 3650, default: 30 }) }),
    permission: 'retentionReview',
    cli: { path: ['records', 'due'] },
    run: async ({ db, me }, { query }) =>
      countedRead(db, me, 'retention.review_queue', await reviewQueue(db, me, query.days)),
  }),
  command({
    name: 'retention.renew',
    summary: 'Renew a record for up to five years, with a new justification',
    tags: ['retention'],
    method: 'POST',
    path: '/retention/records/:id/renew',
    response: { 200: A.Renewed },
    params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
    body: Renew,
    permission: 'retentionReview',
    cli: { path: ['records', 'renew'] },
    run: ({ db, me }, { params, body }) => renewRecord(db, me, params.id, body.justification),
  }),
  command({
    name: 'retention.purge',
    summary: 'Purge intelligence records past their review date (admin)',
    tags: ['retention'],
    method: 'POST',
    path: '/retention/purge',
    response: { 200: A.Purged },
    permission: 'retentionPurge',
    cli: { path: ['records', 'purge'] },
    run: ({ db, me }) => purgeExpired(db, me),
  }),
  command({
    name: 'admin.users',
    summary: 'Users (admin)',
    tags: ['users'],
    method: 'GET',
    path: '/users',
    response: { 200: Type.Array(A.User) },
    permission: 'manageUsers',
    run: async ({ db, me }) => {
      await audit(db, { actor: me.username, action: 'users.list' });
      return listUsers(db);
    },
  }),
  command({
    name: 'admin.add-user',
    summary: 'Create a local user (admin)',
    tags: ['users'],
    method: 'POST',
    path: '/users',
    response: { 201: A.User },
    errors: [409],
    body: NewUser,
    status: 201,
    permission: 'manageUsers',
    cli: {
      options: [
        {
          flags: '--roles <list>',
          description: `comma-separated: ${ROLES.join(', ')}`,
          into: (v, input) => {
            input.body = {
              ...(input.body as object),
              roles: String(v)
                .split(',')
                .map((r) => r.trim()),
            };
          },
        },
        passwordStdin,
      ],
    },
    run: async ({ db, me }, { body }) => {
      const u = await createUser(db, {
        ...body,
        clearance: body.clearance as Classification,
        roles: body.roles as Role[],
      });
      await audit(db, {
        actor: me.username,
        action: 'users.create',
        target: u.username,
        details: { agency: u.agency, clearance: u.clearance, roles: u.roles },
      });
      return u;
    },
  }),
  command({
    name: 'admin.add-webhook',
    summary: 'Add a webhook for an agency; the signing secret is shown once',
    tags: ['notifications'],
    method: 'POST',
    path: '/admin/webhooks',
    response: { 201: A.NewWebhook },
    body: NewWebhook,
    status: 201,
    permission: 'manageWebhooks',
    run: async ({ db, me }, { body }) => {
      const { id, secret } = await addWebhook(db, me.username, body.agency, body.url);
      return {
        id,
        agency: body.agency,
        url: body.url,
        secret,
        signature: 'header x-chokepoint-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>',
      };
    },
  }),
  command({
    name: 'admin.webhooks',
    summary: "The agencies' webhooks, with their deliveries and failures",
    tags: ['notifications'],
    method: 'GET',
    path: '/admin/webhooks',
    response: { 200: A.Webhooks },
    permission: 'manageWebhooks',
    run: ({ db }) => listWebhooks(db),
  }),
];

// The answers of sign-in and tokens (src/commands/auth.ts), records in and out
// (data.ts), and administration (admin.ts).
import { Type } from '@sinclair/typebox';
import { ROLES } from '../../domain/users.js';
import { CLASSIFICATIONS } from '../../domain/markings.js';

import { FieldError, named, Nullable, Timestamp } from './shared.js';

const literals = <T extends string>(xs: readonly T[]) => Type.Union(xs.map((x) => Type.Literal(x)));

export const User = named(
  'User',
  Type.Object(
    {
      id: Type.Integer(),
      username: Type.String(),
      displayName: Type.String(),
      agency: Type.String(),
      country: Type.String({ description: 'ISO 3166 alpha-3 of the agency' }),
      clearance: literals(CLASSIFICATIONS),
      roles: Type.Array(literals(ROLES)),
      groups: Type.Array(Type.String({ description: 'need-to-know groups' })),
      lawEnforcement: Type.Boolean({ description: 'the agency may read LES' }),
      government: Type.Boolean({ description: 'the agency may read FOUO' }),
    },
    { description: 'A user and the access the store filters by' },
  ),
);

export const Session = Type.Object({ token: Type.String(), expiresAt: Timestamp(), user: User });
export const LoggedOut = Type.Object({ ok: Type.Literal(true), revoked: Type.Integer() });
export const NewToken = Type.Object({
  token: Type.String({ description: 'the secret: shown this once' }),
  expiresAt: Timestamp(),
});
export const Tokens = Type.Array(
  Type.Object({
    id: Type.String(),
    kind: Type.Union([Type.Literal('session'), Type.Literal('api')]),
    label: Nullable(Type.String()),
    createdAt: Timestamp(),
    lastUsedAt: Nullable(Timestamp()),
    expiresAt: Timestamp(),
    current: Type.Boolean({ description: 'the token this request came with' }),
  }),
);
export const Revoked = Type.Object({ revoked: Type.String() });

export const ImportReport = Type.Object(
  {
    mode: Type.Union([Type.Literal('atomic'), Type.Literal('skip')]),
    read: Type.Integer({ description: 'records read' }),
    rejected: Type.Integer(),
    errors: Type.Array(FieldError),
    seconds: Type.Number(),
    inserted: Type.Integer({ description: 'records new' }),
    updated: Type.Integer({ description: 'records replaced by a corrected version' }),
    unchanged: Type.Integer(),
    entities: Type.Integer(),
    statements: Type.Integer(),
    ids: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'entity ids written under another id than given (your namespace), by the id given',
      }),
    ),
    notMapped: Type.Optional(
      Type.Record(Type.String(), Type.Integer(), {
        description: 'what the files held that has no place in the model (not imported), by kind',
      }),
    ),
    leftUndone: Type.Optional(
      Type.Array(
        Type.Object({
          step: Type.String({ description: 'what follows a write, e.g. "cross-referencing"' }),
          entities: Type.Integer({ description: 'how many of the written entities it was not done for' }),
          reason: Type.Union(
            [Type.Literal('skipped'), Type.Literal('limit'), Type.Literal('failed'), Type.Literal('queued')],
            {
              description:
                'skipped: the import asked for none; limit: the import was larger than the step is done for (shipment scoring: at most 50,000 entities); failed: an error, logged on the server; queued: the database was out of reach, and the work stays queued to be done later',
            },
          ),
          redo: Type.Optional(Type.String({ description: 'the command that does it' })),
        }),
        {
          description:
            'what follows the write and was not done for some of what was written (only when there was some)',
        },
      ),
    ),
  },
  { description: 'What the import wrote and what it rejected' },
);

export const Notification = named(
  'Notification',
  Type.Object({
    id: Type.Integer(),
    at: Timestamp(),
    kind: Type.String(),
    message: Type.String(),
    ref: Nullable(Type.String()),
    read_at: Nullable(Timestamp()),
  }),
);

export const Stats = Type.Object({
  bySchema: Type.Record(Type.String(), Type.Integer(), { description: 'entities by schema' }),
  seizuresByMonth: Type.Array(
    Type.Object({ month: Type.String(), drug: Type.String(), events: Type.Integer(), kg: Type.Number() }),
  ),
  cbpPublished: Type.Array(
    Type.Object({
      fy: Type.Integer(),
      drug_type: Type.String(),
      events: Type.Integer(),
      lbs: Type.Number(),
      partial: Type.Boolean({ description: 'the year was still running when CBP published it (FYTD)' }),
    }),
  ),
});

export const AuditEntries = Type.Array(
  Type.Object({
    seq: Type.Integer(),
    at: Timestamp(),
    actor: Type.String(),
    action: Type.String(),
    target: Nullable(Type.String()),
    purpose: Nullable(Type.String()),
    details: Type.String({ description: 'JSON text, as hashed' }),
    hash: Type.String(),
  }),
);

export const AuditVerified = Type.Object({
  ok: Type.Boolean(),
  entries: Type.Integer(),
  head: Type.Object({ seq: Type.Integer(), hash: Type.String() }, { description: 'record it elsewhere' }),
  problems: Type.Array(Type.String()),
});

export const AfterWrites = Type.Object({
  queued: Type.Integer(),
  jobs: Type.Array(
    Type.Object({
      id: Type.Integer(),
      entities: Type.Integer(),
      actor: Type.String(),
      queued_at: Timestamp(),
      attempts: Type.Integer(),
      last_error: Nullable(Type.String()),
    }),
  ),
});

export const DueRecords = Type.Array(
  Type.Object({
    id: Type.Integer(),
    source: Type.String(),
    sourceRecordId: Type.String(),
    reviewBy: Type.String(),
    reportDate: Nullable(Type.String()),
    overdue: Type.Boolean(),
  }),
);
export const Renewed = Type.Object({ reviewBy: Type.String() });
export const Purged = Type.Object({
  purged: Type.Array(
    Type.Object({
      source: Type.String(),
      sourceRecordId: Type.String(),
      notified: Type.Array(Type.String(), { description: 'agencies that had received it, now told' }),
    }),
  ),
});

export const NewWebhook = Type.Object({
  id: Type.Integer(),
  agency: Type.String(),
  url: Type.String(),
  secret: Type.String({ description: 'the signing secret: shown this once' }),
  signature: Type.String({ description: 'how deliveries are signed' }),
});
export const Webhooks = Type.Array(
  Type.Object({
    id: Type.Integer(),
    agency: Type.String(),
    url: Type.String(),
    active: Type.Boolean(),
    delivered: Type.Integer(),
    failed: Type.Integer(),
  }),
);

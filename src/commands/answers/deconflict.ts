// The answers of deconfliction (src/commands/deconflict.ts) and federation (registry.ts):
// each side sees its own case or operation, and of the other side only a pointer.
import { Type } from '@sinclair/typebox';
import { named, Nullable, Timestamp } from './shared.js';

export const Pointer = named(
  'Pointer',
  Type.Object(
    { agency: Type.String(), agencyName: Type.String(), contactName: Type.String(), contactPhone: Type.String() },
    { description: 'Whom to call on the other side: nothing of their case or operation' },
  ),
);

export const Case = named(
  'Case',
  Type.Object({
    id: Type.Integer(),
    agency: Type.String(),
    caseNumber: Type.String(),
    title: Type.String(),
    ownerId: Type.Integer(),
    contactName: Type.String(),
    contactPhone: Type.String(),
    status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  }),
);

export const TargetConflict = named(
  'TargetConflict',
  Type.Object({
    id: Type.Integer(),
    basis: Type.String({ description: 'what matched (kind of key)' }),
    createdAt: Timestamp(),
    yourCase: Type.Object({ id: Type.Integer(), caseNumber: Type.String(), title: Type.String() }),
    yourTarget: Type.Object({ id: Type.Integer(), kind: Type.String(), value: Type.String() }),
    other: Pointer,
    acknowledgedByYou: Type.Boolean(),
    acknowledgedByThem: Type.Boolean(),
  }),
);

export const OperationConflict = named(
  'OperationConflict',
  Type.Object({
    id: Type.Integer(),
    reason: Type.Union([Type.Literal('time and place'), Type.Literal('shared target')]),
    distanceM: Type.Null({ description: 'never given to either side: only the watch center sees places' }),
    overlap: Nullable(Type.Object({ start: Timestamp(), end: Timestamp() })),
    yourOperation: Type.Object({ id: Type.Integer(), type: Type.String(), title: Type.String() }),
    other: Pointer,
    acknowledgedByYou: Type.Boolean(),
    acknowledgedByThem: Type.Boolean(),
    escalatedAt: Nullable(Timestamp()),
    outcome: Nullable(Type.String()),
  }),
);

export const Registered = Type.Object({
  targets: Type.Array(
    Type.Object({ id: Type.Integer(), kind: Type.String(), value: Type.String(), keys: Type.Array(Type.String()) }),
  ),
  conflicts: Type.Array(TargetConflict),
});

export const Submitted = Type.Object({
  status: Type.Union([
    Type.Literal('accepted'),
    Type.Literal('accepted with conflict'),
    Type.Literal('pending approval'),
  ]),
  operationId: Type.Integer(),
  conflicts: Type.Array(OperationConflict),
});

export const Operation = Type.Object({
  id: Type.Integer(),
  type: Type.String(),
  title: Type.String(),
  caseId: Nullable(Type.Integer()),
  lat: Type.Number(),
  lon: Type.Number(),
  radiusM: Type.Number(),
  polygon: Nullable(Type.Array(Type.Array(Type.Number(), { description: '[lat, lon]' }))),
  startsAt: Timestamp(),
  endsAt: Timestamp(),
  contactName: Type.String(),
  contactPhone: Type.String(),
  status: Type.String(),
  exigent: Type.Boolean(),
  exigentReason: Nullable(Type.String()),
});

export const Metrics = Type.Object({
  sinceDays: Type.Integer(),
  operationsEntered: Type.Integer(),
  exigentEntries: Type.Integer(),
  operationConflicts: Type.Integer(),
  escalated: Type.Integer(),
  resolvedByWatchCenter: Type.Integer(),
  acknowledgementSecondsP50: Nullable(Type.Number()),
  targetConflicts: Type.Integer(),
  notificationLatencyMs: Type.Object({
    p50: Nullable(Type.Number()),
    p99: Nullable(Type.Number()),
    notifications: Type.Integer(),
  }),
});

export const Settings = Type.Object({
  bufferMinutes: Type.Number(),
  escalateAfterMinutes: Type.Number(),
  radius: Type.Record(Type.String(), Type.Number(), { description: 'metres, by operation type' }),
});

export const WatchItem = Type.Object({
  id: Type.Integer(),
  reason: Type.String(),
  escalatedAt: Timestamp(),
  claimedBy: Nullable(Type.String()),
  outcome: Nullable(Type.String()),
  sides: Type.Array(
    Type.Object({
      ...Pointer.properties,
      type: Type.String(),
      startsAt: Timestamp(),
      endsAt: Timestamp(),
      acknowledged: Type.Boolean(),
    }),
  ),
});

export const EntityCases = Type.Array(
  Type.Object({
    caseId: Type.Integer(),
    caseNumber: Type.String(),
    title: Type.String(),
    targetKind: Type.String(),
    targetValue: Type.String(),
  }),
);

export const PeerPointer = named(
  'PeerPointer',
  Type.Object({ ...Pointer.properties, instance: Type.String(), basis: Type.String() }),
);
export const NewPeer = Type.Object({
  id: Type.Integer(),
  inboundToken: Type.String({ description: 'the token the peer must present: shown this once' }),
});
export const Peers = Type.Array(
  Type.Object({ id: Type.Integer(), name: Type.String(), url: Type.String(), active: Type.Boolean() }),
);
export const Federated = Type.Array(
  Type.Object({
    peer: Type.String(),
    pointers: Type.Array(PeerPointer),
    error: Type.Optional(Type.String({ description: 'why this peer did not answer' })),
  }),
);

// The answers of the registries: pill presses (src/commands/presses.ts), task forces
// (registry.ts) and the partner exchange (exchange.ts).
import { Type } from '@sinclair/typebox';
import { Banner, Nullable, Timestamp } from './shared.js';

export const Created = Type.Object({ id: Type.Integer() });

const pressFields = {
  id: Type.Integer(),
  kind: Type.String(),
  make: Type.String(),
  model: Type.String(),
  serial: Type.String(),
  owner: Type.String(),
  country: Type.String(),
  status: Type.String({ description: 'registered, reported stolen, reported missing, exported, destroyed or seized' }),
};
export const Presses = Type.Array(Type.Object(pressFields));
export const PressHistory = Type.Object({
  ...pressFields,
  location: Type.String(),
  agency: Type.String(),
  registeredAt: Timestamp(),
  events: Type.Array(
    Type.Object({
      kind: Type.String(),
      at: Timestamp(),
      fromOwner: Nullable(Type.String()),
      toOwner: Nullable(Type.String()),
      country: Nullable(Type.String()),
      note: Nullable(Type.String()),
      record: Nullable(Type.String({ description: 'SOURCE/record id, where the store saw it' })),
      entityId: Nullable(Type.String()),
      actor: Type.String(),
    }),
  ),
  alerts: Type.Array(
    Type.Object({
      kind: Type.String(),
      at: Timestamp(),
      entityId: Type.String(),
      record: Nullable(Type.String()),
      message: Type.String(),
    }),
  ),
});
export const PressAlerts = Type.Array(
  Type.Object({
    id: Type.Integer(),
    at: Timestamp(),
    kind: Type.String({ description: 'unregistered, registered to someone else, reported stolen or missing' }),
    serial: Type.String(),
    pressId: Nullable(Type.Integer()),
    entityId: Type.String(),
    record: Nullable(Type.String()),
    message: Type.String(),
  }),
);

export const TaskForces = Type.Array(
  Type.Object({
    id: Type.Integer(),
    name: Type.String(),
    kind: Type.String(),
    purpose: Type.String(),
    goals: Type.Array(Type.String()),
    leadAgency: Type.String(),
    memberAgencies: Type.Array(Type.String()),
    geography: Type.Array(Type.String()),
    focus: Type.Array(Type.String()),
    targets: Type.Integer({ description: 'how many targets it registered' }),
  }),
);
export const Duplication = Type.Array(
  Type.Object({
    a: Type.Object({ id: Type.Integer(), name: Type.String() }),
    b: Type.Object({ id: Type.Integer(), name: Type.String() }),
    score: Type.Number(),
    sharedGeography: Type.Array(Type.String()),
    sharedFocus: Type.Array(Type.String()),
    sharedTargets: Type.Integer(),
    sharedAgencies: Type.Array(Type.String()),
  }),
);

export const ReportReceived = Type.Object({ reference: Type.String(), status: Type.String() });
export const PartnerReports = Type.Array(
  Type.Object({
    reference: Type.String(),
    agency: Type.String(),
    kind: Type.String(),
    summary: Type.String(),
    status: Type.String(),
    feedback: Nullable(Type.String()),
    submittedAt: Timestamp(),
    updatedAt: Timestamp(),
  }),
);

export const Incidents = Type.Object({
  format: Type.String({ description: 'chokepoint-incident/1' }),
  generated: Timestamp(),
  releasableTo: Type.String(),
  incidents: Type.Array(
    Type.Object({
      id: Type.String(),
      type: Type.String(),
      when: Nullable(Type.String()),
      where: Nullable(Type.String()),
      what: Type.Object({
        substance: Nullable(Type.String()),
        drugType: Nullable(Type.String()),
        weightKg: Nullable(Type.Number()),
        pillCount: Nullable(Type.Number()),
      }),
      concealment: Nullable(Type.String()),
      route: Nullable(
        Type.Object({
          origin: Nullable(Type.String()),
          transshipment: Nullable(Type.String()),
          destination: Nullable(Type.String()),
          legs: Nullable(Type.String()),
          mode: Nullable(Type.String()),
        }),
      ),
      reportedBy: Type.Array(Type.String()),
      marking: Banner,
    }),
  ),
});

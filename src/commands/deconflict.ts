// Deconfliction: cases and their targets, planned operations, conflicts seen from each
// side (own content, the other side's pointer), the watch-center queue and the figures
// it reports. (The notifications stream is HTTP-only: src/api/routes/deconflict.ts.)
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { TARGET_KINDS } from '../deconflict/keys.js';
import {
  createCase,
  listCases,
  closeCase,
  registerTargets,
  conflictsFor,
  acknowledgeConflict,
} from '../deconflict/targets.js';
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
  listOperations,
} from '../deconflict/events.js';
import { command, type CliOption, type Command, countedRead } from './command.js';
import { S, IdParam } from './schemas.js';
import { StatusError } from '../domain/errors.js';
import * as A from './answers/deconflict.js';

const Phone = Type.String({ minLength: 5, maxLength: 40, pattern: '^[+0-9 ()./-]+$' });
export const Target = Type.Object(
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
const OpenQ = Type.Object(
  { open: Type.Optional(Type.Boolean({ description: 'only those not acknowledged by both sides' })) },
  { additionalProperties: false },
);

/** "kind=value[,birthDate=…][,country=…]" as a target. */
export function parseTarget(v: string): unknown {
  const [head, ...rest] = v.split(',');
  const [kind, ...value] = head!.split('=');
  const t: Record<string, string> = { kind: kind!, value: value.join('=') };
  for (const kv of rest) {
    const [k, ...x] = kv.split('=');
    t[k!] = x.join('=');
  }
  const errors = [...Value.Errors(Target, t)].slice(0, 3);
  if (errors.length) throw new StatusError(`--target ${v}: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
  return t;
}

/** `--target kind=value,...` (repeatable), added to the body's targets. */
export const targetOption: CliOption = {
  flags: '--target <kind=value,...>',
  description: 'repeatable, e.g. phone=+526671234567 or person=José García,birthDate=1984-03-09',
  repeatable: true,
  into: (values, input) => {
    const body = (input.body ?? {}) as { targets?: unknown[] };
    body.targets = [...(body.targets ?? []), ...(values as string[]).map(parseTarget)];
    input.body = body;
  },
};

const tags = ['deconfliction'];

/** The CLI groups these commands make, with their help lines. */
export const GROUPS: Record<string, string> = {
  case: 'cases and their targets (target deconfliction)',
  deconflict: 'conflicts seen from each side, their acknowledgement, settings and figures',
  operation: 'planned operations (event deconfliction)',
  'watch-center': 'the 24/7 watch center: escalated conflicts',
};

export const COMMANDS: Command[] = [
  command({
    name: 'case.open',
    permission: 'manageCases',
    summary: "Open a case (your agency's); you are its owner and point of contact",
    tags,
    method: 'POST',
    path: '/cases',
    response: { 201: A.Case },
    errors: [409],
    body: CaseBody,
    status: 201,
    run: ({ db, me }, { body }) => createCase(db, me, body),
  }),
  command({
    name: 'case.list',
    summary: "Your agency's cases",
    tags,
    method: 'GET',
    path: '/cases',
    response: { 200: Type.Array(A.Case) },
    run: ({ db, me }) => listCases(db, me),
  }),
  command({
    name: 'case.close',
    permission: 'manageCases',
    summary: 'Close a case: its targets stop matching',
    tags,
    method: 'POST',
    path: '/cases/:id/close',
    response: { 200: Type.Object({ status: Type.Literal('closed') }) },
    params: IdParam,
    run: async ({ db, me }, { params }) => {
      await closeCase(db, me, params.id);
      return { status: 'closed' as const };
    },
  }),
  command({
    name: 'case.targets',
    permission: 'manageCases',
    summary: 'Register targets; answers with the conflicts found (pointer-only on the other side)',
    tags,
    method: 'POST',
    path: '/cases/:id/targets',
    response: { 201: A.Registered },
    errors: [409],
    params: IdParam,
    body: TargetsBody,
    status: 201,
    cli: { options: [targetOption] },
    run: ({ db, me }, { params, body }) => registerTargets(db, me, params.id, body.targets),
  }),
  command({
    name: 'deconflict.targets',
    summary: "Target conflicts of your agency's cases: your target, the other side's pointer",
    tags,
    method: 'GET',
    path: '/deconfliction/targets',
    response: { 200: Type.Array(A.TargetConflict) },
    query: OpenQ,
    run: async ({ db, me }, { query }) =>
      countedRead(db, me, 'deconfliction.target.read', await conflictsFor(db, me, { openOnly: query.open })),
  }),
  command({
    name: 'deconflict.ack-target',
    summary: 'Acknowledge a target conflict (you have made contact)',
    tags,
    method: 'POST',
    path: '/deconfliction/targets/:id/ack',
    response: { 200: Type.Object({ acknowledged: Type.Literal(true) }) },
    errors: [403],
    params: IdParam,
    run: async ({ db, me }, { params }) => {
      await acknowledgeConflict(db, me, params.id);
      return { acknowledged: true as const };
    },
  }),
  command({
    name: 'operation.submit',
    permission: 'planOperations',
    summary: 'Submit a planned operation: "accepted" or "accepted with conflict", in this response',
    tags,
    method: 'POST',
    path: '/operations',
    response: { 201: A.Submitted },
    body: OperationBody,
    status: 201,
    // Each answer says whether a conflict exists; a bound on operations per user per hour keeps
    // that from being used to search out another agency's operation with many small probes.
    // (The CLI acts on the data directory itself, whose holder may read everything anyway.)
    http: {
      config: {
        rateLimit: {
          max: Number(process.env.CHOKEPOINT_OPERATIONS_PER_HOUR ?? 60),
          timeWindow: '1 hour',
          hook: 'preHandler',
          keyGenerator: (req: { principal?: { username: string }; ip: string }) =>
            `operations:${req.principal?.username ?? req.ip}`,
        },
      },
    },
    run: ({ db, me }, { body }) => submitOperation(db, me, body),
  }),
  command({
    name: 'operation.list',
    summary: "Your agency's operations",
    tags,
    method: 'GET',
    path: '/operations',
    response: { 200: Type.Array(A.Operation) },
    run: ({ db, me }) => listOperations(db, me),
  }),
  command({
    name: 'operation.approve',
    permission: 'approveExigent',
    summary: 'A supervisor signs off an exigent entry',
    tags,
    method: 'POST',
    path: '/operations/:id/approve',
    response: { 200: Type.Object({ status: Type.Literal('planned') }) },
    errors: [409],
    params: IdParam,
    run: async ({ db, me }, { params }) => {
      await approveExigent(db, me, params.id);
      return { status: 'planned' as const };
    },
  }),
  command({
    name: 'deconflict.operations',
    summary: "Operation conflicts of your agency: your operation, the other side's pointer",
    tags,
    method: 'GET',
    path: '/deconfliction/operations',
    response: { 200: Type.Array(A.OperationConflict) },
    query: OpenQ,
    run: async ({ db, me }, { query }) =>
      countedRead(db, me, 'deconfliction.event.read', await operationConflictsFor(db, me, { openOnly: query.open })),
  }),
  command({
    name: 'deconflict.ack-operation',
    summary: 'Acknowledge an operation conflict',
    tags,
    method: 'POST',
    path: '/deconfliction/operations/:id/ack',
    response: { 200: Type.Object({ acknowledged: Type.Literal(true) }) },
    errors: [403],
    params: IdParam,
    run: async ({ db, me }, { params }) => {
      await acknowledgeOperationConflict(db, me, params.id);
      return { acknowledged: true as const };
    },
  }),
  command({
    name: 'deconflict.metrics',
    permission: 'seeAllConflicts',
    summary: 'What the watch center reports',
    tags,
    method: 'GET',
    path: '/deconfliction/metrics',
    response: { 200: A.Metrics },
    query: Type.Object({ days: Type.Integer({ minimum: 1, maximum: 3650, default: 30 }) }),
    run: ({ db, me }, { query }) => deconflictionMetrics(db, me, query.days),
  }),
  command({
    name: 'deconflict.settings',
    summary: 'Buffer, escalation delay and radius per operation type',
    tags,
    method: 'GET',
    path: '/deconfliction/settings',
    response: { 200: A.Settings },
    run: ({ db }) => settings(db),
  }),
  command({
    name: 'deconflict.set',
    permission: 'watchCenter',
    summary: 'Change one deconfliction setting',
    tags,
    method: 'PUT',
    path: '/deconfliction/settings/:key',
    response: { 200: A.Settings },
    params: Type.Object({ key: S(60) }),
    body: Type.Object({ value: Type.Number() }, { additionalProperties: false }),
    run: async ({ db, me }, { params, body }) => {
      await setSetting(db, me, params.key, body.value);
      return settings(db);
    },
  }),
  command({
    name: 'watch-center.queue',
    permission: 'watchCenter',
    summary: "Escalated conflicts, with both sides' contacts",
    tags,
    method: 'GET',
    path: '/watch-center/queue',
    response: { 200: Type.Array(A.WatchItem) },
    query: Type.Object({ all: Type.Optional(Type.Boolean({ description: 'resolved ones too' })) }),
    run: ({ db, me }, { query }) => watchQueue(db, me, { includeResolved: query.all }),
  }),
  command({
    name: 'watch-center.claim',
    permission: 'watchCenter',
    summary: 'Claim an escalated conflict (you work it)',
    tags,
    method: 'POST',
    path: '/watch-center/:id/claim',
    response: { 200: Type.Object({ claimed: Type.Literal(true) }) },
    errors: [409],
    params: IdParam,
    run: async ({ db, me }, { params }) => {
      await claimEscalation(db, me, params.id);
      return { claimed: true as const };
    },
  }),
  command({
    name: 'watch-center.resolve',
    permission: 'watchCenter',
    summary: 'Resolve an escalated conflict, with its outcome',
    tags,
    method: 'POST',
    path: '/watch-center/:id/resolve',
    response: { 200: Type.Object({ outcome: Type.Union(OUTCOMES.map((o) => Type.Literal(o))) }) },
    errors: [409],
    params: IdParam,
    body: Resolve,
    run: async ({ db, me }, { params, body }) => {
      await resolveEscalation(db, me, params.id, body.outcome, body.note);
      return { outcome: body.outcome };
    },
  }),
];

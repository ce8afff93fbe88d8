// The task-force registry, and federation: this instance's peers and the question
// put to all of them. (A peer's own question, authenticated by its peer token, is
// HTTP-only: src/api/routes/registry.ts.)
import { Type } from '@sinclair/typebox';
import type { Principal } from '../domain/users.js';
import {
  KINDS,
  FOCUS,
  registerTaskForce,
  listTaskForces,
  duplication,
  TaskForceError,
} from '../taskforces/registry.js';
import { addPeer, listPeers, queryPeers } from '../federation/peers.js';
import { command, type Command } from './command.js';
import { S } from './schemas.js';
import { Target, targetOption } from './deconflict.js';
import * as A from './answers/deconflict.js';
import * as R from './answers/registries.js';

export const TaskForce = Type.Object(
  {
    name: S(200),
    kind: Type.Union(KINDS.map((k) => Type.Literal(k))),
    purpose: S(4000),
    goals: Type.Optional(Type.Array(S(500), { maxItems: 20 })),
    leadAgency: S(20),
    memberAgencies: Type.Array(S(20), { maxItems: 60 }),
    geography: Type.Array(S(10, 2), { minItems: 1, maxItems: 60 }),
    focus: Type.Array(Type.Union(FOCUS.map((f) => Type.Literal(f))), { minItems: 1, maxItems: FOCUS.length }),
    targets: Type.Optional(Type.Array(Target, { maxItems: 500 })),
  },
  { additionalProperties: false },
);

// The registry of task forces (purposes, members, geography) is for government users, not private or foreign partners.
function governmentOnly(me: Principal): Principal {
  if (!me.government || me.roles.includes('partner'))
    throw new TaskForceError('the task-force registry is for government users', 403);
  return me;
}

/** The CLI groups these commands make, with their help lines. */
export const GROUPS: Record<string, string> = {
  taskforce: 'the registry of task forces, fusion cells and mission centers',
  peer: 'federation peers: the instances this one asks and answers',
};

export const COMMANDS: Command[] = [
  command({
    name: 'taskforce.add',
    summary: 'Register a task force, fusion cell or mission center',
    tags: ['task forces'],
    method: 'POST',
    path: '/task-forces',
    response: { 201: R.Created },
    errors: [409],
    body: TaskForce,
    status: 201,
    permission: 'manageTaskForces',
    // --purpose is every command's reason for the audit log; the task force's purpose comes from --file.
    cli: { omit: ['purpose'] },
    run: ({ db, me }, { body }) => registerTaskForce(db, me, body),
  }),
  command({
    name: 'taskforce.list',
    summary: 'The registered task forces, fusion cells and mission centers',
    tags: ['task forces'],
    method: 'GET',
    path: '/task-forces',
    response: { 200: R.TaskForces },
    errors: [403],
    run: ({ db, me }) => {
      governmentOnly(me);
      return listTaskForces(db);
    },
  }),
  command({
    name: 'taskforce.duplication',
    summary: 'Pairs likely to duplicate each other (geography and focus or targets), for the steering group',
    tags: ['task forces'],
    method: 'GET',
    path: '/task-forces/duplication',
    response: { 200: R.Duplication },
    errors: [403],
    // No `permission`: the government check comes first, then the capability's (manageTaskForces).
    run: ({ db, me }) => duplication(db, governmentOnly(me)),
  }),
  command({
    name: 'peer.add',
    summary: 'Add a peer instance; answers with the token it must present (shown once)',
    tags: ['federation'],
    method: 'POST',
    path: '/admin/peers',
    response: { 201: A.NewPeer },
    errors: [409],
    body: Type.Object(
      {
        name: S(60),
        url: Type.String({ maxLength: 500, pattern: '^https?://[^\\s]+$' }),
        outboundToken: S(200, 16),
      },
      { additionalProperties: false },
    ),
    status: 201,
    permission: 'manageUsers',
    run: ({ db, me }, { body }) => addPeer(db, me, body),
  }),
  command({
    name: 'peer.list',
    summary: 'The peer instances',
    tags: ['federation'],
    method: 'GET',
    path: '/admin/peers',
    response: { 200: A.Peers },
    permission: 'manageUsers',
    run: ({ db, me }) => listPeers(db, me),
  }),
  command({
    name: 'deconflict.federated',
    summary: 'Ask every peer instance whether they hold these targets',
    tags: ['federation'],
    method: 'POST',
    path: '/deconfliction/federated',
    response: { 200: A.Federated },
    body: Type.Object({ targets: Type.Array(Target, { minItems: 1, maxItems: 100 }) }, { additionalProperties: false }),
    permission: 'manageCases',
    cli: { options: [targetOption] },
    run: ({ db, me }, { body }) => queryPeers(db, me, body.targets),
  }),
];

// The pill press and die mold registry.
import { Type } from '@sinclair/typebox';
import type { Principal } from '../domain/users.js';
import { audit } from '../store/audit.js';
import {
  PRESS_KINDS,
  EVENT_KINDS,
  registerPress,
  recordPressEvent,
  pressHistory,
  findPresses,
  pressAlerts,
  RegistryError,
} from '../registry/presses.js';
import { command, type Command } from './command.js';
import { S, IdParam } from './schemas.js';
import * as R from './answers/registries.js';

export const PressBody = Type.Object(
  {
    kind: Type.Union(PRESS_KINDS.map((k) => Type.Literal(k))),
    make: S(100),
    model: S(100),
    serial: S(100),
    owner: S(300),
    location: S(300),
    country: S(2, 2),
  },
  { additionalProperties: false },
);
const EventBody = Type.Object(
  {
    kind: Type.Union(EVENT_KINDS.map((k) => Type.Literal(k))),
    toOwner: Type.Optional(S(300)),
    country: Type.Optional(S(2, 2)),
    note: Type.Optional(S(2000)),
  },
  { additionalProperties: false },
);

// The registry is for government users (chemical control, customs, police), not private partners.
// Each command checks this first (the capability then checks `write` for what it changes).
function governmentOnly(me: Principal): void {
  if (!me.government) throw new RegistryError('the press registry is for government users', 403);
}

const tags = ['registry'];

/** The CLI groups these commands make, with their help lines. */
export const GROUPS: Record<string, string> = {
  press: 'the pill press and die mold registry (government users)',
};

export const COMMANDS: Command[] = [
  command({
    name: 'press.register',
    summary: 'Register a tableting or encapsulating machine or a die mold',
    tags,
    method: 'POST',
    path: '/presses',
    response: { 201: R.Created },
    errors: [403, 409],
    body: PressBody,
    status: 201,
    run: ({ db, me }, { body }) => {
      governmentOnly(me);
      return registerPress(db, me, body);
    },
  }),
  command({
    name: 'press.find',
    summary: 'Machines with this serial',
    tags,
    method: 'GET',
    path: '/presses',
    response: { 200: R.Presses },
    errors: [403],
    query: Type.Object({ serial: S(100) }),
    run: async ({ store, db, me }, { query }) => {
      governmentOnly(me);
      await audit(db, { actor: me.username, action: 'press.search', target: query.serial });
      return store.read(me, (tx) => findPresses(tx, query.serial));
    },
  }),
  // Alerts and the sightings in a history quote records: read under the reader's access (row-level security).
  command({
    name: 'press.alerts',
    summary:
      'Machines seen in records that are unregistered, registered to someone else, or reported stolen or missing',
    tags,
    method: 'GET',
    path: '/presses/alerts',
    response: { 200: R.PressAlerts },
    errors: [403],
    run: ({ store, me }) => {
      governmentOnly(me);
      return store.read(me, (tx) => pressAlerts(tx));
    },
  }),
  command({
    name: 'press.show',
    summary: 'A machine with its history (registration, transfers, imports, exports, seizures)',
    tags,
    method: 'GET',
    path: '/presses/:id',
    response: { 200: R.PressHistory },
    errors: [403],
    params: IdParam,
    run: async ({ store, me }, { params }) => {
      governmentOnly(me);
      const h = await store.read(me, (tx) => pressHistory(tx, params.id));
      if (!h) throw new RegistryError('no such press', 404);
      return h;
    },
  }),
  command({
    name: 'press.event',
    summary: 'Record a transfer, import, export or report (stolen, missing, destroyed)',
    tags,
    method: 'POST',
    path: '/presses/:id/events',
    response: { 200: R.PressHistory },
    errors: [403],
    params: IdParam,
    body: EventBody,
    run: async ({ store, db, me }, { params, body }) => {
      governmentOnly(me);
      await recordPressEvent(db, me, params.id, body);
      const h = await store.read(me, (tx) => pressHistory(tx, params.id));
      if (!h) throw new RegistryError('no such press', 404);
      return h;
    },
  }),
];

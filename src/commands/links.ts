// Possible links between entities, for review: the list, an analyst's judgement
// (confirm, reject, undo: src/resolve/links.ts) and the merged view of an entity.
import { Type } from '@sinclair/typebox';
import { audit } from '../store/audit.js';
import { LINK_ACTIONS, LINK_STATUSES, judgeLink, listLinks, mergedEntity } from '../resolve/links.js';
import { StatusError } from '../domain/errors.js';
import { command, type Command } from './command.js';
import * as A from './answers/entities.js';

const ListQ = Type.Object(
  {
    status: Type.Optional(Type.Union(LINK_STATUSES.map((s) => Type.Literal(s)))),
    entity: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'only pairs with this entity on one side' }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: 100000, default: 0 }),
  },
  { additionalProperties: false },
);
const Decision = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);
const LinkId = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  action: Type.Union(LINK_ACTIONS.map((a) => Type.Literal(a))),
});

const tags = ['resolution'];

/** The CLI groups these commands make, with their help lines. */
export const GROUPS: Record<string, string> = {
  link: 'possible links between entities: review, confirm, reject, undo',
};

export const COMMANDS: Command[] = [
  command({
    name: 'link.list',
    summary: 'Possible links to review (only those whose two entities you may see)',
    tags,
    method: 'GET',
    path: '/links',
    response: { 200: Type.Array(A.Link) },
    query: ListQ,
    run: async ({ store, db, me }, { query }) => {
      const out = await store.read(me, (tx) => listLinks(tx, store.markings, query));
      await audit(db, {
        actor: me.username,
        action: 'links.read',
        details: { status: query.status ?? 'open', count: out.length },
      });
      return out;
    },
  }),
  command({
    name: 'link.judge',
    summary: 'confirm (merge), reject (never suggest again) or undo a judgement',
    tags,
    method: 'POST',
    path: '/links/:id/:action',
    response: { 200: A.Judged },
    errors: [409],
    params: LinkId,
    body: Decision,
    permission: 'write',
    run: ({ store, me }, { params, body }) => judgeLink(store, me, params.id, params.action, body?.reason),
  }),
  command({
    name: 'entity.merged',
    summary: 'The entity with every entity confirmed to be the same, as far as you may see them',
    tags,
    method: 'GET',
    path: '/entities/:id/merged',
    response: { 200: A.Merged },
    params: Type.Object({ id: Type.String({ maxLength: 200, pattern: '^[A-Za-z0-9][A-Za-z0-9._:+-]*$' }) }),
    run: async ({ store, db, me }, { params }) => {
      const merged = await store.read(me, (tx) => mergedEntity(tx, store.markings, params.id));
      await audit(db, {
        actor: me.username,
        action: 'entity.merged',
        target: params.id,
        details: { members: merged?.members.length ?? 0 },
      });
      if (!merged) throw new StatusError(`no entity ${params.id}`, 404);
      return merged;
    },
  }),
];

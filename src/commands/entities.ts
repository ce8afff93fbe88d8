// Entities: the model, search, one entity and the graph around it, and the facts an
// agency writes about entities (each write a new source record of the agency) or retracts.
import { randomUUID } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import '../capabilities.js';
import { entityVisible, eventsOf, getEntities, neighbourhood, searchEntities, suggestNames } from '../store/read.js';
import { writeBatch } from '../store/write.js';
import { retractFacts } from '../store/retract.js';
import { audit } from '../store/audit.js';
import type { Store } from '../store/store.js';
import { parseRecord, ValidationError } from '../ingest/record-input.js';
import { model } from '../domain/model.js';
import { assertMay, type Principal } from '../domain/users.js';
import { StatusError } from '../domain/errors.js';
import { sameAsCluster, withMerges } from '../resolve/links.js';
import { command, type Command } from './command.js';

const Id = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9][A-Za-z0-9._:+-]*$' }),
});
const Purpose = Type.Optional(
  Type.String({ maxLength: 500, description: 'Why the data is read (kept in the audit log)' }),
);
const Search = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200, description: 'Name or identifier (accents and case ignored)' })),
    schema: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 20 })),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 25 }),
    offset: Type.Integer({ minimum: 0, maximum: 10000, default: 0 }),
    purpose: Purpose,
  },
  { additionalProperties: false },
);
const Hood = Type.Object(
  {
    hops: Type.Integer({ minimum: 1, maximum: 3, default: 1 }),
    limit: Type.Integer({ minimum: 1, maximum: 2000, default: 200 }),
    purpose: Purpose,
  },
  { additionalProperties: false },
);
const MarkingT = Type.Union([Type.String({ maxLength: 300 }), Type.Object({}, { additionalProperties: true })]);
const Provenance = Type.Object(
  {
    sourceRecordId: Type.Optional(Type.String({ maxLength: 200 })),
    kind: Type.Optional(Type.String({ maxLength: 20 })),
    reportDate: Type.Optional(Type.String({ maxLength: 40 })),
    grade: Type.Optional(Type.String({ maxLength: 2 })),
    criminalBasis: Type.Optional(Type.String({ maxLength: 4000 })),
    protectedNexus: Type.Optional(Type.String({ maxLength: 4000 })),
    sensitivity: Type.Optional(Type.String({ maxLength: 20 })),
    confidence: Type.Optional(Type.String({ maxLength: 20 })),
    reviewBy: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);
const Facts = {
  properties: Type.Record(
    Type.String({ maxLength: 64 }),
    Type.Array(Type.Union([Type.String(), Type.Number()]), { maxItems: 1000 }),
  ),
  marking: MarkingT,
  propertyMarkings: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), MarkingT)),
  provenance: Type.Optional(Provenance),
};
const Create = Type.Object(
  { schema: Type.String({ maxLength: 40 }), id: Type.Optional(Type.String({ maxLength: 200 })), ...Facts },
  { additionalProperties: false },
);
const Amend = Type.Object(Facts, { additionalProperties: false });

const notFound = (id: string): StatusError => new StatusError(`no entity ${id}`, 404);

/** Writes the facts as a new source record of `me`'s agency and answers the entity as written. */
async function writeFacts(
  store: Store,
  me: Principal,
  id: string,
  schema: string,
  body: Static<typeof Amend>,
  origin: string,
) {
  assertMay(me, 'write');
  const prov = body.provenance ?? {};
  const parsed = parseRecord(
    {
      ...prov,
      sourceRecordId: prov.sourceRecordId ?? `api-${randomUUID()}`,
      marking: body.marking,
      entities: [{ id, schema, properties: body.properties, propertyMarkings: body.propertyMarkings }],
    },
    { source: me.agency, path: 'body' },
  );
  if (!parsed.record) throw new ValidationError(parsed.errors);
  const written = await writeBatch(store.db, store.markings, me, [parsed.record], { origin });
  // A new id is written under the writer's namespace (see store/write-scope.ts): read back what was written.
  const [e] = await store.read(me, (tx) => getEntities(tx, store.markings, [written.ids?.[id] ?? id]));
  return e;
}

/** The CLI groups these commands make, with their help lines. */
export const GROUPS: Record<string, string> = {
  entity: "entities: search, read, the graph around them, and your agency's facts about them",
};

export const COMMANDS: Command[] = [
  command({
    name: 'entity.search',
    summary: 'Search by name or identifier, or list by schema',
    tags: ['entities'],
    method: 'GET',
    path: '/entities',
    query: Search,
    run: async ({ store, db, me }, { query: q }) => {
      for (const s of q.schema ?? []) if (!model.get(s)) throw new StatusError(`unknown schema "${s}"`);
      const out = await store.read(me, async (tx) => {
        const hits = await searchEntities(tx, { q: q.q, schemas: q.schema, limit: q.limit, offset: q.offset });
        return { total: hits.total, results: await withMerges(tx, await getEntities(tx, store.markings, hits.ids)) };
      });
      await audit(db, {
        actor: me.username,
        action: 'entity.search',
        target: q.q ?? null,
        purpose: q.purpose,
        details: { schema: q.schema, total: out.total },
      });
      return out;
    },
  }),
  command({
    name: 'entity.suggest',
    summary: 'Name completions for a search box (only names you may read)',
    tags: ['entities'],
    method: 'GET',
    path: '/entities/suggest',
    query: Type.Object(
      { q: Type.String({ maxLength: 200 }), limit: Type.Integer({ minimum: 1, maximum: 50, default: 10 }) },
      { additionalProperties: false },
    ),
    run: async ({ store, db, me }, { query: q }) => {
      const suggestions = await store.read(me, (tx) => suggestNames(tx, q.q, q.limit));
      await audit(db, {
        actor: me.username,
        action: 'entity.suggest',
        target: q.q,
        details: { suggestions: suggestions.length },
      });
      return { suggestions };
    },
  }),
  command({
    name: 'entity.show',
    summary: 'One entity, with the entities confirmed to be the same',
    tags: ['entities'],
    method: 'GET',
    path: '/entities/:id',
    params: Id,
    query: Type.Object({ purpose: Purpose }),
    run: async ({ store, db, me }, { params: { id }, query }) => {
      const found = await store.read(me, async (tx) => {
        const [entity] = await getEntities(tx, store.markings, [id]);
        return entity && { ...entity, sameAs: (await sameAsCluster(tx, id)).filter((x) => x !== id) };
      });
      await audit(db, {
        actor: me.username,
        action: 'entity.read',
        target: id,
        purpose: query.purpose,
        details: { found: !!found },
      });
      if (!found) throw notFound(id);
      return found;
    },
  }),
  command({
    name: 'entity.neighbourhood',
    summary: 'Entities within n hops (relations and events count as edges)',
    tags: ['graph'],
    method: 'GET',
    path: '/entities/:id/neighbourhood',
    params: Id,
    query: Hood,
    run: async ({ store, db, me }, { params: { id }, query: q }) => {
      const g = await store.read(me, (tx) => neighbourhood(tx, store.markings, id, q.hops, q.limit));
      await audit(db, {
        actor: me.username,
        action: 'entity.neighbourhood',
        target: id,
        purpose: q.purpose,
        details: { hops: q.hops, nodes: g?.nodes.length ?? 0 },
      });
      if (!g) throw notFound(id);
      return g;
    },
  }),
  command({
    name: 'entity.relations',
    summary: 'Relations of an entity, with the entities at their other end',
    tags: ['graph'],
    method: 'GET',
    path: '/entities/:id/relations',
    params: Id,
    run: async ({ store, db, me }, { params: { id } }) => {
      const g = await store.read(me, (tx) => neighbourhood(tx, store.markings, id, 1, 2000));
      await audit(db, { actor: me.username, action: 'entity.relations', target: id });
      if (!g) throw notFound(id);
      return {
        edges: g.edges.filter((e) => e.source === id || e.target === id),
        entities: g.nodes.filter((n) => n.id !== id),
      };
    },
  }),
  command({
    name: 'entity.events',
    summary: 'Events (seizures, arrests, ...) that involve the entity, newest first',
    tags: ['entities'],
    method: 'GET',
    path: '/entities/:id/events',
    params: Id,
    run: async ({ store, db, me }, { params: { id } }) => {
      const out = await store.read(me, (tx) => eventsOf(tx, store.markings, id));
      await audit(db, { actor: me.username, action: 'entity.events', target: id });
      if (!out) throw notFound(id);
      return out;
    },
  }),
  command({
    name: 'entity.create',
    summary: 'Create an entity as a new source record of your agency',
    tags: ['entities'],
    method: 'POST',
    path: '/entities',
    body: Create,
    status: 201,
    permission: 'write',
    run: ({ store, me }, { body }) => {
      const id = body.id ?? `${me.agency.toLowerCase()}-${randomUUID()}`;
      return writeFacts(store, me, id, body.schema, body, 'POST /entities');
    },
  }),
  command({
    name: 'entity.amend',
    summary: 'Add facts about an entity, as a new source record of your agency',
    tags: ['entities'],
    method: 'PATCH',
    path: '/entities/:id',
    params: Id,
    body: Amend,
    // No `permission`: writeFacts checks it after the lookup (as the route did),
    // so an entity the user cannot see answers 404 whatever their role.
    run: async ({ store, me }, { params: { id }, body }) => {
      const [existing] = await store.read(me, (tx) => getEntities(tx, store.markings, [id]));
      if (!existing) throw notFound(id);
      return writeFacts(store, me, id, existing.schema, body, `PATCH /entities/${id}`);
    },
  }),
  command({
    name: 'entity.retract',
    summary: "Retract everything your agency's records say about the entity",
    tags: ['entities'],
    method: 'DELETE',
    path: '/entities/:id',
    params: Id,
    permission: 'write',
    run: async ({ store, db, me }, { params: { id } }) => {
      if (!(await store.read(me, (tx) => entityVisible(tx, id)))) throw notFound(id);
      return retractFacts(db, me, id);
    },
  }),
];

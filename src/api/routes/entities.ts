import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import type { Store } from '../../store/store.js';
import { getEntities, neighbourhood, searchEntities, suggestNames } from '../../store/read.js';
import '../../capabilities.js';
import { writeBatch } from '../../store/write.js';
import { appendAudit, audit } from '../../store/audit.js';
import { parseRecord, ValidationError } from '../../ingest/record-input.js';
import { fullyReadable } from '../../store/write-scope.js';
import { model } from '../../domain/model.js';
import { assertMay } from '../../domain/users.js';
import { HttpError, principal } from '../server.js';
import { sameAsCluster, withMerges } from './links.js';

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

export async function registerEntityRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const notFound = (id: string): HttpError => new HttpError(404, `no entity ${id}`);

  app.get(
    '/schemas',
    { schema: { tags: ['model'], summary: 'The entity model (FtM-aligned schemas and their properties)' } },
    async () =>
      model.concrete().map((s) => ({
        name: s.name,
        label: s.label,
        ftm: s.ftm,
        extends: s.extends,
        edge: s.edge,
        event: !!s.event,
        properties: model.properties(s.name),
      })),
  );

  app.get(
    '/entities',
    { schema: { tags: ['entities'], querystring: Search, summary: 'Search by name or identifier, or list by schema' } },
    async (req) => {
      const me = principal(req);
      const q = req.query as Static<typeof Search>;
      for (const s of q.schema ?? []) if (!model.get(s)) throw new HttpError(400, `unknown schema "${s}"`);
      const out = await store.read(me, async (tx) => {
        const hits = await searchEntities(tx, { q: q.q, schemas: q.schema, limit: q.limit, offset: q.offset });
        return { total: hits.total, results: await withMerges(tx, await getEntities(tx, store.markings, hits.ids)) };
      });
      await audit(store.db, {
        actor: me.username,
        action: 'entity.search',
        target: q.q ?? null,
        purpose: q.purpose,
        details: { schema: q.schema, total: out.total },
      });
      return out;
    },
  );

  app.get(
    '/entities/suggest',
    {
      schema: {
        tags: ['entities'],
        querystring: Type.Object(
          { q: Type.String({ maxLength: 200 }), limit: Type.Integer({ minimum: 1, maximum: 50, default: 10 }) },
          { additionalProperties: false },
        ),
        summary: 'Name completions for a search box (only names you may read)',
      },
    },
    async (req) => {
      const me = principal(req);
      const q = req.query as { q: string; limit: number };
      const suggestions = await store.read(me, (tx) => suggestNames(tx, q.q, q.limit));
      await audit(store.db, {
        actor: me.username,
        action: 'entity.suggest',
        target: q.q,
        details: { suggestions: suggestions.length },
      });
      return { suggestions };
    },
  );

  app.get(
    '/entities/:id',
    { schema: { tags: ['entities'], params: Id, querystring: Type.Object({ purpose: Purpose }) } },
    async (req) => {
      const me = principal(req);
      const { id } = req.params as Static<typeof Id>;
      const found = await store.read(me, async (tx) => {
        const [entity] = await getEntities(tx, store.markings, [id]);
        return entity && { ...entity, sameAs: (await sameAsCluster(tx, id)).filter((x) => x !== id) };
      });
      await audit(store.db, {
        actor: me.username,
        action: 'entity.read',
        target: id,
        purpose: (req.query as { purpose?: string }).purpose,
        details: { found: !!found },
      });
      if (!found) throw notFound(id);
      return found;
    },
  );

  app.get(
    '/entities/:id/neighbourhood',
    {
      schema: {
        tags: ['graph'],
        params: Id,
        querystring: Hood,
        summary: 'Entities within n hops (relations and events count as edges)',
      },
    },
    async (req) => {
      const me = principal(req);
      const { id } = req.params as Static<typeof Id>;
      const q = req.query as Static<typeof Hood>;
      const g = await store.read(me, (tx) => neighbourhood(tx, store.markings, id, q.hops, q.limit));
      await audit(store.db, {
        actor: me.username,
        action: 'entity.neighbourhood',
        target: id,
        purpose: q.purpose,
        details: { hops: q.hops, nodes: g?.nodes.length ?? 0 },
      });
      if (!g) throw notFound(id);
      return g;
    },
  );

  app.get(
    '/entities/:id/relations',
    {
      schema: { tags: ['graph'], params: Id, summary: 'Relations of an entity, with the entities at their other end' },
    },
    async (req) => {
      const me = principal(req);
      const { id } = req.params as Static<typeof Id>;
      const g = await store.read(me, (tx) => neighbourhood(tx, store.markings, id, 1, 2000));
      await audit(store.db, { actor: me.username, action: 'entity.relations', target: id });
      if (!g) throw notFound(id);
      return {
        edges: g.edges.filter((e) => e.source === id || e.target === id),
        entities: g.nodes.filter((n) => n.id !== id),
      };
    },
  );

  app.get(
    '/entities/:id/events',
    {
      schema: {
        tags: ['entities'],
        params: Id,
        summary: 'Events (seizures, arrests, ...) that involve the entity, newest first',
      },
    },
    async (req) => {
      const me = principal(req);
      const { id } = req.params as Static<typeof Id>;
      const eventSchemas = model.eventSchemas();
      const out = await store.read(me, async (tx) => {
        const [exists] = await tx.query('SELECT 1 FROM entities WHERE id = $1', [id]);
        if (!exists) return undefined;
        const rows = await tx.query<{ entity_id: string }>(
          "SELECT DISTINCT entity_id FROM statements WHERE prop_type = 'entity' AND value = $1 AND schema = ANY($2) LIMIT 1000",
          [id, eventSchemas],
        );
        const events = await getEntities(
          tx,
          store.markings,
          rows.map((r) => r.entity_id),
        );
        const date = (e: (typeof events)[number]): string =>
          e.properties.date?.[0]?.value ?? e.properties.startDate?.[0]?.value ?? '';
        return events.sort((a, b) => date(b).localeCompare(date(a)));
      });
      await audit(store.db, { actor: me.username, action: 'entity.events', target: id });
      if (!out) throw notFound(id);
      return out;
    },
  );

  async function writeFacts(
    me: ReturnType<typeof principal>,
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

  app.post(
    '/entities',
    { schema: { tags: ['entities'], body: Create, summary: 'Create an entity as a new source record of your agency' } },
    async (req, reply) => {
      const me = principal(req);
      const body = req.body as Static<typeof Create>;
      const id = body.id ?? `${me.agency.toLowerCase()}-${randomUUID()}`;
      const e = await writeFacts(me, id, body.schema, body, 'POST /entities');
      return reply.code(201).send(e);
    },
  );

  app.patch(
    '/entities/:id',
    {
      schema: {
        tags: ['entities'],
        params: Id,
        body: Amend,
        summary: 'Add facts about an entity, as a new source record of your agency',
      },
    },
    async (req) => {
      const me = principal(req);
      const { id } = req.params as Static<typeof Id>;
      const [existing] = await store.read(me, (tx) => getEntities(tx, store.markings, [id]));
      if (!existing) throw notFound(id);
      return writeFacts(me, id, existing.schema, req.body as Static<typeof Amend>, `PATCH /entities/${id}`);
    },
  );

  app.delete(
    '/entities/:id',
    {
      schema: {
        tags: ['entities'],
        params: Id,
        summary: "Retract everything your agency's records say about the entity",
      },
    },
    async (req) => {
      const me = principal(req);
      assertMay(me, 'write');
      const { id } = req.params as Static<typeof Id>;
      const [visible] = await store.read(me, (tx) => tx.query('SELECT 1 FROM entities WHERE id = $1', [id]));
      if (!visible) throw notFound(id);
      return store.db.transaction(async (tx) => {
        const recs = await tx.query<{ id: number }>(
          'SELECT DISTINCT r.id FROM records r JOIN presence p ON p.record_id = r.id WHERE p.entity_id = $1 AND r.source = $2',
          [id, me.agency],
        );
        // Only records the retracting user may read in full: a retraction must not touch what they cannot see.
        const readable = await fullyReadable(
          tx,
          me,
          recs.map((r) => r.id),
        );
        const ids = recs.map((r) => r.id).filter((r) => readable.has(r));
        if (!ids.length)
          throw new HttpError(
            403,
            `no record of ${me.agency} speaks of ${id}; only the owning agency may retract its facts`,
          );
        const [deleted] = await tx.query<{ n: number }>(
          'WITH d AS (DELETE FROM statements WHERE entity_id = $1 AND record_id = ANY($2) RETURNING 1) SELECT count(*)::int AS n FROM d',
          [id, ids],
        );
        const n = deleted?.n ?? 0;
        await tx.query('DELETE FROM presence WHERE entity_id = $1 AND record_id = ANY($2)', [id, ids]);
        await tx.query(
          'DELETE FROM records r WHERE r.id = ANY($1) AND NOT EXISTS (SELECT 1 FROM presence p WHERE p.record_id = r.id)',
          [ids],
        );
        await tx.query(
          'DELETE FROM entities e WHERE e.id = $1 AND NOT EXISTS (SELECT 1 FROM presence p WHERE p.entity_id = e.id)',
          [id],
        );
        await appendAudit(tx, {
          actor: me.username,
          action: 'entity.retract',
          target: id,
          details: { statements: n, records: ids.length },
        });
        return { retracted: n };
      });
    },
  );
}

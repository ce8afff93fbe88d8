// The answers of the entity commands (src/commands/entities.ts, links.ts): entities as a
// reader sees them, each value with its portion marking and provenance (store/read.ts).
import { Type } from '@sinclair/typebox';
import { Banner, named, Nullable, Timestamp } from './shared.js';

export const Value = named(
  'Value',
  Type.Object(
    {
      value: Type.String(),
      statementId: Type.Integer(),
      marking: Type.String({ description: 'the banner of the value’s marking' }),
      portion: Type.String({ description: 'its portion marking, e.g. (S//NF)' }),
      source: Nullable(Type.String({ description: 'the agency whose record said it' })),
      sourceRecordId: Nullable(Type.String()),
      reportDate: Nullable(Type.String()),
      grade: Nullable(Type.String({ description: 'Admiralty grade, e.g. B2' })),
    },
    { description: 'One value of a property, as its reader may see it' },
  ),
);

const entityFields = {
  id: Type.String(),
  schema: Type.String(),
  caption: Type.String(),
  marking: Banner,
  portion: Type.String(),
  properties: Type.Record(Type.String(), Type.Array(Value), { description: 'values by property' }),
  sources: Type.Array(Type.String(), { description: 'the agencies whose records speak of it' }),
};

export const Entity = named(
  'Entity',
  Type.Object(entityFields, { description: 'An entity with every value its reader may see' }),
);

/** An entity with the ids (that the reader may see) it was confirmed to be the same as. */
export const MergedEntity = named(
  'EntityWithSameAs',
  Type.Object(
    { ...entityFields, sameAs: Type.Array(Type.String(), { description: 'confirmed to be the same (ids)' }) },
    { description: 'An entity, with the entities confirmed to be the same' },
  ),
);

export const Edge = named(
  'Edge',
  Type.Object(
    {
      id: Type.String({ description: 'the relation entity, or s<statement> for a plain reference' }),
      source: Type.String(),
      target: Type.String(),
      label: Type.String(),
      schema: Type.String(),
    },
    { description: 'An edge of the graph: a relation entity or a reference' },
  ),
);

export const Neighbourhood = Type.Object({
  nodes: Type.Array(Entity),
  edges: Type.Array(Edge),
  truncated: Type.Boolean({ description: 'more nodes were within reach than the limit' }),
});

export const Relations = Type.Object({ edges: Type.Array(Edge), entities: Type.Array(Entity) });

export const SearchAnswer = Type.Object({
  total: Type.Integer({ description: 'matches the reader may see (at most 10,000 are counted)' }),
  results: Type.Array(MergedEntity),
});

export const Suggestions = Type.Object({
  suggestions: Type.Array(Type.Object({ name: Type.String(), entities: Type.Integer() })),
});

export const Retracted = Type.Object({ retracted: Type.Integer({ description: 'statements retracted' }) });

/** A short view of an entity, for lists. */
export const EntityRef = named(
  'EntityRef',
  Type.Object({
    id: Type.String(),
    schema: Type.String(),
    caption: Type.String(),
    portion: Type.String(),
    sources: Type.Array(Type.String()),
  }),
);

export const Link = Type.Object({
  id: Type.Integer(),
  left_id: Type.String(),
  right_id: Type.String(),
  score: Type.Number(),
  reasons: Type.Array(Type.String()),
  status: Type.String(),
  decided_by: Nullable(Type.String()),
  decided_at: Nullable(Timestamp()),
  decision_reason: Nullable(Type.String()),
  left: Type.Optional(EntityRef),
  right: Type.Optional(EntityRef),
});

export const Judged = Type.Object({ id: Type.Integer(), status: Type.String() });

export const Merged = Type.Object({
  id: Type.String(),
  schema: Type.String(),
  caption: Type.String(),
  members: Type.Array(EntityRef),
  properties: Type.Record(Type.String(), Type.Array(Type.Object({ ...Value.properties, entityId: Type.String() }))),
});

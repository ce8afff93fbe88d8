// The answers of the entity model (src/commands/model.ts): FtM's schemata and
// Chokepoint's, in the shape of FtM's own model export ({schemata, types}).
import { Type } from '@sinclair/typebox';
import { PROP_TYPES } from '../../domain/model.js';
import { named } from './shared.js';

export const Property = named(
  'Property',
  Type.Object({
    name: Type.String(),
    schema: Type.String({ description: 'the schema that defines it (an ancestor of the one read)' }),
    type: Type.Union(PROP_TYPES.map((t) => Type.Literal(t))),
    label: Type.String(),
    description: Type.Optional(Type.String()),
    range: Type.Optional(Type.String({ description: 'entity-typed: the schema the value should be' })),
    reverse: Type.Optional(
      Type.Object(
        { name: Type.String(), label: Type.String() },
        { description: 'the property seen from the range’s side' },
      ),
    ),
    matchable: Type.Boolean(),
    hidden: Type.Boolean(),
    deprecated: Type.Boolean(),
    maxLength: Type.Optional(Type.Integer()),
    format: Type.Optional(Type.String()),
    protected: Type.Optional(Type.Boolean({ description: 'political, religious or social views (28 CFR 23.20(b))' })),
  }),
);

const schemaFields = {
  name: Type.String(),
  label: Type.String(),
  plural: Type.String(),
  description: Type.Optional(Type.String()),
  extends: Type.Array(Type.String()),
  ftm: Type.Boolean({ description: 'defined by FollowTheMoney, rather than by Chokepoint' }),
  abstract: Type.Boolean(),
  matchable: Type.Boolean(),
  generated: Type.Boolean(),
  hidden: Type.Boolean(),
  deprecated: Type.Boolean(),
  featured: Type.Array(Type.String()),
  required: Type.Array(Type.String()),
  caption: Type.Array(Type.String(), { description: 'properties that make a caption, in order' }),
  edge: Type.Optional(
    Type.Object({
      source: Type.String(),
      target: Type.String(),
      label: Type.String(),
      directed: Type.Boolean(),
      caption: Type.Array(Type.String()),
    }),
  ),
  temporalExtent: Type.Optional(Type.Object({ start: Type.Array(Type.String()), end: Type.Array(Type.String()) })),
  event: Type.Boolean({ description: 'an entity with a date and a place (timelines, statistics)' }),
  schemata: Type.Array(Type.String(), { description: 'every schema it is, itself first' }),
  inherited: Type.Array(Type.String(), { description: 'the properties it inherits' }),
};

export const Schema = named(
  'Schema',
  Type.Object({
    ...schemaFields,
    properties: Type.Record(Type.String(), Property, { description: 'its own properties' }),
  }),
);

export const Model = Type.Object({
  schemata: Type.Record(Type.String(), Schema),
  types: Type.Array(Type.String(), { description: 'the property types' }),
});

export const SchemaWithAll = Type.Object({
  ...schemaFields,
  properties: Type.Record(Type.String(), Property, { description: 'every property, inherited ones included' }),
});

// The answers of the picture (src/commands/picture.ts): figures computed in the reader's
// transaction, each with the banner of what went into it.
import { Type } from '@sinclair/typebox';
import { Banner, named, Nullable, Timestamp } from './shared.js';
import { Notification } from './admin.js';
import { OperationConflict, TargetConflict } from './deconflict.js';
import { Edge, Entity } from './entities.js';

export const Range = named(
  'Range',
  Type.Object({ from: Type.String({ description: 'YYYY-MM-DD' }), to: Type.String({ description: 'YYYY-MM-DD' }) }),
);

export const Place = named(
  'Place',
  Type.Object({
    id: Type.String(),
    name: Type.String(),
    lat: Type.Optional(Type.Number()),
    lon: Type.Optional(Type.Number()),
    type: Type.Optional(
      Type.String({ description: 'a port’s kind, or a leg’s role (origin, transshipment, destination)' }),
    ),
  }),
);

const ByMonth = Type.Array(
  Type.Object({
    month: Type.String(),
    drug: Type.String(),
    events: Type.Integer(),
    kg: Type.Number(),
    pills: Type.Integer(),
  }),
);
const ByDrug = Type.Object({ drug: Type.String(), events: Type.Integer(), kg: Type.Number(), pills: Type.Integer() });
const TopPort = Type.Object({ place: Place, events: Type.Integer(), kg: Type.Number(), pills: Type.Integer() });
const TopRoute = Type.Object({
  route: Type.Array(Type.String(), { description: 'the legs’ names' }),
  legs: Type.Array(Place),
  shipments: Type.Integer(),
  kg: Type.Number(),
  modes: Type.Array(Type.String()),
});

export const Dashboard = Type.Object({
  range: Range,
  marking: Banner,
  seizures: Type.Integer(),
  kg: Type.Number(),
  pills: Type.Integer(),
  fentanylKg: Type.Number(),
  fentanylPowderKg: Type.Number(),
  lethalDoses: Type.Integer({ description: 'potentially lethal doses in the fentanyl powder (2 mg each)' }),
  byMonth: ByMonth,
  byDrug: Type.Array(ByDrug),
  topPorts: Type.Array(TopPort),
  topRoutes: Type.Array(TopRoute),
  conflicts: Type.Object({
    targets: Type.Integer(),
    operations: Type.Integer(),
    items: Type.Array(Type.Union([TargetConflict, OperationConflict]), { description: 'the first 20 open ones' }),
  }),
  notifications: Type.Array(Notification),
  emerging: Type.Array(Notification, { description: 'notices of emerging substances' }),
});

const point = Type.Object({ type: Type.Literal('Point'), coordinates: Type.Array(Type.Number()) });
const line = Type.Object({ type: Type.Literal('LineString'), coordinates: Type.Array(Type.Array(Type.Number())) });
const polygon = Type.Object({
  type: Type.Literal('Polygon'),
  coordinates: Type.Array(Type.Array(Type.Array(Type.Number()))),
});
const eventProps = Type.Object({
  layer: Type.Union([
    Type.Literal('seizures'),
    Type.Literal('arrests'),
    Type.Literal('labs'),
    Type.Literal('interdictions'),
  ]),
  id: Type.String(),
  schema: Type.String(),
  date: Type.String(),
  drug: Nullable(Type.String()),
  kg: Type.Number(),
  pills: Type.Integer(),
  place: Type.String(),
  name: Type.String(),
});
const portProps = Type.Object({
  layer: Type.Literal('ports'),
  id: Type.String(),
  name: Type.String(),
  kind: Type.Optional(Type.String()),
});
const routeProps = Type.Object({
  layer: Type.Literal('routes'),
  name: Type.String(),
  shipments: Type.Integer(),
  kg: Type.Number(),
  modes: Type.String({ description: 'comma-separated' }),
});
const operationProps = Type.Object({
  layer: Type.Literal('operations'),
  id: Type.Integer(),
  name: Type.String(),
  type: Type.String(),
  startsAt: Timestamp(),
  endsAt: Timestamp(),
  status: Type.String(),
  radiusM: Nullable(Type.Number()),
});
export const MapAnswer = Type.Object({
  type: Type.Literal('FeatureCollection'),
  range: Range,
  marking: Banner,
  features: Type.Array(
    Type.Object({
      type: Type.Literal('Feature'),
      id: Type.Optional(Type.String()),
      geometry: Type.Union([point, line, polygon]),
      properties: Type.Union([eventProps, portProps, routeProps, operationProps], {
        description: 'by layer',
      }),
    }),
    { description: 'GeoJSON features, [longitude, latitude]' },
  ),
});

const Figure = Type.Object({
  label: Type.String(),
  value: Type.Number(),
  previous: Type.Number(),
  changePct: Nullable(Type.Number()),
  unit: Type.String(),
});
export const Report = Type.Object({
  title: Type.String(),
  range: Range,
  previous: Range,
  generatedAt: Timestamp(),
  generatedBy: Type.String(),
  marking: Banner,
  keyFigures: Type.Array(Figure),
  byDrug: Type.Array(Type.Object({ ...ByDrug.properties, previousKg: Type.Number() })),
  byMonth: ByMonth,
  topPorts: Type.Array(TopPort),
  topRoutes: Type.Array(TopRoute),
  topNetworks: Type.Array(
    Type.Object({
      community: Type.Integer(),
      members: Type.Integer(),
      seizures: Type.Integer(),
      sanctioned: Type.Integer(),
      inCase: Type.Integer(),
      leading: Type.Array(Type.Object({ id: Type.String(), caption: Type.String(), schema: Type.String() })),
    }),
  ),
  emerging: Type.Array(Type.Object({ at: Timestamp(), message: Type.String() })),
  trends: Type.Array(Type.String()),
});

export const Path = Type.Object({
  found: Type.Boolean(),
  nodes: Type.Array(Entity, { description: 'from the first to the last' }),
  edges: Type.Array(Edge),
  truncated: Type.Boolean({ description: 'the search reached its limit of nodes' }),
});

// The map of the common operating picture: GeoJSON features of the events, ports of
// entry and routes of a time range that the reader may see (with the banner of what
// was used), and the reader's own agency's operations.
import type { LineString, Point, Polygon } from 'geojson';

type EventLayer = 'seizures' | 'arrests' | 'labs' | 'interdictions';
/** What each layer's features say (GeoJSON properties). */
export type MapProperties =
  | {
      layer: EventLayer;
      id: string;
      schema: string;
      date: string;
      drug: string | null;
      kg: number;
      pills: number;
      place: string;
      name: string;
    }
  | { layer: 'ports'; id: string; name: string; kind?: string }
  | { layer: 'routes'; name: string; shipments: number; kg: number; modes: string }
  | {
      layer: 'operations';
      id: number;
      name: string;
      type: string;
      startsAt: string;
      endsAt: string;
      status: string;
      radiusM: number | null;
    };
/** A feature of the map: events and ports as points, routes as lines, operations as points or polygons. */
export interface Feature {
  type: 'Feature';
  id?: string;
  geometry: Point | LineString | Polygon;
  properties: MapProperties;
}
const EVENT_LAYER: Record<string, EventLayer> = {
  Seizure: 'seizures',
  Arrest: 'arrests',
  LabDismantlement: 'labs',
  Interdiction: 'interdictions',
};
import type { Store } from '../store/store.js';
import type { Sql } from '../store/db.js';
import type { Principal } from '../domain/users.js';
import { operationsBetween } from '../deconflict/events.js';
import { bannerOf, eventFacts, placesById, routeFacts, topRoutes, type Range } from './picture.js';

export const MAP_LAYERS = ['seizures', 'arrests', 'labs', 'interdictions', 'ports', 'routes', 'operations'] as const;
const PORT_TYPES = ['port of entry', 'seaport', 'express hub', 'mail facility', 'airport'];

/** Longitudes made continuous, so a route from Asia to Mexico crosses the Pacific, not the long way round. */
export function unwrap(coords: number[][]): number[][] {
  const out: number[][] = [];
  for (const [lon, lat] of coords) {
    let x = lon!;
    const prev = out.at(-1)?.[0];
    if (prev !== undefined) while (x - prev > 180) x -= 360;
    if (prev !== undefined) while (prev - x > 180) x += 360;
    out.push([x, lat!]);
  }
  return out;
}

/** Places the reader may see whose location type is a port of entry (or airport, hub, ...). */
async function portIds(tx: Sql): Promise<string[]> {
  const rows = await tx.query<{ entity_id: string }>(
    "SELECT DISTINCT entity_id FROM statements WHERE schema = 'Address' AND prop = 'locationType' AND value = ANY($1)",
    [PORT_TYPES],
  );
  return rows.map((r) => r.entity_id);
}

/** The features of the layers asked for, and the banner of the data they were made from. */
export async function mapFeatures(
  store: Store,
  me: Principal,
  range: Range,
  layers: ReadonlySet<string>,
): Promise<{ marking: string; features: Feature[] }> {
  const features: Feature[] = [];
  const marking = await store.read(me, async (tx) => {
    const used: number[] = [];
    const schemas = [
      ['seizures', 'Seizure'],
      ['arrests', 'Arrest'],
      ['labs', 'LabDismantlement'],
      ['interdictions', 'Interdiction'],
    ]
      .filter(([l]) => layers.has(l!))
      .map(([, s]) => s!);
    if (schemas.length) {
      for (const e of await eventFacts(tx, range, schemas)) {
        if (e.place?.lat === undefined || e.place.lon === undefined) continue;
        used.push(...e.markingIds);
        features.push({
          type: 'Feature',
          id: e.id,
          geometry: { type: 'Point', coordinates: [e.place.lon, e.place.lat] },
          properties: {
            layer: EVENT_LAYER[e.schema]!,
            id: e.id,
            schema: e.schema,
            date: e.date,
            drug: e.drug ?? null,
            kg: e.kg,
            pills: e.pills,
            place: e.place.name,
            name: e.name ?? e.schema,
          },
        });
      }
    }
    if (layers.has('ports')) {
      for (const p of (await placesById(tx, await portIds(tx))).values()) {
        if (p.lat === undefined || p.lon === undefined) continue;
        used.push(...p.markingIds);
        features.push({
          type: 'Feature',
          id: p.id,
          geometry: { type: 'Point', coordinates: [p.lon, p.lat] },
          properties: { layer: 'ports', id: p.id, name: p.name, kind: p.type },
        });
      }
    }
    if (layers.has('routes')) {
      const routes = await routeFacts(tx, range);
      used.push(...routes.flatMap((r) => r.markingIds));
      for (const r of topRoutes(routes, 50)) {
        const coords = unwrap(
          r.legs.filter((l) => l.lat !== undefined && l.lon !== undefined).map((l) => [l.lon!, l.lat!]),
        );
        if (coords.length < 2) continue;
        features.push({
          type: 'Feature',
          geometry: { type: 'LineString', coordinates: coords },
          properties: {
            layer: 'routes',
            name: r.route.join(' → '),
            shipments: r.shipments,
            kg: r.kg,
            modes: r.modes.join(', '),
          },
        });
      }
    }
    return bannerOf(tx, store.markings, used);
  });
  if (layers.has('operations')) {
    // Operations are deconfliction data: a reader sees only their own agency's.
    for (const o of await operationsBetween(store.db, me, range)) {
      const props = {
        layer: 'operations' as const,
        id: o.id,
        name: o.title,
        type: o.type,
        startsAt: o.starts_at,
        endsAt: o.ends_at,
        status: o.status,
        radiusM: o.radius_m,
      };
      if (o.polygon?.length)
        features.push({
          type: 'Feature',
          id: `op-${o.id}`,
          geometry: {
            type: 'Polygon',
            coordinates: [[...o.polygon.map(([lat, lon]) => [lon, lat]), [o.polygon[0]![1], o.polygon[0]![0]]]],
          },
          properties: props,
        });
      else if (o.lat !== null && o.lon !== null)
        features.push({
          type: 'Feature',
          id: `op-${o.id}`,
          geometry: { type: 'Point', coordinates: [o.lon, o.lat] },
          properties: props,
        });
    }
  }
  return { marking, features };
}

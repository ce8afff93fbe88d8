// The picture for the web application: dashboard figures, map features, the
// common-intelligence-picture report, and the path between two entities. Each is
// computed inside the reader's transaction, so it counts only what the reader may see.
import type { FastifyInstance } from 'fastify';
import type { Feature } from 'geojson';
import { Type, type Static } from '@sinclair/typebox';
import type { Store } from '../../store/store.js';
import { audit } from '../../store/audit.js';
import { principal } from '../server.js';
import { neighbourhood } from '../../store/read.js';
import { conflictsFor, casesForEntity } from '../../deconflict/targets.js';
import { operationConflictsFor } from '../../deconflict/events.js';
import { StatusError } from '../../domain/errors.js';
import {
  bannerOf,
  eventFacts,
  placesById,
  routeFacts,
  seizureFigures,
  topPlaces,
  topRoutes,
  type Range,
} from '../../report/picture.js';
import { commonPictureReport } from '../../report/cip.js';
import { notificationsFor } from '../../notify/notifications.js';

const DateQ = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });
const RangeQ = Type.Object({ from: Type.Optional(DateQ), to: Type.Optional(DateQ) }, { additionalProperties: false });
const MAP_LAYERS = ['seizures', 'arrests', 'labs', 'interdictions', 'ports', 'routes', 'operations'] as const;
const PORT_TYPES = ['port of entry', 'seaport', 'express hub', 'mail facility', 'airport'];

/** The range asked for, by default the 12 months to today; refused if it runs backwards or spans more than 10 years. */
export function rangeOf(q: { from?: string; to?: string }, now = new Date()): Range {
  const to = q.to ?? now.toISOString().slice(0, 10);
  const from = q.from ?? new Date(Date.parse(to) - 364 * 86_400_000).toISOString().slice(0, 10);
  if (Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to)))
    throw new StatusError('from and to must be real dates (YYYY-MM-DD)');
  if (from > to) throw new StatusError(`from (${from}) is after to (${to})`);
  if (Date.parse(to) - Date.parse(from) > 3653 * 86_400_000) throw new StatusError('a range may span at most 10 years');
  return { from, to };
}

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

export async function registerPictureRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const tags = ['picture'];

  app.get(
    '/picture/dashboard',
    {
      schema: {
        tags,
        querystring: RangeQ,
        summary:
          'Dashboard: seizures by drug, weight and month, potentially lethal doses, top ports and routes, open conflicts, notifications and emerging substances',
      },
    },
    async (req) => {
      const me = principal(req);
      const range = rangeOf(req.query as Static<typeof RangeQ>);
      const out = await store.read(me, async (tx) => {
        const events = await eventFacts(tx, range);
        const routes = await routeFacts(tx, range);
        return {
          events,
          routes,
          marking: await bannerOf(
            tx,
            store.markings,
            [...events, ...routes].flatMap((x) => x.markingIds),
          ),
        };
      });
      const [targets, operations] = [
        await conflictsFor(store.db, me, { openOnly: true }),
        await operationConflictsFor(store.db, me, { openOnly: true }),
      ];
      const notes = await notificationsFor(store.db, me);
      await audit(store.db, { actor: me.username, action: 'picture.dashboard', details: { ...range } });
      return {
        range,
        marking: out.marking,
        ...seizureFigures(out.events),
        topPorts: topPlaces(out.events),
        topRoutes: topRoutes(out.routes),
        conflicts: {
          targets: targets.length,
          operations: operations.length,
          items: [...targets, ...operations].slice(0, 20),
        },
        notifications: notes.filter((n) => n.kind !== 'substance.emerging').slice(0, 20),
        emerging: notes.filter((n) => n.kind === 'substance.emerging').slice(0, 20),
      };
    },
  );

  const MapQ = Type.Object(
    {
      from: Type.Optional(DateQ),
      to: Type.Optional(DateQ),
      layers: Type.Optional(
        Type.String({
          pattern: `^((${MAP_LAYERS.join('|')}),?)+$`,
          description: `comma-separated: ${MAP_LAYERS.join(', ')}`,
        }),
      ),
    },
    { additionalProperties: false },
  );
  app.get(
    '/picture/map',
    {
      schema: {
        tags,
        querystring: MapQ,
        summary:
          'GeoJSON of seizures, arrests, labs, interdictions, ports of entry, routes and your operations in a time range',
      },
    },
    async (req) => {
      const me = principal(req);
      const q = req.query as Static<typeof MapQ>;
      const range = rangeOf(q);
      const layers = new Set(q.layers ? q.layers.split(',').filter(Boolean) : MAP_LAYERS);
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
                layer: {
                  Seizure: 'seizures',
                  Arrest: 'arrests',
                  LabDismantlement: 'labs',
                  Interdiction: 'interdictions',
                }[e.schema],
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
          const ids = await tx.query<{ entity_id: string }>(
            "SELECT DISTINCT entity_id FROM statements WHERE schema = 'Address' AND prop = 'locationType' AND value = ANY($1)",
            [PORT_TYPES],
          );
          for (const p of (
            await placesById(
              tx,
              ids.map((r) => r.entity_id),
            )
          ).values()) {
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
        const ops = await store.db.query<{
          id: number;
          type: string;
          title: string;
          lat: number | null;
          lon: number | null;
          radius_m: number | null;
          polygon: [number, number][] | null;
          starts_at: string;
          ends_at: string;
          status: string;
        }>(
          `SELECT id, type, title, lat, lon, radius_m, polygon, starts_at, ends_at, status FROM operations
          WHERE agency = $1 AND starts_at::date <= $3 AND ends_at::date >= $2 ORDER BY starts_at DESC LIMIT 500`,
          [me.agency, range.from, range.to],
        );
        for (const o of ops) {
          const props = {
            layer: 'operations',
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
      await audit(store.db, {
        actor: me.username,
        action: 'picture.map',
        details: { ...range, layers: [...layers], features: features.length },
      });
      return { type: 'FeatureCollection', range, marking, features };
    },
  );

  app.get(
    '/reports/cip',
    {
      schema: {
        tags,
        querystring: RangeQ,
        summary:
          'Common-intelligence-picture summary for a time range: key figures and trends against the period before, top ports, routes and networks, emerging substances',
      },
    },
    async (req) => {
      const me = principal(req);
      const range = rangeOf(req.query as Static<typeof RangeQ>);
      const report = await commonPictureReport(store, me, range);
      await audit(store.db, {
        actor: me.username,
        action: 'report.cip',
        details: { ...range, marking: report.marking },
      });
      return report;
    },
  );

  app.get(
    '/entities/:id/cases',
    {
      schema: {
        tags: ['deconfliction'],
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }),
        summary: "Your agency's open cases that registered this entity or one of its identifiers as a target",
      },
    },
    async (req) => {
      const me = principal(req);
      const id = (req.params as { id: string }).id;
      await audit(store.db, { actor: me.username, action: 'entity.cases', target: id });
      return casesForEntity(store, me, id);
    },
  );

  const PathQ = Type.Object(
    {
      from: Type.String({ minLength: 1, maxLength: 200 }),
      to: Type.String({ minLength: 1, maxLength: 200 }),
      maxHops: Type.Integer({ minimum: 1, maximum: 6, default: 4 }),
    },
    { additionalProperties: false },
  );
  app.get(
    '/graph/path',
    {
      schema: {
        tags: ['graph'],
        querystring: PathQ,
        summary:
          'The shortest path between two entities you may see, within maxHops (relations and events count as steps)',
      },
    },
    async (req) => {
      const me = principal(req);
      const q = req.query as Static<typeof PathQ>;
      // Breadth-first from one end over the neighbourhood the reader may see.
      const g = await store.read(me, (tx) => neighbourhood(tx, store.markings, q.from, q.maxHops, 5000));
      await audit(store.db, {
        actor: me.username,
        action: 'graph.path',
        target: q.from,
        details: { to: q.to, maxHops: q.maxHops },
      });
      if (!g?.nodes.some((n) => n.id === q.to))
        return { found: false, nodes: [], edges: [], truncated: g?.truncated ?? false };
      const adj = new Map<string, { next: string; edge: (typeof g.edges)[number] }[]>();
      for (const e of g.edges) {
        adj.set(e.source, [...(adj.get(e.source) ?? []), { next: e.target, edge: e }]);
        adj.set(e.target, [...(adj.get(e.target) ?? []), { next: e.source, edge: e }]);
      }
      const prev = new Map<string, { from: string; edge: (typeof g.edges)[number] }>();
      const queue = [q.from];
      const seen = new Set(queue);
      while (queue.length && !seen.has(q.to)) {
        const v = queue.shift()!;
        for (const { next, edge } of adj.get(v) ?? [])
          if (!seen.has(next)) {
            seen.add(next);
            prev.set(next, { from: v, edge });
            queue.push(next);
          }
      }
      if (!seen.has(q.to)) return { found: false, nodes: [], edges: [], truncated: g.truncated };
      const ids = [q.to];
      const edges = [];
      for (let v = q.to; v !== q.from; v = prev.get(v)!.from) {
        edges.unshift(prev.get(v)!.edge);
        ids.unshift(prev.get(v)!.from);
      }
      const byId = new Map(g.nodes.map((n) => [n.id, n]));
      return { found: true, nodes: ids.map((id) => byId.get(id)!), edges, truncated: g.truncated };
    },
  );
}

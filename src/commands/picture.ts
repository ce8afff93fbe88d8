// The picture for the web application: dashboard figures, map features, the
// common-intelligence-picture report, and the path between two entities. Each is
// computed inside the reader's transaction, so it counts only what the reader may see.
import { Type } from '@sinclair/typebox';
import { audit } from '../store/audit.js';
import { neighbourhood } from '../store/read.js';
import { conflictsFor, casesForEntity } from '../deconflict/targets.js';
import { operationConflictsFor } from '../deconflict/events.js';
import { bannerOf, eventFacts, rangeOf, routeFacts, seizureFigures, topPlaces, topRoutes } from '../report/picture.js';
import { MAP_LAYERS, mapFeatures } from '../report/map.js';
import { commonPictureReport } from '../report/cip.js';
import { notificationsFor } from '../notify/notifications.js';
import { command, type Command } from './command.js';
import * as A from './answers/deconflict.js';
import * as P from './answers/picture.js';

const DateQ = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });
const RangeQ = Type.Object({ from: Type.Optional(DateQ), to: Type.Optional(DateQ) }, { additionalProperties: false });
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
const PathQ = Type.Object(
  {
    from: Type.String({ minLength: 1, maxLength: 200 }),
    to: Type.String({ minLength: 1, maxLength: 200 }),
    maxHops: Type.Integer({ minimum: 1, maximum: 6, default: 4 }),
  },
  { additionalProperties: false },
);

const tags = ['picture'];

/** The CLI groups these commands make, with their help lines. */
export const GROUPS: Record<string, string> = {
  picture: 'the common operating picture: dashboard figures and map features',
  report: 'reports: the common-intelligence picture of a time range',
};

export const COMMANDS: Command[] = [
  command({
    name: 'picture.dashboard',
    summary:
      'Dashboard: seizures by drug, weight and month, potentially lethal doses, top ports and routes, open conflicts, notifications and emerging substances',
    tags,
    method: 'GET',
    path: '/picture/dashboard',
    response: { 200: P.Dashboard },
    query: RangeQ,
    run: async ({ store, db, me }, { query }) => {
      const range = rangeOf(query);
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
        await conflictsFor(db, me, { openOnly: true }),
        await operationConflictsFor(db, me, { openOnly: true }),
      ];
      const notes = await notificationsFor(db, me);
      await audit(db, { actor: me.username, action: 'picture.dashboard', details: { ...range } });
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
  }),
  command({
    name: 'picture.map',
    summary:
      'GeoJSON of seizures, arrests, labs, interdictions, ports of entry, routes and your operations in a time range',
    tags,
    method: 'GET',
    path: '/picture/map',
    response: { 200: P.MapAnswer },
    query: MapQ,
    run: async ({ store, db, me }, { query }) => {
      const range = rangeOf(query);
      const layers = new Set<string>(query.layers ? query.layers.split(',').filter(Boolean) : MAP_LAYERS);
      const { marking, features } = await mapFeatures(store, me, range, layers);
      await audit(db, {
        actor: me.username,
        action: 'picture.map',
        details: { ...range, layers: [...layers], features: features.length },
      });
      return { type: 'FeatureCollection' as const, range, marking, features };
    },
  }),
  command({
    name: 'report.cip',
    summary:
      'Common-intelligence-picture summary for a time range: key figures and trends against the period before, top ports, routes and networks, emerging substances',
    tags,
    method: 'GET',
    path: '/reports/cip',
    response: { 200: P.Report },
    errors: [413],
    query: RangeQ,
    run: async ({ store, db, me }, { query }) => {
      const range = rangeOf(query);
      const report = await commonPictureReport(store, me, range);
      await audit(db, {
        actor: me.username,
        action: 'report.cip',
        details: { ...range, marking: report.marking },
      });
      return report;
    },
  }),
  command({
    name: 'entity.cases',
    summary: "Your agency's open cases that registered this entity or one of its identifiers as a target",
    tags: ['deconfliction'],
    method: 'GET',
    path: '/entities/:id/cases',
    response: { 200: A.EntityCases },
    params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }),
    run: async ({ store, db, me }, { params: { id } }) => {
      await audit(db, { actor: me.username, action: 'entity.cases', target: id });
      return casesForEntity(store, me, id);
    },
  }),
  command({
    name: 'graph.path',
    summary: 'The shortest path between two entities you may see, within maxHops (relations and events count as steps)',
    tags: ['graph'],
    method: 'GET',
    path: '/graph/path',
    response: { 200: P.Path },
    query: PathQ,
    run: async ({ store, db, me }, { query: q }) => {
      // Breadth-first from one end over the neighbourhood the reader may see.
      const g = await store.read(me, (tx) => neighbourhood(tx, store.markings, q.from, q.maxHops, 5000));
      await audit(db, {
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
  }),
];

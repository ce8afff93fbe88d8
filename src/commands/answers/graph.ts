// The answers of key-node analysis (src/commands/graph.ts), each over the graph the
// reader may see, with the size of that graph.
import { Type } from '@sinclair/typebox';

const size = {
  nodes: Type.Integer({ description: 'nodes of the graph analysed' }),
  edges: Type.Integer(),
  ms: Type.Integer({ description: 'milliseconds the measure took' }),
};

export const Measure = Type.Union([
  Type.Object(
    {
      ...size,
      modularity: Type.Number(),
      count: Type.Integer({ description: 'communities found' }),
      communities: Type.Array(
        Type.Object({
          size: Type.Integer(),
          members: Type.Array(Type.String(), { description: 'the first 50 members' }),
        }),
      ),
    },
    { description: 'measure=communities' },
  ),
  Type.Object(
    {
      ...size,
      projectionMs: Type.Integer(),
      sampledSources: Type.Optional(Type.Integer({ description: 'betweenness: sources sampled' })),
      errorBound: Type.Optional(Type.Number({ description: 'betweenness: 95% bound on each normalised score' })),
      note: Type.Optional(Type.String()),
      top: Type.Array(Type.Object({ id: Type.String(), schema: Type.String(), value: Type.Number() })),
    },
    { description: 'measure=degree, pagerank or betweenness' },
  ),
]);

export const Ranking = Type.Object({
  ...size,
  sources: Type.Integer({ description: 'precursor sources' }),
  sinks: Type.Integer({ description: 'retail outlets' }),
  targets: Type.Array(
    Type.Object({
      id: Type.String(),
      schema: Type.String(),
      score: Type.Number(),
      pageRank: Type.Number(),
      betweenness: Type.Number(),
      flowCarried: Type.Number(),
      inMinimumCut: Type.Boolean(),
      communities: Type.Integer(),
      seizures: Type.Integer(),
      sanctioned: Type.Boolean(),
      inCase: Type.Boolean(),
      why: Type.Array(Type.String()),
    }),
  ),
  maxFlow: Type.Number(),
  betweennessSources: Type.Integer(),
  betweennessErrorBound: Type.Number(),
  communities: Type.Integer(),
});

export const Simulation = Type.Object({
  removed: Type.Array(Type.String()),
  unknown: Type.Array(Type.String({ description: 'ids not in the graph you may see' })),
  flowBefore: Type.Number(),
  flowAfter: Type.Number(),
  flowLostPct: Type.Number(),
  reachableBefore: Type.Integer(),
  reachableAfter: Type.Integer(),
  rerouting: Type.Array(
    Type.Object({ id: Type.String(), schema: Type.String(), before: Type.Number(), after: Type.Number() }),
    { description: 'nodes that carry more flow once the removed ones are gone' },
  ),
  nextBestPaths: Type.Array(Type.Array(Type.String()), { description: 'remaining routes to outlets still supplied' }),
});

export const Interdiction = Type.Object({
  plan: Type.Array(Type.Object({ id: Type.String(), schema: Type.String(), flowAfter: Type.Number() })),
  initial: Type.Number({ description: 'the supply flow before' }),
  complete: Type.Boolean({ description: 'finished within the time budget' }),
});

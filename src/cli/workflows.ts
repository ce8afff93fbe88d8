// CLI commands outside the command layer: the system's own jobs (deconflict escalate,
// watchlist activate) and the analytics not moved into it yet. Those that act as a
// named user (--as) have that user's permissions.
import type { Command } from 'commander';
import type { Store } from '../store/store.js';
import type { Principal } from '../domain/users.js';
import { escalateOverdue } from '../deconflict/events.js';
import { activateDue } from '../watchlist/nominations.js';
import { projectGraph } from '../graph/project.js';
import { targetingQueue, scoreShipments, ruleHitRates } from '../targeting/score.js';
import { rankTargets, simulateDisruption, interdictionPlan, EXACT_BETWEENNESS_MAX } from '../graph/analyze.js';
import { pageRank, betweenness, louvain, degrees } from '../graph/measures.js';

type WithStore = <T>(fn: (store: Store) => Promise<T>) => Promise<T>;
type ActingAs = (store: Store, username?: string) => Promise<Principal>;

const print = (v: unknown): void => console.log(JSON.stringify(v, null, 2));

export function registerWorkflowCommands(program: Command, withStore: WithStore, actingAs: ActingAs): void {
  const dc = program.commands.find((c) => c.name() === 'deconflict') ?? program.command('deconflict');
  dc.command('escalate')
    .description('escalate operation conflicts not acknowledged in time (the server does this every 30 s)')
    .action(async () =>
      withStore(async (s) => console.log(`${await escalateOverdue(s.db)} conflict(s) escalated to the watch center`)),
    );
  const wl = program.commands.find((c) => c.name() === 'watchlist') ?? program.command('watchlist');
  wl.command('activate')
    .description('activate nominations whose equities period has passed without objection')
    .action(async () => withStore(async (s) => console.log(`${await activateDue(s.db)} nomination(s) activated`)));

  const graph = program.command('graph').description('key-node analysis over the graph the user may see');
  const project = async (s: Store, me: Principal, suggested: boolean) => {
    const p = await s.read(me, (tx) => projectGraph(tx, { merges: suggested ? 'suggested' : 'confirmed' }));
    console.error(
      `graph: ${p.graph.n} nodes, ${p.graph.m} edges, ${p.sources.length} precursor sources, ${p.sinks.length} retail outlets (projected in ${Math.round(p.ms)} ms)`,
    );
    return p;
  };
  graph
    .command('rank')
    .requiredOption('--as <user>')
    .option('--top <n>', 'how many', '20')
    .option('--suggested', 'join entities by open merge suggestions too')
    .action(async (o) =>
      withStore(async (s) => {
        const r = rankTargets(await project(s, await actingAs(s, o.as), o.suggested), { top: Number(o.top) });
        for (const t of r.targets)
          console.log(`${t.score.toFixed(3)}  ${t.schema.padEnd(12)} ${t.id}\n         ${t.why.join('; ')}`);
      }),
    );
  graph
    .command('measure')
    .requiredOption('--as <user>')
    .requiredOption('--measure <m>', 'degree | pagerank | betweenness | communities')
    .option('--top <n>', 'how many', '20')
    .option('--suggested')
    .action(async (o) =>
      withStore(async (s) => {
        const p = await project(s, await actingAs(s, o.as), o.suggested);
        const g = p.graph;
        if (o.measure === 'communities') {
          const c = louvain(g);
          console.log(`${c.count} communities, modularity ${c.modularity.toFixed(3)}`);
          return;
        }
        let values: Float64Array;
        if (o.measure === 'degree') {
          const d = degrees(g);
          values = d.inDeg.map((x, i) => x + d.outDeg[i]!);
        } else if (o.measure === 'pagerank') values = pageRank(g).rank;
        else if (o.measure === 'betweenness') {
          const b = betweenness(g, g.n > EXACT_BETWEENNESS_MAX ? { samples: 256, seed: 1 } : {});
          values = b.score;
          if (b.errorBound)
            console.error(
              `sampled from ${b.sources} sources: normalised scores within ±${b.errorBound.toFixed(3)} (95%, per node)`,
            );
        } else throw new Error('--measure: degree, pagerank, betweenness or communities');
        for (const v of Array.from(values.keys())
          .sort((a, b) => values[b]! - values[a]!)
          .slice(0, Number(o.top)))
          console.log(`${values[v]!.toPrecision(4).padStart(10)}  ${p.schema[v]!.padEnd(12)} ${g.ids[v]}`);
      }),
    );
  graph
    .command('simulate')
    .requiredOption('--as <user>')
    .requiredOption('--remove <ids>', 'comma-separated entity ids')
    .option('--suggested')
    .action(async (o) =>
      withStore(async (s) =>
        print(simulateDisruption(await project(s, await actingAs(s, o.as), o.suggested), String(o.remove).split(','))),
      ),
    );
  graph
    .command('interdiction')
    .requiredOption('--as <user>')
    .option('--k <n>', 'nodes to remove', '5')
    .option('--suggested')
    .action(async (o) =>
      withStore(async (s) =>
        print(
          interdictionPlan(await project(s, await actingAs(s, o.as), o.suggested), Math.min(20, Number(o.k)), 60_000),
        ),
      ),
    );

  const tg = program
    .command('targeting')
    .description('shipment targeting: the exam queue, rescoring, rules and their hit rates');
  tg.command('queue')
    .requiredOption('--as <user>')
    .option('--limit <n>', 'how many', '20')
    .action(async (o) =>
      withStore(async (s) => {
        for (const x of await targetingQueue(s.db, await actingAs(s, o.as), Number(o.limit))) {
          console.log(
            `${Number(x.score).toFixed(3)}  ${x.shipment}\n        ${(x.reasons as { rule: string; detail: string }[]).map((r) => `${r.rule}: ${r.detail}`).join('; ')}`,
          );
        }
      }),
    );
  tg.command('rescore')
    .description('score every shipment with the active rules (after a bulk import)')
    .action(async () =>
      withStore(async (s) => {
        const ids = (await s.db.query<{ id: string }>("SELECT id FROM entities WHERE schema = 'Shipment'")).map(
          (r) => r.id,
        );
        let n = 0;
        for (let i = 0; i < ids.length; i += 1000) n += (await scoreShipments(s.db, ids.slice(i, i + 1000))).length;
        console.log(`${n} shipment(s) scored`);
      }),
    );
  tg.command('rules').action(async () => withStore(async (s) => print(await ruleHitRates(s.db, true))));
}

// CLI commands for the deconfliction, watchlist and registry workflows. Each acts
// as a named user (--as), with that user's permissions, and is audited like the
// API. Structured inputs come as JSON files checked against the API's own schemas.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import type { Store } from '../store/store.js';
import type { Principal } from '../domain/users.js';
import { Nomination } from '../api/routes/watchlist.js';
import { TaskForce, Target } from '../api/routes/registry.js';
import { escalateOverdue } from '../deconflict/events.js';
import { nominate, review, listNominations, activateDue } from '../watchlist/nominations.js';
import { registerTaskForce, duplication, listTaskForces } from '../taskforces/registry.js';
import { addPeer, queryPeers } from '../federation/peers.js';
import { projectGraph } from '../graph/project.js';
import { fentanylClass } from '../chem/fentanyl-class.js';
import { CONTROL_LISTS, findSubstances, SubstanceError } from '../chem/substances.js';
import { rankTargets, simulateDisruption, interdictionPlan, EXACT_BETWEENNESS_MAX } from '../graph/analyze.js';
import { pageRank, betweenness, louvain, degrees } from '../graph/measures.js';

type WithStore = <T>(fn: (store: Store) => Promise<T>) => Promise<T>;
type ActingAs = (store: Store, username?: string) => Promise<Principal>;

/** A JSON file checked against an API schema; the first problems are named with their paths. */
function jsonFile<T>(path: string, schema: TSchema): T {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  const errors = [...Value.Errors(schema, v)].slice(0, 5);
  if (errors.length) throw new Error(`${path}: ${errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`);
  return v as T;
}

/** "kind=value[,birthDate=…][,country=…]" as a target. */
function targetArg(v: string, all: unknown[] = []): unknown[] {
  const [head, ...rest] = v.split(',');
  const [kind, ...value] = head!.split('=');
  const t: Record<string, string> = { kind: kind!, value: value.join('=') };
  for (const kv of rest) {
    const [k, ...x] = kv.split('=');
    t[k!] = x.join('=');
  }
  const errors = [...Value.Errors(Target, t)].slice(0, 3);
  if (errors.length) throw new Error(`--target ${v}: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
  return [...all, t];
}

const print = (v: unknown): void => console.log(JSON.stringify(v, null, 2));

export function registerWorkflowCommands(program: Command, withStore: WithStore, actingAs: ActingAs): void {
  const dc = program.commands.find((c) => c.name() === 'deconflict') ?? program.command('deconflict');
  dc.command('escalate')
    .description('escalate operation conflicts not acknowledged in time (the server does this every 30 s)')
    .action(async () =>
      withStore(async (s) => console.log(`${await escalateOverdue(s.db)} conflict(s) escalated to the watch center`)),
    );
  dc.command('federated')
    .requiredOption('--as <user>')
    .requiredOption('--target <kind=value,...>', 'repeatable', targetArg, [])
    .action(async (o) => withStore(async (s) => print(await queryPeers(s.db, await actingAs(s, o.as), o.target))));
  const wl = program.command('watchlist').description('watchlist nominations');
  wl.command('nominate')
    .requiredOption('--as <user>')
    .requiredOption('--file <json>')
    .action(async (o) =>
      withStore(async (s) =>
        print(await nominate(s.db, s.markings, await actingAs(s, o.as), jsonFile(o.file, Nomination))),
      ),
    );
  wl.command('list')
    .requiredOption('--as <user>')
    .option('--status <s>')
    .action(async (o) => withStore(async (s) => print(await listNominations(s.db, await actingAs(s, o.as), o.status))));
  wl.command('review')
    .argument('<id>')
    .requiredOption('--as <user>')
    .requiredOption('--decision <d>', 'accept | reject | request_more')
    .requiredOption('--note <text>')
    .action(async (id: string, o) =>
      withStore(async (s) => {
        if (!['accept', 'reject', 'request_more'].includes(o.decision))
          throw new Error('--decision: accept, reject or request_more');
        print(await review(s.db, await actingAs(s, o.as), Number(id), o.decision, o.note));
      }),
    );
  wl.command('activate')
    .description('activate nominations whose equities period has passed without objection')
    .action(async () => withStore(async (s) => console.log(`${await activateDue(s.db)} nomination(s) activated`)));

  const tf = program.command('taskforce').description('the registry of task forces, fusion cells and mission centers');
  tf.command('add')
    .requiredOption('--as <user>')
    .requiredOption('--file <json>')
    .action(async (o) =>
      withStore(async (s) =>
        print(await registerTaskForce(s.db, await actingAs(s, o.as), jsonFile(o.file, TaskForce))),
      ),
    );
  tf.command('list').action(async () => withStore(async (s) => print(await listTaskForces(s.db))));
  tf.command('duplication')
    .requiredOption('--as <user>')
    .action(async (o) => withStore(async (s) => print(await duplication(s.db, await actingAs(s, o.as)))));

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

  program
    .command('classify')
    .description(
      'is a structure (SMILES) a fentanyl-related substance? prints the class, the modifications (A-E) and why',
    )
    .argument('<smiles>')
    .action(async (smiles: string) => print(await fentanylClass(smiles)));

  program
    .command('substances')
    .description(
      'look up the reference list of controlled substances, precursors and laboratory supplies (reference/substances.csv)',
    )
    .argument('[query]', 'words of a name or synonym, or a CAS number')
    .option('--list <code>', `a control list: ${Object.keys(CONTROL_LISTS).join(', ')}`)
    .option('--hs <code>', 'an HS code or its prefix')
    .option('--category <category>')
    .action((query: string | undefined, o) => {
      if (o.list && !(o.list in CONTROL_LISTS))
        throw new SubstanceError(`unknown control list ${o.list} (known: ${Object.keys(CONTROL_LISTS).join(', ')})`);
      print(findSubstances({ q: query, list: o.list, hs: o.hs, category: o.category }));
    });

  program
    .command('peer')
    .description('add a federation peer; prints the token it must present to this instance')
    .requiredOption('--as <user>')
    .requiredOption('--name <name>')
    .requiredOption('--url <url>')
    .requiredOption('--outbound-token <token>', 'the token the peer issued to this instance')
    .action(async (o) =>
      withStore(async (s) =>
        print(
          await addPeer(s.db, await actingAs(s, o.as), { name: o.name, url: o.url, outboundToken: o.outboundToken }),
        ),
      ),
    );
}

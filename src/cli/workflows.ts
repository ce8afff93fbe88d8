// CLI commands outside the command layer: the system's own jobs (deconflict escalate,
// watchlist activate) and the analytics not moved into it yet. Those that act as a
// named user (--as) have that user's permissions.
import type { Command } from 'commander';
import type { Store } from '../store/store.js';
import type { Principal } from '../domain/users.js';
import { escalateOverdue } from '../deconflict/events.js';
import { activateDue } from '../watchlist/nominations.js';
import { targetingQueue, scoreShipments, ruleHitRates } from '../targeting/score.js';

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

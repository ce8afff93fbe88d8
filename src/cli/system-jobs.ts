// The system's own deconfliction and watchlist jobs, run by hand (the server runs them
// on a timer): not commands of the layer, since no user asks for them and they answer
// no one's access. Everything a user does is a command (src/commands).
import type { Command } from 'commander';
import type { Store } from '../store/store.js';
import { escalateOverdue } from '../deconflict/events.js';
import { activateDue } from '../watchlist/nominations.js';

type WithStore = <T>(fn: (store: Store) => Promise<T>) => Promise<T>;

export function registerSystemJobs(program: Command, withStore: WithStore): void {
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
}

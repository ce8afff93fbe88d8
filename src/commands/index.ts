// Every command. A capability's commands live in src/commands/<capability>.ts, which
// exports them as COMMANDS (and the help lines of the CLI groups they make as GROUPS);
// both adapters (src/api/commands.ts, src/cli/commands.ts) serve exactly this list.
import type { Command } from './command.js';
import * as deconflict from './deconflict.js';
import * as entities from './entities.js';
import * as links from './links.js';
import * as graph from './graph.js';
import * as picture from './picture.js';
import * as watchlist from './watchlist.js';
import * as registry from './registry.js';
import * as presses from './presses.js';
import * as substances from './substances.js';
import * as targeting from './targeting.js';
import * as exchange from './exchange.js';
import * as screen from './screen.js';
import * as lists from './lists.js';
import * as admin from './admin.js';
import * as auth from './auth.js';
import * as data from './data.js';
import * as schemas from './model.js';

const MODULES = [
  deconflict,
  entities,
  links,
  graph,
  picture,
  watchlist,
  registry,
  presses,
  substances,
  targeting,
  exchange,
  screen,
  lists,
  admin,
  auth,
  data,
  schemas,
];

export const COMMANDS: readonly Command[] = MODULES.flatMap((m) => m.COMMANDS);

/** What each group of CLI words is for (its help line). */
export const GROUPS: Record<string, string> = Object.assign({}, ...MODULES.map((m) => m.GROUPS));

// Every command, in the order the API lists them. A capability's commands live in
// src/commands/<capability>.ts; both adapters (src/api/commands.ts, src/cli/commands.ts)
// serve exactly this list.
import type { Command } from './command.js';
import { DECONFLICTION_COMMANDS } from './deconflict.js';

export const COMMANDS: readonly Command[] = [...DECONFLICTION_COMMANDS];

/** What each group of CLI words is for (its help line). */
export const GROUPS: Record<string, string> = {
  case: 'cases and their targets (target deconfliction)',
  deconflict: 'conflicts seen from each side, their acknowledgement, settings and figures',
  operation: 'planned operations (event deconfliction)',
  'watch-center': 'the 24/7 watch center: escalated conflicts',
};

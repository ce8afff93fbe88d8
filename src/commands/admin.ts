// (to be moved here from src/api/routes/admin.ts)
import type { Command } from './command.js';

/** The CLI groups these commands make, with their help lines. */
export const GROUPS: Record<string, string> = {};

export const COMMANDS: Command[] = [];

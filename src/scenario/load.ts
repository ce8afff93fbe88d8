// Loads the demo scenario and creates one demo user per role and agency. Passwords
// are random per data directory (never in the repository), kept in a 0600 file in
// the data directory so that a restart can print them again.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Store } from '../store/store.js';
import { importRecords, type ImportPhase, type ImportReport } from '../ingest/importer.js';
import { parseRecord } from '../ingest/record-input.js';
import { SYSTEM } from '../store/write.js';
import { createUser, findUser, type NewUser } from '../store/users.js';
import { generateScenario, type ScenarioOptions } from './generate.js';

export const DEMO_USERS: Omit<NewUser, 'password'>[] = [
  {
    username: 'admin',
    displayName: 'System administrator (DEA)',
    agency: 'DEA',
    clearance: 'TS',
    roles: ['admin'],
    groups: ['OCDETF'],
  },
  {
    username: 'dea.analyst',
    displayName: 'DEA intelligence analyst',
    agency: 'DEA',
    clearance: 'S',
    roles: ['analyst'],
  },
  {
    username: 'dea.agent',
    displayName: 'DEA special agent (OCDETF)',
    agency: 'DEA',
    clearance: 'S',
    roles: ['case_agent'],
    groups: ['OCDETF'],
  },
  {
    username: 'dea.supervisor',
    displayName: 'DEA group supervisor',
    agency: 'DEA',
    clearance: 'S',
    roles: ['supervisor'],
    groups: ['OCDETF'],
  },
  { username: 'cbp.officer', displayName: 'CBP officer, targeting', agency: 'CBP', clearance: 'C', roles: ['analyst'] },
  { username: 'hsi.agent', displayName: 'HSI special agent', agency: 'HSI', clearance: 'S', roles: ['case_agent'] },
  {
    username: 'fbi.reviewer',
    displayName: 'FBI watchlist reviewer',
    agency: 'FBI',
    clearance: 'TS',
    roles: ['watchlist_reviewer', 'analyst'],
    groups: ['OCDETF'],
  },
  {
    username: 'ofac.analyst',
    displayName: 'OFAC sanctions analyst',
    agency: 'OFAC',
    clearance: 'S',
    roles: ['analyst'],
  },
  { username: 'fincen.analyst', displayName: 'FinCEN analyst', agency: 'FINCEN', clearance: 'S', roles: ['analyst'] },
  {
    username: 'uspis.inspector',
    displayName: 'Postal inspector',
    agency: 'USPIS',
    clearance: 'C',
    roles: ['case_agent'],
  },
  {
    username: 'azdps.detective',
    displayName: 'Arizona DPS detective',
    agency: 'AZDPS',
    clearance: 'U',
    roles: ['case_agent'],
  },
  {
    username: 'fgr.liaison',
    displayName: 'FGR liaison officer (Mexico)',
    agency: 'FGR',
    clearance: 'S',
    roles: ['partner'],
  },
  {
    username: 'rcmp.liaison',
    displayName: 'RCMP liaison officer (Canada)',
    agency: 'RCMP',
    clearance: 'S',
    roles: ['partner'],
  },
  {
    username: 'carrier.partner',
    displayName: 'Express carrier security desk',
    agency: 'EXPRS',
    clearance: 'U',
    roles: ['partner'],
  },
];

export interface DemoLoad {
  report: ImportReport | null;
  users: { username: string; password: string; displayName: string }[];
}

function scenarioItems(opts: ScenarioOptions) {
  return async function* () {
    for (const raw of generateScenario(opts))
      yield parseRecord(raw, { source: raw.source, path: `${raw.source}/${raw.sourceRecordId}` });
  };
}

export async function loadScenario(
  store: Store,
  opts: ScenarioOptions,
  onProgress?: (phase: ImportPhase, n: number) => void,
): Promise<ImportReport> {
  return importRecords(store, SYSTEM, scenarioItems(opts), {
    origin: `scenario seed=${opts.seed} networks=${opts.networks}`,
    purpose: 'demo scenario',
    batchSize: 1000,
    onProgress,
  });
}

/** Creates missing demo users; returns every demo user's password (from the data dir when known). */
export async function ensureDemoUsers(store: Store, dataDir: string | undefined): Promise<DemoLoad['users']> {
  const file = dataDir && !dataDir.startsWith('memory://') ? join(dataDir, 'demo-users.json') : undefined;
  const known: Record<string, string> = file && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const out: DemoLoad['users'] = [];
  for (const u of DEMO_USERS) {
    let password = known[u.username];
    if (!(await findUser(store.db, u.username))) {
      password = randomBytes(9).toString('base64url');
      await createUser(store.db, { ...u, password });
      known[u.username] = password;
    }
    if (password) out.push({ username: u.username, password, displayName: u.displayName ?? u.username });
  }
  if (file) writeFileSync(file, JSON.stringify(known, null, 2), { mode: 0o600 });
  return out;
}

// `chokepoint`: the command line. Commands that change data run as the system
// (whoever can run this command can read the data directory anyway) unless --as
// names a user, and every one of them leaves an audit entry.
import { Command, InvalidArgumentError } from 'commander';
import type { Writable } from 'node:stream';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { hostname, userInfo } from 'node:os';
import cliProgress from 'cli-progress';
import { Store } from '../store/store.js';
import { model } from '../domain/model.js';
import { buildServer } from '../api/server.js';
import { importRecords, type ImportReport } from '../ingest/importer.js';
import { IMPORT_FORMATS, recordsOf, SELF_SOURCED, type ImportFormat, type ReadOptions } from '../ingest/readers.js';
import { importCbpCsv } from '../ingest/cbp.js';
import { EXPORT_FORMATS, exportFile } from '../ingest/export.js';
import { writeMispFeed } from '../exchange/misp/export.js';
import { formatFieldError, ValidationError } from '../ingest/record-input.js';
import { verifyAudit, audit } from '../store/audit.js';
import { purgeExpired, reviewQueue } from '../store/retention.js';
import { createUser, findUser, listUsers } from '../store/users.js';
import { listAgencies, upsertAgencies } from '../store/store.js';
import { SYSTEM } from '../store/write.js';
import '../capabilities.js';
import { resumeAfterWrites } from '../store/after-write.js';
import { ScreeningLists, DEFAULT_THRESHOLD, screeningLists } from '../lists/registry.js';
import { toScreeningQuery, readScreeningCsv } from '../resolve/screen-request.js';
import { screenName, screenRows } from '../lists/screen.js';
import { customLists } from '../lists/custom.js';
import type { WatchlistResult } from '../watchlist/screening.js';
import { crossReferenceAll } from '../resolve/xref.js';
import { ensureDemoUsers, loadScenario } from '../scenario/load.js';
import { ENTITIES_PER_NETWORK, SIZES } from '../scenario/generate.js';
import { ROLES, type Principal, type Role } from '../domain/users.js';
import { CLASSIFICATIONS, type Classification } from '../domain/markings.js';
import type { AgencyKind } from '../domain/agencies.js';
import { registerSystemJobs } from './system-jobs.js';
import { registerTokenCommands } from './tokens.js';
import { registerCommandLine } from './commands.js';
import { COMMANDS, GROUPS } from '../commands/index.js';
import { assertDataDirFree, DataDirBusyError, LOCK_FILE } from '../store/data-lock.js';
import { privateWriteStream } from '../store/private-files.js';
import { importThroughServer } from './through-server.js';

const program = new Command('chokepoint')
  .description('Chokepoint: a shared, marking-enforced picture of the illicit fentanyl supply chain')
  .option(
    '--data <dir>',
    'embedded database directory (ignored when DATABASE_URL is set)',
    process.env.CHOKEPOINT_DATA ?? './data',
  )
  .showHelpAfterError();

const int =
  (name: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number`);
    return n;
  };

/** The running command's path, e.g. "users add" (names the holder in the data directory's lock). */
let running = '';
// Refuse at once when a server (or another command) holds the embedded data directory,
// before doing work that could then not be written or audited. Opening the store takes
// the lock itself; this only answers sooner. An import with a token goes through the server.
program.hook('preAction', (_program, command) => {
  for (let c: Command | null = command; c && c !== program; c = c.parent) running = `${c.name()} ${running}`.trim();
  const token = command.opts().token ?? process.env.CHOKEPOINT_TOKEN;
  if (process.env.DATABASE_URL || (running === 'import' && token)) return;
  assertDataDirFree(program.opts().data);
});

async function openStore(): Promise<Store> {
  const store = await Store.open({ dataDir: program.opts().data });
  store.db.announce({ command: running });
  return store;
}

/** Shell-quoted, so a printed command can be pasted back. */
const shellQuote = (a: string): string => (/^[\w./:=@,+%-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

/** What to do when the data directory is held by another process. */
function busyAdvice(err: DataDirBusyError): string[] {
  const h = err.holder;
  if (!h) return ['retry in a moment'];
  const here = h.hostname === hostname();
  const stop = `stop it (${here ? `kill -TERM ${h.pid}, or Ctrl-C where it runs` : `on ${h.hostname}`}) and run this command again`;
  const lines: string[] = [];
  if (running === 'import' && h.url) {
    const argv = process.argv.slice(2).filter((a, i, all) => a !== '--token' && all[i - 1] !== '--token');
    lines.push(
      `to import through the running server as a user instead, give that user's API token ` +
        `(or set CHOKEPOINT_TOKEN; POST ${h.url}/auth/login or /auth/tokens issues one):`,
      `  npx chokepoint ${argv.map(shellQuote).join(' ')} --token <token>`,
    );
  } else if (h.url) lines.push(`to work while it runs, use its API at ${h.url} (GET ${h.url}/openapi.json lists it)`);
  lines.push(`${lines.length ? 'or ' : ''}${stop}${h.url ? '' : ' (or wait until it has finished)'}`);
  if (!here) lines.push(`if no Chokepoint runs on ${h.hostname} any more, delete ${join(err.dir, LOCK_FILE)}`);
  return lines;
}

async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore();
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function actingAs(store: Store, username?: string): Promise<Principal> {
  if (!username) return { ...SYSTEM, username: `system (cli:${userInfo().username})` };
  const p = await findUser(store.db, username);
  if (!p) throw new Error(`--as: no user "${username}"`);
  return p;
}

function progress(label: string): { update: (phase: string, n: number) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { format: `${label} {phase} | {value} {unit} | {rate}/s`, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  // The rate is of the phase under way (cross-referencing follows the write), timed
  // from the previous phase's last step.
  let phase = 'validate';
  let t0 = Date.now();
  let last = t0;
  bar.start(0, 0, { phase, unit: 'records', rate: 0 });
  return {
    update: (p, n) => {
      if (p !== phase) [phase, t0] = [p, last];
      last = Date.now();
      const unit = p === 'cross-reference' || p === 'xref' ? 'entities' : 'records';
      bar.update(n, { phase: p, unit, rate: Math.round(n / Math.max(0.001, (last - t0) / 1000)) });
    },
    stop: () => bar.stop(),
  };
}

function printReport(r: ImportReport): void {
  console.log(
    `read ${r.read} records: ${r.inserted} new, ${r.updated} updated, ${r.unchanged} unchanged, ${r.rejected} rejected; ` +
      `${r.entities} entities and ${r.statements} statements written in ${r.seconds.toFixed(1)} s (${Math.round(r.read / Math.max(r.seconds, 0.001))} records/s); ` +
      (r.links === null
        ? 'no possible links counted'
        : r.links === undefined
          ? "possible links are found as for any user's write (and not counted to the writer)"
          : `${r.links} possible links found`),
  );
  for (const l of r.leftUndone ?? [])
    console.log(
      `  ${l.step} not done for ${l.entities} entities (${
        l.reason === 'skipped'
          ? 'skipped on request'
          : l.reason === 'limit'
            ? 'the import is larger than it does after an import'
            : l.reason === 'failed'
              ? 'failed: see the log'
              : 'the database was out of reach: it stays queued and is done later'
      })${l.redo && l.reason !== 'queued' ? `: run \`${l.redo}\`` : ''}`,
    );
  for (const e of r.errors) console.log(`  rejected: ${formatFieldError(e)}`);
  const notMapped = Object.entries(r.notMapped ?? {});
  if (notMapped.length) {
    console.log(`not mapped (the model has no place for it; not imported):`);
    for (const [what, n] of notMapped.sort((a, b) => b[1] - a[1])) console.log(`  ${n} × ${what}`);
  }
}

async function serve(
  store: Store,
  opts: { port: number; host: string },
  info: Record<string, unknown> = {},
): Promise<void> {
  // RATE_LIMIT: requests per minute per client (default 1200); load tests raise it to find the server's own limit.
  const rateLimit = process.env.RATE_LIMIT ? Number(process.env.RATE_LIMIT) : undefined;
  if (rateLimit !== undefined && !(rateLimit > 0))
    throw new InvalidArgumentError(
      `RATE_LIMIT must be a positive number of requests per minute, not "${process.env.RATE_LIMIT}"`,
    );
  const app = await buildServer({ store, logger: process.env.LOG_REQUESTS === '1', info, rateLimit });
  await app.listen({ port: opts.port, host: opts.host });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const url = `http://${opts.host === '0.0.0.0' ? 'localhost' : opts.host}:${port}`;
  store.db.announce({ url }); // a command refused the data directory points to this URL
  console.log(`Chokepoint is serving on ${url}  (API: /openapi.json; database: ${store.db.kind} ${store.db.location})`);
  const stop = async (): Promise<void> => {
    console.log('stopping…');
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.off('SIGINT', exitOnSignal);
  process.off('SIGTERM', exitOnSignal);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

// Any other command ends on a signal through process.exit, which releases the data
// directory's lock (see data-lock.ts); an uncaught signal would leave it to be taken over.
const exitOnSignal = (signal: NodeJS.Signals): void => process.exit(signal === 'SIGINT' ? 130 : 143);
process.on('SIGINT', exitOnSignal);
process.on('SIGTERM', exitOnSignal);
// Output piped into `head` and the like: the reader has gone, so stop quietly rather than with a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

program
  .command('serve')
  .description('serve the API and web app')
  .option('-p, --port <n>', 'port', int('port'), Number(process.env.PORT ?? 8080))
  .option(
    '--host <host>',
    'interface to listen on (0.0.0.0 exposes it to the network)',
    process.env.HOST ?? 'localhost',
  )
  .action(async (opts) => serve(await openStore(), opts));

program
  .command('demo')
  .description('load the generated demo scenario (idempotent), create demo users, and serve')
  .option('-p, --port <n>', 'port', int('port'), Number(process.env.PORT ?? 8080))
  .option('--host <host>', 'interface to listen on', process.env.HOST ?? 'localhost')
  .option('--seed <n>', 'generator seed', int('seed'), 20261123)
  .option('--size <name>', `scenario size: ${Object.keys(SIZES).join(', ')}`, 'demo')
  .option(
    '--entities <n>',
    `approximate number of entities (overrides --size; ~${ENTITIES_PER_NETWORK} per network)`,
    int('entities'),
  )
  .option('--no-serve', 'load and exit')
  .action(async (opts) => {
    const networks = opts.entities ? Math.max(1, Math.round(opts.entities / ENTITIES_PER_NETWORK)) : SIZES[opts.size];
    if (!networks) throw new InvalidArgumentError(`--size must be one of ${Object.keys(SIZES).join(', ')}`);
    const store = await openStore();
    const bar = progress('demo scenario');
    const report = await loadScenario(store, { seed: opts.seed, networks }, bar.update);
    bar.stop();
    printReport(report);
    const users = await ensureDemoUsers(store, process.env.DATABASE_URL ? undefined : program.opts().data);
    console.log('\nDemo users (one per role and agency; passwords are random for this data directory):');
    for (const u of users) console.log(`  ${u.username.padEnd(18)} ${u.password.padEnd(14)} ${u.displayName}`);
    if (!users.length)
      console.log(
        '  (created by an earlier run; passwords are not stored with a PostgreSQL database: use `chokepoint users add`)',
      );
    console.log('');
    if (opts.serve) await serve(store, opts, { scenario: { seed: opts.seed, networks } });
    else await store.close();
  });

/** An import refused the data directory goes through the server that holds it, when a token is given. */
async function importThroughHolder(e: unknown, file: string, format: string, opts: Record<string, string>) {
  const token = opts.token ?? process.env.CHOKEPOINT_TOKEN;
  if (!(e instanceof DataDirBusyError && e.holder?.url && token)) throw e;
  const o = { ...opts, file, format, mode: opts.mode! };
  printReport(await importThroughServer(e.holder, token, o, (l) => console.error(l)));
}

program
  .command('import')
  .description(
    'import a file: Chokepoint JSON/JSONL, FtM entity stream, CSV with a mapping, MISP events (a file, or a feed directory), STIX 2.1 bundle, or CBP seizure statistics',
  )
  .argument('<file>')
  .option('-f, --format <format>', `${[...IMPORT_FORMATS, 'cbp'].join(' | ')} (default: from the file name)`)
  .option('-s, --source <agency>', 'source agency when the data does not name it')
  .option(
    '-m, --marking <marking>',
    'marking for FtM and CSV data, MISP events without a marking tag, and STIX objects that carry none, e.g. "U//LES"',
  )
  .option('--mapping <file>', 'CSV mapping, or markings for MISP sharing groups and tags (JSON)')
  .option('--kind <kind>', 'record kind for FtM/CSV: intelligence | case | operational | public', 'operational')
  .option('--criminal-basis <text>', 'criminal basis for intelligence records (FtM/CSV)')
  .option('--sensitivity <label>', 'sensitivity label for intelligence records')
  .option('--confidence <label>', 'confidence label for intelligence records')
  .option('--mode <mode>', 'atomic (all or nothing) | skip (write valid records, report the rest)', 'atomic')
  .option('--as <username>', "apply this user's write rules (default: the system)")
  .option(
    '--token <token>',
    "while a server holds the data directory: import through its API as this token's user " +
      '(default: CHOKEPOINT_TOKEN)',
  )
  .action(async (file: string, opts) => {
    if (!existsSync(file)) throw new Error(`${file}: no such file`);
    const format: string =
      opts.format ??
      (
        { '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.json': 'json', '.csv': 'csv', '.ftm': 'ftm' } as Record<
          string,
          string
        >
      )[extname(file)] ??
      'json';
    if (![...IMPORT_FORMATS, 'cbp'].includes(format))
      throw new Error(`--format must be one of ${[...IMPORT_FORMATS, 'cbp'].join(', ')}`);
    if (!['atomic', 'skip'].includes(opts.mode)) throw new Error('--mode must be atomic or skip');
    await withStore(async (store) => {
      // Work an earlier process left queued after its commit (it was killed) is finished first.
      const resumed = await resumeAfterWrites(store.db);
      if (resumed) console.log(`finished ${resumed} follow-up job(s) an earlier process left after its commit`);
      const who = await actingAs(store, opts.as);
      if (format === 'cbp') {
        const r = await importCbpCsv(store.db, who.username, file);
        console.log(
          `imported ${r.rows} CBP seizure-statistics rows in ${r.seconds.toFixed(1)} s` +
            (r.partialYears.length ? `; fiscal year to date, still partial: ${r.partialYears.join(', ')}` : ''),
        );
        return;
      }
      const source = (opts.source ?? (opts.as ? who.agency : undefined)) as string | undefined;
      if (!source && !SELF_SOURCED.includes(format as ImportFormat))
        throw new Error('--source: name the agency the data comes from');
      const ro: ReadOptions = {
        source: source ?? 'UNKNOWN',
        marking: opts.marking,
        kind: opts.kind,
        criminalBasis: opts.criminalBasis,
        sensitivity: opts.sensitivity,
        confidence: opts.confidence,
      };
      // The checks and readers of POST /import, over the file on disk.
      const mapping = opts.mapping ? JSON.parse(readFileSync(opts.mapping, 'utf8')) : undefined;
      const items = recordsOf(format as ImportFormat, { path: file }, ro, mapping);
      const bar = progress(file);
      try {
        printReport(
          await importRecords(store, who, items, {
            origin: `cli import ${file}`,
            mode: opts.mode,
            onProgress: bar.update,
          }),
        );
      } finally {
        bar.stop();
      }
    }).catch((e: unknown) => importThroughHolder(e, file, format, opts));
  });

program
  .command('export')
  .description(
    'export what a user may see as FtM JSON lines, CSV, FtM statements, MISP events or a MISP feed, or STIX 2.1 (a logged dissemination)',
  )
  .requiredOption('--as <username>', 'the user whose access the export has')
  .requiredOption('--purpose <text>', 'why (kept in the dissemination log)')
  .option('--recipient-agency <agency>', 'the agency that receives the export')
  .option(
    '--format <format>',
    'ftm (JSON lines) | csv (one row per value; formula-like cells neutralised) | statements (FtM statements with markings and provenance, for another instance) | misp (MISP events) | misp-feed (a MISP feed directory: --out DIR) | stix (a STIX 2.1 bundle with its markings)',
    'ftm',
  )
  .option('-o, --out <file>', 'output file, or directory for misp-feed (default: standard output)')
  .action(async (opts) =>
    withStore(async (store) => {
      if (![...EXPORT_FORMATS, 'misp-feed'].includes(opts.format))
        throw new Error(`--format must be one of ${[...EXPORT_FORMATS, 'misp-feed'].join(', ')}`);
      const who = await actingAs(store, opts.as);
      if (opts.format === 'misp-feed') {
        if (!opts.out) throw new Error('--out: a MISP feed is a directory (manifest.json, hashes.csv, <uuid>.json)');
        const r = await writeMispFeed(store, who, opts.out, {
          purpose: opts.purpose,
          recipientAgency: opts.recipientAgency,
        });
        console.error(`wrote a MISP feed of ${r.events} events (${r.hashes} attribute hashes) to ${opts.out}`);
        return;
      }
      // Opened with the first piece, so an export refused (no purpose, no permission) leaves the file as it was.
      let out: Writable | undefined;
      const open = (): Writable => (out ??= opts.out ? privateWriteStream(opts.out) : process.stdout); // an export is data: 0600
      const write = async (text: string) => {
        const o = open();
        if (!o.write(text)) await new Promise<void>((r) => o.once('drain', () => r()));
      };
      // The file GET /export answers, written as it is read.
      let pieces = 0;
      const scope = { purpose: opts.purpose, recipientAgency: opts.recipientAgency };
      for await (const piece of exportFile(store, who, opts.format, scope)) {
        await write(piece);
        pieces++;
      }
      if (opts.out) {
        await new Promise<void>((r) => (open() as ReturnType<typeof privateWriteStream>).end(() => r()));
        const n =
          opts.format === 'csv' || opts.format === 'stix' ? pieces - 1 : opts.format === 'misp' ? pieces - 2 : pieces; // a CSV's header is no value; MISP's opening and closing are no event; nor a bundle's end
        const what =
          opts.format === 'ftm'
            ? 'entities'
            : opts.format === 'misp'
              ? 'MISP events'
              : opts.format === 'stix'
                ? 'STIX objects and definitions'
                : 'values';
        console.error(`exported ${n} ${what} to ${opts.out}`);
      }
    }),
  );

const users = program.command('users').description('manage local users');
users
  .command('add')
  .requiredOption('--username <name>')
  .requiredOption('--agency <code>')
  .requiredOption('--clearance <level>', CLASSIFICATIONS.join(' | '))
  .requiredOption('--roles <list>', `comma-separated: ${ROLES.join(', ')}`)
  .option('--groups <list>', 'comma-separated need-to-know groups', '')
  .option('--display-name <name>')
  .option('--country <iso3>', "citizenship / partner country (default: the agency's)")
  .option('--password-stdin', 'read the password from standard input (otherwise one is generated and printed)')
  .action(async (opts) =>
    withStore(async (store) => {
      let password: string;
      if (opts.passwordStdin) password = readFileSync(0, 'utf8').trim();
      else password = (await import('node:crypto')).randomBytes(12).toString('base64url');
      const u = await createUser(store.db, {
        username: opts.username,
        displayName: opts.displayName,
        password,
        agency: opts.agency.toUpperCase(),
        country: opts.country,
        clearance: opts.clearance as Classification,
        roles: opts.roles.split(',').map((r: string) => r.trim()) as Role[],
        groups: opts.groups.split(',').filter(Boolean),
      });
      await audit(store.db, {
        actor: `cli:${userInfo().username}`,
        action: 'users.create',
        target: u.username,
        details: { agency: u.agency, clearance: u.clearance, roles: u.roles },
      });
      console.log(
        `created ${u.username} (${u.agency}, ${u.clearance}, ${u.roles.join(',')})${opts.passwordStdin ? '' : `; password: ${password}`}`,
      );
    }),
  );
users.command('list').action(async () =>
  withStore(async (store) => {
    for (const u of await listUsers(store.db))
      console.log(
        `${u.username.padEnd(20)} ${u.agency.padEnd(7)} ${u.clearance.padEnd(4)} ${u.roles.join(',')}${u.groups.length ? `  groups ${u.groups.join(',')}` : ''}`,
      );
  }),
);

const agencies = program.command('agencies').description('agencies known to this instance');
agencies.command('list').action(async () =>
  withStore(async (store) => {
    for (const a of await listAgencies(store.db))
      console.log(`${a.code.padEnd(7)} ${a.country} ${a.kind.padEnd(8)} ${a.lawEnforcement ? 'LE ' : '   '} ${a.name}`);
  }),
);
agencies
  .command('add')
  .requiredOption('--code <code>')
  .requiredOption('--name <name>')
  .requiredOption('--country <iso3>')
  .requiredOption('--kind <kind>', 'federal | state | local | foreign | private | public')
  .option('--law-enforcement', 'may read LES', false)
  .action(async (opts) =>
    withStore(async (store) => {
      await upsertAgencies(store.db, [
        {
          code: opts.code.toUpperCase(),
          name: opts.name,
          country: opts.country.toUpperCase(),
          kind: opts.kind as AgencyKind,
          lawEnforcement: !!opts.lawEnforcement,
        },
      ]);
      await audit(store.db, {
        actor: `cli:${userInfo().username}`,
        action: 'agencies.upsert',
        target: opts.code.toUpperCase(),
      });
      console.log(`agency ${opts.code.toUpperCase()} saved`);
    }),
  );

program
  .command('audit')
  .description('audit log')
  .argument('<action>', 'verify')
  .option('--expect-head <seq:hash>', 'a head recorded earlier; detects entries removed from the end')
  .action(async (action: string, opts) => {
    if (action !== 'verify') throw new Error('audit: the only action is "verify"');
    await withStore(async (store) => {
      const head = opts.expectHead === undefined ? undefined : /^(\d+):([0-9a-f]{64})$/.exec(String(opts.expectHead));
      if (opts.expectHead !== undefined && !head)
        throw new InvalidArgumentError(
          `--expect-head: "${opts.expectHead}" is not a head; give it as printed, <seq>:<64 hex digits>`,
        );
      const expect = head ? { seq: Number(head[1]), hash: head[2]! } : undefined;
      const r = await verifyAudit(store.db, expect);
      console.log(`${r.ok ? 'OK' : 'TAMPERED'}: ${r.entries} entries; head ${r.head.seq}:${r.head.hash}`);
      for (const p of r.problems) console.log(`  ${p}`);
      if (!r.ok) process.exitCode = 3;
    });
  });

program
  .command('retention')
  .description('28 CFR Part 23 retention: list records due for review, or purge expired ones')
  .argument('<action>', 'review | purge')
  .option('--days <n>', 'review: records due within n days', int('days'), 30)
  .action(async (action: string, opts) =>
    withStore(async (store) => {
      const who = await actingAs(store);
      if (action === 'review') {
        const due = await reviewQueue(store.db, { ...who, groups: await allGroups(store) }, opts.days);
        for (const d of due)
          console.log(`${d.overdue ? 'OVERDUE' : 'due    '} ${d.reviewBy}  #${d.id} ${d.source}/${d.sourceRecordId}`);
        console.log(`${due.length} intelligence record(s) due within ${opts.days} days`);
      } else if (action === 'purge') {
        const r = await purgeExpired(store.db, who);
        for (const p of r.purged)
          console.log(
            `purged ${p.source}/${p.sourceRecordId}${p.notified.length ? `; told ${p.notified.join(', ')}` : ''}`,
          );
        console.log(`${r.purged.length} record(s) purged`);
      } else throw new Error('retention: review or purge');
    }),
  );

// The operator's screening on the data directory, kept beside the API's (`screening name|batch|lists`,
// src/commands/screen.ts) because it does what those cannot: it screens as the system unless --as names
// a user, against another list (--ofac-xml), and a CSV of any size streamed to JSON lines with progress.
// Both screen through src/lists/screen.ts, so they give the same hits (test/screen-parity.test.ts).
program
  .command('screen')
  .description(
    'screen a name, or a CSV of names (--csv), against the sanctions lists, the lists added with `lists add` ' +
      'that the screener may read, and the watchlist; ' +
      'prints ranked hits with reasons',
  )
  .argument('[name]')
  .option('--dob <date>', 'date of birth (YYYY, YYYY-MM or YYYY-MM-DD)')
  .option('--country <iso2>', 'nationality')
  .option('--kind <kind>', 'person | organization | any', 'any')
  .option('--threshold <n>', 'minimum calibrated score (0.01-1)', String(DEFAULT_THRESHOLD))
  .option('--csv <file>', 'screen every row (header: name[,birthDate][,nationality])')
  .option('--out <file>', 'with --csv: write results as JSON lines here')
  .option('--ofac-xml <file>', "screen against this SDN.XML (e.g. today's list) instead of the shipped one")
  .option(
    '--as <username>',
    'screen as this user: their access decides which watchlist records answer ' + '(default: the system)',
  )
  .action(async (name: string | undefined, opts) =>
    withStore(async (store) => {
      const threshold = Number(opts.threshold);
      if (!(threshold >= 0.01 && threshold <= 1)) throw new Error('--threshold must be between 0.01 and 1');
      if (!opts.csv && !name) throw new Error('screen: give a name, or --csv <file>');
      const me = await actingAs(store, opts.as);
      const t0 = performance.now();
      const lists = ScreeningLists.load({ ofacXml: opts.ofacXml });
      for (const l of lists.lists)
        console.error(
          `${l.name}: ${l.entries} entries${l.drugProgramEntries ? ` (${l.drugProgramEntries} under drug programs)` : ''}, published ${l.publishDate ?? 'unknown'}; indexed in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
        );
      for (const l of await customLists(store.db, me))
        console.error(
          `${l.name}: ${l.entries} entries, added ${l.addedAt}, marked ${l.marking} (a list added with \`lists add\`)`,
        );
      const watchlistLine = (w: WatchlistResult) => `WATCHLIST  ${w.result}  (encounter ${w.encounter})`;
      if (!opts.csv) {
        const q = toScreeningQuery({ name, kind: opts.kind, birthDate: opts.dob, nationality: opts.country });
        const { hits, watchlist } = await screenName(store.db, me, lists, q, { threshold });
        if (!hits.length && !watchlist.length) console.log(`no hit at or above ${threshold}`);
        for (const w of watchlist) console.log(watchlistLine(w));
        for (const h of hits) {
          console.log(
            `${h.score.toFixed(3)}  ${h.entry.list} ${h.entry.id}  ${(h.entry.details?.name as string) ?? h.entry.names[0]}  [${(h.entry.programs ?? []).join(', ')}]`,
          );
          for (const r of h.reasons) console.log(`         ${r}`);
        }
        const details = {
          as: me.username,
          hits: hits.map((h) => h.entry.id),
          watchlist: watchlist.map((w) => w.encounter),
        };
        await audit(store.db, { actor: `cli:${userInfo().username}`, action: 'screen', target: q.name, details });
        return;
      }
      const rows = readScreeningCsv(readFileSync(opts.csv, 'utf8'));
      const out = opts.out ? privateWriteStream(opts.out) : undefined;
      const bar = progress(opts.csv);
      const started = performance.now();
      const onRow = (i: number): void => {
        if (i % 500 === 0) bar.update('screen', i);
      };
      const { results, errors } = await screenRows(store.db, me, lists, rows, { threshold, onRow });
      bar.stop();
      for (const e of errors) console.error(`line ${e.line}: ${e.error}`);
      for (const r of results) {
        const hits = r.hits.map((h) => ({
          score: h.score,
          list: h.entry.list,
          id: h.entry.id,
          name: h.entry.details?.name ?? h.entry.names[0],
          reasons: h.reasons,
        }));
        out?.write(`${JSON.stringify({ line: r.line, name: r.query.name, hits, watchlist: r.watchlist })}\n`);
      }
      await new Promise<void>((resolve) => (out ? out.end(resolve) : resolve()));
      const s = (performance.now() - started) / 1000;
      const withHits = results.filter((r) => r.hits.length).length;
      const pointers = results.filter((r) => r.watchlist.length).length;
      const rate = Math.round(results.length / Math.max(s, 1e-6));
      console.log(
        `screened ${results.length} of ${rows.length} rows in ${s.toFixed(2)} s (${rate} names/s): ` +
          `${withHits} with hits, ${pointers} with a watchlist pointer, ${errors.length} rejected`,
      );
      await audit(store.db, {
        actor: `cli:${userInfo().username}`,
        action: 'screen.batch',
        target: opts.csv,
        details: { as: me.username, rows: rows.length, withHits, errors: errors.length },
      });
    }),
  );

program
  .command('xref')
  .description(
    'cross-reference every person and organisation in the store (after a large import, or to redo it); records possible links',
  )
  .action(async () =>
    withStore(async (store) => {
      const ids = (
        await store.db.query<{ id: string }>('SELECT id FROM entities WHERE schema = ANY($1) ORDER BY id', [
          model.descendants('LegalEntity').filter((s) => model.matchable(s)),
        ])
      ).map((r) => r.id);
      const bar = progress('xref');
      const r = await crossReferenceAll(store.db, ids, `cli:${userInfo().username}`, {
        onProgress: (done) => bar.update('xref', done),
      });
      bar.stop();
      console.log(`cross-referenced ${ids.length} people and organisations: ${r.links} new possible links`);
      if (r.failed) {
        console.log(`  ${r.failed} of them failed (see the log above): run \`chokepoint xref\` again`);
        process.exitCode = 1;
      }
    }),
  );

/** The system's review sees every group's records. */
async function allGroups(store: Store): Promise<string[]> {
  const rows = await store.db.query<{ g: string }>('SELECT DISTINCT unnest(compartments) AS g FROM markings');
  return rows.map((r) => r.g);
}

// The command layer's operations (src/commands: the same ones the API serves), then the
// operator's commands on the data directory.
registerCommandLine(
  program,
  COMMANDS,
  withStore,
  actingAs,
  () => ({
    lists: screeningLists,
    instance: process.env.CHOKEPOINT_INSTANCE ?? 'chokepoint',
  }),
  GROUPS,
);
registerSystemJobs(program, withStore);
registerTokenCommands(program, withStore);

program.parseAsync().catch((err: Error) => {
  if (err instanceof ValidationError) {
    console.error(`rejected, nothing written: ${err.errors.length} problem(s)`);
    for (const e of err.errors) console.error(`  ${formatFieldError(e)}`);
  } else if (err instanceof DataDirBusyError) {
    console.error(`error: ${err.message}`);
    for (const line of busyAdvice(err)) console.error(`  ${line}`);
  } else console.error(`error: ${err.message}`);
  process.exit(2);
});

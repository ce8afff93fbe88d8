// The command-line adapter of the command layer: one commander command per command,
// made from its schemas. Path parameters are arguments (in the path's order), query
// properties are options, and the body comes from --file <json> or, for a body of
// plain values, from one option per property (an option overrides the file). The
// input is validated with the API's own validators, the command runs as the user
// --as names, through the same `invoke` that authorizes API requests, and the run
// leaves one audit entry (or the entries the command wrote with its data), refused
// or not, like an API request.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command as Commander } from 'commander';
import { Option } from 'commander';
import { Type, type TSchema } from '@sinclair/typebox';
import { type Command, cliPath, Download, invoke, type Services } from '../commands/command.js';
import { problems } from '../commands/validate.js';
import type { Store } from '../store/store.js';
import type { Principal } from '../domain/users.js';
import { appendAuditBatch, auditScope, type AuditEntry } from '../store/audit.js';
import { errorClass } from '../api/request-audit.js';
import { StatusError } from '../domain/errors.js';

type WithStore = <T>(fn: (store: Store) => Promise<T>) => Promise<T>;
type ActingAs = (store: Store, username?: string) => Promise<Principal>;

/** The options every generated command has; a schema property may not take their names. */
const RESERVED = new Set(['as', 'file', 'out', 'help', 'data', 'purpose']);

const kebab = (s: string): string => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const camel = (s: string): string => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

interface Prop {
  key: string;
  schema: TSchema & { type?: string; items?: { type?: string }; description?: string; enum?: unknown[] };
  required: boolean;
}

function propsOf(schema: TSchema | undefined): Prop[] {
  const s = schema as { properties?: Record<string, TSchema>; required?: string[] } | undefined;
  if (!s?.properties) return [];
  return Object.entries(s.properties).map(([key, schema]) => ({
    key,
    schema: schema as Prop['schema'],
    required: s.required?.includes(key) ?? false,
  }));
}

const SCALAR = new Set(['string', 'number', 'integer', 'boolean']);
/** A property a command-line option can give: a plain value, a list of them, or a choice among literals. */
function isPlain(p: Prop): boolean {
  const t = p.schema.type;
  if (t && SCALAR.has(t)) return true;
  if (t === 'array') return !!p.schema.items?.type && SCALAR.has(p.schema.items.type);
  const anyOf = (p.schema as { anyOf?: { type?: string; const?: unknown }[] }).anyOf;
  return !!anyOf?.every((a) => a.const !== undefined || (a.type && SCALAR.has(a.type)));
}

function describe(p: Prop): string {
  const anyOf = (p.schema as { anyOf?: { const?: unknown }[] }).anyOf;
  const choices = anyOf?.every((a) => a.const !== undefined) ? `one of: ${anyOf.map((a) => a.const).join(', ')}` : '';
  return [p.schema.description, choices].filter(Boolean).join('; ');
}

/** The option for a property: a flag for a boolean, repeatable for a list. */
function optionFor(p: Prop, where: 'query' | 'body'): Option {
  const flag = `--${kebab(p.key)}`;
  const o =
    p.schema.type === 'boolean'
      ? new Option(flag, describe(p))
      : new Option(`${flag} <${p.schema.type === 'array' ? 'value...' : 'value'}>`, describe(p));
  if (p.schema.type === 'array') o.argParser((v: string, all: string[] | undefined) => [...(all ?? []), v]);
  // A property with a default is required by the schema but need not be given.
  if (p.required && where === 'query' && p.schema.type !== 'boolean' && !('default' in p.schema))
    o.makeOptionMandatory();
  return o;
}

/** The :names of a path, in order. */
const pathParams = (path: string): string[] => [...path.matchAll(/:([A-Za-z_]\w*)/g)].map((m) => m[1]!);

function fail(message: string): never {
  throw new StatusError(message, 400);
}

/** One audit entry per CLI run: the command's own notes, or one generic entry, each with the command line. */
async function audited<T>(
  store: Store,
  actor: () => string,
  cli: Record<string, unknown>,
  fn: () => Promise<T>,
): Promise<T> {
  const notes: AuditEntry[] = [];
  let appended = 0;
  let error: string | undefined;
  try {
    return await auditScope.run(
      {
        db: store.db,
        defer: (e) => !!notes.push(e),
        appended: () => {
          appended++;
        },
      },
      fn,
    );
  } catch (e) {
    error = errorClass(e as Error);
    throw e;
  } finally {
    // A write that succeeded is recorded by the entries it committed with its data.
    if (notes.length || !appended || error) {
      const details = { cli: { ...cli, ...(error ? { error } : {}) } };
      const entries = (
        notes.length ? notes : [{ actor: actor(), action: 'cli.command', target: String(cli.command) }]
      ).map((n) => ({
        ...n,
        purpose: n.purpose ?? (cli.purpose as string | null),
        details: { ...n.details, ...details },
      }));
      await store.db.transaction((tx) => appendAuditBatch(tx, entries));
    }
  }
}

/** The words' command under `program`, made if it is not there yet. */
function groupFor(program: Commander, words: string[], groups: Record<string, string>): Commander {
  let at = program;
  for (const w of words) {
    let next = at.commands.find((c) => c.name() === w);
    if (!next) {
      next = at.command(w);
      if (groups[w]) next.description(groups[w]);
    }
    at = next;
  }
  return at;
}

export function registerCommandLine(
  program: Commander,
  commands: readonly Command[],
  withStore: WithStore,
  actingAs: ActingAs,
  services: () => Services,
  groups: Record<string, string> = {},
): void {
  for (const c of commands) {
    const words = cliPath(c);
    const parent = groupFor(program, words.slice(0, -1), groups);
    const name = words.at(-1)!;
    if (parent.commands.some((x) => x.name() === name)) throw new Error(`two commands are "${words.join(' ')}"`);
    const cmd = parent
      .command(name)
      .summary(c.summary)
      .description(c.description ?? c.summary);
    const args = pathParams(c.path);
    for (const a of args) cmd.argument(`<${a}>`);
    const extra = c.cli?.argument;
    if (extra) cmd.argument(`<${extra.name}>`, extra.description);
    const positional = args.length + (extra ? 1 : 0);
    // A query's `purpose` (why the data is read, kept in the audit log) is the CLI's own --purpose.
    const takesPurpose = propsOf(c.query).some((p) => p.key === 'purpose');
    const query = propsOf(c.query).filter((p) => p.key !== 'purpose');
    const omit = new Set(c.cli?.omit ?? []);
    const bodyOptions = propsOf(c.body).filter((p) => isPlain(p) && !omit.has(p.key));
    const taken = new Set<string>();
    for (const p of [...query, ...bodyOptions]) {
      if (RESERVED.has(p.key) || taken.has(p.key))
        throw new Error(`${c.name}: the option --${kebab(p.key)} is taken; leave the property to --file (cli.omit)`);
      taken.add(p.key);
    }
    for (const p of query) cmd.addOption(optionFor(p, 'query'));
    for (const p of bodyOptions) {
      cmd.addOption(optionFor(p, 'body'));
      // A boolean property can be said false too (a required one must be said either way).
      if (p.schema.type === 'boolean') cmd.addOption(new Option(`--no-${kebab(p.key)}`, `${p.key}: false`));
    }
    if (c.body) cmd.option('--file <json>', 'the request body as a JSON file (options override its values)');
    for (const o of c.cli?.options ?? []) {
      const opt = new Option(o.flags, o.description);
      if (o.repeatable) opt.argParser((v: string, all: string[] | undefined) => [...(all ?? []), v]);
      cmd.addOption(opt);
    }
    if (!c.public) cmd.requiredOption('--as <user>', 'the user to act as (with their access and permissions)');
    cmd.option('--purpose <text>', 'why (recorded in the audit log)');
    cmd.option(
      '--out <file>',
      'write the answer (JSON, or the file it is: CSV, NDJSON) to this file (mode 0600), not stdout',
    );
    if (c.cli?.format) cmd.option('--json', 'print the answer as JSON, not for a person');

    cmd.action(async (...argv: unknown[]) => {
      const opts = (argv[positional] ?? {}) as Record<string, unknown>;
      const params: Record<string, unknown> = {};
      args.forEach((a, i) => {
        params[a] = argv[i];
      });
      const queryIn: Record<string, unknown> = {};
      for (const p of query) if (opts[p.key] !== undefined) queryIn[p.key] = opts[p.key];
      if (takesPurpose && opts.purpose !== undefined) queryIn.purpose = opts.purpose;
      let bodyIn: unknown;
      const file = opts.file as string | undefined;
      if (c.body) {
        if (file) {
          try {
            bodyIn = JSON.parse(readFileSync(file, 'utf8'));
          } catch (e) {
            fail(`${file}: ${(e as Error).message}`);
          }
        }
        const given = bodyOptions.filter((p) => opts[p.key] !== undefined);
        if (given.length || !file) {
          if (bodyIn !== undefined && (typeof bodyIn !== 'object' || bodyIn === null || Array.isArray(bodyIn)))
            fail(`${file}: the body must be a JSON object to take options`);
          const b = (bodyIn ?? {}) as Record<string, unknown>;
          for (const p of given) {
            // Each option's text is coerced to its property's type (a file's JSON is not).
            const one = { [p.key]: opts[p.key] };
            const bad = problems(one, Type.Object({ [p.key]: p.schema }), 'coerce');
            if (bad.length) fail(`--${kebab(p.key)}: ${bad.join('; ')}`);
            b[p.key] = one[p.key];
          }
          bodyIn = b;
        }
      }
      const input = { params, query: queryIn, body: bodyIn };
      for (const o of c.cli?.options ?? []) {
        const key = camel(o.flags.split(/[ ,]/)[0]!.replace(/^--?/, ''));
        if (opts[key] !== undefined) o.into(opts[key], input);
      }
      if (extra) extra.into(argv[args.length], input);
      const check = (value: unknown, schema: TSchema | undefined, how: 'coerce' | 'exact', label: string): void => {
        if (!schema) return;
        const bad = problems(value, schema, how);
        if (bad.length) fail(`${label}: ${bad.join('; ')}`);
      };
      check(params, c.params, 'coerce', 'arguments');
      check(queryIn, c.query, 'coerce', 'options');
      check(input.body, c.body, 'exact', file ?? 'options');

      await withStore(async (store) => {
        let me: Principal | undefined;
        const line = { command: words.join(' '), params, query: queryIn, purpose: opts.purpose ?? null };
        const out = await audited(
          store,
          () => me?.username ?? 'anonymous',
          line,
          async () => {
            if (!c.public) me = await actingAs(store, opts.as as string);
            const caller = { ip: 'cli', header: () => undefined }; // one client, no token of its own
            return invoke(c, { store, db: store.db, me, services: services(), caller }, input);
          },
        );
        const chunks: (string | Buffer)[] = [];
        if (out instanceof Download) {
          if (typeof out.body === 'string' || Buffer.isBuffer(out.body)) chunks.push(out.body);
          else for await (const x of out.body) chunks.push(x);
        } else if (c.cli?.format && !opts.out && !opts.json)
          c.cli.format(out, { out: (l) => console.log(l), err: (l) => console.error(l) });
        else if (out !== undefined) chunks.push(`${JSON.stringify(out, null, 2)}\n`);
        // Mode 0600: what a user may read is theirs, not every account's on the machine.
        if (opts.out) {
          writeFileSync(opts.out as string, Buffer.concat(chunks.map((x) => Buffer.from(x))), { mode: 0o600 });
          chmodSync(opts.out as string, 0o600); // a file that was there keeps its mode otherwise
        } else for (const x of chunks) process.stdout.write(x);
      });
    });
  }
}

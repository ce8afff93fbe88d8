// The command layer: each capability's operations defined once, as data, and served
// by both adapters — the HTTP API (src/api/commands.ts makes a Fastify route, with its
// OpenAPI entry, of each) and the command line (src/cli/commands.ts makes a commander
// command of each). A command names its input (TypeBox schemas for the path, the query
// and the body: the same schemas validate an HTTP request and a CLI invocation), the
// permission it needs, and what it does; `invoke` is the one place that authorizes it.
// Auditing is the adapters' part (each wraps `invoke` in an audit scope: an API request's
// entry carries its HTTP fields, a CLI run's its command line), so no command can skip it.
// Before this layer the API and the CLI were separate adapters over the capabilities and
// drifted (the CLI's screening once skipped the watchlist); now neither can have an
// operation the other lacks, and test/commands.test.ts checks that it is so.
import { type Static, type TSchema, type TUnsafe, Type } from '@sinclair/typebox';
import { assertMay, type Permission, type Principal } from '../domain/users.js';
import type { Store } from '../store/store.js';
import type { Database } from '../store/db.js';
import type { ScreeningLists } from '../lists/registry.js';
import { StatusError } from '../domain/errors.js';
import { audit } from '../store/audit.js';

/** What the process offers commands besides the store (set once by the adapter that serves them). */
export interface Services {
  /** The screening lists (loaded on first use). */
  lists: () => ScreeningLists;
  /** This instance's name, as peers see it in federated answers. */
  instance: string;
}

/**
 * What the adapter knows of the caller besides who it is: the client's address (sign-in
 * is throttled per client), the bearer token of the request (sign-out ends it), and a
 * way to add a header to the answer (Retry-After). On the command line: one client
 * ('cli'), no token, no headers.
 */
export interface Caller {
  ip: string;
  token?: string;
  header(name: string, value: string): void;
}

export interface Context {
  store: Store;
  db: Database;
  /** Who runs the command: the signed-in user (API) or the user named by --as (CLI). */
  me: Principal;
  services: Services;
  caller: Caller;
}

/** The context of a public command (sign-in): there may be no one signed in yet. */
export type PublicContext = Omit<Context, 'me'> & { me?: Principal };

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A command's answer that is a file (CSV, NDJSON, a report), not JSON: the API sends it as is, the CLI writes it. */
export class Download {
  constructor(
    readonly contentType: string,
    readonly body: string | Buffer | AsyncIterable<string | Buffer>,
    /** The name offered for saving it (content-disposition). */
    readonly filename?: string,
    /** Headers besides content type and disposition (e.g. the marking of what is in it). */
    readonly headers: Record<string, string> = {},
  ) {}
}

/** A command line option a command adds for convenience; it turns its value into part of the input. */
export interface CliOption {
  /** commander flags, e.g. '--target <kind=value,...>' */
  flags: string;
  description: string;
  /** Repeatable options collect every value. */
  repeatable?: boolean;
  /** Puts the option's value(s) into the input before it is validated. */
  into(value: unknown, input: { params: Record<string, unknown>; query: Record<string, unknown>; body: unknown }): void;
}

export interface CliSpec {
  /** The words of the command line, e.g. ['case', 'open']; by default the name's dotted parts. */
  path?: string[];
  /**
   * A positional argument after the path parameters (`lists add FILE`), put into the
   * input after the options are (so it may read them, e.g. the format of a file).
   */
  argument?: Omit<CliOption, 'flags' | 'repeatable'> & { name: string };
  /** Extra options (shortcuts into the body). */
  options?: CliOption[];
  /** Body properties offered by --file only, not as options of their own (a name the CLI uses, or one an extra option fills). */
  omit?: string[];
  /** Prints the answer for a person (the default prints it as JSON). */
  format?: (out: unknown, io: { out: (line: string) => void; err: (line: string) => void }) => void;
}

/** The statuses of success a command may answer with. */
export type SuccessStatus = 200 | 201 | 202 | 204;
/** A command's answers of success, by status: `{ 200: Schema }` (OpenAPI documents them; tests check real answers against them). */
export type Responses = Partial<Record<SuccessStatus, TSchema>>;

/**
 * Refusals a command's capability may answer with besides those every command gets from
 * its shape (src/api/commands.ts): 400 with an input, 401 unless public, 403 with a
 * permission, 404 with path parameters, 413 and 415 with a body, 429 and 503 always.
 */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429;

const DOWNLOAD = Symbol('download');
/**
 * An answer that is a file of one of these media types (`text/csv`, `application/x-ndjson`, ...),
 * or, with `json`, JSON of that schema for some inputs and a file for others.
 */
export function file<J extends TSchema = never>(
  media: string[],
  description: string,
  json?: J,
): TUnsafe<Download | Static<J>> & { [DOWNLOAD]: true } {
  const content: Record<string, { schema: unknown }> = {};
  if (json) content['application/json'] = { schema: json };
  for (const m of media) content[m] = { schema: { type: 'string' } };
  return Object.assign(Type.Unsafe<Download | Static<J>>({ description, content }), { [DOWNLOAD]: true as const });
}

/** What `run` may return for these responses: the static type of each schema (a Download for a file). */
export type AnswerOf<R extends Responses> = { [S in keyof R]: R[S] extends TSchema ? Static<R[S]> : never }[keyof R];

interface Spec<P extends TSchema, Q extends TSchema, B extends TSchema, R extends Responses> {
  /** Dotted, unique: 'case.open'. Also the CLI's words unless `cli.path` says otherwise. */
  name: string;
  summary: string;
  description?: string;
  tags: string[];
  method: Method;
  /** The HTTP path, with :params. */
  path: string;
  params?: P;
  query?: Q;
  body?: B;
  /**
   * The answer of success by status, e.g. `{ 200: Type.Object(...) }` (`{ 201: ... }` with
   * `status: 201`): documented in /openapi.json and typed in the web app's client, and
   * `run` must return its static type. JSON is sent as `run` returns it (nothing the schema
   * leaves out is dropped); tests check real answers against it, every property listed.
   */
  response: R;
  /** Refusals the capability may answer with besides those of the command's shape (see ErrorStatus). */
  errors?: ErrorStatus[];
  /** The status of success (default 200). */
  status?: SuccessStatus;
  /** Checked before the command runs (the capability may check more, e.g. per row). */
  permission?: Permission;
  /** HTTP-only settings: a route's own rate limit (config), a larger body than the server's 1 MB (bodyLimit, bytes). */
  http?: { config?: Record<string, unknown>; bodyLimit?: number };
  cli?: CliSpec;
}

export type Input<P extends TSchema, Q extends TSchema, B extends TSchema> = {
  params: Static<P>;
  query: Static<Q>;
  body: Static<B>;
};

export interface UserCommand<
  P extends TSchema = TSchema,
  Q extends TSchema = TSchema,
  B extends TSchema = TSchema,
  R extends Responses = Responses,
> extends Spec<P, Q, B, R> {
  public?: false;
  run(ctx: Context, input: Input<P, Q, B>): Promise<AnswerOf<NoInfer<R>>>;
}

export interface PublicCommand<
  P extends TSchema = TSchema,
  Q extends TSchema = TSchema,
  B extends TSchema = TSchema,
  R extends Responses = Responses,
> extends Spec<P, Q, B, R> {
  /** Runs without a signed-in user (sign-in itself). */
  public: true;
  run(ctx: PublicContext, input: Input<P, Q, B>): Promise<AnswerOf<NoInfer<R>>>;
}

// biome-ignore lint/suspicious/noExplicitAny: the list holds commands of every input and answer type
export type Command = UserCommand<any, any, any, any> | PublicCommand<any, any, any, any>;

/** Defines a command; the generics let `run` see its input's types and hold its answer to `response`. */
export function command<
  P extends TSchema = TSchema,
  Q extends TSchema = TSchema,
  B extends TSchema = TSchema,
  R extends Responses = Responses,
>(spec: UserCommand<P, Q, B, R> | PublicCommand<P, Q, B, R>): Command {
  return spec as Command;
}

/** Whether a response schema is a file (or JSON or a file), made by `file`. */
export const isFile = (s: TSchema): boolean => DOWNLOAD in s;

/** The CLI words of a command. */
export const cliPath = (c: Command): string[] => c.cli?.path ?? c.name.split('.');

/**
 * Runs a command for a caller whose input the adapter has validated against the
 * command's schemas: the one place that authorizes. An API request and a CLI run of
 * the same command meet the same checks, so neither can be the way around them.
 */
export async function invoke(
  c: Command,
  ctx: PublicContext,
  input: Input<TSchema, TSchema, TSchema>,
): Promise<unknown> {
  if (c.public) return c.run(ctx, input);
  if (!ctx.me) throw new StatusError('authentication required', 401);
  if (c.permission) assertMay(ctx.me, c.permission);
  return c.run(ctx as Context, input);
}

/** A list read, audited with how many rows it answered (the request's entry, in either adapter). */
export async function countedRead<T>(db: Database, me: Principal, action: string, rows: T[]): Promise<T[]> {
  await audit(db, { actor: me.username, action, details: { count: rows.length } });
  return rows;
}

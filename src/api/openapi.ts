// The OpenAPI side of the HTTP adapter: the one error answer every route shares (the
// shape src/api/server.ts's error handler sends), the refusals each command's route
// documents, and the document's last pass into OpenAPI 3.1 (JSON Schema 2020-12):
// tuples as prefixItems, and the schemas the answers share named once under
// components (a schema is shared by giving it a `title`, see `named`).
import { Type, type TSchema } from '@sinclair/typebox';
import { type Command, type ErrorStatus, isFile } from '../commands/command.js';
import { FieldError } from '../commands/answers/shared.js';

/** Every refusal and failure the API answers, as its error handler sends it. */
export const ErrorSchema = Type.Object(
  {
    error: Type.String({ description: 'what went wrong, in words a person can act on' }),
    message: Type.Optional(Type.String({ description: 'for invalid records: the first field errors, in one line' })),
    errors: Type.Optional(Type.Array(FieldError, { description: 'each invalid field' })),
  },
  { title: 'Error' },
);

type Refusal = ErrorStatus | 415 | 503;
const WHY: Record<Refusal, string> = {
  400: 'Invalid input: a parameter or the body does not match the schema (errors names each field), or a value is not allowed',
  401: 'Not signed in: no bearer token, or it is unknown or has expired',
  403: "Not allowed: the user's roles or access do not permit this",
  404: 'Not found, or not visible to this user (the same answer for both)',
  409: 'Conflicts with what is stored (already exists, or already decided)',
  413: 'Too large: the body, or what it asks for',
  415: 'The body is not JSON (send content-type: application/json)',
  422: 'Invalid records: errors names each file, line and field; nothing was written (mode=skip writes the valid ones)',
  429: 'Too many requests: wait for Retry-After seconds, then try again',
  503: 'Busy, or the database is unavailable or a read ran too long: retry after Retry-After seconds, if given',
};

/** The refusals a command's route may answer with: those of its shape, and those it declares. */
export function refusalsOf(c: Command): Refusal[] {
  const s = new Set<Refusal>(c.errors ?? []);
  if (c.params || c.query || c.body) s.add(400);
  if (!c.public) s.add(401);
  if (c.permission) s.add(403);
  if (c.params) s.add(404);
  if (c.body) {
    s.add(413);
    s.add(415);
  }
  s.add(429);
  s.add(503);
  return [...s].sort((a, b) => a - b);
}

/** What each refusal is called under components.responses. */
const NAME: Record<Refusal, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  422: 'UnprocessableContent',
  429: 'TooManyRequests',
  503: 'ServiceUnavailable',
};
const RESPONSE_DESCRIPTION = 'x-response-description'; // @fastify/swagger's key for a response's description

/** The error answer of a route for a status (documented once, under components.responses). */
export const errorAnswer = (status: Refusal): TSchema => ({
  ...ErrorSchema,
  [RESPONSE_DESCRIPTION]: WHY[status],
});

/** A command's route's answers: its success as it declares it, and its refusals. */
export function responsesOf(c: Command): Record<number, TSchema> {
  const ok = c.status ?? 200;
  const declared = Object.keys(c.response).map(Number);
  if (!declared.includes(ok))
    throw new Error(`command ${c.name}: answers ${ok} but its response declares ${declared.join(', ') || 'nothing'}`);
  const out: Record<number, TSchema> = {};
  for (const [status, schema] of Object.entries(c.response) as [string, TSchema][])
    out[Number(status)] = isFile(schema)
      ? schema
      : { ...schema, [RESPONSE_DESCRIPTION]: schema.description ?? c.summary };
  for (const status of refusalsOf(c)) out[status] = errorAnswer(status);
  return out;
}

type Json = Record<string, unknown>;
const sortedKeys = (o: Json): Json => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

const RETRY_AFTER = {
  'retry-after': { description: 'seconds to wait before trying again', schema: { type: 'integer' } },
};
/** A refusal as components.responses lists it. */
function refusalResponse(status: Refusal): Json {
  return {
    description: WHY[status],
    ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  };
}
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The document's last pass: draft-07 idioms of TypeBox into JSON Schema 2020-12 (a tuple's
 * `items: [...]` is `prefixItems`, `additionalItems` is `items`), and every schema with a
 * title among `shared` replaced by a reference to it under components.schemas.
 */
export function toOpenApi31(doc: object, shared: Set<string>): Json {
  const components: Json = {};
  const walk = (v: unknown, top = false): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (!isObject(v)) return v;
    const title = v.title;
    if (!top && typeof title === 'string' && shared.has(title)) {
      components[title] ??= walk(v, true);
      return { $ref: `#/components/schemas/${title}` };
    }
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x);
    if (Array.isArray(out.items)) {
      out.prefixItems = out.items;
      if ('additionalItems' in out) out.items = out.additionalItems;
      else delete out.items;
      delete out.additionalItems;
    }
    return out;
  };
  const d = doc as Json;
  const paths = walk(d.paths) as Json;
  // Each refusal is documented once: an operation's refers to it.
  const responses: Json = {};
  for (const ops of Object.values(paths) as Json[])
    for (const op of Object.values(ops) as Json[]) {
      inputDefaultsOptional(op);
      const byStatus = (op.responses ?? {}) as Json;
      for (const [status, r] of Object.entries(byStatus)) {
        const schema = ((r as Json).content as Json | undefined)?.['application/json'] as Json | undefined;
        const refusal = Number(status) as Refusal;
        if (!(refusal in NAME) || (schema?.schema as Json | undefined)?.$ref !== '#/components/schemas/Error') continue;
        responses[NAME[refusal]] = refusalResponse(refusal);
        byStatus[status] = { $ref: `#/components/responses/${NAME[refusal]}` };
      }
    }
  const existing = isObject(d.components) ? d.components : {};
  const schemas = { ...(isObject(existing.schemas) ? existing.schemas : {}), ...components };
  return {
    ...d,
    paths,
    components: { ...existing, schemas: sortedKeys(schemas), responses: sortedKeys(responses) },
  };
}

/**
 * What has a default need not be given: a parameter or a body property with a default is
 * not required of the client (TypeBox lists it as required; Ajv fills the default in).
 */
function inputDefaultsOptional(op: Json): void {
  for (const p of (op.parameters ?? []) as Json[])
    if (isObject(p.schema) && 'default' in p.schema && p.required) p.required = false;
  const optional = (s: unknown): void => {
    if (!isObject(s)) return;
    if (isObject(s.properties) && Array.isArray(s.required)) {
      const props = s.properties;
      s.required = s.required.filter(
        (k) => !(isObject(props[k as string]) && 'default' in (props[k as string] as Json)),
      );
      if (!(s.required as unknown[]).length) delete s.required;
    }
    for (const x of [
      ...Object.values(isObject(s.properties) ? s.properties : {}),
      s.items,
      ...((s.anyOf as unknown[]) ?? []),
    ])
      optional(x);
  };
  const content = isObject(op.requestBody) && isObject(op.requestBody.content) ? op.requestBody.content : {};
  for (const m of Object.values(content)) if (isObject(m)) optional(m.schema);
}

/** Every tag an operation may have, with what its operations are for (a new tag is added here). */
export const TAGS: Record<string, string> = Object.fromEntries([
  ['auth', 'Sign-in and sign-out, who you are, your API tokens'],
  ['entities', 'Entities (FollowTheMoney-aligned): search, read, write and retract facts, each value with its marking'],
  ['model', 'The entity model: schemas and their properties'],
  ['graph', 'The graph around entities, paths, and key-node analysis over what you may see'],
  ['resolution', 'Possible links between entities and analysts’ judgements on them'],
  ['import', 'Records in: batches and files (JSON, JSON lines, FtM, FtM statements, CSV, STIX 2.1, MISP)'],
  ['export', 'Everything you may see, out as a file (logged as a dissemination)'],
  ['picture', 'The common operating picture: dashboard, map, figures, notifications, reports'],
  ['deconfliction', 'Cases, targets, planned operations and their conflicts; the watch center'],
  ['federation', 'Peer instances of Chokepoint and the questions put to them'],
  ['screening', 'Screening names against the sanctions lists and the watchlist'],
  ['watchlist', 'Watchlist nominations, their review and equities, encounters and settings'],
  ['redress', 'Redress requests from the public (filing and status need no sign-in)'],
  ['registry', 'The pill press and die mold registry (government users)'],
  ['task forces', 'The registry of task forces, fusion cells and mission centers'],
  ['substances', 'Controlled substances, precursors and laboratory supplies; the fentanyl class'],
  ['targeting', 'Shipment targeting: the exam queue, rules and pre-export notifications'],
  ['taxii', 'TAXII 2.1: collections of STIX 2.1 objects, in your own access, for OpenCTI and other TAXII clients'],
  ['misp', 'A MISP feed of the events you may read, for a MISP instance to subscribe to'],
  ['partner exchange', 'Reports from private-sector partners, and incidents released to partner countries'],
  ['notifications', 'Notifications as they happen, and the agencies’ webhooks'],
  ['retention', 'Review, renewal and purge of criminal intelligence (28 CFR Part 23)'],
  ['audit', 'The tamper-evident audit log'],
  ['users', 'Local users (admin)'],
  ['system', 'The server itself: health, after-write work'],
]);

// For tests: every answer checked against its route's documented answers, so a response
// schema cannot drift from what the route sends. An answer with a status the route does
// not document, or JSON its schema does not describe (a property it does not list counts:
// the schemas are complete, not merely true), is replaced by a 500 that names the operation.
import type { FastifyInstance } from 'fastify';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { TSchema } from '@sinclair/typebox';

/** An Ajv for answers: JSON Schema 2020-12, formats as annotations. */
export function answerAjv(): Ajv2020 {
  return new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
}

/**
 * The schema with every object that lists its properties closed to others (unless it says
 * what others may be): `unevaluatedProperties: false`, which holds through allOf and anyOf.
 */
export function complete(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(complete);
  if (typeof schema !== 'object' || schema === null) return schema;
  const s = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s))
    out[k] =
      k === 'properties' && typeof v === 'object' && v !== null
        ? Object.fromEntries(Object.entries(v).map(([p, x]) => [p, complete(x)]))
        : complete(v);
  const open = 'additionalProperties' in s || 'unevaluatedProperties' in s || 'patternProperties' in s;
  if (s.properties && !open) out.unevaluatedProperties = false;
  return out;
}

/** The JSON schema of an answer (a file's media types have none worth checking). */
function jsonSchemaOf(schema: Record<string, unknown>): unknown | undefined {
  const content = schema.content as Record<string, { schema: unknown }> | undefined;
  if (content) return content['application/json']?.schema;
  return schema.type === 'null' ? undefined : schema;
}

export function checkAnswers(app: FastifyInstance): void {
  const ajv = answerAjv();
  const compiled = new WeakMap<object, ValidateFunction>();
  app.addHook('onSend', async (req, reply, payload) => {
    const responses = req.routeOptions.schema?.response as Record<string, TSchema> | undefined;
    if (!responses || !req.routeOptions.url) return payload;
    const op = `${req.method} ${req.routeOptions.url} (${(req.routeOptions.schema as { operationId?: string }).operationId})`;
    const fail = (why: string) => {
      reply.code(500).header('content-type', 'application/json; charset=utf-8');
      return JSON.stringify({ error: `answer check: ${op} ${why}` });
    };
    const status = reply.statusCode;
    const schema = responses[status] as Record<string, unknown> | undefined;
    if (!schema)
      return fail(`answered ${status}, which it does not document (add it to the command's errors or response)`);
    const json = jsonSchemaOf(schema);
    const type = String(reply.getHeader('content-type') ?? '');
    // Only an application/json answer is held to the JSON schema: NDJSON, STIX and TAXII bodies have their own.
    const media = type.split(';')[0]!.trim();
    if (json === undefined || media !== 'application/json' || typeof payload !== 'string') return payload;
    let v = compiled.get(schema);
    if (!v) compiled.set(schema, (v = ajv.compile(complete(json) as object)));
    if (v(JSON.parse(payload))) return payload;
    const errors = (v.errors ?? [])
      .slice(0, 8)
      .map(
        (e) =>
          `${e.instancePath || '/'} ${e.message}${e.params && 'unevaluatedProperty' in e.params ? ` (${e.params.unevaluatedProperty})` : ''}`,
      );
    return fail(`answered ${status} with JSON its schema does not describe: ${errors.join('; ')}`);
  });
}

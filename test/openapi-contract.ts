// The OpenAPI document as the contract answers are checked against: each answer's
// status must be documented for its operation, and a JSON answer must match the
// documented schema with every property listed (complete(), as the server's own
// answer check does). Shared by test/openapi.test.ts and test/openapi-answers.test.ts.
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { answerAjv, complete } from '../src/api/answer-check.js';

type Json = Record<string, unknown>;
export interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json>; responses: Record<string, Response> };
  tags?: { name: string; description?: string }[];
}
export interface Response {
  $ref?: string;
  description?: string;
  content?: Record<string, { schema?: Json }>;
}
export interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean; schema: Json }[];
  requestBody?: { content: Record<string, { schema: Json }> };
  responses: Record<string, Response>;
}

/** Every operation of the document: method, path template and the operation. */
export const operationsOf = (doc: OpenApiDoc): { method: string; path: string; op: Operation }[] =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );

/** A response, its reference to components.responses followed. */
export function responseOf(doc: OpenApiDoc, op: Operation, status: number): Response | undefined {
  const r = op.responses[String(status)];
  if (!r?.$ref) return r;
  return doc.components.responses[r.$ref.replace('#/components/responses/', '')];
}

/** Checks answers against the document; returns the problems of one, empty when it matches. */
export function contract(doc: OpenApiDoc) {
  const ajv = answerAjv();
  // The shared schemas, closed as answers are checked, referred to as doc#/components/schemas/<name>.
  const repoint = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(repoint)
      : typeof v === 'object' && v !== null
        ? Object.fromEntries(
            Object.entries(v).map(([k, x]) => [k, k === '$ref' && typeof x === 'string' ? `doc${x}` : repoint(x)]),
          )
        : v;
  ajv.addSchema({ components: { schemas: repoint(complete(doc.components.schemas)) } }, 'doc');
  const compiled = new Map<Json, ValidateFunction>();
  return (
    method: string,
    path: string,
    answer: { statusCode: number; headers: Record<string, unknown>; body: string },
  ): string[] => {
    const op = doc.paths[path]?.[method.toLowerCase()];
    if (!op) return [`${method} ${path} is not in the document`];
    const r = responseOf(doc, op, answer.statusCode);
    if (!r) return [`answered ${answer.statusCode}, which the document does not give for this operation`];
    const type = String(answer.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim();
    if (!r.content) return answer.body ? [`answered ${answer.statusCode} with a body, documented as none`] : [];
    // Media types compare without their parameters (TAXII's "application/taxii+json;version=2.1").
    const media = r.content[type] ?? Object.entries(r.content).find(([k]) => k.split(';')[0]!.trim() === type)?.[1];
    if (!media) return [`answered ${type || 'no content type'}; documented: ${Object.keys(r.content).join(', ')}`];
    if (type !== 'application/json' || !media.schema) return [];
    let v = compiled.get(media.schema);
    if (!v) compiled.set(media.schema, (v = ajv.compile(repoint(complete(media.schema)) as Json)));
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      return ['answered JSON that does not parse'];
    }
    if (v(body)) return [];
    return (v.errors ?? []).slice(0, 6).map((e) => {
      const extra = e.params && 'unevaluatedProperty' in e.params ? ` (${String(e.params.unevaluatedProperty)})` : '';
      return `${e.instancePath || '/'} ${e.message}${extra}`;
    });
  };
}

// The OpenAPI document's own rules, as a new command must meet them: OpenAPI 3.1, and
// every operation named (operationId), summarised, tagged with a described tag, with
// its answer of success and its refusals (one Error schema); the answer check that
// holds routes to their schemas catches a schema that drifts; and the web app's
// generated client is what the current document generates. (The validators,
// swagger-cli and Redocly, run in `npm run openapi:check`, part of `npm test`.)
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { type TSchema, Type } from '@sinclair/typebox';
import { openApiDocument } from '../src/api/openapi-document.js';
import { checkAnswers } from '../src/api/answer-check.js';
import { COMMANDS } from '../src/commands/index.js';
import { CLIENT_TYPES, clientTypes } from '../scripts/openapi-client.js';
import { contract, operationsOf, responseOf, type OpenApiDoc } from './openapi-contract.js';

let doc: OpenApiDoc;
beforeAll(async () => {
  doc = (await openApiDocument()) as unknown as OpenApiDoc;
});

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1.0, with a licence, a server and a description of every tag', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect((doc as unknown as { info: { license: { name: string } } }).info.license.name).toBe('Apache-2.0');
    expect((doc as unknown as { servers: unknown[] }).servers).toHaveLength(1);
    expect(doc.tags?.filter((t) => !t.description)).toEqual([]);
  });

  it('names, summarises and tags every operation, and documents its success and its refusals', () => {
    const described = new Set(doc.tags?.map((t) => t.name));
    const problems: string[] = [];
    for (const { method, path, op } of operationsOf(doc)) {
      const lacks = (what: string) =>
        problems.push(`${method} ${path} (${op.operationId ?? 'no operationId'}): ${what}`);
      if (!op.operationId) lacks('no operationId (its command name)');
      if (!op.summary) lacks('no summary');
      if (!op.tags?.length) lacks('no tags');
      for (const t of op.tags ?? [])
        if (!described.has(t)) lacks(`tag "${t}" is not described: add it to TAGS in src/api/openapi.ts`);
      const statuses = Object.keys(op.responses).map(Number);
      const ok = statuses.filter((s) => s >= 200 && s < 300);
      if (!ok.length) lacks('no answer of success: declare its response (command: `response: { 200: Schema }`)');
      for (const s of ok)
        if (s !== 204 && !responseOf(doc, op, s)?.content) lacks(`its ${s} answer has no content (schema)`);
      if (!statuses.some((s) => s >= 400 && s < 500)) lacks('no 4xx answer');
      const open = Array.isArray(op.security) && op.security.length === 0;
      if (!open && !statuses.includes(401)) lacks('needs a token but documents no 401');
      if ((op.parameters?.length || op.requestBody) && !statuses.includes(400))
        lacks('takes input but documents no 400');
      if (op.requestBody && !statuses.includes(413)) lacks('takes a body but documents no 413');
      for (const s of statuses.filter((x) => x >= 400)) {
        const content = responseOf(doc, op, s)?.content ?? {};
        const schema = (content['application/json'] ?? Object.values(content)[0])?.schema;
        // TAXII answers its refusals with TAXII's own error message, as TAXII clients read them.
        const want = op.tags?.includes('taxii') ? 'TaxiiError' : 'Error';
        if (schema?.$ref !== `#/components/schemas/${want}`) lacks(`its ${s} answer is not the ${want} schema`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every command declares its answer for the status it answers with', () => {
    const lacking = COMMANDS.filter((c) => !c.response[c.status ?? 200]).map(
      (c) => `${c.name}: answers ${c.status ?? 200}, but its response declares ${Object.keys(c.response).join(', ')}`,
    );
    expect(lacking).toEqual([]);
  });

  it('documents one error answer, which the error handler sends', () => {
    const check = contract(doc);
    const answer = (status: number, body: unknown) => ({
      statusCode: status,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
    });
    expect(check('GET', '/entities/{id}', answer(404, { error: 'no entity x' }))).toEqual([]);
    expect(
      check(
        'POST',
        '/records',
        answer(422, {
          error: 'invalid input',
          message: 'f.json:line 2: name: is empty',
          errors: [{ file: 'f.json', line: 2, path: 'name', message: 'is empty' }],
        }),
      ),
    ).toEqual([]);
    expect(check('GET', '/entities/{id}', answer(404, { error: 'no entity x', detail: 'x' }))).toEqual([
      '/ must NOT have unevaluated properties (detail)',
    ]);
    expect(check('GET', '/entities/{id}', answer(418, { error: 'x' }))).toEqual([
      'answered 418, which the document does not give for this operation',
    ]);
  });
});

describe("the server's answer check", () => {
  it('answers 500, naming the operation, when an answer strays from its schema or its status is undocumented', async () => {
    const app = Fastify();
    app.setSerializerCompiler(() => (data) => JSON.stringify(data));
    checkAnswers(app);
    const answer = { id: 1, name: 'x', secret: 'not documented' };
    const response: Record<number, TSchema> = { 200: Type.Object({ id: Type.Integer(), name: Type.String() }) };
    app.get('/thing', { schema: { operationId: 'thing.show', response } }, async (req, reply) =>
      (req.query as { status?: string }).status ? reply.code(418).send({}) : answer,
    );
    const strays = await app.inject('/thing');
    expect(strays.statusCode).toBe(500);
    expect(strays.json().error).toBe(
      'answer check: GET /thing (thing.show) answered 200 with JSON its schema does not describe: / must NOT have unevaluated properties (secret)',
    );
    const undocumented = await app.inject('/thing?status=418');
    expect(undocumented.json().error).toMatch(/GET \/thing \(thing\.show\) answered 418, which it does not document/);
    await app.close();
  });
});

describe("the web app's API types", () => {
  it('are what the current document generates (npm run openapi:client writes them)', async () => {
    const committed = readFileSync(CLIENT_TYPES, 'utf8');
    expect(
      committed === (await clientTypes(doc)),
      'src/web/lib/api-schema.d.ts is not what /openapi.json generates: run `npm run openapi:client` and commit it',
    ).toBe(true);
  });
});

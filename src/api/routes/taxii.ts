// The TAXII 2.1 server: HTTP by nature, so not commands. TAXII fixes its own URLs (with
// their trailing slashes), media type (application/taxii+json;version=2.1, negotiated by
// Accept and Content-Type, 406 and 415 otherwise) and error bodies, which neither a
// command's input nor the CLI has; a TAXII client is a program polling with an API token.
// Authentication is the API's (the bearer token of the onRequest hook in server.ts), and
// so is the audit (request-audit.ts wraps these routes like any). What each route answers
// is computed in src/exchange/taxii.ts, in the requester's own access.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { named } from '../../commands/answers/shared.js';
import { Type, type TSchema } from '@sinclair/typebox';
import type { Store } from '../../store/store.js';
import { listAgencies } from '../../store/store.js';
import { audit } from '../../store/audit.js';
import { databaseUnavailable } from '../../store/db.js';
import { ForbiddenError } from '../../domain/users.js';
import { StatusError } from '../../domain/errors.js';
import { IMPORT_LIMIT } from '../../commands/data.js';
import {
  API_ROOT,
  collections,
  describeCollection,
  findCollection,
  logPage,
  MAX_PAGE,
  objectById,
  objectsPage,
  type ObjectQuery,
  type Page,
  postObjects,
  statusOf,
  TAXII_MEDIA_TYPE,
  TaxiiError,
} from '../../exchange/taxii.js';
import { STIX_MEDIA_TYPE } from '../../exchange/stix/bundle.js';
import { HttpError, principal } from '../server.js';

const ROOT = `/taxii2/${API_ROOT}/`;
const COLLECTION = `${ROOT}collections/:collectionId/`;

// Whether an Accept header takes TAXII 2.1: absent, any type, application/ anything, or application/taxii+json of no version or 2.1.
export function acceptsTaxii(accept: string | undefined): boolean {
  if (!accept?.trim()) return true;
  return accept.split(',').some((range) => {
    const [type, ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) === 0) return false;
    if (type === '*/*' || type === 'application/*') return true;
    if (type !== 'application/taxii+json') return false;
    const v = params.find((p) => p.startsWith('version='));
    return !v || v.slice(8).replace(/"/g, '') === '2.1';
  });
}

function isTaxiiContent(contentType: string | undefined): boolean {
  const [type, ...params] = (contentType ?? '').split(';').map((s) => s.trim().toLowerCase());
  const v = params.find((p) => p.startsWith('version='));
  return type === 'application/taxii+json' && (!v || v.slice(8).replace(/"/g, '') === '2.1');
}

const send = (reply: FastifyReply, status: number, body: unknown) =>
  reply.code(status).header('content-type', TAXII_MEDIA_TYPE).send(JSON.stringify(body));

const Str = (max = 200) => Type.String({ maxLength: max });
const Loose = (props: Record<string, TSchema>, description: string) =>
  Type.Object(props, { additionalProperties: true, description });
// TAXII's own error message (the standard's shape, not Chokepoint's Error), documented once.
const TaxiiErrorBody = named(
  'TaxiiError',
  Loose(
    { title: Str(), description: Type.Optional(Str(2000)), http_status: Type.Optional(Str(3)) },
    'A TAXII 2.1 error message',
  ),
);
const Envelope = Loose(
  {
    more: Type.Boolean(),
    next: Type.Optional(Str(500)),
    objects: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }))),
  },
  'A TAXII 2.1 envelope: STIX 2.1 objects, with the marking and extension definitions they use',
);
const Manifest = Loose(
  {
    more: Type.Boolean(),
    next: Type.Optional(Str(500)),
    objects: Type.Optional(
      Type.Array(Type.Object({ id: Str(), date_added: Str(40), version: Str(40), media_type: Str() })),
    ),
  },
  'A TAXII 2.1 manifest',
);
const CollectionBody = Loose(
  {
    id: Str(40),
    title: Str(),
    description: Type.Optional(Str(2000)),
    alias: Type.Optional(Str()),
    can_read: Type.Boolean(),
    can_write: Type.Boolean(),
    media_types: Type.Array(Str()),
  },
  'A TAXII 2.1 collection',
);
const StatusBody = Loose(
  {
    id: Str(40),
    status: Str(20),
    total_count: Type.Integer(),
    success_count: Type.Integer(),
    failure_count: Type.Integer(),
    pending_count: Type.Integer(),
  },
  'A TAXII 2.1 status resource',
);
/** A TAXII answer, documented under TAXII's media type (what the route sends). */
const asTaxii = (schema: TSchema) => ({
  description: schema.description ?? 'A TAXII 2.1 answer',
  content: { [TAXII_MEDIA_TYPE]: { schema } },
});
const responses = (ok: TSchema, status = 200) => ({
  [status]: asTaxii(ok),
  400: asTaxii(TaxiiErrorBody),
  401: asTaxii(TaxiiErrorBody),
  403: asTaxii(TaxiiErrorBody),
  404: asTaxii(TaxiiErrorBody),
  406: asTaxii(TaxiiErrorBody),
});

const CollectionParams = Type.Object({
  collectionId: Type.String({ pattern: '^[a-z0-9-]{1,64}$', description: "The collection's id or alias" }),
});
const ObjectParams = Type.Object({
  collectionId: Type.String({ pattern: '^[a-z0-9-]{1,64}$', description: "The collection's id or alias" }),
  objectId: Type.String({ maxLength: 300, description: 'A STIX id' }),
});
const Filters = {
  added_after: Type.Optional(Type.String({ maxLength: 40, description: 'Only objects added after this time' })),
  limit: Type.Optional(
    Type.Integer({ minimum: 1, description: `At most this many objects (the server gives at most ${MAX_PAGE})` }),
  ),
  next: Type.Optional(Type.String({ maxLength: 500, description: 'The next page, as the previous page said' })),
  'match[id]': Type.Optional(Type.String({ maxLength: 20_000, description: 'STIX ids, comma-separated' })),
  'match[type]': Type.Optional(Type.String({ maxLength: 2000, description: 'STIX types, comma-separated' })),
  'match[version]': Type.Optional(
    Type.String({ maxLength: 2000, description: 'last (default), first, all, or versions' }),
  ),
  'match[spec_version]': Type.Optional(Type.String({ maxLength: 200 })),
  purpose: Type.Optional(
    Type.String({ maxLength: 500, description: 'Why (kept in the audit and dissemination logs)' }),
  ),
};
type FilterQuery = Partial<Record<keyof typeof Filters, string | number>>;

function query(q: FilterQuery): ObjectQuery {
  const list = (v: unknown) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined;
  const addedAfter = typeof q.added_after === 'string' ? q.added_after : undefined;
  if (addedAfter !== undefined && Number.isNaN(Date.parse(addedAfter)))
    throw new TaxiiError(400, 'Invalid added_after', 'added_after must be a timestamp (RFC 3339).');
  return {
    addedAfter,
    limit: typeof q.limit === 'number' ? q.limit : undefined,
    next: typeof q.next === 'string' ? q.next : undefined,
    ids: list(q['match[id]']),
    types: list(q['match[type]']),
    versions: list(q['match[version]']),
    specVersions: list(q['match[spec_version]']),
  };
}

/** TAXII's headers for a page: when its first and last objects were added. */
function pageHeaders(reply: FastifyReply, page: Page): void {
  if (!page.items.length) return;
  reply.header('X-TAXII-Date-Added-First', page.items[0]!.dateAdded);
  reply.header('X-TAXII-Date-Added-Last', page.items.at(-1)!.dateAdded);
}

const purposeOf = (req: FastifyRequest): string | undefined => {
  const q = (req.query as { purpose?: unknown } | undefined)?.purpose;
  const h = req.headers['x-purpose'];
  return typeof q === 'string' && q ? q : typeof h === 'string' && h ? h : undefined;
};

export async function registerTaxiiRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const db = store.db;
  const known = async () => collections(await listAgencies(db));
  await app.register(async (taxii) => {
    // TAXII's media type for posted envelopes (JSON), up to the import's size.
    taxii.addContentTypeParser(
      'application/taxii+json',
      { parseAs: 'string', bodyLimit: IMPORT_LIMIT },
      (_req, body, done) => {
        try {
          done(null, JSON.parse(String(body)));
        } catch (e) {
          done(Object.assign(new TaxiiError(400, 'Malformed JSON', (e as Error).message)), undefined);
        }
      },
    );
    // TAXII's media type exactly as TAXII writes it (Fastify would quote the version and add a charset,
    // which strict TAXII clients compare against application/taxii+json;version=2.1 and refuse).
    taxii.addHook('onSend', async (_req, reply, payload) => {
      if (String(reply.getHeader('content-type') ?? '').startsWith('application/taxii+json'))
        reply.header('content-type', TAXII_MEDIA_TYPE);
      return payload;
    });
    taxii.addHook('onRequest', async (req) => {
      if (!acceptsTaxii(req.headers.accept))
        throw new TaxiiError(406, 'Not acceptable', `This server answers in ${TAXII_MEDIA_TYPE}.`);
    });
    // Every failure as a TAXII error message, in TAXII's media type.
    taxii.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown; code?: string }, req, reply) => {
      let status = 500;
      let title = 'Internal error';
      let description = 'internal error';
      if (err instanceof TaxiiError) [status, title, description] = [err.status, err.title, err.message];
      else if (err instanceof HttpError && err.status === 401) {
        reply.header('WWW-Authenticate', 'Bearer');
        [status, title, description] = [401, 'Unauthorized', err.message];
      } else if (err instanceof ForbiddenError) [status, title, description] = [403, 'Forbidden', err.message];
      else if (err instanceof HttpError || err instanceof StatusError)
        [status, title, description] = [(err as HttpError).status, 'Error', err.message];
      else if (err.validation) [status, title, description] = [400, 'Invalid request', err.message];
      else if (err.statusCode === 415 || err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
        [status, title, description] = [415, 'Unsupported media type', `Post ${TAXII_MEDIA_TYPE}.`];
      else if (err.statusCode === 413) [status, title, description] = [413, 'Too large', err.message];
      else if (err.statusCode === 429) [status, title, description] = [429, 'Too many requests', err.message];
      else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
        [status, title, description] = [err.statusCode, 'Error', err.message];
      else if (databaseUnavailable(err)) {
        reply.header('retry-after', '2');
        [status, title, description] = [503, 'Unavailable', 'the database is unavailable; try again shortly'];
      } else req.log.error(err);
      return send(reply, status, { title, description, http_status: String(status) });
    });

    const tags = ['taxii'];
    taxii.get(
      '/taxii2/',
      {
        schema: {
          tags,
          operationId: 'taxii.discovery',
          summary: 'TAXII 2.1 discovery: this server and its API root',
          response: responses(
            Loose(
              { title: Str(), default: Type.Optional(Str(500)), api_roots: Type.Array(Str(500)) },
              'TAXII discovery',
            ),
          ),
        },
      },
      async (req, reply) => {
        const me = principal(req);
        const base = `${req.protocol}://${req.host}`;
        await audit(db, { actor: me.username, action: 'taxii.discovery' });
        return send(reply, 200, {
          title: 'Chokepoint TAXII 2.1',
          description: 'Intelligence on the illicit fentanyl supply chain, shared under its markings.',
          default: `${base}${ROOT}`,
          api_roots: [`${base}${ROOT}`],
        });
      },
    );
    taxii.get(
      ROOT,
      {
        schema: {
          tags,
          operationId: 'taxii.apiRoot',
          summary: "TAXII 2.1 API root: Chokepoint's one",
          response: responses(
            Loose({ title: Str(), versions: Type.Array(Str()), max_content_length: Type.Integer() }, 'TAXII API root'),
          ),
        },
      },
      async (req, reply) => {
        const me = principal(req);
        await audit(db, { actor: me.username, action: 'taxii.api-root' });
        return send(reply, 200, {
          title: 'Chokepoint',
          description: 'Collections of what you may read, whole and by releasability (public, and per partner agency).',
          versions: [TAXII_MEDIA_TYPE],
          max_content_length: IMPORT_LIMIT,
        });
      },
    );
    taxii.get(
      `${ROOT}collections/`,
      {
        schema: {
          tags,
          operationId: 'taxii.collections',
          summary:
            'TAXII 2.1 collections: everything you may read, the public part, and what each partner agency may receive',
          response: responses(Loose({ collections: Type.Array(CollectionBody) }, 'TAXII collections')),
        },
      },
      async (req, reply) => {
        const me = principal(req);
        const all = await known();
        await audit(db, { actor: me.username, action: 'taxii.collections', details: { count: all.length } });
        return send(reply, 200, { collections: all.map((c) => describeCollection(c, me)) });
      },
    );
    taxii.get(
      COLLECTION,
      {
        schema: {
          tags,
          operationId: 'taxii.collection',
          summary: 'A TAXII 2.1 collection',
          params: CollectionParams,
          response: responses(CollectionBody),
        },
      },
      async (req, reply) => {
        const me = principal(req);
        const c = findCollection(await known(), (req.params as { collectionId: string }).collectionId);
        await audit(db, { actor: me.username, action: 'taxii.collection', target: c.alias });
        return send(reply, 200, describeCollection(c, me));
      },
    );
    taxii.get(
      `${COLLECTION}objects/`,
      {
        schema: {
          tags,
          operationId: 'taxii.objects',
          summary:
            "A collection's STIX objects, as you may read them, page by page (added_after, limit, next, match[...])",
          params: CollectionParams,
          querystring: Type.Object(Filters, { additionalProperties: false }),
          response: responses(Envelope),
        },
      },
      async (req, reply) => {
        const me = principal(req);
        const c = findCollection(await known(), (req.params as { collectionId: string }).collectionId);
        const page = await objectsPage(store, me, c, query(req.query as FilterQuery));
        await logPage(db, me, c, page, purposeOf(req));
        await audit(db, {
          actor: me.username,
          action: 'taxii.objects.read',
          target: c.alias,
          details: { count: page.items.length, more: page.more },
        });
        pageHeaders(reply, page);
        return send(reply, 200, {
          more: page.more,
          ...(page.next ? { next: page.next } : {}),
          ...(page.items.length ? { objects: [...page.items.map((l) => l.object), ...page.definitions] } : {}),
        });
      },
    );
    taxii.post(
      `${COLLECTION}objects/`,
      {
        bodyLimit: IMPORT_LIMIT,
        schema: {
          tags,
          operationId: 'taxii.addObjects',
          summary:
            'Post STIX objects to a collection: written as records of your agency through the import path, each object on its own; answered with a status resource',
          params: CollectionParams,
          response: { ...responses(StatusBody, 202), 413: asTaxii(TaxiiErrorBody), 415: asTaxii(TaxiiErrorBody) },
        },
      },
      async (req, reply) => {
        const me = principal(req);
        if (!isTaxiiContent(req.headers['content-type']))
          throw new TaxiiError(415, 'Unsupported media type', `Post ${TAXII_MEDIA_TYPE}.`);
        const body = req.body as { objects?: unknown } | undefined;
        if (!body || typeof body !== 'object' || !Array.isArray(body.objects))
          throw new TaxiiError(400, 'Invalid envelope', 'Post a TAXII envelope: {"objects": [STIX objects]}.');
        const c = findCollection(await known(), (req.params as { collectionId: string }).collectionId);
        const status = await postObjects(store, me, c, body as { objects: unknown[] });
        return send(reply, 202, status);
      },
    );
    taxii.get(
      `${COLLECTION}manifest/`,
      {
        schema: {
          tags,
          operationId: 'taxii.manifest',
          summary: "A collection's manifest: each object's id, date added, version and media type",
          params: CollectionParams,
          querystring: Type.Object(Filters, { additionalProperties: false }),
          response: responses(Manifest),
        },
      },
      async (req, reply) => {
        const me = principal(req);
        const c = findCollection(await known(), (req.params as { collectionId: string }).collectionId);
        const page = await objectsPage(store, me, c, query(req.query as FilterQuery));
        await audit(db, {
          actor: me.username,
          action: 'taxii.manifest.read',
          target: c.alias,
          details: { count: page.items.length, more: page.more },
        });
        pageHeaders(reply, page);
        return send(reply, 200, {
          more: page.more,
          ...(page.next ? { next: page.next } : {}),
          ...(page.items.length
            ? {
                objects: page.items.map((l) => ({
                  id: l.object.id,
                  date_added: l.dateAdded,
                  version: l.version,
                  media_type: STIX_MEDIA_TYPE,
                })),
              }
            : {}),
        });
      },
    );
    taxii.get(
      `${COLLECTION}objects/:objectId/`,
      {
        schema: {
          tags,
          operationId: 'taxii.object',
          summary:
            'One STIX object of a collection, as you may read it (a hidden one answers as one that does not exist)',
          params: ObjectParams,
          querystring: Type.Object(
            {
              'match[version]': Filters['match[version]'],
              'match[spec_version]': Filters['match[spec_version]'],
              purpose: Filters.purpose,
            },
            { additionalProperties: false },
          ),
          response: responses(Envelope),
        },
      },
      async (req, reply) => {
        const me = principal(req);
        const { collectionId, objectId } = req.params as { collectionId: string; objectId: string };
        const c = findCollection(await known(), collectionId);
        const page = await objectById(store, me, c, objectId);
        const q = query(req.query as FilterQuery);
        const items = page.items.filter(
          (l) =>
            !q.versions?.length ||
            q.versions.some((v) => ['last', 'first', 'all'].includes(v) || Date.parse(v) === Date.parse(l.version)),
        );
        await logPage(db, me, c, page, purposeOf(req));
        await audit(db, {
          actor: me.username,
          action: 'taxii.object.read',
          target: c.alias,
          details: { count: items.length },
        });
        pageHeaders(reply, { ...page, items });
        return send(reply, 200, {
          more: false,
          ...(items.length ? { objects: [...items.map((l) => l.object), ...page.definitions] } : {}),
        });
      },
    );
    taxii.get(
      `${COLLECTION}objects/:objectId/versions/`,
      {
        schema: {
          tags,
          operationId: 'taxii.versions',
          summary: "An object's versions (Chokepoint holds the newest of each object)",
          params: ObjectParams,
          querystring: Type.Object({ purpose: Filters.purpose }, { additionalProperties: false }),
          response: responses(
            Loose({ more: Type.Boolean(), versions: Type.Optional(Type.Array(Str(40))) }, 'TAXII versions'),
          ),
        },
      },
      async (req, reply) => {
        const me = principal(req);
        const { collectionId, objectId } = req.params as { collectionId: string; objectId: string };
        const c = findCollection(await known(), collectionId);
        const page = await objectById(store, me, c, objectId);
        await audit(db, { actor: me.username, action: 'taxii.versions.read', target: c.alias });
        pageHeaders(reply, page);
        return send(reply, 200, { more: false, versions: page.items.map((l) => l.version) });
      },
    );
    taxii.get(
      `${ROOT}status/:statusId/`,
      {
        schema: {
          tags,
          operationId: 'taxii.status',
          summary: 'The status of objects you posted',
          params: Type.Object({ statusId: Type.String({ maxLength: 40 }) }),
          response: responses(StatusBody),
        },
      },
      async (req, reply) => {
        const me = principal(req);
        const status = await statusOf(db, me, (req.params as { statusId: string }).statusId);
        await audit(db, { actor: me.username, action: 'taxii.status.read' });
        return send(reply, 200, status);
      },
    );
  });
}

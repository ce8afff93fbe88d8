// The HTTP API. Fastify validates every request against its TypeBox schema (the
// same schemas produce /openapi.json); authentication resolves a bearer token to a
// Principal; every data access goes through the store's marking-filtered reads;
// every request, read or write, granted or refused, leaves an audit entry (request-audit.ts).
import { StatusError } from '../domain/errors.js';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import swagger from '@fastify/swagger';
import { coercing, exact } from '../commands/validate.js';
import type { Store } from '../store/store.js';
import { principalForToken } from '../store/users.js';
import { ValidationError } from '../ingest/record-input.js';
import { ForbiddenError, type Principal } from '../domain/users.js';
import { MarkingError } from '../domain/markings.js';
import { ValueError } from '../domain/values.js';
import { registerWeb } from './routes/web.js';
import { registerDeconflictionRoutes } from './routes/deconflict.js';
import { registerRegistryRoutes } from './routes/registry.js';
import { registerTaxiiRoutes } from './routes/taxii.js';
import { registerMispRoutes } from './routes/misp.js';
import '../capabilities.js';
import { resumeAfterWrites } from '../store/after-write.js';
import { registerRequestAudit } from './request-audit.js';
import { registerCommandRoutes } from './commands.js';
import { ErrorSchema, errorAnswer, TAGS, toOpenApi31 } from './openapi.js';
import { checkAnswers } from './answer-check.js';
import { SHARED } from '../commands/answers/shared.js';
import { Type } from '@sinclair/typebox';
import { COMMANDS } from '../commands/index.js';
import { databaseUnavailable } from '../store/db.js';
import { readTimeoutMs } from '../store/access.js';
import { NotificationHub } from '../notify/notifications.js';
import { escalateOverdue } from '../deconflict/events.js';
import { screeningLists, type ScreeningLists } from '../lists/registry.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Routes are authenticated unless they say `public: true`. */
    public?: boolean;
  }
}

export interface ServerOptions {
  store: Store;
  logger?: boolean;
  /** Requests per minute per client, for the whole API (login has its own, lower limit). */
  rateLimit?: number;
  /** Shown by /health and in the UI: where the demo users came from, etc. */
  info?: Record<string, unknown>;
  /**
   * Turns a bearer token into a Principal. The default checks Chokepoint's own
   * session and API tokens; an OIDC deployment passes a function that verifies the
   * identity provider's token and maps its claims (see README, "Authentication").
   */
  authenticate?: (token: string) => Promise<Principal | undefined>;
  /** The screening lists; by default the shipped OFAC list, loaded on first use. */
  lists?: () => ScreeningLists;
  /** How often unacknowledged operation conflicts are escalated to the watch center (ms; 0: never, e.g. in tests that drive it). */
  escalateEveryMs?: number;
  /** This instance's name, as peers see it in federated answers. */
  instance?: string;
  /** Above this event-loop delay (ms) the server sheds load with 503 and Retry-After (default 0: off; the in-flight limit is the default guard, and a fresh process that has just loaded data reads as delayed). */
  maxEventLoopDelayMs?: number;
  /** Above this event-loop utilisation (0-1, per 100 ms) it sheds too: with embedded PGlite, queries run in the process, so overload shows as a loop that is never idle. Off by default: one heavy request also keeps the loop busy. */
  maxEventLoopUtilization?: number;
  /** At most this many requests in progress; more are answered 503 at once (0: no limit). Default 256. */
  maxInFlight?: number;
  /** How often to finish after-write work that a dead process left queued (ms; 0: only at start). Default 30 s. */
  resumeAfterWritesEveryMs?: number;
  /**
   * Tests: check every answer against its route's documented answers (status and JSON body,
   * every property listed) and answer 500 naming the operation when it does not match.
   */
  checkAnswers?: boolean;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The authenticated principal; routes call it, so no handler runs without one. */
export function principal(req: FastifyRequest): Principal {
  if (!req.principal) throw new HttpError(401, 'authentication required');
  return req.principal;
}

/** Fastify's validation errors (Ajv's) as the field errors of a 400. */
function fieldErrors(err: { validation?: unknown; validationContext?: string }): { path: string; message: string }[] {
  const list = Array.isArray(err.validation) ? err.validation : [];
  return list.slice(0, 20).map((e: { instancePath?: string; message?: string; params?: Record<string, unknown> }) => ({
    path: `${err.validationContext ?? ''}${e.instancePath ?? ''}`,
    message: `${e.message ?? 'is invalid'}${e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : ''}`,
  }));
}

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: 1024 * 1024,
    trustProxy: false,
  });
  // First of all, so that every route and every refusal (even a 503 below) is audited.
  registerRequestAudit(app, opts.store.db);
  // The command layer's validators (src/commands/validate.ts), so the CLI refuses what the API refuses.
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? exact : coercing).compile(schema));
  // Answers are sent as the command returns them: the response schemas document them (and the
  // tests hold them to it), they never drop a property the way a schema-driven serializer would.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  if (opts.checkAnswers) checkAnswers(app);
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'"],
        workerSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
  });
  await app.register(rateLimit, { max: opts.rateLimit ?? 1200, timeWindow: '1 minute' });
  // Past saturation, answer 503 at once (clients retry) rather than let every request's latency grow:
  // when too many requests are in progress (database-bound work queues in the pool, not the event loop)...
  const maxInFlight = opts.maxInFlight ?? 256;
  if (maxInFlight > 0) {
    let inFlight = 0;
    app.addHook('onRequest', async (_req, reply) => {
      if (inFlight >= maxInFlight)
        return reply
          .code(503)
          .header('retry-after', '2')
          .send({ error: `The server is busy (${inFlight} requests in progress); retry in a few seconds` });
      inFlight++;
      reply.raw.once('close', () => {
        inFlight--;
      }); // answered or abandoned by the client
    });
  }
  // ...or when the event loop itself falls behind.
  if ((opts.maxEventLoopDelayMs ?? 0) > 0 || (opts.maxEventLoopUtilization ?? 0) > 0) {
    await app.register(underPressure, {
      maxEventLoopDelay: opts.maxEventLoopDelayMs ?? 0,
      maxEventLoopUtilization: opts.maxEventLoopUtilization ?? 0,
      eventLoopUtilizationMode: 'interval',
      sampleInterval: 100,
      retryAfter: 5,
      exposeStatusRoute: false,
      pressureHandler: (_req, reply, type, value) => {
        void reply
          .code(503)
          .header('retry-after', '5')
          .send({ error: `The server is overloaded (${type} ${Math.round(Number(value))}); retry in a few seconds` });
      },
    });
  }
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Chokepoint API',
        version: '0.1.0',
        description:
          'Marking-enforced common operating picture of the illicit fentanyl supply chain. Every answer holds only what the signed-in user may read; every request is audited.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      // Relative: the document describes whichever host serves it.
      servers: [{ url: '/', description: 'the server that serves this document' }],
      tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'A session token (POST /auth/login) or an API token (POST /auth/tokens)',
          },
        },
      },
      security: [{ bearer: [] }],
    },
    transformObject: (d) =>
      toOpenApi31('openapiObject' in d ? d.openapiObject : {}, new Set([...SHARED, ErrorSchema.title!])),
  });

  const authenticate = opts.authenticate ?? ((token: string) => principalForToken(opts.store.db, token));
  app.addHook('onRequest', async (req) => {
    if (req.routeOptions.config?.public) return;
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
    if (!token)
      throw new HttpError(
        401,
        'authentication required: send "Authorization: Bearer <token>" (POST /auth/login gives one)',
      );
    const p = await authenticate(token);
    if (!p) throw new HttpError(401, 'the token is unknown or has expired; sign in again');
    req.principal = p;
  });

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown; code?: string }, req, reply) => {
    if ((err as { code?: string }).code === 'FST_ERR_RATE_LIMIT' || err.statusCode === 429)
      return reply.code(429).send({ error: err.message });
    if (err instanceof ValidationError)
      return reply.code(422).send({ error: 'invalid input', message: err.message, errors: err.errors });
    if (err instanceof HttpError) return reply.code(err.status).send({ error: err.message });
    if (err instanceof ForbiddenError) return reply.code(403).send({ error: err.message });
    if (err instanceof StatusError) return reply.code(err.status).send({ error: err.message });
    if (err instanceof MarkingError || err instanceof ValueError) return reply.code(400).send({ error: err.message });
    if (err.validation)
      return reply.code(400).send({ error: `invalid request: ${err.message}`, errors: fieldErrors(err) });
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
      return reply.code(err.statusCode).send({ error: err.message });
    req.log.error(err);
    // 57014 query_canceled: a read ran past its statement timeout.
    if (err.code === '57014')
      return reply.code(503).send({
        error: `the query ran longer than the ${readTimeoutMs() / 1000} s limit for a read and was stopped; narrow it (a shorter time range, fewer hops) or try again later`,
      });
    // 53100 disk_full from a PostgreSQL server: the statement failed and its transaction rolled back.
    if (err.code === '53100')
      return reply.code(507).send({
        error: 'the database server is out of disk space; nothing of this request was written; free space and retry',
      });
    // Database unreachable (server restarted, network): a clean 503 the client may retry.
    if (databaseUnavailable(err)) {
      return reply
        .code(503)
        .header('retry-after', '2')
        .send({ error: 'the database is unavailable; try again shortly' });
    }
    return reply.code(500).send({ error: 'internal error' });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}` }),
  );

  app.get(
    '/health',
    {
      config: { public: true, audit: false },
      schema: {
        tags: ['system'],
        summary: 'Whether the server and its database answer (no sign-in; for load balancers)',
        operationId: 'health',
        security: [],
        response: {
          200: Type.Object(
            {
              status: Type.Literal('ok'),
              database: Type.Union([Type.Literal('pglite'), Type.Literal('postgres')]),
            },
            { additionalProperties: true, description: 'The server answers; with what it was started with (info)' },
          ),
          429: errorAnswer(429),
          503: errorAnswer(503),
        },
      },
    },
    async () => {
      await opts.store.db.query('SELECT 1');
      return { status: 'ok', database: opts.store.db.kind, ...opts.info };
    },
  );
  app.get('/openapi.json', { config: { public: true, audit: false }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  // The command layer's operations (src/commands), then the few routes that are HTTP by nature.
  registerCommandRoutes(
    app,
    opts.store,
    {
      lists: opts.lists ?? screeningLists,
      instance: opts.instance ?? process.env.CHOKEPOINT_INSTANCE ?? 'chokepoint',
    },
    COMMANDS,
  );
  // Notifications reach streams and webhooks from any process through LISTEN/NOTIFY.
  const hub = new NotificationHub(opts.store.db);
  await hub.start();
  await registerDeconflictionRoutes(app, opts.store, hub);
  await registerRegistryRoutes(app, opts.store, opts.instance ?? process.env.CHOKEPOINT_INSTANCE ?? 'chokepoint');
  await registerTaxiiRoutes(app, opts.store);
  await registerMispRoutes(app, opts.store);
  const every = opts.escalateEveryMs ?? 30_000;
  const timer =
    every > 0
      ? setInterval(() => {
          escalateOverdue(opts.store.db).catch((e) => app.log.error(e));
        }, every)
      : undefined;
  timer?.unref();
  // Work a killed process left between its commit and the end of its after-write
  // checks is finished now, in the background, and by a sweep while serving.
  let sweeping: Promise<unknown> = Promise.resolve();
  const sweep = (): void => {
    sweeping = sweeping.then(() => resumeAfterWrites(opts.store.db)).catch((e) => app.log.error(e));
  };
  sweep();
  const resumeEvery = opts.resumeAfterWritesEveryMs ?? 30_000;
  const sweeper = resumeEvery > 0 ? setInterval(sweep, resumeEvery) : undefined;
  sweeper?.unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    clearInterval(sweeper);
    await sweeping;
    await hub.stop();
  });
  await registerWeb(app);
  return app;
}

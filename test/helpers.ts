// Test helpers: every storage test runs on PGlite (embedded) and, when DATABASE_URL
// is set, on a fresh database of that PostgreSQL server, created and dropped here.
import { Store } from '../src/store/store.js';
import { openPglite } from '../src/store/db.js';
import { scratchPostgres } from '../src/store/scratch.js';
import { createUser, issueToken } from '../src/store/users.js';
import { buildServer } from '../src/api/server.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import type { Role } from '../src/domain/users.js';
import type { Classification } from '../src/domain/markings.js';

export interface Backend {
  name: string;
  open(): Promise<{ store: Store; drop(): Promise<void> }>;
}

const url = process.env.DATABASE_URL;
if (!url)
  console.warn('DATABASE_URL is not set: PostgreSQL-server tests are skipped (PGlite tests run). .ci/run sets it.');

/** An in-memory PGlite store, whatever DATABASE_URL says. */
export async function memoryStore(): Promise<Store> {
  return Store.over(await openPglite());
}

export const backends: Backend[] = [
  {
    name: 'pglite',
    async open() {
      const store = await memoryStore();
      return { store, drop: () => store.close() };
    },
  },
  ...(url
    ? [
        {
          name: 'postgres',
          async open() {
            const scratch = await scratchPostgres(url);
            const store = await Store.open({ url: scratch.url });
            return {
              store,
              async drop() {
                await store.close();
                await scratch.drop();
              },
            };
          },
        },
      ]
    : []),
];

/** A user and a session token for API tests. */
export async function userWithToken(
  store: Store,
  u: {
    username: string;
    agency: string;
    clearance: Classification;
    roles: Role[];
    groups?: string[];
    country?: string;
  },
): Promise<string> {
  const p = await createUser(store.db, { ...u, password: 'correct horse battery staple' });
  return (await issueToken(store.db, p.id, 'session', 1)).token;
}

export async function server(store: Store) {
  // Load shedding off: a test's own synchronous work would otherwise read as overload.
  // CHOKEPOINT_CHECK_ANSWERS=1 checks every answer of every test against its route's documented answers.
  return buildServer({
    store,
    rateLimit: 100_000,
    escalateEveryMs: 0,
    maxEventLoopDelayMs: 0,
    checkAnswers: process.env.CHOKEPOINT_CHECK_ANSWERS === '1',
  });
}

export const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** A store on `backend` and an API server over it, closed together. */
export async function openApi(
  backend: Backend,
): Promise<{ store: Store; app: FastifyInstance; close(): Promise<void> }> {
  const { store, drop } = await backend.open();
  const app = await server(store);
  return {
    store,
    app,
    close: async () => {
      await app.close();
      await drop();
    },
  };
}

/** POST a JSON body as the holder of `token`. */
export const postAs = (app: FastifyInstance, url: string, token: string, payload: unknown) =>
  app.inject({ method: 'POST', url, headers: auth(token), payload: payload as object });

/**
 * An in-memory store, an API over it and one user's token, set up before and torn
 * down after the calling suite (the common shape of API tests that need no backend matrix).
 */
export function memoryApiFor(u: Parameters<typeof userWithToken>[1]): {
  store: Store;
  app: FastifyInstance;
  token: string;
} {
  const suite = apiSuite(backends[0]!, { user: u }); // backends[0]: in-memory PGlite
  return {
    get store() {
      return suite.store;
    },
    get app() {
      return suite.app;
    },
    get token() {
      return suite.token.user;
    },
  };
}

type UserSpec = Parameters<typeof userWithToken>[1];

/** The store, API and users' tokens of a suite declared with apiSuite(); filled in before its tests run. */
export interface ApiSuite<K extends string> {
  store: Store;
  app: FastifyInstance;
  /** A session token for each user named in the declaration. */
  token: Record<K, string>;
  post(url: string, token: string, payload: unknown): ReturnType<typeof postAs>;
  /** GET as the holder of `token`, parsed JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: a test reads answers of every shape, as JSON
  get<T = any>(url: string, token: string): Promise<T>;
}

/**
 * The common shape of an API test suite on one backend: a store and an API server
 * opened before the suite, then `setUp`, then a user (and token) for each key of
 * `users`; all closed after the suite.
 */
export function apiSuite<K extends string>(
  backend: Backend,
  users: Record<K, UserSpec>,
  setUp?: (store: Store) => Promise<void>,
): ApiSuite<K> {
  let close: (() => Promise<void>) | undefined;
  const suite = {
    token: {} as Record<K, string>,
    post: (url: string, token: string, payload: unknown) => postAs(suite.app, url, token, payload),
    get: async (url: string, token: string) => (await suite.app.inject({ url, headers: auth(token) })).json(),
  } as ApiSuite<K>;
  beforeAll(async () => {
    const api = await openApi(backend);
    ({ store: suite.store, app: suite.app, close } = api);
    await setUp?.(api.store); // data or agencies the suite needs before its users
    for (const [key, u] of Object.entries(users) as [K, UserSpec][])
      suite.token[key] = await userWithToken(api.store, u);
  });
  afterAll(() => close?.());
  return suite;
}

// The one way the page talks to the server: the session token, JSON in and out, and
// every failure turned into an error whose message says what went wrong. Every call is
// typed by the OpenAPI document (./api-schema.d.ts, generated from /openapi.json by
// `npm run openapi:client`): its path is one of the document's, and its parameters,
// body and answer are the operation's, so the page and the API cannot drift apart.
import type { components, paths } from './api-schema';

let token: string | null = sessionStorage.getItem('cp-token');
const signedOut = new Set<() => void>();

type Problem = {
  error?: string;
  message?: string;
  errors?: { file?: string; line?: number; path: string; message: string }[];
} | null;
/** The server's own words: its message, and the first field errors of an invalid input. */
function problemMessage(body: Problem | string, status: number): string {
  if (!body || typeof body !== 'object') return `request failed (${status})`;
  const head =
    body.error === 'invalid input' && body.message
      ? body.message
      : (body.error ?? body.message ?? `request failed (${status})`);
  const fields =
    body.errors?.length && !body.message
      ? `: ${body.errors
          .slice(0, 5)
          .map((e) => `${e.line !== undefined ? `line ${e.line} ` : ''}${e.path}: ${e.message}`)
          .join('; ')}`
      : '';
  return head + fields;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export const hasSession = (): boolean => token !== null;
export function setSession(t: string | null): void {
  token = t;
  if (t) sessionStorage.setItem('cp-token', t);
  else sessionStorage.removeItem('cp-token');
}
export function onSignedOut(fn: () => void): () => void {
  signedOut.add(fn);
  return () => signedOut.delete(fn);
}

async function request<T>(path: string, init: { method?: string; body?: unknown } = {}, retried = false): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  } catch {
    throw new ApiError(
      `The server could not be reached (${init.method ?? 'GET'} ${path.split('?')[0]}). Check the connection and try again.`,
      0,
    );
  }
  // A busy server sheds load before handling the request (503 + Retry-After): wait and try once more.
  const wait = Number(res.headers.get('retry-after'));
  if (res.status === 503 && !retried && wait > 0 && wait <= 10) {
    await new Promise((r) => setTimeout(r, wait * 1000));
    return request<T>(path, init, true);
  }
  const body = res.headers.get('content-type')?.includes('json')
    ? await res.json().catch(() => null)
    : await res.text();
  if (!res.ok) {
    if (res.status === 401 && token) {
      setSession(null);
      signedOut.forEach((f) => f());
    }
    const msg = problemMessage(body as Problem | string, res.status);
    throw new ApiError(
      res.status === 429 ? `Too many requests: ${msg}. Wait a moment and try again.` : msg,
      res.status,
    );
  }
  return body as T;
}

/** Upload with progress (fetch cannot report upload progress). */
export function upload<P extends PathOf<'post'>>(
  path: P,
  body: BodyOf<OperationOf<P, 'post'>>,
  onProgress: (sent: number, total: number) => void,
): Promise<AnswerOf<OperationOf<P, 'post'>>> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('content-type', 'application/json');
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.total);
    xhr.onerror = () => reject(new ApiError('The upload failed: the server could not be reached.', 0));
    xhr.onload = () => {
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(parsed as AnswerOf<OperationOf<P, 'post'>>);
      else reject(new ApiError(problemMessage(parsed as Problem, xhr.status), xhr.status));
    };
    xhr.send(JSON.stringify(body));
  });
}

/** A query string; a list gives its key once per value (schema=Person&schema=Company). */
const q = (params: object): string => {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    for (const x of Array.isArray(v) ? v : [v]) if (x !== undefined && x !== null && x !== '') u.append(k, String(x));
  const s = u.toString();
  return s ? `?${s}` : '';
};

// ---- The typed client ---------------------------------------------------------------

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** The document's paths that have an operation of this method. */
export type PathOf<M extends Method> = {
  [P in keyof paths]: paths[P] extends Record<M, unknown> ? P : never;
}[keyof paths];
type OperationOf<P extends keyof paths, M extends Method> = paths[P] extends Record<M, infer O> ? O : never;
type ParametersOf<O> = O extends { parameters: infer X } ? X : object;
type PathParametersOf<O> = ParametersOf<O> extends { path: infer X } ? X : undefined;
type QueryOf<O> = ParametersOf<O> extends { query?: infer X } ? X : undefined;
type BodyOf<O> = O extends { requestBody: { content: { 'application/json': infer B } } } ? B : undefined;
type Success = 200 | 201 | 202 | 204;
type JsonOf<R> = R extends { content: { 'application/json': infer J } }
  ? J
  : R extends { content: object }
    ? string
    : undefined;
type AnswerOf<O> = O extends { responses: infer R }
  ? { [S in keyof R]: S extends Success ? JsonOf<R[S]> : never }[keyof R]
  : never;
/** The answer of success of an operation, as the document gives it. */
export type Answer<P extends keyof paths, M extends Method = 'get'> = AnswerOf<OperationOf<P, M>>;
/** The JSON body an operation takes, as the document gives it. */
export type Body<P extends keyof paths, M extends Method = 'post'> = BodyOf<OperationOf<P, M>>;
/** A schema the document shares by name (Entity, Value, User, ...). */
export type Schema<N extends keyof components['schemas']> = components['schemas'][N];

/** The path and query parameters of a call: required when the path has parameters. */
type Options<O> =
  PathParametersOf<O> extends undefined
    ? [options?: { query?: QueryOf<O> }]
    : [options: { path: PathParametersOf<O>; query?: QueryOf<O> }];

/** The URL of a call: its path's {parameters} filled in, and its query. */
type UrlOptions = { path?: object; query?: object } | undefined;
function urlOf(path: string, options: UrlOptions): string {
  const params = (options?.path ?? {}) as Record<string, string | number>;
  return path.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(String(params[k]))) + q(options?.query ?? {});
}

/** Reads: `get('/entities/{id}', { path: { id } })`. */
export function get<P extends PathOf<'get'>>(path: P, ...[o]: Options<OperationOf<P, 'get'>>): Promise<Answer<P>> {
  return request(urlOf(path, o as UrlOptions));
}

type Write = 'post' | 'put' | 'patch' | 'delete';
/** Writes: `post('/cases', body)`, `post('/cases/{id}/close', undefined, { path: { id } })`. */
function write<M extends Write>(method: M) {
  return <P extends PathOf<M>>(
    path: P,
    body: BodyOf<OperationOf<P, M>>,
    ...[o]: Options<OperationOf<P, M>>
  ): Promise<Answer<P, M>> => request(urlOf(path, o as UrlOptions), { method: method.toUpperCase(), body });
}
export const post = write('post');
export const put = write('put');
export const patch = write('patch');
export const del = write('delete');

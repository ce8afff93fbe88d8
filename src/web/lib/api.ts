// The one way the page talks to the server: the session token, JSON in and out, and
// every failure turned into an error whose message says what went wrong.
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

export async function api<T = unknown>(
  path: string,
  init: { method?: string; body?: unknown } = {},
  retried = false,
): Promise<T> {
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
    return api<T>(path, init, true);
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
export function upload<T>(path: string, body: unknown, onProgress: (sent: number, total: number) => void): Promise<T> {
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
      if (xhr.status >= 200 && xhr.status < 300) resolve(parsed as T);
      else reject(new ApiError(problemMessage(parsed as Problem, xhr.status), xhr.status));
    };
    xhr.send(JSON.stringify(body));
  });
}

export const q = (params: Record<string, string | number | undefined>): string => {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
};

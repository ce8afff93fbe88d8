// Hash routes (#/entity/ID?x=y): bookmarkable views without server-side routing.
import { signal } from '@preact/signals';

export interface Route {
  path: string[];
  params: URLSearchParams;
}
const parse = (): Route => {
  const [p = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  return { path: p.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(query) };
};
export const route = signal<Route>(parse());
addEventListener('hashchange', () => {
  route.value = parse();
});

export function href(path: string, params: Record<string, string | undefined> = {}): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) u.set(k, v);
  const s = u.toString();
  return `#/${path}${s ? `?${s}` : ''}`;
}
export const go = (path: string, params: Record<string, string | undefined> = {}): void => {
  location.hash = href(path, params);
};

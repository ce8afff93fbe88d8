// Graph projections, cached per reader scope and store version: analysts repeat
// questions on the same picture, and the ranking, simulation, interdiction and report
// all start from it.
import type { Store } from '../store/store.js';
import type { Principal } from '../domain/users.js';
import { StatusError } from '../domain/errors.js';
import { projectGraph, GraphTooLargeError, type Projection } from './project.js';

const caches = new WeakMap<Store, Map<string, Promise<Projection>>>();
export async function projection(
  store: Store,
  me: Principal,
  merges: 'confirmed' | 'suggested' = 'confirmed',
): Promise<Projection> {
  const [v] = await store.db.query<{ v: string }>(
    "SELECT (SELECT coalesce(max(id), 0) FROM statements) || ':' || (SELECT count(*) FROM statement_deletions) || ':' || (SELECT coalesce(max(id), 0) || '/' || count(*) FILTER (WHERE status <> 'open') FROM possible_links) AS v",
  );
  const key = `${me.agency}|${me.clearance}|${me.groups.join(',')}|${me.country}|${me.lawEnforcement}|${me.government}|${merges}|${v!.v}`;
  let cache = caches.get(store);
  if (!cache) caches.set(store, (cache = new Map()));
  const hit = cache.get(key);
  if (hit) return hit;
  const p = store.read(me, (tx) => projectGraph(tx, { merges }));
  cache.set(key, p);
  p.catch(() => cache!.delete(key));
  while (cache.size > 8) cache.delete(cache.keys().next().value!);
  try {
    return await p;
  } catch (e) {
    if (e instanceof GraphTooLargeError) throw new StatusError(e.message, 413);
    throw e;
  }
}

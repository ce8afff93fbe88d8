// MISP's uuids and Chokepoint's entity ids, and the small readers of MISP's loosely
// typed JSON (ids as strings or numbers, lists that may be absent).
import { createHash } from 'node:crypto';

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
export const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;

/** RFC 4122 version 5 (SHA-1, name-based) uuid: the same name always gives the same uuid. */
export function uuidV5(name: string, namespace = '6ba7b811-9dad-11d1-80b4-00c04fd430c8'): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The entity id of a MISP element. */
export const mispId = (uuid: string): string => `misp-${uuid.toLowerCase()}`;
/**
 * The MISP uuid an entity id came from, if it came from one: `misp-<uuid>`, or that id in a
 * writer's namespace (`dea.0123456789:misp-<uuid>`, src/store/write-scope.ts). The namespace
 * is the importing writer's and is given again by whoever imports the export, so it is not exported.
 */
export const uuidOfId = (id: string): string | undefined =>
  /^(?:[a-z0-9_-]+\.[0-9a-f]{10}:)?misp-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(id)?.[1];

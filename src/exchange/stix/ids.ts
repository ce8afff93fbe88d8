// STIX identifiers: `type--UUID`. An entity imported from STIX keeps the STIX id as its
// entity id, so re-importing is idempotent and an export gives the id back. Every other
// entity gets a name-based UUID derived from its entity id: version 3 (MD5), not 5 (SHA-1),
// because PostgreSQL computes MD5 itself (md5()), so a TAXII request for an object by its
// STIX id finds the entity in SQL, inside the reader's row-level security, without a table
// of ids kept beside the store (sqlDerivedUuid). Both are RFC 4122 UUIDs, as STIX asks.
import { createHash } from 'node:crypto';

/** Chokepoint's namespace for the name-based UUIDs it derives (entity ids, marking definitions, collections). */
export const CHOKEPOINT_NAMESPACE = 'dd94de11-a18c-4605-a5e8-7233fa68e8f2';

export const STIX_ID =
  /^([a-z][a-z0-9-]+[a-z0-9])--([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12})$/;

export function isStixId(v: string): boolean {
  return STIX_ID.test(v);
}

/** The type part of a STIX id ("indicator" of "indicator--…"), or undefined. */
export function stixTypeOf(id: string): string | undefined {
  return STIX_ID.exec(id)?.[1];
}

function nameUuid(version: 3 | 5, namespace: string, name: string): string {
  const h = createHash(version === 3 ? 'md5' : 'sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  h[6] = (h[6]! & 0x0f) | (version << 4);
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** A UUID version 5 (SHA-1, RFC 4122) of `name` in `namespace`: what STIX recommends for deterministic ids. */
export const uuid5 = (namespace: string, name: string): string => nameUuid(5, namespace, name);

/** The UUID (version 3) Chokepoint derives from an entity id; sqlDerivedUuid computes the same in SQL. */
export const derivedUuid = (entityId: string): string => nameUuid(3, CHOKEPOINT_NAMESPACE, entityId);

/**
 * A user's write of an id they cannot see goes to their namespace, `<agency>.<scope>:<id>`
 * (src/store/write-scope.ts): the STIX id such an entity id holds, or undefined.
 */
export const NAMESPACED = /^[a-z0-9_-]+\.[0-9a-f]{10}:/;
export function embeddedStixId(entityId: string): string | undefined {
  const rest = NAMESPACED.test(entityId) ? entityId.replace(NAMESPACED, '') : undefined;
  return rest && isStixId(rest) ? rest : undefined;
}

/** The STIX id an entity id is or holds (an object imported from STIX, by the system or into a writer's namespace). */
export const ownStixId = (entityId: string): string | undefined =>
  isStixId(entityId) ? entityId : embeddedStixId(entityId);

/** The STIX id of an entity exported as `type`: the STIX id it is or holds when of that type, else one derived from it. */
export function stixIdFor(entityId: string, type: string): string {
  const own = ownStixId(entityId);
  if (own && stixTypeOf(own) === type) return own;
  return `${type}--${derivedUuid(entityId)}`;
}

/**
 * SQL for derivedUuid(<column>): MD5 over the namespace's bytes and the id's UTF-8, with the
 * version (3) and variant (10xx) bits set, in the 8-4-4-4-12 form. The column is SQL text.
 */
export function sqlDerivedUuid(column: string): string {
  const h = `md5(decode('${CHOKEPOINT_NAMESPACE.replace(/-/g, '')}', 'hex') || convert_to(${column}, 'UTF8'))`;
  const variant = `substr('89ab', (('x' || lpad(substr(${h}, 17, 1), 8, '0'))::bit(32)::int & 3) + 1, 1)`;
  return `(substr(${h}, 1, 8) || '-' || substr(${h}, 9, 4) || '-3' || substr(${h}, 14, 3) || '-' || ${variant} || substr(${h}, 18, 3) || '-' || substr(${h}, 21, 12))`;
}

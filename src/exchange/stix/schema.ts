// The official STIX 2.1 JSON Schemas (reference/stix/schemas, OASIS, draft 2020-12), all
// added to one validator so their relative $refs resolve by $id offline. What Chokepoint
// exports is checked against them by the tests (and can be by anyone holding a bundle).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

const DIR = fileURLToPath(new URL('../../../reference/stix/schemas', import.meta.url));
const BASE = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/';

/** An internationalised host name (what `domain-name` values are): each label 1-63 characters, letters of any script, digits, hyphens inside. */
function idnHostname(v: string): boolean {
  if (v.length === 0 || v.length > 253) return false;
  return v
    .replace(/\.$/, '')
    .split('.')
    .every((label) => /^[\p{L}\p{N}](?:[\p{L}\p{N}\p{M}-]{0,61}[\p{L}\p{N}\p{M}])?$/u.test(label));
}

// The three formats the schemas use, checked here: ajv-formats (installed only as fastify's
// dependency, not the project's) has no idn-hostname, and the other two are a few lines.
const FORMATS: Record<string, (v: string) => boolean> = {
  'idn-hostname': idnHostname,
  email: (v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v),
  uri: (v) => {
    try {
      return /^[a-z][a-z0-9+.-]*:/i.test(v) && !!new URL(v);
    } catch {
      return false;
    }
  },
};

let compiled: { bundle: ValidateFunction; byType: Map<string, ValidateFunction> } | undefined;

function load(): NonNullable<typeof compiled> {
  if (compiled) return compiled;
  // strict: false, because the OASIS files use `definitions` beside $defs and keywords ajv's strict mode flags.
  // unicodeRegExp: false, because the patterns escape characters that a `u` regular expression refuses (\-).
  const ajv = new Ajv2020({ strict: false, allErrors: false, unicodeRegExp: false });
  for (const [name, check] of Object.entries(FORMATS)) ajv.addFormat(name, check);
  const files: string[] = [];
  for (const sub of ['common', 'observables', 'sdos', 'sros'])
    for (const f of readdirSync(join(DIR, sub)).filter((x) => x.endsWith('.json'))) files.push(`${sub}/${f}`);
  for (const f of files) ajv.addSchema(JSON.parse(readFileSync(join(DIR, f), 'utf8')));
  const byType = new Map<string, ValidateFunction>();
  for (const f of files.filter((x) => !x.startsWith('common/'))) {
    const type = f.split('/')[1]!.replace(/\.json$/, '');
    byType.set(type, ajv.getSchema(`${BASE}${f}`)!);
  }
  byType.set('marking-definition', ajv.getSchema(`${BASE}common/marking-definition.json`)!);
  byType.set('extension-definition', ajv.getSchema(`${BASE}common/extension-definition.json`)!);
  compiled = { bundle: ajv.getSchema(`${BASE}common/bundle.json`)!, byType };
  return compiled;
}

export interface SchemaProblem {
  /** The object's id (or "bundle"). */
  id: string;
  message: string;
}

const describe = (errors: ErrorObject[] | null | undefined): string =>
  (errors ?? [])
    .slice(0, 3)
    .map((e) => `${e.instancePath || '/'} ${e.message}`)
    .join('; ');

/**
 * Types of STIX 2.1 that bundle.json (at this commit) leaves out of its list of objects. It then
 * reads them as custom objects, whose branch accepts no object with `created` and `modified`
 * (such an object matches both core.json and cyber-observable-core.json, and the branch asks
 * for exactly one), so a bundle holding a valid location fails. Objects of these types are
 * checked against their own schema instead, and the bundle without them.
 */
export const NOT_IN_BUNDLE_SCHEMA = new Set([
  'location',
  'grouping',
  'note',
  'opinion',
  'incident',
  'extension-definition',
]);

/**
 * Problems of a bundle against the official schemas: the bundle's own schema, and each
 * object against its type's schema (the bundle's schema accepts any object of a custom
 * type through its core properties only, so the types the schemas define are checked by name too).
 */
export function bundleProblems(bundle: unknown): SchemaProblem[] {
  const { bundle: check, byType } = load();
  const problems: SchemaProblem[] = [];
  const objects = (bundle as { objects?: unknown[] } | null)?.objects;
  const listed = Array.isArray(objects)
    ? objects.filter((o) => !NOT_IN_BUNDLE_SCHEMA.has((o as { type?: string })?.type ?? ''))
    : objects;
  const envelope =
    Array.isArray(listed) && listed.length === 0
      ? Object.fromEntries(Object.entries(bundle as object).filter(([k]) => k !== 'objects'))
      : { ...(bundle as object), objects: listed };
  if (!check(envelope)) problems.push({ id: 'bundle', message: describe(check.errors) });
  for (const o of Array.isArray(objects) ? objects : []) {
    const { id, type } = o as { id?: string; type?: string };
    const v = type ? byType.get(type) : undefined;
    if (v && !v(o)) problems.push({ id: id ?? '?', message: describe(v.errors) });
  }
  return problems;
}

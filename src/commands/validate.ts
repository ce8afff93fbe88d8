// The validators both adapters use, so an input the API refuses the CLI refuses too.
// Query strings and command-line options arrive as text and are coerced (limit=5 -> 5,
// schema=a -> [a]); bodies are JSON and are not: a number where a name belongs is an
// error, not "42".
import { Ajv, type ValidateFunction } from 'ajv';
import type { TSchema } from '@sinclair/typebox';

export const coercing = new Ajv({ coerceTypes: 'array', useDefaults: true, removeAdditional: false, strict: false });
export const exact = new Ajv({ coerceTypes: false, useDefaults: true, removeAdditional: false, strict: false });

const compiled = new WeakMap<Ajv, WeakMap<object, ValidateFunction>>();
function compile(ajv: Ajv, schema: TSchema): ValidateFunction {
  let byAjv = compiled.get(ajv);
  if (!byAjv) compiled.set(ajv, (byAjv = new WeakMap()));
  let v = byAjv.get(schema);
  if (!v) byAjv.set(schema, (v = ajv.compile(schema)));
  return v;
}

/** The problems of `value` under `schema` (at most five), each as "path message"; empty when it is valid. Coercion and defaults apply in place. */
export function problems(value: unknown, schema: TSchema, how: 'coerce' | 'exact'): string[] {
  const v = compile(how === 'coerce' ? coercing : exact, schema);
  if (v(value)) return [];
  // A choice among literals fails once per literal (and once more for the anyOf): said once, as the choices.
  const choices = new Map<string, unknown[]>();
  for (const e of v.errors ?? [])
    if (e.keyword === 'const')
      choices.set(e.instancePath, [
        ...(choices.get(e.instancePath) ?? []),
        (e.params as { allowedValue: unknown }).allowedValue,
      ]);
  const said = new Set<string>();
  const errors = (v.errors ?? []).filter((e) => {
    if (!choices.has(e.instancePath) || (e.keyword !== 'const' && e.keyword !== 'anyOf')) return true;
    if (said.has(e.instancePath)) return false;
    said.add(e.instancePath);
    return true;
  });
  return errors.slice(0, 5).map((e) => {
    if (choices.has(e.instancePath) && (e.keyword === 'const' || e.keyword === 'anyOf'))
      return `${e.instancePath || '/'} must be one of: ${choices.get(e.instancePath)!.join(', ')}`;
    const extra =
      e.keyword === 'additionalProperties'
        ? ` (${(e.params as { additionalProperty: string }).additionalProperty})`
        : e.keyword === 'enum' || e.keyword === 'const'
          ? ` (${JSON.stringify(e.params)})`
          : '';
    return `${e.instancePath || '/'} ${e.message}${extra}`;
  });
}

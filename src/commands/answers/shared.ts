// Schema pieces of answers that several commands share. A schema made with `named`
// is listed once in /openapi.json, under components.schemas by that name, and the
// web app's generated client has a type of that name.
import { type TSchema, Type, type TUnsafe } from '@sinclair/typebox';

/** The names of the shared answer schemas (the HTTP adapter lists each once). */
export const SHARED = new Set<string>();

/** A schema shared by name: documented once, referred to wherever it is used. */
export function named<T extends TSchema>(name: string, schema: T): T {
  if (SHARED.has(name)) throw new Error(`two shared answer schemas named ${name}`);
  SHARED.add(name);
  return Object.assign(schema, { title: name });
}

/**
 * A point in time, sent as ISO 8601 text (JSON.stringify of a Date). The database drivers
 * give timestamps as Date, so the static type allows both.
 */
export const Timestamp = (description?: string): TUnsafe<string | Date> =>
  Type.Unsafe<string | Date>({ type: 'string', format: 'date-time', ...(description ? { description } : {}) });

/** A value that may be absent as null (SQL's NULL, sent as JSON null). */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** A banner marking, e.g. "S//LES/NOFORN" (the highest marking of what an answer holds). */
export const Banner = Type.String({ description: 'a banner marking, e.g. S//LES/NOFORN' });

/** Anything JSON: for bags whose keys and values are the data's own (details, parameters). */
export const Bag = Type.Record(Type.String(), Type.Unknown());

/** One invalid field of an input (an import's file, line and field). */
export const FieldError = named(
  'FieldError',
  Type.Object(
    {
      file: Type.Optional(Type.String({ description: 'the file, for an import' })),
      line: Type.Optional(Type.Integer({ description: 'the line (or record) of the file, from 1' })),
      path: Type.String({ description: 'the field, e.g. entities[0].properties.name[0] or body/limit' }),
      message: Type.String(),
    },
    { description: 'One invalid field of the input' },
  ),
);

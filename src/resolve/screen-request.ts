// Screening requests as they arrive from the API, the CLI or a batch file:
// validated and normalised into a ScreeningQuery, or an error naming the field.
import { parse as parseCsv } from 'csv-parse/sync';
import { cleanValue, ValueError } from '../domain/values.js';
import { normalizeIdentifier, IDENTIFIER_KINDS, IdentifierError, type IdentifierKind } from './identifiers.js';
import type { ScreeningQuery } from './screen-index.js';
import { StatusError } from '../domain/errors.js';

export interface ScreenInput {
  name: unknown;
  kind?: unknown;
  birthDate?: unknown;
  nationality?: unknown;
  identifiers?: unknown;
}

/** A screening input that cannot be screened: the API answers 400 with it. */
export class ScreenInputError extends StatusError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export const MAX_NAME_LENGTH = 300;

export function toScreeningQuery(input: ScreenInput): ScreeningQuery {
  const field = <T>(name: string, fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof ValueError || e instanceof IdentifierError) throw new ScreenInputError(name, e.message);
      throw e;
    }
  };
  const name = field('name', () => cleanValue('name', input.name));
  if (name.length > MAX_NAME_LENGTH)
    throw new ScreenInputError('name', `is ${name.length} characters long; at most ${MAX_NAME_LENGTH}`);
  if (!/[\p{L}\p{N}]/u.test(name)) throw new ScreenInputError('name', 'has no letters or digits');
  const kind = input.kind ?? 'any';
  if (kind !== 'person' && kind !== 'organization' && kind !== 'any')
    throw new ScreenInputError('kind', 'must be person, organization or any');
  const birthDate =
    input.birthDate === undefined || input.birthDate === ''
      ? undefined
      : field('birthDate', () => cleanValue('date', input.birthDate).slice(0, 10));
  const nat =
    input.nationality === undefined || input.nationality === ''
      ? []
      : Array.isArray(input.nationality)
        ? input.nationality
        : [input.nationality];
  const countries = nat.map((c, i) => field(`nationality[${i}]`, () => cleanValue('country', c)));
  const rawIds = input.identifiers === undefined ? [] : input.identifiers;
  if (!Array.isArray(rawIds)) throw new ScreenInputError('identifiers', 'must be a list of {kind, value}');
  const identifiers = rawIds.map((id, i) => {
    const { kind: k, value } = (id ?? {}) as { kind?: unknown; value?: unknown };
    if (!IDENTIFIER_KINDS.includes(k as IdentifierKind))
      throw new ScreenInputError(`identifiers[${i}].kind`, `must be one of ${IDENTIFIER_KINDS.join(', ')}`);
    if (typeof value !== 'string') throw new ScreenInputError(`identifiers[${i}].value`, 'must be a string');
    return field(`identifiers[${i}]`, () => normalizeIdentifier(k as IdentifierKind, value, countries[0]));
  });
  return { name, kind, birthDate, countries, identifiers };
}

/** A screening CSV: header names folded to lower case; must have a "name" column. */
export function readScreeningCsv(text: string): Record<string, string>[] {
  let rows: Record<string, string>[];
  try {
    rows = parseCsv(text, {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      skip_empty_lines: true,
      bom: true,
    });
  } catch (e) {
    throw new ScreenInputError('csv', (e as Error).message);
  }
  if (!rows.length) throw new ScreenInputError('csv', 'no rows');
  if (!('name' in rows[0]!)) throw new ScreenInputError('csv', 'the header must have a "name" column');
  return rows;
}

/** One CSV row as a screening input: name, kind, birthDate (or dob), nationality (or country). */
export function screenInputOfRow(r: Record<string, string>): ScreenInput {
  return {
    name: r.name,
    kind: r.kind || undefined,
    birthDate: r.birthdate ?? r.dob,
    nationality: r.nationality ?? r.country,
  };
}

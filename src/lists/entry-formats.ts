// The two list formats users write or export themselves, beside the publishers' own
// formats (ofac.ts, un.ts):
// - `ftm`: a FollowTheMoney entity stream (JSON lines, as OpenSanctions publishes the EU
//   and UK consolidated lists). Person, Organization, Company, LegalEntity, Vessel and
//   Airplane become entries; every other schema (Sanction, Address, Identification, ...)
//   is counted as skipped and reported, never dropped unsaid.
// - `csv`: a CSV with a header; see CSV_COLUMNS.
// Every refusal names the file, the line and the field (ValidationError), and a file
// with any refusal loads nothing.
import { createHash } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import type { ListEntry } from '../resolve/screen-index.js';
import { IDENTIFIER_KINDS, normalizeIdentifier, type IdentifierKind } from '../resolve/identifiers.js';
import type { FieldError } from '../domain/records.js';
import { countryCode } from './countries.js';

export interface ReadEntries {
  entries: Omit<ListEntry, 'list'>[];
  /** What was read but is no screening entry, by what it was (an FtM schema): told to the user. */
  skipped: Record<string, number>;
  errors: FieldError[];
}

/** At most this many errors are collected before a file is given up on (the answer says so). */
export const MAX_ERRORS = 50;

const DATE = /^\d{4}(-\d{2}(-\d{2})?)?/;
const KINDS = ['person', 'organization', 'vessel', 'aircraft', 'other'] as const;

/**
 * An identifier as the shipped lists keep it: normalised and checked where its kind has
 * a check, else as plain text (published lists hold numbers in formats no checksum
 * accepts; refusing the list for one would keep every other entry unscreened).
 */
function identifier(kind: IdentifierKind, value: string, country?: string): string {
  try {
    return normalizeIdentifier(kind, value, country);
  } catch {
    return `${kind}:${value.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;
  }
}

const uniq = <T>(xs: T[]): T[] => [...new Set(xs)];

// ---------------------------------------------------------------------------- FtM

const FTM_KIND: Record<string, ListEntry['kind']> = {
  Person: 'person',
  Organization: 'organization',
  Company: 'organization',
  LegalEntity: 'organization',
  Vessel: 'vessel',
  Airplane: 'aircraft',
};
const FTM_IDENTIFIERS: Record<string, IdentifierKind> = {
  passportNumber: 'passport',
  idNumber: 'nationalId',
  socialSecurityNumber: 'nationalId',
  registrationNumber: 'registration',
  taxNumber: 'registration',
  innCode: 'registration',
  ogrnCode: 'registration',
  leiCode: 'registration',
  vatCode: 'registration',
  swiftBic: 'registration',
  imoNumber: 'imo',
  phone: 'phone',
  email: 'email',
};
const FTM_COUNTRIES = ['nationality', 'citizenship', 'country', 'jurisdiction'];
const FTM_DETAILS = ['gender', 'birthPlace', 'position', 'notes', 'topics', 'program', 'flag', 'type'];

/** A FollowTheMoney entity stream: one JSON entity per line. */
export function readFtmEntries(text: string, file: string): ReadEntries {
  const out: ReadEntries = { entries: [], skipped: {}, errors: [] };
  const seen = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length && out.errors.length < MAX_ERRORS; i++) {
    const raw = lines[i]!.trim();
    if (!raw) continue;
    const line = i + 1;
    const fail = (path: string, message: string) => out.errors.push({ file, line, path, message });
    let e: { id?: unknown; schema?: unknown; properties?: unknown };
    try {
      e = JSON.parse(raw);
    } catch (err) {
      fail('(line)', `not a JSON entity: ${(err as Error).message}`);
      continue;
    }
    if (typeof e !== 'object' || e === null || Array.isArray(e)) {
      fail('(line)', 'not a JSON object');
      continue;
    }
    if (typeof e.schema !== 'string' || !e.schema) {
      fail('schema', 'missing: every FtM entity names its schema');
      continue;
    }
    const kind = FTM_KIND[e.schema];
    if (!kind) {
      out.skipped[e.schema] = (out.skipped[e.schema] ?? 0) + 1;
      continue;
    }
    if (typeof e.id !== 'string' || !e.id) {
      fail('id', 'missing: an entry needs an id, so a later version of the list can say what changed');
      continue;
    }
    const props = (e.properties ?? {}) as Record<string, unknown>;
    if (typeof props !== 'object' || Array.isArray(props)) {
      fail('properties', 'must be an object of property name to list of values');
      continue;
    }
    const values = (p: string): string[] | undefined => {
      const v = props[p];
      if (v === undefined) return [];
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
        fail(`properties.${p}`, 'must be a list of strings');
        return undefined;
      }
      return v.map((x) => x.trim()).filter(Boolean);
    };
    const before = out.errors.length;
    const names = uniq([...(values('name') ?? []), ...(values('alias') ?? []), ...(values('previousName') ?? [])]);
    const weak = values('weakAlias') ?? [];
    if (!names.length && out.errors.length === before) fail('properties.name', `missing: a ${e.schema} needs a name`);
    const birthDates: string[] = [];
    for (const d of values('birthDate') ?? []) {
      const m = DATE.exec(d);
      if (!m) fail('properties.birthDate', `"${d}" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)`);
      else birthDates.push(m[0]);
    }
    const countries: string[] = [];
    for (const p of FTM_COUNTRIES)
      for (const c of values(p) ?? []) {
        const code = countryCode(c);
        if (!code) fail(`properties.${p}`, `"${c}" is not a country (ISO 3166 code or English name)`);
        else countries.push(code);
      }
    const identifiers: string[] = [];
    for (const [p, k] of Object.entries(FTM_IDENTIFIERS))
      for (const v of values(p) ?? []) identifiers.push(identifier(k, v, countries[0]));
    const details: Record<string, unknown> = { name: names[0], schema: e.schema };
    if (weak.length) details.weakAliases = weak;
    for (const p of FTM_DETAILS) {
      const v = values(p);
      if (v?.length) details[p] = v.length === 1 ? v[0] : v;
    }
    if (out.errors.length > before) continue;
    if (seen.has(e.id)) {
      fail('id', `"${e.id}" is also the id of line ${seen.get(e.id)}`);
      continue;
    }
    seen.set(e.id, line);
    out.entries.push({
      id: e.id,
      kind,
      names,
      birthDates: uniq(birthDates),
      countries: uniq(countries),
      identifiers: uniq(identifiers),
      programs: values('program') ?? [],
      details,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------- CSV

/** The columns of a list in CSV (header row; names case-insensitive; only `name` is required). */
export const CSV_COLUMNS: Record<string, string> = {
  name: 'the listed name (required)',
  id: 'a stable id within the list (default: a digest of kind, name and birthDate), so an update can say what changed',
  kind: `${KINDS.join(', ')} (default other: matched as a person or an organization)`,
  aliases: 'other names, separated by ;',
  weakAliases: 'nicknames, separated by ;: shown with a hit, never matched',
  birthDate: 'YYYY, YYYY-MM or YYYY-MM-DD; several separated by ;',
  country: 'nationality or country, ISO 3166 code or English name; several separated by ;',
  identifiers: `kind:value, separated by ; (kinds: ${IDENTIFIER_KINDS.join(', ')})`,
  programs: 'programs or reasons for listing, separated by ;',
  notes: 'free text shown with a hit',
};
const CSV_KEYS = new Map(Object.keys(CSV_COLUMNS).map((k) => [k.toLowerCase(), k]));

const split = (v: string | undefined): string[] =>
  (v ?? '')
    .split(';')
    .map((x) => x.trim())
    .filter(Boolean);

/** A list in CSV (CSV_COLUMNS). */
export function readCsvEntries(text: string, file: string): ReadEntries {
  const out: ReadEntries = { entries: [], skipped: {}, errors: [] };
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  let header: string[] = [];
  try {
    rows = parseCsv(text, {
      columns: (h: string[]) => {
        header = h.map((c) => c.trim());
        return header.map((c) => CSV_KEYS.get(c.toLowerCase()) ?? c);
      },
      skip_empty_lines: true,
      bom: true,
      info: true,
      trim: true,
    });
  } catch (e) {
    const line = (e as { lines?: number }).lines;
    out.errors.push({ file, line, path: '(csv)', message: (e as Error).message });
    return out;
  }
  const unknown = header.filter((c) => !CSV_KEYS.has(c.toLowerCase()));
  if (unknown.length || !header.some((c) => c.toLowerCase() === 'name')) {
    out.errors.push({
      file,
      line: 1,
      path: unknown.length ? unknown[0]! : 'name',
      message: unknown.length
        ? `unknown column (the columns are ${Object.keys(CSV_COLUMNS).join(', ')})`
        : 'the header must have a "name" column',
    });
    return out;
  }
  if (!rows.length) out.errors.push({ file, line: 2, path: 'name', message: 'the file has a header and no rows' });
  const seen = new Map<string, number>();
  for (const { record: r, info } of rows) {
    if (out.errors.length >= MAX_ERRORS) break;
    const line = info.lines;
    const before = out.errors.length;
    const fail = (path: string, message: string) => out.errors.push({ file, line, path, message });
    const name = r.name ?? '';
    if (!name) fail('name', 'missing: every entry needs a name');
    const kind = (r.kind || 'other').toLowerCase() as ListEntry['kind'];
    if (!KINDS.includes(kind)) fail('kind', `"${r.kind}" is none of ${KINDS.join(', ')}`);
    const birthDates = split(r.birthDate).filter((d) => {
      const ok = DATE.test(d) && DATE.exec(d)![0] === d;
      if (!ok) fail('birthDate', `"${d}" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)`);
      return ok;
    });
    const countries = split(r.country).flatMap((c) => {
      const code = countryCode(c);
      if (!code) fail('country', `"${c}" is not a country (ISO 3166 code or English name)`);
      return code ? [code] : [];
    });
    const identifiers = split(r.identifiers).flatMap((v) => {
      const at = v.indexOf(':');
      const k = v.slice(0, at).trim();
      if (at < 1 || !IDENTIFIER_KINDS.includes(k as IdentifierKind)) {
        fail('identifiers', `"${v}" is not kind:value with a kind of ${IDENTIFIER_KINDS.join(', ')}`);
        return [];
      }
      return [identifier(k as IdentifierKind, v.slice(at + 1).trim(), countries[0])];
    });
    if (out.errors.length > before) continue;
    const id =
      r.id ||
      `csv-${createHash('sha256')
        .update(`${kind}|${name.toLowerCase()}|${birthDates.join(',')}`)
        .digest('hex')
        .slice(0, 12)}`;
    if (seen.has(id)) {
      fail(r.id ? 'id' : 'name', `the same entry as line ${seen.get(id)}${r.id ? ` (id ${id})` : ''}`);
      continue;
    }
    seen.set(id, line);
    const weak = split(r.weakAliases);
    out.entries.push({
      id,
      kind,
      names: uniq([name, ...split(r.aliases)]),
      birthDates: uniq(birthDates),
      countries: uniq(countries),
      identifiers: uniq(identifiers),
      programs: split(r.programs),
      details: { name, ...(weak.length ? { weakAliases: weak } : {}), ...(r.notes ? { notes: r.notes } : {}) },
    });
  }
  return out;
}

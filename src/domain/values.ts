// Validation and normalisation of property values, by FtM property type.
// Every value entering the store passes through `cleanValue`, so the store only
// ever holds values of the right shape, and errors name the property at fault.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { PropType } from './model.js';
import { ibanValid } from './checksums.js';

export class ValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValueError';
  }
}

const MAX_LEN: Partial<Record<PropType, number>> = { text: 20_000, html: 20_000, json: 20_000 };
const DEFAULT_MAX = 1_000;
// C0/C1 controls other than tab/newline, and lone surrogates (invalid Unicode).
const BAD_CHARS =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

let countries: Set<string> | undefined;
let countryNames: Map<string, string> | undefined;
/**
 * Codes FtM's country type has beyond ISO 3166-1 alpha-2: unknown/global, the EU,
 * Kosovo, and the ISO 3166-3 codes of former countries that sanctions lists still
 * give as nationality or place of birth (the Soviet Union, Yugoslavia, ...).
 */
const FTM_TERRITORIES = [
  'zz',
  'eu',
  'xk',
  'suhh',
  'cshh',
  'csxx',
  'yucs',
  'ddde',
  'anhh',
  'bumm',
  'zrcd',
  'tptl',
  'ydye',
  'vdvn',
];
function loadCountries(): void {
  const text = readFileSync(new URL('../../reference/country-codes.csv', import.meta.url), 'utf8');
  countries = new Set(FTM_TERRITORIES);
  countryNames = new Map();
  const shorts = new Map<string, string[]>();
  for (const line of text.split('\n').slice(1)) {
    const code = line.slice(0, 2).toLowerCase();
    if (!/^[a-z]{2}$/.test(code)) continue;
    countries.add(code);
    const name = line.slice(3).replace(/^"|"$/g, '').trim().toLowerCase();
    countryNames.set(name, code);
    // "Bolivia, Plurinational State of" is also "Bolivia"; "Korea, Republic of" only in full (two Koreas).
    const short = name
      .replace(/\s*\(.*\)$/, '')
      .replace(/,.*$/, '')
      .trim();
    if (short !== name) shorts.set(short, [...(shorts.get(short) ?? []), code]);
  }
  for (const [short, codes] of shorts)
    if (codes.length === 1 && !countryNames.has(short)) countryNames.set(short, codes[0]!);
}
export function countryCodes(): Set<string> {
  if (!countries) loadCountries();
  return countries!;
}

/** A country as FtM cleans it: its code (ISO 3166-1 alpha-2 or one of FtM's territories), or its English name. */
function cleanCountry(v: string): string {
  const c = v.toLowerCase();
  const codes = countryCodes();
  if (codes.has(c)) return c;
  // A territory inside a country, as FtM writes them (ge-ab, ua-cri, cy-trnc).
  if (/^[a-z]{2}-[a-z0-9]{1,4}$/.test(c) && codes.has(c.slice(0, 2))) return c;
  const named = countryNames!.get(c);
  if (named) return named;
  throw new ValueError(
    `"${v}" is not a country (an ISO 3166-1 alpha-2 code, one of FtM's territory codes, or an English country name)`,
  );
}

const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)?)?$/;
const ENTITY_ID = /^[A-Za-z0-9][A-Za-z0-9._:+-]{0,199}$/;
const EMAIL = /^[^\s@<>()]+@[^\s@<>()]+\.[A-Za-z]{2,}$/;

export function isEntityId(v: string): boolean {
  return ENTITY_ID.test(v);
}

/** What FtM uses to read a value: the countries the entity names help read a national phone number. */
export interface CleanHints {
  countries?: string[];
}

/** Returns the cleaned value or throws a ValueError saying what is wrong. */
export function cleanValue(type: PropType, raw: unknown, hints: CleanHints = {}): string {
  if (typeof raw === 'number' && type === 'number') raw = String(raw);
  if (typeof raw !== 'string') throw new ValueError(`expected a string, got ${raw === null ? 'null' : typeof raw}`);
  if (BAD_CHARS.test(raw)) throw new ValueError('contains control characters or invalid Unicode');
  let v = raw.normalize('NFC').trim();
  if (type !== 'text' && type !== 'html' && type !== 'json') v = v.replace(/\s+/g, ' ');
  if (!v) throw new ValueError('is empty');
  const max = MAX_LEN[type] ?? DEFAULT_MAX;
  if (v.length > max) throw new ValueError(`is ${v.length} characters long; at most ${max} allowed`);
  switch (type) {
    case 'date': {
      const m = DATE.exec(v);
      if (!m) throw new ValueError(`"${v}" is not an ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)`);
      const [, y, mo, d] = m;
      if (mo && (+mo < 1 || +mo > 12)) throw new ValueError(`"${v}" has month ${mo}`);
      if (d) {
        const dt = new Date(Date.UTC(+y!, +mo! - 1, +d));
        if (dt.getUTCDate() !== +d) throw new ValueError(`"${v}" is not a calendar date`);
      }
      return v;
    }
    case 'country':
      return cleanCountry(v);
    case 'phone': {
      const digits = v.replace(/[\s().-]/g, '');
      if (/^\+[1-9]\d{6,14}$/.test(digits)) return digits;
      // A national number is read in the entity's countries, as FtM does; the first that makes it possible wins.
      for (const c of hints.countries ?? []) {
        if (!/^[a-z]{2}$/.test(c)) continue;
        const p = parsePhoneNumberFromString(v, c.toUpperCase() as CountryCode);
        if (p?.isPossible()) return p.number;
      }
      throw new ValueError(
        `"${v}" is not an international phone number (E.164, e.g. +526671234567)${hints.countries?.length ? ` nor a number of ${hints.countries.join(', ')}` : ''}`,
      );
    }
    case 'email': {
      if (!EMAIL.test(v)) throw new ValueError(`"${v}" is not an e-mail address`);
      return v.toLowerCase();
    }
    case 'url': {
      let u: URL;
      try {
        u = new URL(v);
      } catch {
        throw new ValueError(`"${v}" is not a URL`);
      }
      if (!['http:', 'https:'].includes(u.protocol) && !u.hostname.endsWith('.onion'))
        throw new ValueError(`"${v}" must be an http(s) URL`);
      return u.toString();
    }
    case 'number': {
      const n = Number(v.replace(/,/g, ''));
      if (!Number.isFinite(n)) throw new ValueError(`"${v}" is not a number`);
      return String(n);
    }
    case 'entity': {
      if (!ENTITY_ID.test(v))
        throw new ValueError(`"${v}" is not an entity id (letters, digits, . _ : + -, at most 200)`);
      return v;
    }
    case 'iban': {
      const iban = v.replace(/\s/g, '').toUpperCase();
      if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(iban) || !ibanValid(iban))
        throw new ValueError(`"${v}" is not a valid IBAN`);
      return iban;
    }
    case 'gender': {
      const g = GENDERS[v.toLowerCase()];
      if (!g) throw new ValueError(`"${v}" is not a gender (male, female, other)`);
      return g;
    }
    case 'ip': {
      const ip = v.replace(/^\[|\]$/g, '');
      const kind = isIP(ip);
      if (!kind) throw new ValueError(`"${v}" is not an IPv4 or IPv6 address`);
      // One spelling per address: IPv6 compressed and in lower case, as FtM keeps it.
      return kind === 6 ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip;
    }
    case 'checksum': {
      if (!/^[0-9a-f]{32,128}$/i.test(v)) throw new ValueError(`"${v}" is not a hexadecimal checksum`);
      return v.toLowerCase();
    }
    case 'json': {
      try {
        JSON.parse(v);
      } catch {
        throw new ValueError('is not valid JSON');
      }
      return v;
    }
    case 'language': {
      const code = v.toLowerCase();
      if (!/^[a-z]{3}$/.test(code) || languageNames.of(code) === code)
        throw new ValueError(`"${v}" is not an ISO 639-3 language code (e.g. eng, spa, zho)`);
      return code;
    }
    case 'mimetype': {
      // FtM keeps the type without parameters, in lower case ("text/html; charset=utf-8" is text/html).
      const mt = v.split(';')[0]!.trim().toLowerCase();
      if (!/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(mt))
        throw new ValueError(`"${v}" is not a media type (type/subtype)`);
      return mt;
    }
    case 'topic': {
      const t = v.toLowerCase();
      if (!/^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/.test(t))
        throw new ValueError(`"${v}" is not a topic (lower-case dotted words, e.g. role.pep, sanction)`);
      return t;
    }
    default:
      return v;
  }
}

// FtM's gender type: male, female, other, from the spellings sources use.
const GENDERS: Record<string, string> = Object.fromEntries(
  [
    ['male', ['male', 'm', 'man', 'masculine', 'masculin', 'männlich', 'hombre', 'masculino', 'мужской', 'мужчина']],
    ['female', ['female', 'f', 'woman', 'feminine', 'feminin', 'weiblich', 'mujer', 'femenino', 'женский', 'женщина']],
    ['other', ['other', 'o', 'd', 'diverse', 'divers', 'non-binary', 'nonbinary', 'x']],
  ].flatMap(([g, spellings]) => (spellings as string[]).map((s) => [s, g as string])),
);
// ICU's language names: a code it has no name for is not a language code.
const languageNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'code' });

const SEARCHABLE = new Set<PropType>(['name', 'identifier', 'phone', 'email', 'iban', 'address']);
const COMPACT = new Set<PropType>(['identifier', 'phone', 'iban']);

/** An identifier as typed with spaces, dashes or dots, reduced to what identifies it. */
export function compactIdentifier(folded: string): string {
  return /^[+\p{L}\p{N}][\p{L}\p{N}\s./-]*$/u.test(folded) && /\p{N}/u.test(folded)
    ? folded.replace(/[\s./-]+/g, '')
    : folded;
}

/** Folded key for search: accents stripped, lower case, punctuation to spaces. */
export function foldForSearch(v: string): string {
  return v
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}+@.]+/gu, ' ')
    .trim();
}

export function searchKey(type: PropType, value: string): string | null {
  if (!SEARCHABLE.has(type)) return null;
  const folded = foldForSearch(value);
  return COMPACT.has(type) ? folded.replace(/[\s./-]+/g, '') : folded;
}

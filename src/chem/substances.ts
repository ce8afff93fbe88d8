// The reference list of controlled substances, precursors and laboratory supplies
// (reference/substances.csv): what emerging-substance alerts compare against, what
// the demo publishes, and what analysts and targeting staff look up by name,
// synonym, CAS number or HS code.
import { readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { foldName } from '../resolve/normalize.js';
import { StatusError } from '../domain/errors.js';
import { casValid } from '../domain/checksums.js';

/** Control lists a row can be on, as codes in the `lists` column. */
export const CONTROL_LISTS = {
  'US-SCHED-I': 'US Controlled Substances Act, Schedule I',
  'US-SCHED-II': 'US Controlled Substances Act, Schedule II',
  'US-SCHED-III': 'US Controlled Substances Act, Schedule III',
  'US-LIST-I': 'US List I chemical (21 CFR 1310.02(a))',
  'US-LIST-II': 'US List II chemical (21 CFR 1310.02(b))',
  'US-SSL': 'DEA Special Surveillance List of laboratory supplies',
  'UN-1961-I': '1961 Single Convention, Schedule I',
  'UN-1961-IV': '1961 Single Convention, Schedule IV',
  'UN-1971-II': '1971 Convention on Psychotropic Substances, Schedule II',
  'UN-1988-I': '1988 Convention, Table I',
  'UN-1988-II': '1988 Convention, Table II',
} as const;
export type ControlList = keyof typeof CONTROL_LISTS;

export interface Substance {
  key: string;
  name: string;
  category: string;
  casNumber?: string;
  hsCodes: string[];
  synonyms: string[];
  control: string;
  lists: ControlList[];
  source: string;
}

export class SubstanceError extends StatusError {}

const CAS = /^(\d{2,7})-(\d{2})-(\d)$/;
const HS = /^\d{4}(\.\d{2}){0,2}$/;

/** Parse and check the file; a bad row names its line, so a curator can fix it. */
export function parseSubstances(text: string): Substance[] {
  const rows = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  const seen = new Set<string>();
  return rows.map((r, i) => {
    const at = `reference/substances.csv line ${i + 2}`;
    const split = (v: string | undefined): string[] =>
      (v ?? '')
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean);
    if (!r.key || !/^[a-z0-9-]+$/.test(r.key))
      throw new SubstanceError(`${at}: key "${r.key ?? ''}" must be lower-case letters, digits and hyphens`);
    if (seen.has(r.key)) throw new SubstanceError(`${at}: key "${r.key}" is used twice`);
    seen.add(r.key);
    if (!r.name) throw new SubstanceError(`${at}: name is missing`);
    if (r.casNumber && !casValid(r.casNumber))
      throw new SubstanceError(`${at}: CAS number ${r.casNumber} fails its check digit`);
    const hsCodes = split(r.hsCode);
    for (const h of hsCodes)
      if (!HS.test(h)) throw new SubstanceError(`${at}: HS code ${h} is not NNNN, NNNN.NN or NNNN.NN.NN`);
    const lists = split(r.lists);
    for (const l of lists)
      if (!(l in CONTROL_LISTS))
        throw new SubstanceError(`${at}: unknown control list ${l} (known: ${Object.keys(CONTROL_LISTS).join(', ')})`);
    return {
      key: r.key,
      name: r.name,
      category: r.category ?? '',
      ...(r.casNumber ? { casNumber: r.casNumber } : {}),
      hsCodes,
      synonyms: split(r.synonyms),
      control: r.control ?? '',
      lists: lists as ControlList[],
      source: r.source ?? '',
    };
  });
}

let cached: Substance[] | undefined;
export function substances(): Substance[] {
  return (cached ??= parseSubstances(readFileSync(new URL('../../reference/substances.csv', import.meta.url), 'utf8')));
}

/** The comparison key of a name or CAS number: parenthesised forms ("Fentanyl (pills)", "4-Anilinopiperidine (4-AP)") name what is before them. */
export function substanceKey(s: string): string {
  const t = s.trim();
  return CAS.test(t) ? `cas:${t}` : foldName(t.replace(/\s*\(.*\)\s*$/, '')).replace(/\s+/g, '');
}

/** Every key a substance is known by: its key, name, the abbreviation in its name's brackets, synonyms and CAS number. */
export function keysOf(s: Substance): string[] {
  const abbrev = /\(([^()]+)\)\s*$/.exec(s.name)?.[1];
  return [
    ...new Set(
      [s.key, s.name, ...(abbrev ? [abbrev] : []), ...s.synonyms, ...(s.casNumber ? [s.casNumber] : [])]
        .map(substanceKey)
        .filter(Boolean),
    ),
  ];
}

let index: Map<string, Substance> | undefined;
/** The reference substance a name, synonym or CAS number means, if any. */
export function lookupSubstance(nameOrCas: string): Substance | undefined {
  if (!index) {
    index = new Map();
    for (const s of substances()) for (const k of keysOf(s)) if (!index.has(k)) index.set(k, s);
  }
  return index.get(substanceKey(nameOrCas));
}

export interface SubstanceQuery {
  q?: string;
  list?: ControlList;
  category?: string;
  hs?: string;
}
/** Search by words of a name or synonym, a CAS number, an HS code prefix, a control list or a category. */
export function findSubstances(query: SubstanceQuery): Substance[] {
  const q = query.q?.trim();
  const words = q && !CAS.test(q) ? foldName(q).split(/\s+/).filter(Boolean) : [];
  const hs = query.hs?.replace(/\s/g, '');
  return substances().filter((s) => {
    if (query.list && !s.lists.includes(query.list)) return false;
    if (query.category && s.category !== query.category) return false;
    if (hs && !s.hsCodes.some((h) => h.startsWith(hs) || hs.startsWith(h))) return false;
    if (!q) return true;
    if (CAS.test(q)) return s.casNumber === q;
    const text = foldName([s.key, s.name, ...s.synonyms].join(' '));
    return words.every((w) => text.includes(w));
  });
}

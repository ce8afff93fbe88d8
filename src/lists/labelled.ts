// Labelled screening sets built from real lists, nobody here wrote the names: each
// list's aliases are screened against an index of the primary names alone, so the
// variation measured is the variation the publishers themselves record (spellings,
// transliterations, word orders, legal forms, abbreviations, former names).
//
// Every set is split by entry, by the parity of the publisher's own entry number
// (OFAC ent_num, UN DATAID): the matcher's weights and calibration are fitted on the
// even ("tuning") half and quality is reported on the odd ("test") half only. The
// index always holds every entry of the list, so a test query competes with the
// whole list as it would in production.
//
// Negatives: the primary names of one half screened against an index of the other
// half's entries (every name), where any hit is false (two entries are distinct
// listings), and real names of people and companies that are not listed
// (reference/screening/not-listed.csv).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseCsv } from 'csv-parse/sync';
import { clean, loadOfacCsv, personNames, readLegacy, type LoadedList } from './ofac.js';
import { loadUnXml } from './un.js';
import { foldName } from '../resolve/normalize.js';
import { ScreeningIndex, type ListEntry } from '../resolve/screen-index.js';
import type { Scored } from '../resolve/quality.js';
import { fitMatcher } from '../resolve/fit.js';
import type { MatcherFile } from '../resolve/matcher.js';

export type Half = 'tuning' | 'test';

export interface LabelledName {
  name: string;
  /** The entry that should be among the hits; null: nothing in the index is this identity. */
  expect: string | null;
  kind: ListEntry['kind'];
  /** How the query relates to its entry: aka, fka, nka, un-good, un-low, original-script, typo, other-half, not-listed, cross-script. */
  variant: string;
  /** The script the query is written in: latin, arabic, cyrillic, han, hangul, kana, greek, hebrew, thai, other. */
  script: string;
  birthDate?: string;
  countries?: string[];
  identifiers?: string[];
}

export interface LabelledSet {
  name: string;
  description: string;
  index: ListEntry[];
  queries: LabelledName[];
  /** What was left out of the set, and why (told, never silent). */
  dropped: Record<string, number>;
}

const reference = (p: string): string => fileURLToPath(new URL(`../../reference/${p}`, import.meta.url));

const SCRIPTS: [string, RegExp][] = [
  ['han', /\p{Script=Han}/u],
  ['hangul', /\p{Script=Hangul}/u],
  ['kana', /[\p{Script=Hiragana}\p{Script=Katakana}]/u],
  ['arabic', /\p{Script=Arabic}/u],
  ['cyrillic', /\p{Script=Cyrillic}/u],
  ['greek', /\p{Script=Greek}/u],
  ['hebrew', /\p{Script=Hebrew}/u],
  ['thai', /\p{Script=Thai}/u],
  ['latin', /\p{Script=Latin}/u],
];
export function scriptOf(name: string): string {
  for (const [s, re] of SCRIPTS) if (re.test(name)) return s;
  return 'other';
}

/** One more query left out for `reason`. */
const count = (dropped: Record<string, number>, reason: string): void => {
  dropped[reason] = (dropped[reason] ?? 0) + 1;
};

// Each shipped list, read once per process: every set, both halves and the fit use them
// (reading and parsing them is most of the time a set takes). Entries are not changed
// here: a set's index is made of copies (primaryOnly).
let lists: { sdn: LoadedList; nonsdn: LoadedList; un: LoadedList } | undefined;
function shipped(): { sdn: LoadedList; nonsdn: LoadedList; un: LoadedList } {
  return (lists ??= {
    sdn: loadOfacCsv(reference('ofac/')),
    nonsdn: loadOfacCsv(reference('ofac/nonsdn/'), { set: 'nonsdn' }),
    un: loadUnXml(reference('un/UN_consolidated.xml')),
  });
}

export const halfOf = (n: number): Half => (n % 2 === 0 ? 'tuning' : 'test');

/** Order-free folded form: two names with this key equal are the same string of words. */
const key = (name: string): string => foldName(name).split(' ').filter(Boolean).sort().join(' ');

/** Every folded primary name, with the entries that bear it. */
function primaryOwners(entries: ListEntry[]): Map<string, Set<string>> {
  const owners = new Map<string, Set<string>>();
  for (const e of entries) {
    const k = key(e.details!.name as string);
    const s = owners.get(k) ?? new Set<string>();
    s.add(e.id);
    owners.set(k, s);
  }
  return owners;
}

const primaryOnly = (e: ListEntry): ListEntry => {
  const primary = e.details!.name as string;
  return { ...e, names: e.kind === 'person' ? personNames(primary) : [primary] };
};

/**
 * What a screener may know besides the name, taken from the entry itself for one entry
 * in four (the rest screen the name alone, as most of what is screened arrives): a
 * full birth date for a person, a country, an identifier, each when the list gives
 * one. The fit then sees dates, countries and identifiers agree (with the right entry)
 * and conflict (with the other candidates).
 */
function factsOf(n: number, e: ListEntry): Pick<LabelledName, 'birthDate' | 'countries' | 'identifiers'> {
  const out: Pick<LabelledName, 'birthDate' | 'countries' | 'identifiers'> = {};
  if (Math.floor(n / 2) % 4 !== 1) return out;
  const date = e.kind === 'person' ? e.birthDates?.find((d) => d.length === 10) : undefined;
  if (date) out.birthDate = date;
  if (e.countries?.length) out.countries = [e.countries[0]!];
  if (e.identifiers?.length) out.identifiers = [e.identifiers[0]!];
  return out;
}

/** Drops a query that is its entry's own primary name, or another entry's (its label would be a coin toss). */
function admit(
  name: string,
  entry: ListEntry,
  owners: Map<string, Set<string>>,
  dropped: Record<string, number>,
): boolean {
  const o = owners.get(key(name));
  if (o?.has(entry.id)) {
    count(dropped, 'same as its own primary name');
    return false;
  }
  if (o) {
    count(dropped, "same as another entry's primary name");
    return false;
  }
  if (!key(name)) {
    count(dropped, 'no letters or digits');
    return false;
  }
  return true;
}

/** OFAC's aliases (alt.csv / cons_alt.csv, with their type) against the list's primary names. */
export function ofacAliasSet(half: Half, set: 'sdn' | 'nonsdn' = 'sdn'): LabelledSet {
  const dir = reference(set === 'sdn' ? 'ofac/' : 'ofac/nonsdn/');
  const loaded = shipped()[set];
  const prefix = set === 'sdn' ? 'ofac-' : 'ofac-nonsdn-';
  const byNum = new Map(loaded.entries.map((e) => [e.id.slice(prefix.length), e]));
  const owners = primaryOwners(loaded.entries);
  const dropped: Record<string, number> = {};
  const queries: LabelledName[] = [];
  for (const row of readLegacy(join(dir, set === 'sdn' ? 'alt.csv' : 'cons_alt.csv'))) {
    const num = clean(row[0]);
    const name = clean(row[3]);
    const e = byNum.get(num);
    if (!e || !name) {
      // alt.csv is from December 2025, sdn.csv from May 2024 (reference/ofac/README.md).
      count(dropped, 'no such entry in the primary file');
      continue;
    }
    if (halfOf(Number(num)) !== half || !admit(name, e, owners, dropped)) continue;
    queries.push({
      name,
      expect: e.id,
      kind: e.kind,
      variant: clean(row[2]).toLowerCase().replace(/\./g, '') || 'aka',
      script: scriptOf(name),
      ...factsOf(Number(num), e),
    });
  }
  return {
    name: set === 'sdn' ? 'OFAC SDN aliases' : 'OFAC non-SDN aliases',
    description: `${loaded.name} (${loaded.publishDate ?? 'undated'}): each alias of a ${half}-half entry screened against every entry's primary name`,
    index: loaded.entries.map(primaryOnly),
    queries,
    dropped,
  };
}

/** A deterministic typo in the longest word (transposition, deletion or substitution), as a keyboard makes them. */
export function typo(name: string, seed: number): string {
  const words = name.split(' ');
  let w = 0;
  for (let i = 1; i < words.length; i++) if (words[i]!.length > words[w]!.length) w = i;
  const t = words[w]!;
  if (t.length < 4) return name;
  const p = 1 + (seed % (t.length - 2));
  const op = Math.floor(seed / 7) % 3;
  const letters = 'aeioulnrst';
  words[w] =
    op === 0
      ? t.slice(0, p) + t[p + 1] + t[p] + t.slice(p + 2)
      : op === 1
        ? t.slice(0, p) + t.slice(p + 1)
        : t.slice(0, p) + letters[seed % letters.length] + t.slice(p + 1);
  return words.join(' ');
}

/** The UN list's aliases (quality Good and Low), names in original script, and each primary name with a typo. */
export function unAliasSet(half: Half): LabelledSet {
  const loaded = shipped().un;
  const owners = primaryOwners(loaded.entries);
  const dropped: Record<string, number> = {};
  const queries: LabelledName[] = [];
  for (const e of loaded.entries) {
    const num = Number(e.details!.dataId);
    if (halfOf(num) !== half) continue;
    const primary = e.details!.name as string;
    const original = e.details!.originalScriptName as string | undefined;
    const good = e.names.filter((n) => n !== primary && n !== original);
    const low = (e.details!.weakAliases as string[] | undefined) ?? [];
    const facts = factsOf(num, e);
    const push = (name: string, variant: string): void => {
      if (admit(name, e, owners, dropped))
        queries.push({ name, expect: e.id, kind: e.kind, variant, script: scriptOf(name), ...facts });
    };
    for (const a of good) push(a, 'un-good');
    for (const a of low) push(a, 'un-low');
    if (original) push(original, 'original-script');
    const typed = typo(primary, num);
    if (typed !== primary)
      queries.push({ name: typed, expect: e.id, kind: e.kind, variant: 'typo', script: scriptOf(typed) });
  }
  return {
    name: 'UN aliases',
    description: `${loaded.name} (${loaded.publishDate}): each alias, original-script name and mistyped primary name of a ${half}-half entry, against every entry's primary name`,
    index: loaded.entries.map(primaryOnly),
    queries,
    dropped,
  };
}

/** Every entry of all three lists, with all its names: what production screens against. */
export function fullLists(): ListEntry[] {
  return [...shipped().sdn.entries, ...shipped().nonsdn.entries, ...shipped().un.entries];
}

const entryNumber = (e: ListEntry): number =>
  e.list === 'UN-SC' ? Number(e.details!.dataId) : Number(e.id.replace(/^ofac-(nonsdn-)?/, ''));

/**
 * Negatives from the lists themselves: this half's primary names against an index of
 * the other half's entries (every name) of the same list. Two entries of one list are
 * two listings, so any hit is false (across lists they are not: the UN and OFAC list
 * many of the same people).
 */
export function otherHalfSets(half: Half): LabelledSet[] {
  const byList = new Map<string, ListEntry[]>();
  for (const e of fullLists()) byList.set(e.list, [...(byList.get(e.list) ?? []), e]);
  return [...byList].map(([list, all]) => {
    const index = all.filter((e) => halfOf(entryNumber(e)) !== half);
    const indexed = new Set(index.flatMap((e) => e.names.map(key)));
    const dropped: Record<string, number> = {};
    const queries: LabelledName[] = [];
    for (const e of all) {
      if (halfOf(entryNumber(e)) !== half) continue;
      const name = e.details!.name as string;
      // The same name listed twice (a vessel and its owner, a renamed entity) is not a false hit.
      if (indexed.has(key(name))) {
        count(dropped, 'a name the other half lists too');
        continue;
      }
      queries.push({
        name,
        expect: null,
        kind: e.kind,
        variant: 'other-half',
        script: scriptOf(name),
        ...factsOf(entryNumber(e), e),
      });
    }
    return {
      name: `${list} other half (negatives)`,
      description: `each ${half}-half ${list} entry's primary name against the other half's ${list} entries, all names: any hit is false`,
      index,
      queries,
      dropped,
    };
  });
}

/** Real names that are on no list (reference/screening/not-listed.csv) against all three lists. */
export function notListedSet(): LabelledSet {
  const rows = parseCsv(readFileSync(reference('screening/not-listed.csv'), 'utf8'), { columns: true }) as {
    schema: string;
    name: string;
  }[];
  const index = fullLists();
  const listed = new Set(index.flatMap((e) => e.names.map(key)));
  const clash = rows.filter((r) => listed.has(key(r.name)));
  if (clash.length) throw new Error(`not-listed.csv: ${clash.map((r) => r.name).join(', ')} are listed`);
  return {
    name: 'not listed (negatives)',
    description: 'names of German party donors (people and companies) against all three lists: any hit is false',
    index,
    queries: rows.map((r) => ({
      name: r.name,
      expect: null,
      kind: r.schema === 'Person' ? 'person' : 'organization',
      variant: 'not-listed',
      script: scriptOf(r.name),
    })),
    dropped: {},
  };
}

/** moov-io/watchman's cross-script pairs: each non-Latin name against its Latin spelling, among the SDN list's primary names. */
export function crossScriptSet(): LabelledSet {
  const lines = readFileSync(reference('screening/cross_script_pairs.csv'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'));
  const rows = (parseCsv(lines.join('\n')) as string[][]).map(([query, latin]) => ({ query: query!, latin: latin! }));
  const pairs: ListEntry[] = rows.map((r, i) => ({
    id: `pair-${i}`,
    list: 'PAIRS',
    kind: 'person',
    names: [r.latin],
  }));
  return {
    name: 'cross-script pairs',
    description:
      'watchman cross_script_pairs.csv: each non-Latin name against its Latin spelling, among the SDN primaries',
    index: [...pairs, ...shipped().sdn.entries.map(primaryOnly)],
    queries: rows.map((r, i) => ({
      name: r.query,
      expect: `pair-${i}`,
      kind: 'person',
      variant: 'cross-script',
      script: scriptOf(r.query),
    })),
    dropped: {},
  };
}

/** The sets the matcher is fitted on (tuning) or judged by (test): positives, then negatives. */
export function labelledSets(half: Half): LabelledSet[] {
  const sets = [ofacAliasSet(half, 'sdn'), ofacAliasSet(half, 'nonsdn'), unAliasSet(half), ...otherHalfSets(half)];
  // Too small to split (22 and 96 names): judged on, never fitted on.
  if (half === 'test') sets.push(crossScriptSet(), notListedSet());
  return sets;
}

/** The matcher's fit on the tuning half of every set (what `npm run calibrate` writes to src/resolve/matcher.json). */
export function tuningFit(): Promise<MatcherFile> {
  const sets = labelledSets('tuning');
  return fitMatcher(
    sets,
    `the tuning half (even entry numbers) of: ${sets.map((s) => `${s.name} (${s.queries.length} queries)`).join(', ')}`,
  );
}

/** The screening index of a set's entries. */
export function indexSet(set: LabelledSet): ScreeningIndex {
  const index = new ScreeningIndex();
  for (const e of set.index) index.add(e);
  index.build();
  return index;
}

/**
 * Chokepoint's answers to labelled queries, every candidate with its calibrated score:
 * what the quality bench and the quality test judge. Each query carries what it
 * knows besides the name.
 */
export function screenQueries(index: ScreeningIndex, queries: LabelledName[]): Scored[][] {
  return queries.map((q) =>
    index
      .search(
        { name: q.name, birthDate: q.birthDate, countries: q.countries, identifiers: q.identifiers, kind: 'any' },
        { threshold: 0, limit: 16 },
      )
      .map((h) => ({ id: h.entry.id, score: h.score })),
  );
}

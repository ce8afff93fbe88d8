// Name normalisation for matching. The displayed name is never changed; matching
// works on a folded form: NFKC, Han transliterated to toneless pinyin (pinyin-pro,
// syllable by syllable), every other script to ASCII (any-ascii: Cyrillic, Arabic,
// Greek, accents), lower case, punctuation gone, Spanish and other particles
// dropped, company legal forms removed.
import { readFileSync } from 'node:fs';
import anyAscii from 'any-ascii';
import { pinyin } from 'pinyin-pro';

const HAN_RUN = /[\u3400-\u9fff\uf900-\ufaff]+/gu;

// Legal forms are data (legal-forms.json): equivalence classes across languages and
// transliterations, so "OOO", "LLC" and "S. de R.L." are one form.
interface LegalFormsFile {
  classes: { class: string; label: string; forms: string[] }[];
  han: { class: string; form: string }[];
  leading: string[];
}
const LEGAL = JSON.parse(readFileSync(new URL('./legal-forms.json', import.meta.url), 'utf8')) as LegalFormsFile;
/** Folded form (token sequence) -> class, longest forms first so "co ltd" is read before "ltd". */
const LEGAL_FORMS: { tokens: string[]; class: string }[] = LEGAL.classes
  .flatMap((c) => c.forms.map((f) => ({ tokens: f.split(' '), class: c.class })))
  .sort((a, b) => b.tokens.length - a.tokens.length);
const LEADING = new Set(LEGAL.leading);
const LEADING_FORMS = LEGAL_FORMS.filter((f) => LEADING.has(f.tokens.join(' ')));
const LEGAL_FORMS_HAN = [...LEGAL.han].sort((a, b) => b.form.length - a.form.length);
/** The legal-form classes, for the algorithm's documentation. */
export const LEGAL_FORM_CLASSES = LEGAL.classes.map((c) => ({ class: c.class, label: c.label, forms: c.forms.length }));

/** Particles that many sources drop or keep at will. */
const PARTICLES = new Set([
  'de',
  'del',
  'la',
  'las',
  'los',
  'y',
  'e',
  'da',
  'das',
  'do',
  'dos',
  'di',
  'van',
  'von',
  'der',
  'den',
  'le',
  'bin',
  'ibn',
  'al',
  'el',
]);

/** Ranks and honorifics written into people's names on lists ("Dr.", "Col.", "Lt. Col. (Rtd).", "Jr."): not part of the name. */
const TITLES = new Set([
  'dr',
  'mr',
  'mrs',
  'ms',
  'jr',
  'sr',
  'col',
  'lt',
  'gen',
  'maj',
  'capt',
  'prof',
  'rtd',
  'eng',
  'engr',
  'sheikh',
  'shaykh',
  'mullah',
  'maulana',
  'mawlawi',
]);

/**
 * The spellings of one written name a matcher should try: the name itself; without
 * what it says in parentheses ("ISLAMIC JIHAD UNION (IJU)"); and a parenthesised
 * acronym on its own ("(IJU)", "(M.S.P.)"), which lists use as another name.
 */
export function nameVariants(raw: string): string[] {
  if (!raw.includes('(')) return [raw];
  const out = [raw];
  const bare = raw
    .replace(/\([^)]*\)?/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (bare && bare !== raw) out.push(bare);
  for (const m of raw.matchAll(/\(([^)]*)\)/g)) {
    const inner = m[1]!.replace(/[.\s]/g, '');
    if (/^[A-Z0-9-]{2,8}$/.test(inner)) out.push(inner);
  }
  return out;
}

export interface NormalizedName {
  /** Tokens used for comparison, in source order. */
  tokens: string[];
  /** Tokens sorted and joined without spaces: robust to order and to split/joined syllables. */
  compact: string;
  /** Tokens joined without spaces, in source order. */
  joined: string;
  /** Per-token weight (rarity in the list); set by the screening index, uniform when absent. */
  weights?: Float64Array;
  /** Written in an abjad (Arabic, Hebrew): short vowels are not written, so it is compared by consonant skeleton. */
  abjad?: boolean;
  /** The class of the legal form removed (legal-forms.json), when the name stated one. */
  legal?: string;
  /** Each token's phonetic key, computed on first use (phoneticOf). */
  phonetic?: string[];
}

const ABJAD = /[\p{Script=Arabic}\p{Script=Hebrew}]/u;

/**
 * The consonant skeleton of a folded token: vowels and the letters abjads use for
 * long vowels (w, y) dropped, doubled letters single. "Hassan" and حسن ("hsn") agree.
 */
export function skeletonToken(t: string): string {
  return t.replace(/[aeiouwy]/g, '').replace(/(.)\1+/g, '$1');
}

const skeletons = new WeakMap<NormalizedName, NormalizedName>();
/** The name as consonant skeletons (cached per name): how an abjad name meets a Latin one. */
export function skeletonOf(n: NormalizedName): NormalizedName {
  let s = skeletons.get(n);
  if (!s) {
    const tokens = n.tokens.map(skeletonToken).filter(Boolean);
    s = { tokens, compact: [...tokens].sort().join(''), joined: tokens.join('') };
    skeletons.set(n, s);
  }
  return s;
}

/** To lower-case ASCII words, with Han as pinyin syllables. */
export function foldName(raw: string): string {
  // Most names screened are plain ASCII: skip Unicode normalisation and transliteration.
  if (/^[\x20-\x7e]*$/.test(raw))
    return raw
      .toLowerCase()
      .replace(/['`]/g, '')
      .replace(/[^a-z0-9]+/g, ' ')
      .trim();
  let s = raw.normalize('NFKC');
  s = s.replace(HAN_RUN, (run) => ` ${pinyin(run, { toneType: 'none', type: 'array' }).join(' ')} `);
  // Apostrophes join (O'Brien, the soft sign any-ascii writes as "Naval'nyy").
  s = anyAscii(s).toLowerCase().replace(/['`]/g, '');
  return s.replace(/[^a-z0-9]+/g, ' ').trim();
}

/** Removes legal forms where they stand (at the end; some also at the start), and says which class they were. */
function stripLegalForms(tokens: string[]): { tokens: string[]; legal?: string } {
  let out = tokens;
  let legal: string | undefined;
  for (let changed = true; changed && out.length > 1; ) {
    changed = false;
    for (const form of LEGAL_FORMS) {
      const f = form.tokens;
      if (f.length < out.length && f.every((t, i) => out[out.length - f.length + i] === t)) {
        out = out.slice(0, out.length - f.length);
        // "Co., Ltd.": the more specific class wins over the unspecified "company".
        if (!legal || legal === 'company') legal = form.class;
        changed = true;
        break;
      }
    }
  }
  for (const form of LEADING_FORMS) {
    const f = form.tokens;
    if (f.length < out.length && f.every((t, i) => out[i] === t)) {
      out = out.slice(f.length);
      if (!legal || legal === 'company') legal = form.class;
      break;
    }
  }
  return { tokens: out, legal };
}

/** A name ready for comparison; `kind` decides whether legal forms are removed. */
export function normalizeName(raw: string, kind: 'person' | 'organization' | 'any' = 'any'): NormalizedName {
  let s = raw;
  let legal: string | undefined;
  if (kind !== 'person')
    for (const f of LEGAL_FORMS_HAN)
      if (s.endsWith(f.form) && s.length > f.form.length) {
        s = s.slice(0, -f.form.length);
        legal = f.class;
        break;
      }
  let tokens = foldName(s).split(' ').filter(Boolean);
  if (kind !== 'person') {
    const stripped = stripLegalForms(tokens);
    tokens = stripped.tokens;
    legal = stripped.legal ?? legal;
  }
  // Titles are read only in Latin script: an abjad's folded consonants can spell one (عمر, Omar, folds to "mr").
  const abjad = ABJAD.test(raw);
  const kept = tokens.filter((t) => !PARTICLES.has(t) && (kind === 'organization' || abjad || !TITLES.has(t)));
  if (kept.length) tokens = kept;
  const n: NormalizedName = { tokens, compact: [...tokens].sort().join(''), joined: tokens.join('') };
  if (legal) n.legal = legal;
  if (abjad) n.abjad = true;
  return n;
}

// Transliteration-aware phonetic keys: one Slavic, Arabic or Chinese name reaches Latin
// script through several romanisation systems (Yarmoshyna / Yarmoshina, Zhalolov /
// Jalolov, Fouzi / Fawzi, Hsien / Xian). The digraphs those systems disagree on are
// mapped to one spelling first, then the token is reduced to its consonant skeleton
// (vowels are where the systems disagree most). Ordered: longer digraphs first.
const TRANSLIT: [RegExp, string][] = [
  [/shch/g, 'S'],
  [/sch/g, 'S'],
  [/sh/g, 'S'],
  [/tch|tsch|ch/g, 'C'],
  [/dzh|dj|zh|j/g, 'J'],
  [/kh/g, 'h'],
  [/gh/g, 'g'],
  [/hs/g, 'S'],
  [/x/g, 'S'],
  [/ph/g, 'f'],
  [/th/g, 't'],
  [/q|ck|c/g, 'k'],
  [/tz|ts/g, 'Z'],
  [/dh/g, 'd'],
  [/v/g, 'w'],
];

/** The phonetic key of a folded token (see TRANSLIT). */
export function phoneticToken(t: string): string {
  let s = t;
  for (const [re, to] of TRANSLIT) s = s.replace(re, to);
  return s.replace(/[aeiouwy]/g, '').replace(/(.)\1+/g, '$1');
}

/** Each token's phonetic key (kept on the name: read for every candidate, where a WeakMap lookup showed in profiles). */
export function phoneticOf(n: NormalizedName): string[] {
  return (n.phonetic ??= n.tokens.map(phoneticToken));
}

/** Words an acronym may skip or take one letter of. */
const ACRONYM_OPTIONAL = new Set([
  'of',
  'and',
  'the',
  'for',
  'de',
  'la',
  'del',
  'i',
  'e',
  'y',
  'et',
  'und',
  'po',
  'na',
  'v',
]);

/**
 * Whether `acr` (one token, 2-8 letters) abbreviates `words`: each word in order gives
 * a prefix of one or two letters (TsNII: Tsentralnyi Nauchno-Issledovatelskii
 * Institut), connectives may give none. Small recursive search: names are short.
 */
export function isAcronym(acr: string, words: string[]): boolean {
  if (acr.length < 2 || acr.length > 8 || words.length < 2) return false;
  const go = (i: number, w: number): boolean => {
    if (w === words.length) return i === acr.length;
    const word = words[w]!;
    if (ACRONYM_OPTIONAL.has(word) && go(i, w + 1)) return true;
    for (let k = 1; k <= 2 && i + k <= acr.length; k++) {
      if (word.slice(0, k) !== acr.slice(i, i + k)) break;
      if (go(i + k, w + 1)) return true;
    }
    return false;
  };
  return go(0, 0);
}

/** The initials of a name of several words, connectives left out: its likeliest acronym, for blocking. */
export function initialsOf(n: NormalizedName): string | undefined {
  const words = n.tokens.filter((t) => !ACRONYM_OPTIONAL.has(t));
  return words.length >= 2 && words.length <= 8 ? words.map((w) => w[0]).join('') : undefined;
}

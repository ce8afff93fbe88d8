// Name normalisation for matching. The displayed name is never changed; matching
// works on a folded form: NFKC, Han transliterated to toneless pinyin (pinyin-pro,
// syllable by syllable), every other script to ASCII (any-ascii: Cyrillic, Arabic,
// Greek, accents), lower case, punctuation gone, Spanish and other particles
// dropped, company legal forms removed.
import anyAscii from 'any-ascii';
import { pinyin } from 'pinyin-pro';

const HAN_RUN = /[\u3400-\u9fff\uf900-\ufaff]+/gu;

/** Legal forms, longest first, as folded token sequences (and Han forms before folding). */
const LEGAL_FORMS_HAN = ['股份有限公司', '有限责任公司', '有限公司', '集团公司', '公司'];
const LEGAL_FORMS = [
  's a p i de c v',
  's de r l de c v',
  's a b de c v',
  's a de c v',
  'sa de cv',
  'sapi de cv',
  's de rl de cv',
  's de rl',
  's de r l',
  's c de r l',
  'co ltd',
  'company limited',
  'co limited',
  'pte ltd',
  'pvt ltd',
  'private limited',
  'limited liability company',
  'public limited company',
  'ltd',
  'limited',
  'llc',
  'l l c',
  'inc',
  'incorporated',
  'corp',
  'corporation',
  'company',
  'co',
  'plc',
  'gmbh',
  'ag',
  'sa',
  's a',
  'sas',
  'srl',
  'bv',
  'nv',
  'ltda',
  'cia',
  'you xian gong si',
  'gu fen you xian gong si',
  'you xian ze ren gong si',
].map((f) => f.split(' '));

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

function stripLegalForms(tokens: string[]): string[] {
  // Only at the end of the name, where legal forms stand ("Acme Trading Co Ltd").
  let out = tokens;
  for (let changed = true; changed && out.length > 1; ) {
    changed = false;
    for (const form of LEGAL_FORMS) {
      if (form.length < out.length && form.every((t, i) => out[out.length - form.length + i] === t)) {
        out = out.slice(0, out.length - form.length);
        changed = true;
        break;
      }
    }
  }
  return out;
}

/** A name ready for comparison; `kind` decides whether legal forms are removed. */
export function normalizeName(raw: string, kind: 'person' | 'organization' | 'any' = 'any'): NormalizedName {
  let s = raw;
  if (kind !== 'person')
    for (const f of LEGAL_FORMS_HAN) if (s.endsWith(f) && s.length > f.length) s = s.slice(0, -f.length);
  let tokens = foldName(s).split(' ').filter(Boolean);
  if (kind !== 'person') tokens = stripLegalForms(tokens);
  const kept = tokens.filter((t) => !PARTICLES.has(t));
  if (kept.length) tokens = kept;
  const n: NormalizedName = { tokens, compact: [...tokens].sort().join(''), joined: tokens.join('') };
  if (ABJAD.test(raw)) n.abjad = true;
  return n;
}

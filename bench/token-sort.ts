// Baseline: the token-sort ratio a user reaches for first (rapidfuzz's, and fuzzywuzzy's
// before it), as a full scan over every name of every entry. It follows rapidfuzz's
// definition: both names split on whitespace, the tokens sorted and joined by one space,
// then the normalised Indel similarity 1 - indel_distance / (len1 + len2), which is
// 2·LCS / (len1 + len2); rapidfuzz scales it to 0–100, here 0–1 like the other matchers.
// Both sides are folded with foldName first, so every matcher sees the same text.
import { foldName } from '../src/resolve/normalize.js';
import type { ListEntry } from '../src/resolve/screen-index.js';
import type { Scored } from '../src/resolve/quality.js';

export const tokenSorted = (s: string): string => s.split(/\s+/).filter(Boolean).sort().join(' ');

// foldName leaves only [a-z0-9 ], so a 128-letter alphabet holds every character.
const ALPHABET = 128;

/** The query's bit masks: bit i of letter c's words is set where the query has c at i. */
function patternOf(a: string): { words: number; masks: Uint32Array } {
  const words = Math.max(1, Math.ceil(a.length / 32));
  const masks = new Uint32Array(ALPHABET * words);
  for (let i = 0; i < a.length; i++) {
    const c = a.charCodeAt(i) & (ALPHABET - 1);
    masks[c * words + (i >> 5)]! |= 1 << (i & 31);
  }
  return { words, masks };
}

const popcount = (x: number): number => {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
};

/**
 * Length of the longest common subsequence, bit-parallel (Hyyrö 2004, as rapidfuzz
 * computes it): one word-sized step per character of `b`, carries across words.
 * Arithmetic in int32, whose wrap-around is the same bits as unsigned (V8 keeps it in
 * registers; a double-valued sum made the scan ten times slower).
 */
function lcs(p: { words: number; masks: Uint32Array }, aLength: number, b: Uint8Array, s: Int32Array): number {
  const w = p.words;
  const masks = p.masks;
  if (w === 1) {
    let v = -1;
    for (let j = 0; j < b.length; j++) {
      const u = v & masks[b[j]!]!;
      v = (v + u) | 0 | ((v - u) | 0);
    }
    return popcount(~v & (aLength >= 32 ? -1 : (1 << aLength) - 1));
  }
  s.fill(-1, 0, w);
  for (let j = 0; j < b.length; j++) {
    const base = b[j]! * w;
    let carry = 0;
    let borrow = 0;
    for (let k = 0; k < w; k++) {
      const sk = s[k]! >>> 0;
      const u = (sk & masks[base + k]!) >>> 0;
      const sum = sk + u + carry;
      carry = sum > 0xffffffff ? 1 : 0;
      const diff = sk - u - borrow;
      borrow = diff < 0 ? 1 : 0;
      s[k] = sum | diff;
    }
  }
  let zeros = 0;
  for (let k = 0; k < w; k++) {
    const bits = Math.min(32, aLength - 32 * k);
    zeros += popcount(~s[k]! & (bits >= 32 ? -1 : (1 << bits) - 1));
  }
  return zeros;
}

const codes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & (ALPHABET - 1));

/** rapidfuzz's fuzz.ratio on 0–1: the normalised Indel similarity; 0 when either side is empty, as rapidfuzz's token ratios. */
export function indelRatio(a: string, b: string): number {
  if (!a || !b) return 0;
  const p = patternOf(a);
  return (2 * lcs(p, a.length, codes(b), new Int32Array(p.words))) / (a.length + b.length);
}

/** rapidfuzz's fuzz.token_sort_ratio on 0–1 (its default processor is none: the caller folds). */
export const tokenSortRatio = (a: string, b: string): number => indelRatio(tokenSorted(a), tokenSorted(b));

export class TokenSortScan {
  private readonly ids: string[] = [];
  /** Per name: the index of its entry in `ids`, and its token-sorted folded text. */
  private readonly owner: number[] = [];
  private readonly names: Uint8Array[] = [];

  constructor(entries: ListEntry[]) {
    entries.forEach((e, i) => {
      this.ids.push(e.id);
      for (const n of e.names) {
        const folded = tokenSorted(foldName(n));
        if (!folded) continue;
        this.owner.push(i);
        this.names.push(codes(folded));
      }
    });
  }

  get size(): number {
    return this.names.length;
  }

  /** Every name scored; each entry's best name; the `limit` best entries. */
  search(query: string, limit = 16): Scored[] {
    const a = tokenSorted(foldName(query));
    if (!a) return [];
    const p = patternOf(a);
    const s = new Int32Array(p.words);
    const best = new Float64Array(this.ids.length);
    for (let i = 0; i < this.names.length; i++) {
      const b = this.names[i]!;
      const score = (2 * lcs(p, a.length, b, s)) / (a.length + b.length);
      const e = this.owner[i]!;
      if (score > best[e]!) best[e] = score;
    }
    const out: Scored[] = [];
    best.forEach((score, e) => {
      if (score > 0) out.push({ id: this.ids[e]!, score });
    });
    return out.sort((x, y) => y.score - x.score || (x.id < y.id ? -1 : 1)).slice(0, limit);
  }
}

/**
 * rapidfuzz's documented examples (fuzz.ratio, fuzz.token_sort_ratio), checked before
 * the bench trusts the scan, and the bit-parallel LCS across several words against the
 * textbook dynamic programme.
 */
export function checkTokenSort(): void {
  const near = (x: number, y: number): boolean => Math.abs(x - y) < 1e-9;
  const fail = (what: string): never => {
    throw new Error(`token-sort baseline disagrees with rapidfuzz: ${what}`);
  };
  if (!near(indelRatio('this is a test', 'this is a test!'), 0.9655172413793104)) fail('ratio example');
  if (tokenSortRatio('fuzzy wuzzy was a bear', 'wuzzy fuzzy was a bear') !== 1) fail('token_sort_ratio example');
  const dp = (a: string, b: string): number => {
    const row = new Array<number>(b.length + 1).fill(0);
    for (let i = 1; i <= a.length; i++) {
      let diag = 0;
      for (let j = 1; j <= b.length; j++) {
        const up = row[j]!;
        row[j] = a[i - 1] === b[j - 1] ? diag + 1 : Math.max(up, row[j - 1]!);
        diag = up;
      }
    }
    return row[b.length]!;
  };
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const word = (n: number): string => Array.from({ length: n }, () => 'abcde f'[rand(7)]).join('');
  for (let t = 0; t < 200; t++) {
    const a = word(1 + rand(90));
    const b = word(1 + rand(90));
    if (!near(indelRatio(a, b), (2 * dp(a, b)) / (a.length + b.length))) fail(`LCS of "${a}" and "${b}"`);
  }
}

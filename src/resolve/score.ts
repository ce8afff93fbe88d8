// Name similarity of a query's name against a candidate's (token-level Jaro-Winkler
// in both directions, weighted towards the worst-matched token so a different given
// name is not hidden by two equal surnames; plus the joined form, which absorbs split
// or joined syllables such as "Xiao Ming" / "Xiaoming"): the first matching feature
// (features.ts), and how the best pair of names is chosen. The explanation of a hit.
import { jaroWinkler } from './jaro-winkler.js';
import { skeletonOf, type NormalizedName } from './normalize.js';

export interface Comparable {
  names: NormalizedName[];
  /** People drop a second surname; organisations' extra words usually name another body. */
  person?: boolean;
  /** ISO dates, full (YYYY-MM-DD) or partial (YYYY, YYYY-MM). */
  birthDates: string[];
  /** ISO alpha-2, lower case. */
  countries: string[];
  /** Normalised "kind:value" identifiers. */
  identifiers: string[];
}

export interface Explanation {
  name: { score: number; query: string; matched: string; tokens: { query: string; matched: string; score: number }[] };
  /** The regression's log-odds with no evidence, and its probability before calibration. */
  model: { bias: number; probability: number };
  /** Each feature that was not 0: its value, weight and contribution (log-odds). */
  features: { feature: string; value: number; weight: number; contribution: number }[];
  birthDate?: { result: 'match' | 'year' | 'near' | 'conflict'; query: string; matched: string };
  country?: { result: 'match' | 'conflict'; query: string[]; matched: string[] };
  identifier?: string;
}

type Pair = { query: string; matched: string; score: number };

// Reused across calls: alignment allocates nothing (it runs for every candidate).
let cell = new Float64Array(64);
let takenI = new Uint8Array(8);
let takenJ = new Uint8Array(8);
let chosen = new Int32Array(8);
let chosenScore = new Float64Array(8);

/**
 * The last alignment made, by token arrays: the features of the best pair of names
 * (features.ts) read its one-to-one partners instead of comparing the words again
 * (that doubled a search's Jaro-Winkler work). Valid while `short` and `long` are the
 * arrays compared.
 */
export const lastAlignment = {
  short: [] as string[],
  long: [] as string[],
  /** For each word of the shorter name, its partner in the longer one and their similarity. */
  partner: chosen,
  score: chosenScore,
};

/**
 * One-to-one greedy alignment of the shorter name's tokens onto the longer's,
 * weighted by rarity: repeatedly take the best remaining pair. `pairs` is filled
 * only when asked (for the explanation of a returned hit).
 */
export function alignOneToOne(
  short: string[],
  long: string[],
  weights: Float64Array | undefined,
  pairs?: Pair[],
): { avg: number; min: number; coverage: number } {
  const ns = short.length;
  const nl = long.length;
  if (ns * nl > cell.length) cell = new Float64Array(ns * nl * 2);
  if (Math.max(ns, nl) > takenI.length) {
    const k = Math.max(ns, nl) * 2;
    takenI = new Uint8Array(k);
    takenJ = new Uint8Array(k);
    chosen = new Int32Array(k);
    chosenScore = new Float64Array(k);
  }
  for (let i = 0; i < ns; i++)
    for (let j = 0; j < nl; j++) cell[i * nl + j] = short[i] === long[j] ? 1 : jaroWinkler(short[i]!, long[j]!);
  // Coverage: how well each token of the longer name is explained by any of the shorter's.
  let cover = 0;
  for (let j = 0; j < nl; j++) {
    let m = 0;
    for (let i = 0; i < ns; i++) if (cell[i * nl + j]! > m) m = cell[i * nl + j]!;
    cover += m;
  }
  takenI.fill(0, 0, ns);
  takenJ.fill(0, 0, nl);
  for (let round = 0; round < ns; round++) {
    let bi = -1;
    let bj = -1;
    let bs = -1;
    for (let i = 0; i < ns; i++) {
      if (takenI[i]) continue;
      for (let j = 0; j < nl; j++) {
        if (takenJ[j]) continue;
        const v = cell[i * nl + j]!;
        if (v > bs) {
          bs = v;
          bi = i;
          bj = j;
        }
      }
    }
    takenI[bi] = 1;
    takenJ[bj] = 1;
    chosen[bi] = bj;
    chosenScore[bi] = bs;
  }
  lastAlignment.short = short;
  lastAlignment.long = long;
  lastAlignment.partner = chosen;
  lastAlignment.score = chosenScore;
  let sum = 0;
  let total = 0;
  let min = 1;
  for (let i = 0; i < ns; i++) {
    const w = weights ? weights[i]! : 1;
    const v = chosenScore[i]!;
    sum += v * w;
    total += w;
    if (v < min) min = v;
    if (pairs) pairs.push({ query: short[i]!, matched: long[chosen[i]!]!, score: v });
  }
  return { avg: total ? sum / total : 0, min, coverage: cover / nl };
}

/** Surname first or last, syllables split or joined: "Xiao Ming Zhang" = "Zhang Xiaoming". */
function sameWhenRotated(tokens: string[], joined: string): boolean {
  if (tokens.length < 2 || tokens.length > 4) return false;
  for (let r = 1; r < tokens.length; r++)
    if ([...tokens.slice(r), ...tokens.slice(0, r)].join('') === joined) return true;
  return false;
}

// Skeletons lose the vowels that tell some names apart (Mohammed and Mahmoud are both
// "mhmd"), so a match between scripts through them counts for a little less.
const SKELETON_DISCOUNT = 0.95;

export function nameSimilarity(
  q: NormalizedName,
  c: NormalizedName,
  explain = true,
  person = true,
): { score: number; tokens: Pair[] } {
  if (!q.tokens.length || !c.tokens.length) return { score: 0, tokens: [] };
  if (q.abjad !== c.abjad) {
    const sq = skeletonOf(q);
    const sc = skeletonOf(c);
    if (!sq.tokens.length || !sc.tokens.length) return { score: 0, tokens: [] };
    // Every word counts in full (as for organisations): skeletons of two words match many longer names.
    const r = nameSimilarity(sq, sc, explain, false);
    return { score: r.score * SKELETON_DISCOUNT, tokens: r.tokens };
  }
  const joinedQ = q.joined;
  const joinedC = c.joined;
  if (
    joinedQ === joinedC ||
    q.compact === c.compact ||
    (q.tokens.length !== c.tokens.length && sameWhenRotated(q.tokens, joinedC))
  )
    return { score: 1, tokens: q.tokens.map((t) => ({ query: t, matched: t, score: 1 })) };
  // The shorter name must be wholly found in the longer one, token for token (a
  // dropped second surname is common); what the longer name has beyond it costs,
  // so one shared token cannot stand for a whole name.
  const qShorter = q.tokens.length <= c.tokens.length;
  const short = qShorter ? q : c;
  const long = qShorter ? c : q;
  const pairs: Pair[] | undefined = explain ? [] : undefined;
  const aligned = alignOneToOne(short.tokens, long.tokens, short.weights, pairs);
  const cw = person ? 0.3 : 0.6; // how much the longer name's unmatched words cost
  let score = (0.65 * aligned.avg + 0.35 * aligned.min) * (1 - cw + cw * aligned.coverage);
  // Split or joined syllables: compare the names written without spaces, when they
  // have about as many letters (otherwise the prefix bonus rewards mere containment).
  if (
    q.tokens.length !== c.tokens.length &&
    Math.min(joinedQ.length, joinedC.length) >= 0.85 * Math.max(joinedQ.length, joinedC.length)
  ) {
    score = Math.max(score, jaroWinkler(joinedQ, joinedC) * 0.97);
  }
  const tokens = !pairs
    ? []
    : qShorter
      ? pairs
      : pairs.map((p) => ({ query: p.matched, matched: p.query, score: p.score }));
  return { score, tokens };
}

/** Human-readable reasons, for analysts and for the API. */
export function explain(e: Explanation): string[] {
  const out = [
    `name "${e.name.query}" ~ "${e.name.matched}" (${e.name.score.toFixed(2)}): ${e.name.tokens.map((t) => (t.score === 1 ? t.query : `${t.query}~${t.matched} ${t.score.toFixed(2)}`)).join(', ')}`,
  ];
  if (e.birthDate)
    out.push(
      `date of birth ${e.birthDate.result === 'conflict' ? 'differs' : e.birthDate.result === 'near' ? 'one year apart' : e.birthDate.result === 'year' ? 'agrees as far as both are known' : 'matches'}: ${e.birthDate.query} / ${e.birthDate.matched}`,
    );
  if (e.country)
    out.push(
      `country ${e.country.result === 'match' ? 'matches' : 'differs'}: ${e.country.query.join(',')} / ${e.country.matched.join(',')}`,
    );
  if (e.identifier) out.push(`identifier matches: ${e.identifier}`);
  const strongest = [...e.features].sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution)).slice(0, 4);
  out.push(
    `model: ${strongest.map((f) => `${f.feature} ${f.contribution >= 0 ? '+' : ''}${f.contribution.toFixed(2)}`).join(', ')} (log-odds; bias ${e.model.bias.toFixed(2)})`,
  );
  return out;
}

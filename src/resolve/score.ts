// Pairwise scoring of a query against a candidate: name similarity (token-level
// Jaro-Winkler in both directions, weighted towards the worst-matched token so a
// different given name is not hidden by two equal surnames; plus the joined form,
// which absorbs split or joined syllables such as "Xiao Ming" / "Xiaoming"), then
// date of birth, nationality/country and identifiers. Returns a score in [0,1] and
// the features that produced it.
import { jaroWinkler } from './jaro-winkler.js';
import type { NormalizedName } from './normalize.js';

export interface Comparable {
  names: NormalizedName[];
  /** ISO dates, full (YYYY-MM-DD) or partial (YYYY, YYYY-MM). */
  birthDates: string[];
  /** ISO alpha-2, lower case. */
  countries: string[];
  /** Normalised "kind:value" identifiers. */
  identifiers: string[];
}

export interface Explanation {
  name: { score: number; query: string; matched: string; tokens: { query: string; matched: string; score: number }[] };
  birthDate?: { result: 'match' | 'year' | 'conflict'; query: string; matched: string };
  country?: { result: 'match' | 'conflict'; query: string[]; matched: string[] };
  identifier?: string;
}

type Pair = { query: string; matched: string; score: number };

/** For each token of `a`, its best counterpart in `b` (tokens of `b` may be reused). */
function bestEach(a: string[], b: string[]): number {
  let sum = 0;
  for (const ta of a) {
    let best = 0;
    for (const tb of b) best = Math.max(best, ta === tb ? 1 : jaroWinkler(ta, tb));
    sum += best;
  }
  return a.length ? sum / a.length : 0;
}

/** One-to-one greedy alignment of the shorter name's tokens onto the longer's. */
function alignOneToOne(short: string[], long: string[]): { avg: number; min: number; pairs: Pair[] } {
  const cells: { i: number; j: number; s: number }[] = [];
  for (let i = 0; i < short.length; i++) for (let j = 0; j < long.length; j++) cells.push({ i, j, s: short[i] === long[j] ? 1 : jaroWinkler(short[i]!, long[j]!) });
  cells.sort((x, y) => y.s - x.s);
  const bestOf = new Array<number>(short.length).fill(-1);
  const usedJ = new Set<number>();
  const pairs: Pair[] = new Array(short.length);
  for (const c of cells) {
    if (bestOf[c.i]! >= 0 || usedJ.has(c.j)) continue;
    bestOf[c.i] = c.s;
    usedJ.add(c.j);
    pairs[c.i] = { query: short[c.i]!, matched: long[c.j]!, score: c.s };
  }
  let sum = 0;
  let min = 1;
  for (const b of bestOf) {
    sum += b;
    min = Math.min(min, b);
  }
  return { avg: sum / short.length, min, pairs };
}

/** Surname first or last, syllables split or joined: "Xiao Ming Zhang" = "Zhang Xiaoming". */
function sameWhenRotated(tokens: string[], joined: string): boolean {
  if (tokens.length < 2 || tokens.length > 4) return false;
  for (let r = 1; r < tokens.length; r++) if ([...tokens.slice(r), ...tokens.slice(0, r)].join('') === joined) return true;
  return false;
}

export function nameSimilarity(q: NormalizedName, c: NormalizedName): { score: number; tokens: Pair[] } {
  if (!q.tokens.length || !c.tokens.length) return { score: 0, tokens: [] };
  const joinedQ = q.tokens.join('');
  const joinedC = c.tokens.join('');
  if (joinedQ === joinedC || q.compact === c.compact || sameWhenRotated(q.tokens, joinedC)) return { score: 1, tokens: q.tokens.map((t) => ({ query: t, matched: t, score: 1 })) };
  // The shorter name must be wholly found in the longer one, token for token (a
  // dropped second surname is common); what the longer name has beyond it costs,
  // so one shared token cannot stand for a whole name.
  const qShorter = q.tokens.length <= c.tokens.length;
  const [short, long] = qShorter ? [q.tokens, c.tokens] : [c.tokens, q.tokens];
  const aligned = alignOneToOne(short, long);
  const coverage = bestEach(long, short);
  let score = (0.65 * aligned.avg + 0.35 * aligned.min) * (0.7 + 0.3 * coverage);
  // Split or joined syllables: compare the names written without spaces.
  if (q.tokens.length !== c.tokens.length) score = Math.max(score, jaroWinkler(joinedQ, joinedC) * 0.97);
  const tokens = qShorter ? aligned.pairs : aligned.pairs.map((p) => ({ query: p.matched, matched: p.query, score: p.score }));
  return { score, tokens };
}

function compareDates(q: string[], c: string[]): Explanation['birthDate'] {
  let best: Explanation['birthDate'];
  for (const a of q) {
    for (const b of c) {
      if (a === b) return { result: 'match', query: a, matched: b };
      const prefix = Math.min(a.length, b.length);
      if (a.slice(0, prefix) === b.slice(0, prefix)) best = { result: prefix >= 7 && a.length === b.length ? 'match' : 'year', query: a, matched: b };
      else if (!best) best = { result: 'conflict', query: a, matched: b };
    }
  }
  return best;
}

export function scorePair(query: Comparable, cand: Comparable): { score: number; explanation: Explanation } {
  let bestName = { score: -1, query: '', matched: '', tokens: [] as { query: string; matched: string; score: number }[] };
  for (const qn of query.names) {
    for (const cn of cand.names) {
      const s = nameSimilarity(qn, cn);
      if (s.score > bestName.score) bestName = { score: s.score, query: qn.tokens.join(' '), matched: cn.tokens.join(' '), tokens: s.tokens };
      if (s.score === 1) break;
    }
  }
  const explanation: Explanation = { name: bestName };
  let score = Math.max(0, bestName.score);
  // Names alone rarely prove identity; other features move the score towards 1 or 0.
  const dob = query.birthDates.length && cand.birthDates.length ? compareDates(query.birthDates, cand.birthDates) : undefined;
  if (dob) {
    explanation.birthDate = dob;
    if (dob.result === 'match') score += (1 - score) * 0.5;
    else if (dob.result === 'year') score += (1 - score) * 0.2;
    else score *= 0.8;
  }
  if (query.countries.length && cand.countries.length) {
    const shared = query.countries.some((c) => cand.countries.includes(c));
    explanation.country = { result: shared ? 'match' : 'conflict', query: query.countries, matched: cand.countries };
    score = shared ? score + (1 - score) * 0.1 : score * 0.95;
  }
  const id = query.identifiers.find((i) => cand.identifiers.includes(i));
  if (id) {
    explanation.identifier = id;
    score = Math.max(score, 0.99);
  }
  return { score: Math.min(1, score), explanation };
}

/** Human-readable reasons, for analysts and for the API. */
export function explain(e: Explanation): string[] {
  const out = [`name "${e.name.query}" ~ "${e.name.matched}" (${e.name.score.toFixed(2)}): ${e.name.tokens.map((t) => (t.score === 1 ? t.query : `${t.query}~${t.matched} ${t.score.toFixed(2)}`)).join(', ')}`];
  if (e.birthDate) out.push(`date of birth ${e.birthDate.result === 'conflict' ? 'differs' : e.birthDate.result === 'year' ? 'agrees as far as both are known' : 'matches'}: ${e.birthDate.query} / ${e.birthDate.matched}`);
  if (e.country) out.push(`country ${e.country.result === 'match' ? 'matches' : 'differs'}: ${e.country.query.join(',')} / ${e.country.matched.join(',')}`);
  if (e.identifier) out.push(`identifier matches: ${e.identifier}`);
  return out;
}

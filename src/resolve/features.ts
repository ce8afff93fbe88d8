// Matching features, after nomenklatura's design: each is one named, described
// measurement of a (query, candidate) pair, and the model (matcher.ts) weighs them
// with weights fitted on real lists (scripts/calibrate.ts), not set by hand. A hit
// lists each feature's contribution to its score.
//
// Name features are measured on the best-matching pair of names (the query's and
// one of the candidate's), the one with the highest token-alignment similarity.
import { isAcronym, phoneticOf, skeletonOf, type NormalizedName } from './normalize.js';
import { alignOneToOne, lastAlignment, nameSimilarity, type Comparable, type Explanation } from './score.js';

export interface Feature {
  name: string;
  description: string;
  /**
   * The weight to use when the tuning data cannot identify one (the feature is never
   * seen on a true pair, or never on a false one): a judgement, said so in the fit.
   */
  prior?: { weight: number; why: string };
}

/** The features, in the order of the model's weight vector. */
export const FEATURES: readonly Feature[] = [
  {
    name: 'name_similarity',
    description:
      'token alignment of the best-matching names: Jaro-Winkler per token, one-to-one, rarity-weighted, towards the worst-matched token (0-1)',
  },
  { name: 'name_exact', description: 'the names are the same words, in any order, joined or split (0 or 1)' },
  {
    name: 'name_close',
    description: 'how far the name similarity is above 0.85, where spellings of one name cluster (0-1)',
  },
  {
    name: 'missing_rare',
    description:
      "share of the longer name's rarity carried by words the shorter name lacks: a short name wholly inside a long one on common words is weak evidence (0-1)",
  },
  {
    name: 'matched_rarity',
    description:
      'rarity of the words both names share (sum of inverse-document-frequency weights, capped at 2, halved): common words alone prove little (0-1)',
  },
  {
    name: 'phonetic',
    description:
      'share of the shorter name’s words whose transliteration-aware phonetic key (Slavic, Arabic, Chinese romanisations) one of the other’s words shares (0-1)',
  },
  {
    name: 'single_word',
    description: 'the shorter name is one word: a surname or a one-word alias matches many listings (0 or 1)',
  },
  {
    name: 'organization',
    description:
      'the candidate is not a person (organisations, vessels, aircraft): their names vary by translation and legal form, not spelling (0 or 1)',
  },
  {
    name: 'organization_name_similarity',
    description: 'the name similarity again, for a candidate that is not a person: its own slope (0-1)',
  },
  {
    name: 'organization_missing_rare',
    description:
      'missing_rare again, for a candidate that is not a person: extra words name another body more often (0-1)',
  },
  { name: 'acronym', description: 'one name is an acronym of the other (TsNII, PFLP) (0 or 1)' },
  { name: 'legal_form_same', description: 'both names state a legal form, of one class (OOO = LLC) (0 or 1)' },
  { name: 'legal_form_differs', description: 'both names state a legal form, of different classes (0 or 1)' },
  {
    name: 'cross_script',
    description: 'the names are in an abjad and in another script, compared by consonant skeleton (0 or 1)',
  },
  { name: 'birth_date_match', description: 'a full birth date agrees (0 or 1)' },
  {
    name: 'birth_date_year',
    description: 'birth dates agree as far as both are known, or in the year only (0 or 1)',
    prior: {
      weight: 1,
      why: 'the tuning queries carry their entry’s own full date, so a true pair never agrees in the year only; lists often give only a year, which is weaker than a full date',
    },
  },
  {
    name: 'birth_date_near',
    description: 'birth years one apart, a common error (0 or 1)',
    prior: {
      weight: -0.5,
      why: 'never seen on a true tuning pair (their dates are the entry’s own); a year off is a common recording error',
    },
  },
  {
    name: 'birth_date_conflict',
    description: 'birth years more than one apart (0 or 1)',
    prior: {
      weight: -2.5,
      why: 'never seen on a true tuning pair (their dates are the entry’s own); strong evidence, not proof: lists carry wrong dates',
    },
  },
  { name: 'country_match', description: 'a country (nationality, residence, address) agrees (0 or 1)' },
  {
    name: 'country_conflict',
    description: 'both state countries and none agrees (0 or 1)',
    prior: {
      weight: -1,
      why: 'never seen on a true tuning pair (their country is the entry’s own); a listed person’s nationality, residence and addresses often differ from what a screener holds',
    },
  },
  { name: 'identifier_match', description: 'an identifier (passport, registration, IMO, phone, …) agrees (0 or 1)' },
];

export const FEATURE_COUNT = FEATURES.length;
const F = Object.fromEntries(FEATURES.map((f, i) => [f.name, i])) as Record<string, number>;

export interface Evidence {
  query?: NormalizedName;
  matched?: NormalizedName;
  birthDate?: Explanation['birthDate'];
  country?: Explanation['country'];
  identifier?: string;
}

const CLOSE = 0.85;

function yearsApart(a: string, b: string): number {
  return Math.abs(Number(a.slice(0, 4)) - Number(b.slice(0, 4)));
}

function compareDates(q: string[], c: string[]): Evidence['birthDate'] {
  const rank = { match: 3, year: 2, near: 1, conflict: 0 } as const;
  let best: Evidence['birthDate'];
  for (const a of q)
    for (const b of c) {
      let result: keyof typeof rank;
      // Equal as given is a match to the reader; only a full date counts as birth_date_match.
      if (a === b) result = 'match';
      else {
        const p = Math.min(a.length, b.length);
        if (a.slice(0, p) === b.slice(0, p) || a.slice(0, 4) === b.slice(0, 4)) result = 'year';
        else result = yearsApart(a, b) <= 1 ? 'near' : 'conflict';
      }
      if (!best || rank[result] > rank[best.result] || (result === best.result && a.length > best.query.length))
        best = { result, query: a, matched: b };
    }
  return best;
}

/** Name features of one pair of names (already compared by `nameSimilarity` as `s`). */
// Buffers of the alignment, reused (it runs for every candidate).
let partnerOfLong = new Int32Array(16);
let takenShort = new Uint8Array(16);

function nameFeatures(qn: NormalizedName, cn: NormalizedName, s: number, out: Float64Array): void {
  let q = qn;
  let c = cn;
  if (qn.abjad !== cn.abjad) {
    q = skeletonOf(qn);
    c = skeletonOf(cn);
    out[F.cross_script!] = 1;
  }
  out[F.name_similarity!] = s;
  out[F.name_exact!] = s >= 0.9999 ? 1 : 0;
  out[F.name_close!] = s > CLOSE ? (s - CLOSE) / (1 - CLOSE) : 0;
  const qShort = q.tokens.length <= c.tokens.length;
  const short = qShort ? q : c;
  const long = qShort ? c : q;
  const sw = short.weights;
  const lw = long.weights;
  // One-to-one alignment (greedy, best pair first): a word of the longer name counts as
  // present only when a word of the shorter one is its own partner ("Fathi Ahmad
  // Hammad" lacks "Hammad" against "Fathi Ahmad", though Hammad resembles Ahmad).
  // The alignment nameSimilarity just made is reused when it was of these two names
  // (it returns early, without one, for names of the same words; or another pair was compared last).
  const ns = short.tokens.length;
  const nl = long.tokens.length;
  if (lastAlignment.short !== short.tokens || lastAlignment.long !== long.tokens)
    alignOneToOne(short.tokens, long.tokens, sw);
  if (partnerOfLong.length < nl) partnerOfLong = new Int32Array(nl * 2);
  if (takenShort.length < ns) takenShort = new Uint8Array(ns * 2);
  partnerOfLong.fill(-1, 0, nl);
  takenShort.fill(0, 0, ns);
  for (let i = 0; i < ns; i++)
    if (lastAlignment.score[i]! >= CLOSE) {
      takenShort[i] = 1;
      partnerOfLong[lastAlignment.partner[i]!] = i;
    }
  let lacking = 0;
  let total = 0;
  for (let j = 0; j < nl; j++) {
    const w = lw ? lw[j]! : 1;
    total += w;
    if (partnerOfLong[j] === -1) lacking += w;
  }
  out[F.missing_rare!] = total ? lacking / total : 0;
  let shared = 0;
  for (let i = 0; i < ns; i++) if (takenShort[i]) shared += sw ? sw[i]! : 1;
  out[F.matched_rarity!] = Math.min(2, shared) / 2;
  const sp = phoneticOf(short);
  const lp = phoneticOf(long);
  let ph = 0;
  for (const k of sp) if (k.length >= 2 && lp.includes(k)) ph++;
  out[F.phonetic!] = sp.length ? ph / sp.length : 0;
  // "PFLP-GC" folds to two short words: the acronym is their letters together.
  if (
    short.tokens.length < long.tokens.length &&
    short.tokens.every((t) => t.length <= 5) &&
    isAcronym(short.joined, long.tokens)
  )
    out[F.acronym!] = 1;
  if (qn.legal && cn.legal) out[qn.legal === cn.legal ? F.legal_form_same! : F.legal_form_differs!] = 1;
}

/**
 * The features of a query against a candidate, into `out` (zeroed here); the evidence
 * (which names, dates, countries, identifier) is returned for the explanation.
 */
/**
 * What a candidate's name must share with the query's to be compared in full: the
 * first three letters of a word, or a word's phonetic key. Listings with dozens of
 * aliases are selected often (every alias adds blocking keys), and comparing each of
 * their names was most of a search's cost; a name that shares neither with the query
 * cannot be its best match but by a typo in the first letters of every word.
 */
export class NameProbe {
  private readonly heads = new Set<number>();
  private readonly sounds = new Set<string>();
  private readonly open: boolean;

  constructor(names: NormalizedName[]) {
    // Abjad names meet others by skeleton, which this does not see: they compare every name.
    this.open = names.some((n) => n.abjad);
    // The query's rarer words only, when it has any: a name sharing just "al" or
    // "company" with the query is not its best match unless nothing else is.
    for (const n of names) {
      const rare = n.weights && n.tokens.some((_, i) => n.weights![i]! >= RARE) ? n.weights : undefined;
      const sounds = phoneticOf(n);
      n.tokens.forEach((t, i) => {
        if (rare && rare[i]! < RARE) return;
        this.heads.add(head(t));
        if (sounds[i]!.length >= 2) this.sounds.add(sounds[i]!);
      });
    }
  }

  admits(n: NormalizedName): boolean {
    if (this.open || n.abjad) return true;
    for (const t of n.tokens) if (this.heads.has(head(t))) return true;
    for (const k of phoneticOf(n)) if (this.sounds.has(k)) return true;
    return false;
  }
}

/** Token weight (rarity, screen-index.ts) from which a word is rare enough to admit a name: about 1 entry in 50 or fewer. */
const RARE = 0.4;

const head = (t: string): number => (t.charCodeAt(0) << 16) | ((t.charCodeAt(1) || 0) << 8) | (t.charCodeAt(2) || 0);

export function measure(query: Comparable, cand: Comparable, out: Float64Array, probe?: NameProbe): Evidence {
  out.fill(0);
  const person = cand.person ?? query.person ?? true;
  let best = -1;
  let bq: NormalizedName | undefined;
  let bc: NormalizedName | undefined;
  // Names that share nothing with the query are compared only when no name does.
  for (let pass = 0; pass < 2 && !bq; pass++) {
    for (const qn of query.names) {
      for (const cn of cand.names) {
        if (pass === 0 && probe && !probe.admits(cn)) continue;
        const s = nameSimilarity(qn, cn, false, person).score;
        if (s > best) {
          best = s;
          bq = qn;
          bc = cn;
        }
      }
      if (best >= 1) break;
    }
  }
  const ev: Evidence = {};
  if (bq && bc) {
    nameFeatures(bq, bc, Math.max(0, best), out);
    if (Math.min(bq.tokens.length, bc.tokens.length) === 1) out[F.single_word!] = 1;
    if (cand.person === false || (cand.person === undefined && query.person === false)) {
      out[F.organization!] = 1;
      out[F.organization_name_similarity!] = out[F.name_similarity!]!;
      out[F.organization_missing_rare!] = out[F.missing_rare!]!;
    }
    ev.query = bq;
    ev.matched = bc;
  }
  if (query.birthDates.length && cand.birthDates.length) {
    const d = compareDates(query.birthDates, cand.birthDates)!;
    ev.birthDate = d;
    out[
      d.result === 'match' && d.query.length === 10
        ? F.birth_date_match!
        : d.result === 'year' || d.result === 'match'
          ? F.birth_date_year!
          : d.result === 'near'
            ? F.birth_date_near!
            : F.birth_date_conflict!
    ] = 1;
  }
  if (query.countries.length && cand.countries.length) {
    const shared = query.countries.some((c) => cand.countries.includes(c));
    ev.country = { result: shared ? 'match' : 'conflict', query: query.countries, matched: cand.countries };
    out[shared ? F.country_match! : F.country_conflict!] = 1;
  }
  const id = query.identifiers.find((i) => cand.identifiers.includes(i));
  if (id) {
    ev.identifier = id;
    out[F.identifier_match!] = 1;
  }
  return ev;
}

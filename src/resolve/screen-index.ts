// The screening index: in-memory blocking so that screening a name touches a small
// set of candidates, not the whole list (sub-linear in the list's size).
//
// Blocking keys per name: each token; its first and last four letters (a typo in a
// long token leaves one of them intact); for tokens of 4-8 letters, the token with
// each letter deleted in turn (a typo anywhere still shares one); each pair of
// tokens (selective even when each token is common); the name written without
// spaces (split/joined syllables); each token's consonant skeleton (where Arabic
// script meets its Latin spelling); and every identifier. A query gathers the postings of its keys into a typed-array
// accumulator, rarest keys first and within a fixed budget of postings, weighting
// each key by its rarity (idf); it keeps the best candidates and scores only those.
import { initialsOf, nameVariants, normalizeName, phoneticOf, skeletonOf, type NormalizedName } from './normalize.js';
import { explain, nameSimilarity, type Comparable, type Explanation } from './score.js';
import { FEATURE_COUNT, measure, NameProbe, type Evidence } from './features.js';
import { shippedMatcher, type Matcher } from './matcher.js';

export interface ListEntry {
  /** Stable id within its list (e.g. OFAC ent_num). */
  id: string;
  list: string;
  kind: 'person' | 'organization' | 'vessel' | 'aircraft' | 'other';
  names: string[];
  birthDates?: string[];
  countries?: string[];
  identifiers?: string[];
  programs?: string[];
  /** Shown with a hit (e.g. remarks); never used for matching. */
  details?: Record<string, unknown>;
}

export interface ScreeningQuery {
  name: string;
  kind?: 'person' | 'organization' | 'any';
  birthDate?: string;
  countries?: string[];
  identifiers?: string[];
}

export interface Hit {
  /** Calibrated: the share of such hits that were the listed identity on the tuning half of real lists (matcher.ts). */
  score: number;
  /** The name similarity of the best-matching names (one of the features). */
  similarity: number;
  entry: ListEntry;
  explanation: Explanation;
  reasons: string[];
}

// Keys are read rarest first; after the two rarest, reading stops once this many
// postings have been read, so the work per query does not grow with the list.
const POSTINGS_BUDGET = 2000; // at 1M entries: 1000 gives 4.2k names/s at variant recall 0.938, 2000 gives 2.7k at 0.951 (bench/screen-throughput.ts)
const MIN_KEYS = 2;
const CANDIDATES = 16; // fully scored per query

function keysOf(n: NormalizedName): string[] {
  const keys: string[] = [];
  const toks = n.tokens;
  for (const t of toks) {
    if (t.length < 2) continue;
    keys.push(t);
    if (t.length >= 5) keys.push(`^${t.slice(0, 4)}`, `$${t.slice(-4)}`);
    // Symmetric deletion (as in SymSpell): the token with one letter removed. A typo
    // (insertion, deletion, transposition) in a short token breaks its exact and
    // prefix/suffix keys but still shares one of these with the listed spelling.
    if (t.length >= 4 && t.length <= 8)
      for (let i = 0; i < t.length; i++) keys.push(`~${t.slice(0, i)}${t.slice(i + 1)}`);
  }
  const first = toks.slice(0, 5);
  for (let i = 0; i < first.length; i++) {
    for (let j = i + 1; j < first.length; j++)
      keys.push(first[i]! < first[j]! ? `${first[i]}|${first[j]}` : `${first[j]}|${first[i]}`);
  }
  if (toks.length > 1) keys.push(`#${toks.join('')}`);
  // Transliteration-aware phonetic keys (Yarmoshyna / Yarmoshina, Zhalolov / Jalolov).
  for (const k of phoneticOf(n)) if (k.length >= 3) keys.push(`&${k}`);
  // Acronyms meet their long forms: a multi-word name under its initials, a short name under its letters.
  const initials = initialsOf(n);
  if (initials) keys.push(`@${initials}`);
  if (n.joined.length >= 2 && n.joined.length <= 8 && toks.every((t) => t.length <= 5)) keys.push(`@${n.joined}`);
  return keys;
}

/** Consonant-skeleton keys: where a name in an abjad and its Latin spelling meet. */
function skeletonKeysOf(n: NormalizedName): string[] {
  return skeletonOf(n)
    .tokens.filter((t) => t.length >= 2)
    .map((t) => `%${t}`);
}

/** Entry -> accumulated weight, for one query; open addressing, grows when needed. */
class Accumulator {
  private keys = new Int32Array(8192).fill(-1);
  private vals = new Float32Array(8192);
  private order = new Int32Array(8192); // slots in insertion order
  used = 0;

  clear(): void {
    for (let i = 0; i < this.used; i++) this.keys[this.order[i]!] = -1;
    this.used = 0;
  }

  add(e: number, w: number): void {
    if (this.used * 2 >= this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    let s = (Math.imul(e, 0x9e3779b1) >>> 0) & mask;
    for (;;) {
      const k = this.keys[s]!;
      if (k === e) {
        this.vals[s] = this.vals[s]! + w;
        return;
      }
      if (k === -1) {
        this.keys[s] = e;
        this.vals[s] = w;
        this.order[this.used++] = s;
        return;
      }
      s = (s + 1) & mask;
    }
  }

  entryAt(i: number): number {
    return this.keys[this.order[i]!]!;
  }

  scoreAt(i: number): number {
    return this.vals[this.order[i]!]!;
  }

  private grow(): void {
    const entries = Array.from({ length: this.used }, (_, i) => [this.entryAt(i), this.scoreAt(i)] as const);
    const size = this.keys.length * 2;
    this.keys = new Int32Array(size).fill(-1);
    this.vals = new Float32Array(size);
    this.order = new Int32Array(size);
    this.used = 0;
    for (const [e, w] of entries) this.add(e, w);
  }
}

interface Prepared extends Comparable {
  entry: ListEntry;
}

export class ScreeningIndex {
  private readonly prepared: Prepared[] = [];
  private readonly building = new Map<string, number[]>();
  private postings = new Map<string, Int32Array>();
  private readonly acc = new Accumulator();
  private matcher: Matcher | undefined;
  private readonly x = new Float64Array(FEATURE_COUNT);

  /** `matcher`: the model that scores candidates (default: the shipped fit, read on first search). */
  constructor(opts: { matcher?: Matcher } = {}) {
    this.matcher = opts.matcher;
  }
  /** Weight of a name token: its inverse document frequency over the list, floored. */
  private tokenWeight(t: string): number {
    const df = this.postings.get(t)?.length ?? 0;
    return Math.max(0.25, Math.log(1 + this.prepared.length / (1 + df)) / Math.log(1 + this.prepared.length));
  }

  private weigh(n: NormalizedName): void {
    n.weights = Float64Array.from(n.tokens, (t) => this.tokenWeight(t));
  }
  private built = false;
  private weighedUpTo = 0;
  private fullyWeighedAt = 0;
  /** Whether any listed name is written in an abjad: only then do Latin queries need skeleton keys. */
  private abjadEntries = false;
  /** Entries by id, and those removed (tombstones: postings are immutable typed arrays). */
  private readonly byId = new Map<string, number[]>();
  private readonly removed = new Set<number>();

  get size(): number {
    return this.prepared.length - this.removed.size;
  }

  /** Removes every entry with this id (e.g. an entity whose names changed or were purged). */
  remove(id: string): void {
    for (const i of this.byId.get(id) ?? []) this.removed.add(i);
    this.byId.delete(id);
  }

  add(entry: ListEntry): void {
    const kind = entry.kind === 'person' ? 'person' : entry.kind === 'organization' ? 'organization' : 'any';
    // One normalised form per set of words: "ZAMBADA GARCIA, Ismael" and "Ismael ZAMBADA
    // GARCIA" compare alike (alignment is order-free), and scoring every name of every
    // candidate is most of the cost of a search.
    // Every form gives blocking keys (the joined form differs by order).
    const seen = new Set<string>();
    const all = entry.names
      .flatMap(nameVariants)
      .map((n) => normalizeName(n, kind))
      .filter((n) => n.tokens.length > 0);
    const names = all.filter((n) => {
      const k = `${n.abjad ? '%' : ''}${n.compact}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    const idx = this.prepared.length;
    const same = this.byId.get(entry.id);
    if (same) same.push(idx);
    else this.byId.set(entry.id, [idx]);
    this.prepared.push({
      entry,
      names,
      person: entry.kind === 'person' ? true : entry.kind === 'other' ? undefined : false,
      birthDates: entry.birthDates ?? [],
      countries: entry.countries ?? [],
      identifiers: entry.identifiers ?? [],
    });
    const keys = new Set<string>();
    for (const n of all) {
      for (const k of keysOf(n)) keys.add(k);
      for (const k of skeletonKeysOf(n)) keys.add(k);
      if (n.abjad) this.abjadEntries = true;
    }
    for (const id of entry.identifiers ?? []) keys.add(`id:${id}`);
    for (const k of keys) {
      const list = this.building.get(k);
      if (list) list.push(idx);
      else this.building.set(k, [idx]);
    }
    this.built = false;
  }

  /** Freezes postings into typed arrays; called by the first search after additions. */
  build(): void {
    for (const [k, v] of this.building) {
      const old = this.postings.get(k);
      if (old) {
        const merged = new Int32Array(old.length + v.length);
        merged.set(old);
        merged.set(v, old.length);
        this.postings.set(k, merged);
      } else this.postings.set(k, Int32Array.from(v));
    }
    this.building.clear();
    // Token weights depend on the whole list. Reweighing every entry costs O(n), too
    // much on each small addition to a large index (cross-referencing adds a few
    // entities per write to a million), so additions are weighed against the list as
    // it is, and everything is reweighed once the list has grown by a tenth.
    const from = this.prepared.length > this.fullyWeighedAt * 1.1 ? 0 : this.weighedUpTo;
    if (from === 0) this.fullyWeighedAt = this.prepared.length;
    for (let i = from; i < this.prepared.length; i++) for (const n of this.prepared[i]!.names) this.weigh(n);
    this.weighedUpTo = this.prepared.length;
    this.built = true;
  }

  /**
   * The candidates a query's keys select (at most CANDIDATES), each with its features:
   * what search scores, and what the fit (fit.ts) learns from.
   */
  candidates(
    q: ScreeningQuery,
    visit: (entry: ListEntry, x: Float64Array, evidence: Evidence, query: Comparable) => void,
  ): void {
    if (!this.built) this.build();
    const kind = q.kind ?? 'any';
    const names = nameVariants(q.name)
      .map((n) => normalizeName(n, kind))
      .filter((n) => n.tokens.length > 0);
    for (const nm of names) this.weigh(nm);
    const query: Comparable = {
      names,
      person: kind === 'person' ? true : kind === 'organization' ? false : undefined,
      birthDates: q.birthDate ? [q.birthDate] : [],
      countries: q.countries ?? [],
      identifiers: q.identifiers ?? [],
    };
    const keys = new Set<string>();
    for (const n of names) {
      for (const k of keysOf(n)) keys.add(k);
      if (n.abjad || this.abjadEntries) for (const k of skeletonKeysOf(n)) keys.add(k);
    }
    for (const id of query.identifiers) keys.add(`id:${id}`);
    const lists: { list: Int32Array; weight: number; id: boolean }[] = [];
    const n = this.prepared.length || 1;
    for (const k of keys) {
      const list = this.postings.get(k);
      // Deletion, skeleton and phonetic keys are weak evidence: many of them must not outweigh one exact key.
      const strength = k[0] === '~' || k[0] === '%' || k[0] === '&' ? 0.25 : k[0] === '^' || k[0] === '$' ? 0.5 : 1;
      if (list) lists.push({ list, weight: strength * Math.log(1 + n / list.length), id: k.startsWith('id:') });
    }
    if (!lists.length) return;
    lists.sort((a, b) => a.list.length - b.list.length);
    // Accumulate into a small open-addressing table (a few thousand slots stay in the
    // CPU cache); a per-entry array of a million scores would miss the cache on
    // nearly every posting.
    const acc = this.acc;
    acc.clear();
    let used = 0;
    let read = 0;
    for (const { list, weight, id } of lists) {
      if (!id && used >= MIN_KEYS && read + list.length > POSTINGS_BUDGET) continue;
      used++;
      read += list.length;
      const w = id ? 1000 : weight;
      for (let i = 0; i < list.length; i++) acc.add(list[i]!, w);
    }
    // The best-supported candidates, by accumulated key weight: a bounded top-K.
    const top: number[] = [];
    const topScore: number[] = [];
    let floor = 0;
    for (let s = 0; s < acc.used; s++) {
      const e = acc.entryAt(s);
      const sc = acc.scoreAt(s);
      if (top.length === CANDIDATES && sc <= floor) continue;
      if (this.removed.size && this.removed.has(e)) continue;
      let i = top.length;
      if (top.length < CANDIDATES) {
        top.push(e);
        topScore.push(sc);
      } else i = CANDIDATES - 1;
      while (i > 0 && topScore[i - 1]! < sc) {
        top[i] = top[i - 1]!;
        topScore[i] = topScore[i - 1]!;
        i--;
      }
      top[i] = e;
      topScore[i] = sc;
      floor = topScore[topScore.length - 1]!;
    }
    const probe = new NameProbe(names);
    for (const e of top) {
      const p = this.prepared[e]!;
      visit(p.entry, this.x, measure(query, p, this.x, probe), query);
    }
  }

  /** Hits whose calibrated score reaches `threshold`, best first. */
  search(q: ScreeningQuery, opts: { threshold: number; limit: number }): Hit[] {
    const hits: Hit[] = [];
    const matcher = (this.matcher ??= shippedMatcher());
    this.candidates(q, (entry, x, ev, query) => {
      const { probability, score } = matcher.score(x);
      if (score < opts.threshold) return;
      const person = entry.kind === 'person' ? true : entry.kind === 'organization' ? false : (query.person ?? true);
      const explanation: Explanation = {
        name: {
          score: round(x[0]!),
          query: ev.query?.tokens.join(' ') ?? '',
          matched: ev.matched?.tokens.join(' ') ?? '',
          tokens: ev.query && ev.matched ? nameSimilarity(ev.query, ev.matched, true, person).tokens : [],
        },
        model: { bias: round(matcher.file.bias), probability: round(probability) },
        features: matcher.contributions(x),
      };
      if (ev.birthDate) explanation.birthDate = ev.birthDate;
      if (ev.country) explanation.country = ev.country;
      if (ev.identifier) explanation.identifier = ev.identifier;
      hits.push({ score, similarity: x[0]!, entry, explanation, reasons: explain(explanation) });
    });
    hits.sort((a, b) => b.score - a.score || b.similarity - a.similarity);
    return hits.slice(0, opts.limit);
  }
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

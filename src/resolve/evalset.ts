// A labelled evaluation set for screening, generated from a seed: listed identities
// (Spanish, Chinese in Hanzi and pinyin, English, companies) and queries that are
// variants of them as other sources write them (accents and case lost, typos,
// surname first, a dropped second surname, Hanzi for pinyin, split syllables,
// nicknames, other legal forms, Arabic script for a Latin listing), plus hard negatives (a shared surname with another
// given name, a name that is not listed). Tuning and evaluation use different seeds.
import { rng } from '../scenario/generate.js';
import * as N from '../scenario/names.js';
import type { ListEntry } from './screen-index.js';
import { normalizeName, skeletonOf } from './normalize.js';

export interface LabelledQuery {
  name: string;
  birthDate?: string;
  /** The entry that should be found, or null for a negative. */
  expect: string | null;
  variant: string;
}

export interface EvalSet {
  entries: ListEntry[];
  queries: LabelledQuery[];
}

const strip = (s: string): string => s.normalize('NFD').replace(/\p{M}/gu, '');

export function generateEvalSet(seed: number, identities: number): EvalSet {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const int = (a: number, b: number): number => a + Math.floor(r() * (b - a + 1));
  const typo = (s: string): string => {
    const words = s.split(' ');
    const i = words.findIndex((w) => w.length >= 5);
    if (i < 0) return s;
    const w = words[i]!;
    const p = int(1, w.length - 2);
    const op = int(0, 2);
    words[i] =
      op === 0
        ? w.slice(0, p) + w[p + 1] + w[p] + w.slice(p + 2)
        : op === 1
          ? w.slice(0, p) + w.slice(p + 1)
          : w.slice(0, p) + pick([...'aeioulnrs']) + w.slice(p + 1);
    return words.join(' ');
  };
  const dob = (): string =>
    `${int(1960, 2000)}-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}`;
  const entries: ListEntry[] = [];
  const queries: LabelledQuery[] = [];
  const used = new Set<string>();
  for (let i = 0; i < identities; i++) {
    const id = `e${seed}-${i}`;
    const type = pick(['es', 'es', 'zh', 'en', 'ar', 'co-zh', 'co-mx']);
    if (type === 'es') {
      const first = pick(N.SPANISH_MALE);
      const second = r() < 0.4 ? ` ${pick(N.SPANISH_MALE)}` : '';
      const l1 = pick(N.SPANISH_SURNAMES);
      const l2 = pick(N.SPANISH_SURNAMES);
      const full = `${first}${second} ${l1} ${l2}`;
      if (used.has(full)) continue;
      used.add(full);
      // Nicknames are used once each: the pool is small, and a shared nickname is ambiguous by construction.
      const nick = r() < 0.3 ? N.SPANISH_NICKNAMES.find((n) => !used.has(n)) : undefined;
      if (nick) used.add(nick);
      const d = dob();
      entries.push({
        id,
        list: 'eval',
        kind: 'person',
        names: [`${l1.toUpperCase()} ${l2.toUpperCase()}, ${first}${second}`, ...(nick ? [nick] : [])],
        birthDates: [d],
        countries: ['mx'],
      });
      queries.push({ name: strip(full).toUpperCase(), expect: id, variant: 'accents and case lost' });
      queries.push({ name: typo(full), expect: id, variant: 'typo' });
      queries.push({ name: `${first}${second} ${l1}`, expect: id, variant: 'second surname dropped' });
      queries.push({ name: `${l1} ${l2} ${first}${second}`, expect: id, variant: 'surname first' });
      queries.push({ name: `${first}${second} ${l1} ${l2}`, birthDate: d, expect: id, variant: 'with date of birth' });
      if (nick) queries.push({ name: nick, expect: id, variant: 'nickname' });
      // Hard negatives: the same surnames with another given name; another second surname and date.
      let other = pick(N.SPANISH_MALE);
      while (other === first) other = pick(N.SPANISH_MALE);
      if (!used.has(`${other} ${l1} ${l2}`))
        queries.push({
          name: `${other} ${l1} ${l2}`,
          birthDate: dob(),
          expect: null,
          variant: 'hard negative: other given name',
        });
    } else if (type === 'zh') {
      const [sh, sp] = pick(N.CHINESE_SURNAMES);
      const [gh, gp] = pick(N.CHINESE_GIVEN);
      const pin = strip(`${sp} ${gp}`);
      if (used.has(pin)) continue;
      used.add(pin);
      entries.push({ id, list: 'eval', kind: 'person', names: [`${sp.toUpperCase()}, ${gp}`], countries: ['cn'] });
      queries.push({ name: `${sh}${gh}`, expect: id, variant: 'Hanzi for pinyin' });
      queries.push({ name: strip(`${gp} ${sp}`), expect: id, variant: 'given name first' });
      const g = strip(gp);
      if (g.length >= 4)
        queries.push({ name: `${strip(sp)} ${g.slice(0, 2)} ${g.slice(2)}`, expect: id, variant: 'syllables split' });
    } else if (type === 'en') {
      const first = pick(N.ENGLISH_FIRST);
      const last = pick(N.ENGLISH_LAST);
      const full = `${first} ${last}`;
      if (used.has(full)) continue;
      used.add(full);
      entries.push({ id, list: 'eval', kind: 'person', names: [`${last.toUpperCase()}, ${first}`], countries: ['us'] });
      queries.push({ name: typo(full).toLowerCase(), expect: id, variant: 'typo' });
      queries.push({ name: `${last}, ${first}`, expect: id, variant: 'surname first' });
      let other = pick(N.ENGLISH_FIRST);
      while (other === first) other = pick(N.ENGLISH_FIRST);
      if (!used.has(`${other} ${last}`))
        queries.push({ name: `${other} ${last}`, expect: null, variant: 'hard negative: other given name' });
    } else if (type === 'ar') {
      const [ga, gl] = pick(N.ARABIC_GIVEN);
      const [sa, sl] = pick(N.ARABIC_SURNAMES);
      const full = `${gl} ${sl}`;
      if (used.has(full)) continue;
      used.add(full);
      entries.push({ id, list: 'eval', kind: 'person', names: [`${sl.toUpperCase()}, ${gl}`] });
      queries.push({ name: `${ga} ${sa}`, expect: id, variant: 'Arabic script for Latin' });
      queries.push({ name: typo(full), expect: id, variant: 'typo' });
      let [oa, ol] = pick(N.ARABIC_GIVEN);
      while (oa === ga) [oa, ol] = pick(N.ARABIC_GIVEN);
      if (!used.has(`${ol} ${sl}`))
        queries.push({ name: `${oa} ${sa}`, expect: null, variant: 'hard negative: other given name, Arabic script' });
    } else if (type === 'co-zh') {
      const [ch, cp] = pick(N.CHINESE_CITIES);
      const [wh, wp] = pick(N.CHINESE_COMPANY_WORDS);
      const [kh, ke] = pick(N.CHINESE_COMPANY_KINDS);
      const en = `${cp} ${wp} ${ke}`;
      if (used.has(en)) continue;
      used.add(en);
      entries.push({
        id,
        list: 'eval',
        kind: 'organization',
        names: [en.toUpperCase(), `${ch}${wh}${kh}`],
        countries: ['cn'],
      });
      queries.push({ name: en.replace('Co., Ltd.', 'Company Limited'), expect: id, variant: 'other legal form' });
      queries.push({ name: `${ch}${wh}${kh}`, expect: id, variant: 'Hanzi' });
      const [, op] = pick(N.CHINESE_COMPANY_WORDS.filter(([, p]) => p !== wp));
      if (!used.has(`${cp} ${op} ${ke}`))
        queries.push({
          name: `${cp} ${op} ${ke}`,
          expect: null,
          variant: 'hard negative: same city and form, other name',
        });
    } else {
      const name = `${pick(N.MX_COMPANY_PREFIX)} ${pick(N.MX_COMPANY_STEM)}`;
      if (used.has(name)) continue;
      used.add(name);
      entries.push({
        id,
        list: 'eval',
        kind: 'organization',
        names: [`${name.toUpperCase()}, S.A. DE C.V.`],
        countries: ['mx'],
      });
      queries.push({ name: `${strip(name)} SA de CV`, expect: id, variant: 'other legal form' });
      queries.push({ name: typo(`${name} S.A. de C.V.`), expect: id, variant: 'typo' });
    }
  }
  // Names that are not listed at all.
  for (let i = 0; i < identities / 4; i++) {
    const name = `${pick(N.ENGLISH_FIRST)} ${pick(['Kowalski', 'Nakamura', 'Okafor', 'Lindqvist', 'Papadopoulos', 'Haddad', 'Novak', 'Fernandes'])}`;
    queries.push({ name, expect: null, variant: 'not listed' });
  }
  // A negative that happens to be a listed name is no negative.
  // (Names in Arabic script are compared with listed names by consonant skeleton.)
  const listed = new Set(
    entries.flatMap((en) =>
      en.names.flatMap((n) => [normalizeName(n).compact, `%${skeletonOf(normalizeName(n)).compact}`]),
    ),
  );
  const key = (name: string): string => {
    const n = normalizeName(name);
    return n.abjad ? `%${skeletonOf(n).compact}` : n.compact;
  };
  return { entries, queries: queries.filter((q) => q.expect !== null || !listed.has(key(q.name))) };
}

// Synthetic screening lists and their labelled variants, for the throughput bench
// (and for profiling it): seeded, so every run screens the same names.
import type { ListEntry } from '../src/resolve/screen-index.js';
import { rng } from '../src/scenario/generate.js';
import * as N from '../src/scenario/names.js';

export function syntheticList(n: number, seed: number): ListEntry[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const syl = [
    'ka',
    'lo',
    'mi',
    'ra',
    'to',
    'ne',
    'su',
    'va',
    'ri',
    'do',
    'ma',
    'ze',
    'ba',
    'ti',
    'lu',
    'go',
    'che',
    'xia',
    'qin',
    'zhu',
  ];
  const word = (): string => Array.from({ length: 2 + Math.floor(r() * 2) }, () => pick(syl)).join('');
  const out: ListEntry[] = [];
  const seen = new Set<string>(); // unique names: a duplicate would make "found" a coin toss between twins
  while (out.length < n) {
    const i = out.length;
    const t = r();
    const name =
      t < 0.5
        ? `${pick(N.SPANISH_MALE)} ${pick(N.SPANISH_SURNAMES)} ${word()}`
        : t < 0.7
          ? `${pick(N.CHINESE_SURNAMES)[1]} ${word()}`
          : t < 0.85
            ? `${pick(N.ENGLISH_FIRST)} ${word()} ${pick(N.ENGLISH_LAST)}`
            : `${word()} ${pick(N.MX_COMPANY_STEM)} S.A. de C.V.`;
    if (seen.has(name)) continue;
    seen.add(name);
    out.push({ id: `s${i}`, list: 'bench', kind: t < 0.85 ? 'person' : 'organization', names: [name] });
  }
  return out;
}

export function variantsOf(list: ListEntry[], n: number, seed: number): { name: string; expect: string }[] {
  const r = rng(seed);
  const out: { name: string; expect: string }[] = [];
  for (let i = 0; i < n; i++) {
    const e = list[Math.floor(r() * list.length)]!;
    const name = e.names[0]!;
    const k = r();
    let v: string;
    if (k < 0.33) v = name.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase();
    else if (k < 0.66)
      v = e.kind === 'person' ? name.split(' ').reverse().join(' ') : name.replace(' S.A. de C.V.', ', SA de CV'); // people reordered; companies' legal form rewritten
    else {
      const p = 1 + Math.floor(r() * (name.length - 2));
      v = name.slice(0, p) + name[p + 1] + name[p] + name.slice(p + 2);
    }
    out.push({ name: v, expect: e.id });
  }
  return out;
}

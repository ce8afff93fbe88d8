// The page banner shows the highest marking of everything on the page: each view
// reports the markings it displays, and the banner combines them with the same rule
// the server uses (src/domain/markings.ts).
import { useEffect } from 'preact/hooks';
import { signal } from '@preact/signals';
import { formatMarking, highestMarking, parseMarking, type Marking } from '../../domain/markings.ts';

/** Portion form "(S//NF/PR//REL MEX)" to the form the parser reads. */
export function expandPortion(s: string): string {
  return s
    .replace(/^\(|\)$/g, '')
    .split('//')
    .map((seg, i) => {
      if (i === 0) return seg;
      if (/^REL (?!TO )/.test(seg)) return `REL TO ${seg.slice(4)}`;
      return seg
        .split('/')
        .map((c) => (c === 'PR' ? 'PROPIN' : c))
        .join('/');
    })
    .join('//');
}

const shown = new Map<symbol, string[]>();
export const banner = signal('UNCLASSIFIED');

function recompute(): void {
  const ms: Marking[] = [];
  for (const list of shown.values())
    for (const s of list) {
      try {
        ms.push(parseMarking(expandPortion(s), 'MULTIPLE'));
      } catch {
        /* an unparseable marking is shown as is, elsewhere */
      }
    }
  const top = highestMarking(ms);
  banner.value = top ? formatMarking(top).replace(/\/\/OWNER [^/]+$/, '') : 'UNCLASSIFIED';
}

/** Report the markings (banner or portion form) this component shows, while it is shown. */
export function useMarkings(markings: (string | undefined | null)[]): void {
  const key = markings.filter(Boolean).join('|');
  useEffect(() => {
    const id = Symbol('markings');
    shown.set(id, key ? key.split('|') : []);
    recompute();
    return () => {
      shown.delete(id);
      recompute();
    };
  }, [key]);
}

export const bannerClass = (m: string): string =>
  (({ 'TOP SECRET': 'ts', SECRET: 's', CONFIDENTIAL: 'c', CUI: 'cui' }) as Record<string, string>)[m.split('//')[0]!] ??
  (m.includes('//') ? 'u-caveat' : 'u');

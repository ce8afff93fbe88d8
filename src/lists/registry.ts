// The lists screening runs against, loaded once per process and indexed together in
// memory: the OFAC SDN list shipped in reference/ofac (or an SDN.XML named by
// CHOKEPOINT_OFAC_XML, so a user can screen against today's list), OFAC's
// consolidated non-SDN list (reference/ofac/nonsdn) and the UN Security Council
// consolidated list (reference/un, or CHOKEPOINT_UN_XML). Each hit names its list
// (ListEntry.list). The watchlist is screened beside them (src/lists/screen.ts).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadOfacCsv, loadOfacXml, type LoadedList } from './ofac.js';
import { loadUnXml } from './un.js';
import { ScreeningIndex, type Hit, type ListEntry, type ScreeningQuery } from '../resolve/screen-index.js';
import { DEFAULT_THRESHOLD } from '../resolve/calibrate.js';

export interface ListInfo {
  /** The code a hit's `list` carries: OFAC-SDN, OFAC-NON-SDN, UN-SC. */
  list: string;
  name: string;
  publishDate: string | null;
  source: string;
  entries: number;
  /** Entries by kind (person, organization, vessel, aircraft, other). */
  byKind: Partial<Record<ListEntry['kind'], number>>;
  drugProgramEntries: number;
  /** Added by a user (src/lists/custom.ts), not shipped. */
  custom: boolean;
  /** The format it was read from: ofac-csv, ofac-xml, un-xml, ftm, csv. */
  format: string;
  /** When a user added it, and last replaced it (null for the shipped lists). */
  addedAt: string | null;
  updatedAt: string | null;
  /** Its marking (null for the shipped lists: public). */
  marking: string | null;
}

export { DEFAULT_THRESHOLD };
export const DRUG_PROGRAMS = ['SDNTK', 'ILLICIT-DRUGS-EO14059'];
/** The codes of the shipped lists and the watchlist, which no list a user adds may take. */
export const SHIPPED_CODES = ['OFAC-SDN', 'OFAC-NON-SDN', 'UN-SC', 'WATCHLIST'];

const reference = (path: string): string => fileURLToPath(new URL(`../../reference/${path}`, import.meta.url));
const publishDateOf = (dir: string): string | null =>
  (JSON.parse(readFileSync(`${dir}list.json`, 'utf8')) as { publishDate?: string | null }).publishDate ?? null;

export interface ListSources {
  /** An SDN.XML to screen against instead of the shipped SDN CSV (default: CHOKEPOINT_OFAC_XML). */
  ofacXml?: string;
  /** A UN consolidated XML instead of the shipped one (default: CHOKEPOINT_UN_XML). */
  unXml?: string;
}

/** Each list as loaded, SDN first. */
export function loadLists(opts: ListSources = {}): LoadedList[] {
  const ofacXml = opts.ofacXml ?? process.env.CHOKEPOINT_OFAC_XML;
  const sdnDir = reference('ofac/');
  const nonSdnDir = reference('ofac/nonsdn/');
  const unXml = opts.unXml ?? process.env.CHOKEPOINT_UN_XML ?? reference('un/UN_consolidated.xml');
  return [
    ofacXml ? loadOfacXml(ofacXml) : loadOfacCsv(sdnDir, { publishDate: publishDateOf(sdnDir) }),
    loadOfacCsv(nonSdnDir, { set: 'nonsdn', publishDate: publishDateOf(nonSdnDir) }),
    // The UN file states its own date (dateGenerated).
    loadUnXml(unXml),
  ];
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where a list came from, as users are shown it: inside the product relative to it, else the file's name (not the server's paths). */
const shownSource = (s: string): string => (s.startsWith(ROOT) ? s.slice(ROOT.length) : s.replace(/^\S*\//, ''));

export class ScreeningLists {
  private constructor(
    readonly index: ScreeningIndex,
    readonly lists: ListInfo[],
  ) {}

  static load(opts: ListSources = {}): ScreeningLists {
    const loaded = loadLists(opts);
    const index = new ScreeningIndex();
    for (const l of loaded) for (const e of l.entries) index.add(e);
    index.build();
    return new ScreeningLists(
      index,
      loaded.map((l) => {
        const byKind: ListInfo['byKind'] = {};
        for (const e of l.entries) byKind[e.kind] = (byKind[e.kind] ?? 0) + 1;
        return {
          list: l.list,
          name: l.name,
          publishDate: l.publishDate,
          source: shownSource(l.source),
          entries: l.entries.length,
          byKind,
          drugProgramEntries: l.entries.filter((e) => e.programs?.some((p) => DRUG_PROGRAMS.includes(p))).length,
          custom: false,
          format: l.source.endsWith('(legacy CSV)') ? 'ofac-csv' : l.list === 'UN-SC' ? 'un-xml' : 'ofac-xml',
          addedAt: null,
          updatedAt: null,
          marking: null,
        };
      }),
    );
  }

  screen(q: ScreeningQuery, opts: { threshold?: number; limit?: number } = {}): Hit[] {
    return this.index.search(q, { threshold: opts.threshold ?? DEFAULT_THRESHOLD, limit: opts.limit ?? 10 });
  }
}

let shared: ScreeningLists | undefined;
/** The process-wide lists, loaded on first use. */
export function screeningLists(): ScreeningLists {
  return (shared ??= ScreeningLists.load());
}

// The lists screening runs against, loaded once per process and indexed in memory.
// Today: the OFAC SDN list shipped in reference/ofac (or an SDN.XML named by
// CHOKEPOINT_OFAC_XML, so a user can screen against today's list). The watchlist
// joins here when nominations exist (issue 4).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadOfacCsv, loadOfacXml, type LoadedList } from './ofac.js';
import { ScreeningIndex, type Hit, type ScreeningQuery } from '../resolve/screen-index.js';
import { DEFAULT_THRESHOLD } from '../resolve/calibrate.js';

export interface ListInfo {
  list: string;
  name: string;
  publishDate: string | null;
  source: string;
  entries: number;
  drugProgramEntries: number;
}

export { DEFAULT_THRESHOLD };
const DRUG_PROGRAMS = ['SDNTK', 'ILLICIT-DRUGS-EO14059'];

export class ScreeningLists {
  private constructor(
    readonly index: ScreeningIndex,
    readonly lists: ListInfo[],
  ) {}

  static load(opts: { ofacXml?: string } = {}): ScreeningLists {
    const xml = opts.ofacXml ?? process.env.CHOKEPOINT_OFAC_XML;
    let ofac: LoadedList;
    if (xml) ofac = loadOfacXml(xml);
    else {
      const dir = fileURLToPath(new URL('../../reference/ofac/', import.meta.url));
      const meta = JSON.parse(readFileSync(`${dir}list.json`, 'utf8')) as { publishDate: string };
      ofac = loadOfacCsv(dir, { publishDate: meta.publishDate });
    }
    const index = new ScreeningIndex();
    for (const e of ofac.entries) index.add(e);
    index.build();
    return new ScreeningLists(index, [
      {
        list: 'OFAC-SDN',
        name: ofac.name,
        publishDate: ofac.publishDate,
        source: ofac.source,
        entries: ofac.entries.length,
        drugProgramEntries: ofac.entries.filter((e) => e.programs?.some((p) => DRUG_PROGRAMS.includes(p))).length,
      },
    ]);
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

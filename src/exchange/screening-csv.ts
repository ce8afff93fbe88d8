// A screening batch's results as CSV: one row per hit, one for a watchlist pointer,
// one saying there was none, or what was wrong with the line, in line order. Pure,
// so the server (POST /screen/batch?format=csv) and the web app's download build the
// same file with the same neutralising of formula-like cells.
import { toCsv } from './csv.js';

export interface BatchHit {
  list: string;
  name?: string;
  score: number;
  reasons: string[];
  id: string;
  /** The marking of the list the hit quotes (null or absent: a shipped, public list). */
  marking?: string | null;
}
export interface BatchResult {
  line: number;
  name: string;
  hits: BatchHit[];
  watchlist: { result?: string; encounter?: string }[];
}

export const SCREENING_CSV_COLUMNS = [
  'line',
  'name',
  'result',
  'list',
  'listed_name',
  'score',
  'explanation',
  'reference',
  // A hit on a list a user added quotes that list: the row carries its marking.
  'marking',
] as const;

export function screeningCsv(
  results: readonly BatchResult[],
  errors: readonly { line: number; error: string }[],
): string {
  const out: (string | number)[][] = [];
  for (const r of results) {
    for (const w of r.watchlist)
      out.push([
        r.line,
        r.name,
        'watchlist',
        '',
        '',
        '',
        w.result ?? 'possible match: contact the watchlist center',
        w.encounter ?? '',
        '',
      ]);
    for (const h of r.hits)
      out.push([r.line, r.name, 'hit', h.list, h.name ?? '', h.score, h.reasons.join('; '), h.id, h.marking ?? '']);
    if (!r.hits.length && !r.watchlist.length) out.push([r.line, r.name, 'no hit', '', '', '', '', '', '']);
  }
  for (const e of errors) out.push([e.line, '', 'error', '', '', '', e.error, '', '']);
  out.sort((a, b) => Number(a[0]) - Number(b[0]));
  return toCsv(SCREENING_CSV_COLUMNS, out);
}

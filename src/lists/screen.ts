// Screening against every list there is: the shipped sanctions lists, the lists users
// added that the screener may read (src/lists/custom.ts), and the watchlist (which
// answers with a pointer and logs an encounter, never the listing). The API (POST
// /screen, /screen/batch) and the CLI (`chokepoint screen`) both call these, so what
// one screens against the other cannot forget: the CLI once skipped the watchlist.
import type { Database } from '../store/db.js';
import type { Principal } from '../domain/users.js';
import type { Hit, ScreeningQuery } from '../resolve/screen-index.js';
import { toScreeningQuery, screenInputOfRow, ScreenInputError } from '../resolve/screen-request.js';
import { watchlistScreener, type WatchlistResult } from '../watchlist/screening.js';
import { DEFAULT_THRESHOLD, type ListInfo, type ScreeningLists } from './registry.js';
import { customScreener, type CustomScreener } from './custom.js';

export interface Screened {
  hits: Hit[];
  watchlist: WatchlistResult[];
  /** Every list screened against, as the screener may see them (shipped first). */
  lists: ListInfo[];
}

export interface ScreenedRow extends Omit<Screened, 'lists'> {
  /** The line in the CSV file (the header is line 1). */
  line: number;
  query: ScreeningQuery;
}

export interface ScreenOptions {
  threshold?: number;
  limit?: number;
}

/** The best hits kept per row of a batch. */
export const BATCH_HITS = 3;

/** One name, as `me` (whose access decides which watchlist records may answer). */
export async function screenName(
  db: Database,
  me: Principal,
  lists: ScreeningLists,
  q: ScreeningQuery,
  opts: ScreenOptions = {},
): Promise<Screened> {
  const custom = await customScreener(db, me);
  const hits = allHits(lists, custom, q, opts.threshold, opts.limit ?? 10);
  const watchlist = await (await watchlistScreener(db, me))(q);
  return { hits, watchlist, lists: [...lists.lists, ...custom.lists] };
}

/** The best hits of the shipped lists and the custom ones together, each naming its list. */
function allHits(
  lists: ScreeningLists,
  custom: CustomScreener,
  q: ScreeningQuery,
  threshold: number | undefined,
  limit: number,
): Hit[] {
  const shipped = lists.screen(q, { threshold, limit });
  if (!custom.lists.length) return shipped;
  return [...shipped, ...custom.screen(q, { threshold: threshold ?? DEFAULT_THRESHOLD, limit })]
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
}

/**
 * The rows of a screening CSV (readScreeningCsv): each valid row screened, each
 * invalid one reported with its line. `onRow` is told the rows done, for progress.
 */
export async function screenRows(
  db: Database,
  me: Principal,
  lists: ScreeningLists,
  rows: readonly Record<string, string>[],
  opts: { threshold?: number; onRow?: (done: number) => void } = {},
): Promise<{ results: ScreenedRow[]; errors: { line: number; error: string }[]; lists: ListInfo[] }> {
  const watchlist = await watchlistScreener(db, me); // the index checked once for the batch
  const custom = await customScreener(db, me); // and the lists the screener may read
  const results: ScreenedRow[] = [];
  const errors: { line: number; error: string }[] = [];
  for (let i = 0; i < rows.length; i++) {
    let q: ScreeningQuery;
    try {
      q = toScreeningQuery(screenInputOfRow(rows[i]!));
    } catch (e) {
      if (!(e instanceof ScreenInputError)) throw e;
      errors.push({ line: i + 2, error: e.message });
      continue;
    }
    const hits = allHits(lists, custom, q, opts.threshold, BATCH_HITS);
    results.push({ line: i + 2, query: q, hits, watchlist: await watchlist(q) });
    opts.onRow?.(i + 1);
  }
  return { results, errors, lists: [...lists.lists, ...custom.lists] };
}

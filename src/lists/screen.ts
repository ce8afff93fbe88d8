// Screening against every list there is: the sanctions lists and the watchlist (which
// answers with a pointer and logs an encounter, never the listing). The API (POST
// /screen, /screen/batch) and the CLI (`chokepoint screen`) both call these, so what
// one screens against the other cannot forget: the CLI once skipped the watchlist.
import type { Database } from '../store/db.js';
import type { Principal } from '../domain/users.js';
import type { Hit, ScreeningQuery } from '../resolve/screen-index.js';
import { toScreeningQuery, screenInputOfRow, ScreenInputError } from '../resolve/screen-request.js';
import { watchlistScreener, type WatchlistResult } from '../watchlist/screening.js';
import type { ScreeningLists } from './registry.js';

export interface Screened {
  hits: Hit[];
  watchlist: WatchlistResult[];
}

export interface ScreenedRow extends Screened {
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
  const hits = lists.screen(q, opts);
  const watchlist = await (await watchlistScreener(db, me))(q);
  return { hits, watchlist };
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
): Promise<{ results: ScreenedRow[]; errors: { line: number; error: string }[] }> {
  const watchlist = await watchlistScreener(db, me); // the index checked once for the batch
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
    const hits = lists.screen(q, { threshold: opts.threshold, limit: BATCH_HITS });
    results.push({ line: i + 2, query: q, hits, watchlist: await watchlist(q) });
    opts.onRow?.(i + 1);
  }
  return { results, errors };
}

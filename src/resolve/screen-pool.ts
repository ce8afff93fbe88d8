// Batch screening on several cores: each worker thread holds its own copy of the
// index (memory times the thread count) and screens an equal share of the names.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { ListEntry, ScreeningQuery } from './screen-index.js';

export interface PooledHit {
  id: string;
  score: number;
  reasons: string[];
}

export class ScreeningPool {
  private constructor(private readonly workers: Worker[]) {}

  static async start(entries: ListEntry[], threads = availableParallelism()): Promise<ScreeningPool> {
    const workers = Array.from(
      { length: Math.max(1, threads) },
      () =>
        // The sources are TypeScript run through tsx; the entry registers the loader in the worker.
        new Worker(new URL('./screen-worker-entry.mjs', import.meta.url), { workerData: { entries } }),
    );
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.once('message', () => resolve());
            w.once('error', reject);
          }),
      ),
    );
    return new ScreeningPool(workers);
  }

  /** Screens every query; results in query order, and the slowest worker's screening time. */
  async screen(
    queries: ScreeningQuery[],
    opts: { threshold: number; limit: number },
  ): Promise<{ results: PooledHit[][]; ms: number }> {
    const share = Math.ceil(queries.length / this.workers.length);
    const parts = await Promise.all(
      this.workers.map(
        (w, i) =>
          new Promise<{ results: PooledHit[][]; ms: number }>((resolve, reject) => {
            w.once('message', resolve);
            w.once('error', reject);
            w.postMessage({ queries: queries.slice(i * share, (i + 1) * share), ...opts });
          }),
      ),
    );
    return { results: parts.flatMap((p) => p.results), ms: Math.max(...parts.map((p) => p.ms)) };
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

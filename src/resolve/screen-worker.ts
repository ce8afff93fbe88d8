// A screening worker: builds its own index from the entries it is given, then
// screens the queries it is sent (batch screening on every core; see screen-pool.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { ScreeningIndex, type ListEntry, type ScreeningQuery } from './screen-index.js';

const index = new ScreeningIndex();
for (const e of (workerData as { entries: ListEntry[] }).entries) index.add(e);
index.build();
parentPort!.postMessage({ ready: true });
parentPort!.on('message', (m: { queries: ScreeningQuery[]; threshold: number; limit: number }) => {
  const started = performance.now();
  const results = m.queries.map((q) =>
    index
      .search(q, { threshold: m.threshold, limit: m.limit })
      .map((h) => ({ id: h.entry.id, score: h.score, reasons: h.reasons })),
  );
  parentPort!.postMessage({ results, ms: performance.now() - started });
});

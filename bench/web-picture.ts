// The web application on a large scenario (default about 100k entities): how long the
// dashboard's figures take from the picture API, against the named baseline
// "client-aggregate" (what a page without that API would do: page through every
// seizure with GET /entities and add them up in the browser's place), on the same
// server, store and reader; then, in Chromium, how long the dashboard takes to show its
// figures and how many rows the virtualized search list keeps in the page.
//
//   npm run bench:web -- --entities 100000
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { benchBackends, openBenchStore } from './backends.js';
import { loadScenario } from '../src/scenario/load.js';
import { ENTITIES_PER_NETWORK } from '../src/scenario/generate.js';
import { buildServer } from '../src/api/server.js';
import { createUser, issueToken } from '../src/store/users.js';

const { values: args } = parseArgs({
  options: { entities: { type: 'string', default: '100000' }, runs: { type: 'string', default: '5' } },
});
const RANGE = 'from=2023-10-01&to=2026-09-30';
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ts.push(performance.now() - t);
  }
  return median(ts);
}

const kinds = benchBackends();
console.log(`scenario ~${args.entities} entities (seed 1); reader DEA/S (OCDETF); median of ${args.runs} runs`);
for (const kind of kinds) {
  const { store, drop } = await openBenchStore(kind);
  const t0 = performance.now();
  const load = await loadScenario(store, {
    seed: 1,
    networks: Math.max(1, Math.round(Number(args.entities) / ENTITIES_PER_NETWORK)),
  });
  console.log(`\n${kind}: loaded ${load.entities} entities in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  const u = await createUser(store.db, {
    username: 'bench.analyst',
    password: 'correct horse battery staple',
    agency: 'DEA',
    clearance: 'S',
    roles: ['analyst'],
    groups: ['OCDETF'],
  });
  const token = (await issueToken(store.db, u.id, 'session', 2)).token;
  const app = await buildServer({ store, rateLimit: 1_000_000, escalateEveryMs: 0 });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const get = async (path: string) => {
    const r = await fetch(url + path, { headers: { authorization: `Bearer ${token}` } });
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  const runs = Number(args.runs);
  const dash = await timed(runs, () => get(`/picture/dashboard?${RANGE}`));
  const map = await timed(runs, () => get(`/picture/map?${RANGE}`));
  const report = await timed(Math.min(runs, 3), () => get(`/reports/cip?from=2025-10-01&to=2026-09-30`));
  // Baseline: every seizure through the entity API, 200 a page, summed here.
  let seizures = 0;
  const base = await timed(Math.min(runs, 3), async () => {
    const byMonth = new Map<string, number>();
    seizures = 0;
    for (let offset = 0; offset <= 10_000; offset += 200) {
      const page = (await get(`/entities?schema=Seizure&limit=200&offset=${offset}`)) as {
        results: { properties: Record<string, { value: string }[]> }[];
      };
      for (const e of page.results) {
        const d = e.properties.date?.[0]?.value ?? '';
        byMonth.set(d.slice(0, 7), (byMonth.get(d.slice(0, 7)) ?? 0) + Number(e.properties.weightKg?.[0]?.value ?? 0));
        seizures++;
      }
      if (page.results.length < 200) break;
    }
  });
  const d = (await get(`/picture/dashboard?${RANGE}`)) as { seizures: number };
  console.log(
    `dashboard figures: picture API ${dash.toFixed(0)} ms (${d.seizures} seizures) vs client-aggregate ${base.toFixed(0)} ms (${seizures} seizures paged) = ${(base / dash).toFixed(1)}x`,
  );
  console.log(`map features: ${map.toFixed(0)} ms; common-intelligence-picture report: ${report.toFixed(0)} ms`);

  if (existsSync('/usr/bin/chromium') && existsSync('dist/web/index.html')) {
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.addInitScript((t) => sessionStorage.setItem('cp-token', t), token);
    const tDash = performance.now();
    await page.goto(`${url}/#/dashboard`);
    await page.waitForSelector('#kpi-seizures', { timeout: 120_000 });
    const dashMs = performance.now() - tDash;
    const tSearch = performance.now();
    await page.goto(`${url}/#/search?q=a`);
    await page.waitForSelector('#results li a', { timeout: 120_000 });
    const firstPageMs = performance.now() - tSearch;
    // "Load more" until 10,000 results are in the list (or there are no more).
    const count = async () => Number((await page.getAttribute('#results', 'aria-rowcount')) ?? 0);
    const tMore = performance.now();
    while ((await page.locator('text=Load more').count()) > 0) {
      const before = await count();
      await page.click('text=Load more');
      await page.waitForFunction(
        (n) => Number(document.querySelector('#results')?.getAttribute('aria-rowcount') ?? 0) > n,
        before,
        { timeout: 300_000 },
      );
    }
    const moreMs = performance.now() - tMore;
    await page.evaluate(() => document.querySelector('.vlist')!.scrollTo(0, 1e9));
    await page.waitForTimeout(200);
    const items = await count();
    const rows = await page.locator('#results li').count();
    const last = await page.locator('#results li').last().getAttribute('aria-posinset');
    console.log(
      `in Chromium: dashboard figures shown ${dashMs.toFixed(0)} ms after navigation; search: first 200 results in ${firstPageMs.toFixed(0)} ms, ${items} loaded in ${moreMs.toFixed(0)} ms more; scrolled to the end (row ${last}) with ${rows} rows in the page (virtualized; render-all would hold ${items})`,
    );
    await browser.close();
  }
  await app.close();
  await drop();
}

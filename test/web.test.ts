// The analyst page in a real browser (Debian's Chromium through playwright-core):
// sign in, search, open an entity; markings shown; hostile names stay text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { memoryStore, server } from './helpers.js';
import type { Store } from '../src/store/store.js';
import { createUser } from '../src/store/users.js';
import { loadScenario } from '../src/scenario/load.js';
import { parseRecord } from '../src/ingest/record-input.js';
import { writeBatch, SYSTEM } from '../src/store/write.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`${CHROMIUM} is missing: browser tests are skipped (apt-get install -y chromium; .ci/run does).`);

describe.skipIf(!haveChromium)('the analyst page in Chromium', () => {
  let store: Store;
  let app: FastifyInstance;
  let browser: Browser;
  let url: string;
  beforeAll(async () => {
    store = await memoryStore();
    await loadScenario(store, { seed: 5, networks: 2 });
    const hostile = parseRecord({ sourceRecordId: 'XSS-1', marking: 'U//LES', entities: [{ id: 'xss-1', schema: 'Person', properties: { name: ['<img src=x onerror="window.__pwned=1">García'] } }] }, { source: 'CBP' });
    await writeBatch(store.db, store.markings, SYSTEM, [hostile.record!], { origin: 'test' });
    await createUser(store.db, { username: 'cbp.officer', password: 'correct horse battery staple', agency: 'CBP', clearance: 'C', roles: ['analyst'] });
    app = await server(store);
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    mkdirSync('test-output', { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await store?.close();
  });

  it('signs in, searches, shows portion markings and a banner, and never runs names as HTML', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const failures: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') failures.push(m.text()); });
    page.on('dialog', (d) => { failures.push(`dialog: ${d.message()}`); void d.dismiss(); });
    await page.goto(url);
    await page.fill('#username', 'cbp.officer');
    await page.fill('#password', 'wrong password!');
    await page.click('#login button[type=submit]');
    await expect.poll(() => page.textContent('#error')).toMatch(/unknown user or wrong password/);
    failures.length = 0; // the 401 of that failed sign-in is expected
    await page.fill('#password', 'correct horse battery staple');
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#results li button');
    expect(await page.isVisible('#login')).toBe(false);
    expect(await page.textContent('#who')).toMatch(/CBP · cleared C/);
    await page.fill('#q', 'garcia');
    await page.click('#search button');
    await page.locator('#results li button', { hasText: '<img' }).first().click();
    await page.waitForSelector('#entity h2');
    expect(await page.textContent('#entity h2')).toContain('<img src=x onerror="window.__pwned=1">García');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('#entity img').count()).toBe(0);
    expect(await page.textContent('#banner')).toBe('UNCLASSIFIED//LES');
    expect(await page.textContent('#entity .portion')).toBe('(U//LES)');
    await page.screenshot({ path: 'test-output/web-entity.png' });
    expect(failures).toEqual([]);
  });
});

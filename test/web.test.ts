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

  async function signedIn() {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(url);
    await page.fill('#username', 'cbp.officer');
    await page.fill('#password', 'correct horse battery staple');
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#results li button');
    return page;
  }

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

  it('screens a name against the sanctions list, showing the list date, scores and reasons', async () => {
    const page = await signedIn();
    await page.click('#tabs button[data-view=screen]');
    await expect.poll(() => page.textContent('#lists')).toMatch(/published 2024-05-03/);
    await page.fill('#s-name', 'Ismael Zambada Garcia');
    await page.fill('#s-dob', '1948');
    await page.click('#screen button');
    await page.waitForSelector('#hits li strong');
    expect(await page.textContent('#hits > li')).toMatch(/ZAMBADA GARCIA, Ismael — OFAC-SDN ofac-7226/);
    expect(await page.textContent('#hits .reasons')).toMatch(/date of birth matches/);
    await page.fill('#s-name', 'Pablo Kowalski');
    await page.fill('#s-dob', '');
    await page.click('#screen button');
    await expect.poll(() => page.textContent('#hits')).toMatch(/No hits scoring/);
    await page.close();
  });

  it('lets a partner report a suspicious parcel and follow its status', async () => {
    await createUser(store.db, { username: 'carrier.desk', password: 'correct horse battery staple', agency: 'EXPRS', clearance: 'U', roles: ['partner'] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(url);
    await page.fill('#username', 'carrier.desk');
    await page.fill('#password', 'correct horse battery staple');
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#tabs:not([hidden])');
    await page.click('#tabs button[data-view=report]');
    await page.fill('#r-summary', 'X-ray shows pressed blue tablets; declared as vitamins');
    await page.fill('#r-1', '7812 0045 9911');
    await page.fill('#r-3', 'vitamins');
    await page.click('#report button[type=submit]');
    await expect.poll(() => page.textContent('#report-done')).toMatch(/Received: reference PR-/);
    await expect.poll(() => page.textContent('#my-reports')).toMatch(/PR-[0-9A-F]+ shipment · received/);
    await page.screenshot({ path: 'test-output/web-report.png' });
    await page.close();
  });

  it('lists possible links for review, and a judgement takes the pair off the list', async () => {
    const page = await signedIn();
    await page.click('#tabs button[data-view=links]');
    await page.waitForSelector('#link-list > li');
    const before = await page.locator('#link-list > li').count();
    expect(before).toBeGreaterThan(0);
    const first = await page.textContent('#link-list > li');
    await page.locator('#link-list > li').first().getByRole('button', { name: 'Not the same' }).click();
    await expect.poll(async () => (await page.locator('#link-list > li').first().textContent()) !== first).toBe(true);
    const [rejected] = await store.db.query<{ n: number }>("SELECT count(*)::int AS n FROM possible_links WHERE status = 'rejected'");
    expect(rejected!.n).toBe(1);
    await page.screenshot({ path: 'test-output/web-links.png' });
    // Confirm the next pair: search then shows the identity once, and its page shows both members' values.
    const [open] = await store.db.query<{ id: number; left_id: string }>("SELECT id, left_id FROM possible_links WHERE status = 'open' ORDER BY score DESC, id LIMIT 1");
    const caption = (await page.locator('#link-list > li').first().locator('button').first().textContent())!.replace(/^\(U[^)]*\)\s*/, '').replace(/ \(\w+\)$/, '');
    await page.locator('#link-list > li').first().getByRole('button', { name: 'Same', exact: true }).click();
    await expect.poll(async () => (await store.db.query<{ status: string }>('SELECT status FROM possible_links WHERE id = $1', [open!.id]))[0]!.status).toBe('confirmed');
    await page.click('#tabs button[data-view=explore]');
    await page.fill('#q', caption);
    await page.click('#search button');
    await page.locator('#results li button', { hasText: 'merged with 1' }).first().click();
    await expect.poll(() => page.textContent('#entity .merged')).toMatch(/^Merged with /);
    await page.close();
  });
});

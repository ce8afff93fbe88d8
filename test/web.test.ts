// The analyst's web application in a real browser (Debian's Chromium through
// playwright-core), over a demo scenario: sign-in, markings on every screen, the
// dashboard, map, graph explorer, entity page, consoles, report and its PDF.
// Screenshots go to test-output/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { memoryStore, server, userWithToken, postAs } from './helpers.js';
import type { Store } from '../src/store/store.js';
import { createUser } from '../src/store/users.js';
import { loadScenario } from '../src/scenario/load.js';
import { parseRecord } from '../src/ingest/record-input.js';
import { writeBatch, SYSTEM } from '../src/store/write.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium)
  console.warn(`${CHROMIUM} is missing: browser tests are skipped (apt-get install -y chromium; .ci/run does).`);
const PASSWORD = 'correct horse battery staple';

describe.skipIf(!haveChromium)('the analyst web application in Chromium', () => {
  let store: Store;
  let app: FastifyInstance;
  let browser: Browser;
  let url: string;
  beforeAll(async () => {
    store = await memoryStore();
    await loadScenario(store, { seed: 5, networks: 2 });
    const hostile = parseRecord(
      {
        sourceRecordId: 'XSS-1',
        marking: 'U//LES',
        entities: [
          { id: 'xss-1', schema: 'Person', properties: { name: ['<img src=x onerror="window.__pwned=1">García'] } },
        ],
      },
      { source: 'CBP' },
    );
    // A CONFIDENTIAL seizure: the officer (cleared C) counts it, the U-cleared analyst does not.
    const confidential = parseRecord(
      {
        sourceRecordId: 'C-SZ-1',
        marking: 'C//LES',
        entities: [
          {
            id: 'c-sz-1',
            schema: 'Seizure',
            properties: {
              name: ['Seizure at a checkpoint'],
              date: ['2026-06-01'],
              drugType: ['Fentanyl (powder)'],
              weightKg: ['12'],
            },
          },
        ],
      },
      { source: 'CBP' },
    );
    await writeBatch(store.db, store.markings, SYSTEM, [hostile.record!, confidential.record!], { origin: 'test' });
    await createUser(store.db, {
      username: 'cbp.officer',
      password: PASSWORD,
      agency: 'CBP',
      clearance: 'C',
      roles: ['analyst'],
    });
    await createUser(store.db, {
      username: 'public.analyst',
      password: PASSWORD,
      agency: 'CBP',
      clearance: 'U',
      roles: ['analyst'],
    });
    app = await server(store);
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    mkdirSync('test-output', { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await store?.close();
  });

  /**
   * A signed-in page; console errors and dialogs are collected to assert there are none.
   * Each user signs in through the form once; later pages reuse the session token
   * (sign-in is rate-limited to 10 a minute, as it should be).
   */
  const sessions = new Map<string, string>();
  async function signedIn(username = 'cbp.officer'): Promise<{ page: Page; failures: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const failures: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') failures.push(m.text());
    });
    page.on('pageerror', (e) => failures.push(e.message));
    page.on('dialog', (d) => {
      failures.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    const token = sessions.get(username);
    if (token) await page.addInitScript((t) => sessionStorage.setItem('cp-token', t), token);
    await page.goto(url);
    if (!token) {
      await page.fill('#username', username);
      await page.fill('#password', PASSWORD);
      await page.click('#login button[type=submit]');
    }
    await page.waitForSelector('#tabs');
    sessions.set(username, (await page.evaluate(() => sessionStorage.getItem('cp-token')))!);
    return { page, failures };
  }
  const open = async (page: Page, view: string) => {
    await page.click(`#tabs a[data-view=${view}]`);
    await expect.poll(() => page.getAttribute(`#tabs a[data-view=${view}]`, 'aria-current')).toBe('page');
  };

  it('refuses a wrong password with a clear message, then signs in to the dashboard under the banner of its figures', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    expect(await page.textContent('#banner')).toBe('UNCLASSIFIED');
    await page.fill('#username', 'cbp.officer');
    await page.fill('#password', 'wrong password!');
    await page.click('#login button[type=submit]');
    await expect.poll(() => page.textContent('#error')).toMatch(/unknown user or wrong password/);
    await page.fill('#password', PASSWORD);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#kpi-seizures');
    expect(await page.textContent('#who')).toMatch(/CBP · cleared C/);
    const [n] = await store.db.query<{ n: number }>(
      "SELECT count(DISTINCT entity_id)::int AS n FROM statements WHERE schema = 'Seizure'",
    );
    expect(Number((await page.textContent('#kpi-seizures'))!.replace(/,/g, ''))).toBeGreaterThan(0);
    expect(Number((await page.textContent('#kpi-seizures'))!.replace(/,/g, ''))).toBeLessThanOrEqual(n!.n);
    await expect.poll(() => page.textContent('#banner')).toMatch(/^CONFIDENTIAL\/\//);
    expect(await page.locator('canvas').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#top-ports tbody tr').count()).toBeGreaterThan(0);
    await page.screenshot({ path: 'test-output/web-dashboard.png' });
    await page.close();
  });

  it('shows a reader cleared only for UNCLASSIFIED fewer seizures, under an UNCLASSIFIED banner', async () => {
    const c = await signedIn('cbp.officer');
    await c.page.waitForSelector('#kpi-seizures');
    const cleared = Number((await c.page.textContent('#kpi-seizures'))!.replace(/,/g, ''));
    const u = await signedIn('public.analyst');
    await u.page.waitForSelector('#kpi-seizures');
    const unclassified = Number((await u.page.textContent('#kpi-seizures'))!.replace(/,/g, ''));
    expect(unclassified).toBeLessThan(cleared);
    expect(await u.page.textContent('#banner')).toMatch(/^UNCLASSIFIED/);
    await c.page.close();
    await u.page.close();
  });

  it('searches into a virtualized list, opens an entity with portion markings and provenance, and never runs names as HTML', async () => {
    const { page, failures } = await signedIn();
    await open(page, 'search');
    await page.click('#search button');
    await page.waitForSelector('#results li a');
    const loaded = Number(
      (await page.textContent('#result-count'))!.match(/([\d,]+) (found|loaded)/)![1]!.replace(/,/g, ''),
    );
    expect(loaded).toBeGreaterThan(100);
    expect(await page.locator('#results li').count()).toBeLessThan(60); // only the rows in view are in the DOM
    await page.fill('#q', 'garcia');
    await page.click('#search button');
    await page.locator('#results li a', { hasText: '<img' }).first().click();
    await page.waitForSelector('#entity h1');
    expect(await page.textContent('#entity h1')).toContain('<img src=x onerror="window.__pwned=1">García');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('#entity img').count()).toBe(0);
    await expect.poll(() => page.textContent('#banner')).toBe('UNCLASSIFIED//LES');
    expect(await page.textContent('#props .portion')).toBe('(U//LES)');
    expect(await page.textContent('#props .prov')).toMatch(/CBP XSS-1/);
    await expect.poll(() => page.textContent('#status')).toMatch(/No sanctions or watchlist hit|%/);
    await page.screenshot({ path: 'test-output/web-entity.png' });
    expect(failures).toEqual([]);
    await page.close();
  });

  it('opens an entity with its timeline and relations, and explores it in the graph: expand, key nodes, path', async () => {
    const { page, failures } = await signedIn();
    const [seizure] = await store.db.query<{ entity_id: string; value: string }>(
      "SELECT entity_id, value FROM statements WHERE schema = 'Seizure' AND prop = 'addressEntity' ORDER BY entity_id LIMIT 1",
    );
    await page.goto(`${url}/#/entity/${encodeURIComponent(seizure!.value)}`);
    await expect.poll(() => page.locator('#timeline li').count()).toBeGreaterThan(0);
    await page.click('text=Explore in graph');
    await expect.poll(() => page.locator('#graph-nodes li').count()).toBeGreaterThan(1);
    expect(await page.locator('#graph-view canvas').count()).toBeGreaterThan(0);
    await page.click('#highlight');
    await expect.poll(() => page.locator('#graph-nodes li', { hasText: 'key node' }).count()).toBeGreaterThan(0);
    await page.fill('#path-to', seizure!.entity_id);
    await page.click('#graph-view form button[type=submit]');
    await expect.poll(() => page.textContent('#graph-note')).toMatch(/^Path: .+ → /);
    await page.screenshot({ path: 'test-output/web-graph.png' });
    expect(failures).toEqual([]);
    await page.close();
  });

  it('maps seizures, ports and routes on the offline basemap, filtered by layer and time', async () => {
    const { page, failures } = await signedIn();
    page.on('response', (r) => {
      if (r.status() >= 400) failures.push(`${r.status()} ${r.url()}`);
    });
    await open(page, 'map');
    await page.waitForSelector('#map-features tbody tr');
    expect(await page.locator('#map-features tr[data-layer=seizures]').count()).toBeGreaterThan(0);
    expect(await page.locator('#map-features tr[data-layer=ports]').count()).toBeGreaterThan(0);
    expect(await page.locator('.map canvas').count()).toBe(1);
    await page.uncheck('input[name=seizures]');
    await expect.poll(() => page.locator('#map-features tr[data-layer=seizures]').count()).toBe(0);
    await page.check('input[name=seizures]');
    await page.fill('.range input >> nth=1', '2031-12-31');
    await page.locator('.range input >> nth=1').dispatchEvent('change');
    await page.fill('.range input >> nth=0', '2031-01-01');
    await page.locator('.range input >> nth=0').dispatchEvent('change');
    await expect.poll(() => page.locator('#map-features tr[data-layer=seizures]').count()).toBe(0);
    await page.screenshot({ path: 'test-output/web-map.png' });
    expect(failures.filter((f) => !/GPU stall|WebGL/.test(f))).toEqual([]);
    await page.close();
  });

  it('screens one name and a CSV batch against the sanctions list, with scores and reasons', async () => {
    const { page } = await signedIn();
    await open(page, 'screening');
    await expect.poll(() => page.textContent('#lists')).toMatch(/published 2024-05-03/);
    await page.fill('#s-name', 'Ismael Zambada Garcia');
    await page.fill('#s-dob', '1948');
    await page.click('#screen button');
    await page.waitForSelector('#hits li strong');
    expect(await page.textContent('#hits > li')).toMatch(/ZAMBADA GARCIA, Ismael — OFAC-SDN ofac-7226/);
    expect(await page.textContent('#hits .reasons')).toMatch(/date of birth matches/);
    await page.setInputFiles('#batch-file', {
      name: 'names.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('name,birthDate\nIsmael Zambada Garcia,1948\n"=HYPERLINK(""http://x.example"")",\n,\n'),
    });
    await expect
      .poll(() => page.textContent('#batch-summary'))
      .toMatch(/2 of 3 rows screened, 1 with hits.*1 rows refused/);
    expect(await page.textContent('#batch-results')).toMatch(/Ismael Zambada Garcia → .*ZAMBADA GARCIA/);
    // The results as a spreadsheet: a name that is a formula arrives as text.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#batch-csv')]);
    expect(download.suggestedFilename()).toBe('screening-results.csv');
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv).toMatch(
      /^\uFEFFline,name,result,list,listed_name,score,explanation,reference,marking\r\n2,Ismael Zambada Garcia,hit,OFAC-SDN,/,
    );
    expect(csv).toContain(`3,"'=HYPERLINK(""http://x.example"")",no hit`);
    expect(csv).toMatch(/\r\n4,,error,/);
    await page.close();
  });

  it('lists the targeting queue with its reasons and records an exam result', async () => {
    const { page } = await signedIn();
    await open(page, 'targeting');
    await page.waitForSelector('#targeting-queue tbody tr');
    const first = (await page.textContent('#targeting-queue tbody tr td a'))!.trim();
    expect(await page.textContent('#targeting-queue tbody tr')).toMatch(/HS-PRECURSOR|MISDECLARED|ROUTE|NETWORK/);
    await page.locator('#targeting-queue tbody tr').first().getByRole('button', { name: 'Seized' }).click();
    await expect
      .poll(
        async () =>
          (
            await store.db.query<{ exam_result: string }>(
              'SELECT exam_result FROM shipment_scores WHERE shipment_id = $1',
              [first],
            )
          )[0]?.exam_result,
      )
      .toBe('seized');
    await page.close();
  });

  it('generates the common-intelligence-picture report, printable to PDF', async () => {
    const { page, failures } = await signedIn();
    await open(page, 'report');
    await page.fill('.range input >> nth=0', '2023-10-01');
    await page.locator('.range input >> nth=0').dispatchEvent('change');
    await expect.poll(() => page.textContent('#key-figures')).toMatch(/Seizures/);
    expect(await page.textContent('#trends')).toMatch(
      /seizures, (up|down) [\d.]+% on the period before|nothing to compare/,
    );
    expect(await page.locator('#networks li').count()).toBeGreaterThan(0);
    await page.screenshot({ path: 'test-output/web-report.png', fullPage: true });
    await page.emulateMedia({ media: 'print' });
    expect(await page.isVisible('#tabs')).toBe(false);
    expect(await page.textContent('.print-banner')).toMatch(/^CONFIDENTIAL/);
    const pdf = await page.pdf({ format: 'Letter', printBackground: true });
    writeFileSync('test-output/cip-report.pdf', pdf);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(20_000);
    expect(failures).toEqual([]);
    await page.close();
  });

  it('imports a file with progress and reports what was written, and an invalid file with each error', async () => {
    const { page } = await signedIn();
    await open(page, 'import');
    const record = {
      sourceRecordId: 'WEB-IMPORT-1',
      marking: 'U//LES',
      entities: [{ id: 'web-imp-1', schema: 'Person', properties: { name: ['Rosa Web Import'] } }],
    };
    await page.setInputFiles('#import-file', {
      name: 'one.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify([record])),
    });
    await page.click('#import-form button[type=submit]');
    await expect.poll(() => page.textContent('#import-report')).toMatch(/Read 1 records .*1 new/);
    await page.setInputFiles('#import-file', {
      name: 'bad.json',
      mimeType: 'application/json',
      buffer: Buffer.from(
        JSON.stringify([
          { ...record, sourceRecordId: 'WEB-IMPORT-2', entities: [{ id: 'x', schema: 'Nonsense', properties: {} }] },
        ]),
      ),
    });
    await page.click('#import-form button[type=submit]');
    await expect.poll(() => page.textContent('main')).toMatch(/Nonsense/);
    const [n] = await store.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM records WHERE source_record_id = 'WEB-IMPORT-2'",
    );
    expect(n!.n).toBe(0);
    await page.close();
  });

  it('registers a pill press, a task force and a watchlist nomination from the consoles', async () => {
    await createUser(store.db, {
      username: 'dea.sup',
      password: PASSWORD,
      agency: 'DEA',
      clearance: 'S',
      roles: ['supervisor'],
    });
    const { page } = await signedIn();
    await open(page, 'presses');
    await page.selectOption('#press-form select', 'tablet press');
    for (const [f, v] of [
      ['make', 'TDP'],
      ['model', 'TDP-5'],
      ['serial', 'WEB-TEST-0001'],
      ['owner', 'Farmacia Web SA'],
      ['location', 'Tijuana'],
      ['country', 'mx'],
    ])
      await page.fill(`#press-form input[name=${f}]`, v!);
    await page.click('#press-form button[type=submit]');
    await expect.poll(() => page.textContent('#press-done')).toMatch(/Registered as machine \d+/);
    await expect
      .poll(() => page.textContent('#press-search'))
      .toMatch(/tablet press TDP TDP-5 #WEB-TEST-0001 — Farmacia Web SA \(mx\), registered/);
    await open(page, 'nominations');
    await page.click('text=Nominate a subject');
    await page.fill('#nominate-form textarea >> nth=0', 'Joaquín Web Prueba Salas');
    await page.fill('#nominate-form input >> nth=0', '1980-02-03');
    await page.locator('#nominate-form fieldset input[type=checkbox]').first().check();
    await page.fill(
      '#nominate-form textarea >> nth=1',
      'Identified by two independent sources as the buyer of pill presses for a cartel cell in Tijuana; seized ledger names him as paymaster.',
    );
    await page.fill('#nominate-form input[placeholder^="e.g. C//LES"]', 'S//LES');
    await page.click('#nominate-form button[type=submit]');
    await expect
      .poll(() => page.textContent('main [role=alert]'))
      .toMatch(/marking: you may not write above your own access/);
    await page.fill('#nominate-form input[placeholder^="e.g. C//LES"]', 'C//LES');
    await page.click('#nominate-form button[type=submit]');
    await expect.poll(() => page.textContent('#nominate-done')).toMatch(/^Nomination \S+ filed \(\w+\)\.$/);
    await expect.poll(() => page.textContent('#nomination-list')).toContain('Joaquín Web Prueba Salas');
    await page.close();
    const sup = await signedIn('dea.sup');
    await open(sup.page, 'task-forces');
    await sup.page.fill('#tf-form input >> nth=0', 'Web Test Border Cell');
    await sup.page.fill('#tf-form input >> nth=1', 'Pill press interdiction on the Baja border');
    await sup.page.fill('#tf-form input >> nth=2', 'DEA');
    await sup.page.fill('#tf-form input >> nth=3', 'CBP, HSI');
    await sup.page.fill('#tf-form input >> nth=4', 'US-CA, MX-BCN');
    await sup.page.locator('#tf-form fieldset label', { hasText: 'pill presses' }).locator('input').check();
    await sup.page.click('#tf-form button[type=submit]');
    await expect.poll(() => sup.page.textContent('#task-force-list')).toMatch(/Web Test Border Cell/);
    await sup.page.close();
  });

  it('plans an operation in the deconfliction console and learns, pointer-only, of another agency operating there', async () => {
    const dea = await userWithToken(store, {
      username: 'dea.case',
      agency: 'DEA',
      clearance: 'S',
      roles: ['case_agent'],
    });
    const starts = new Date(Date.now() + 86_400_000);
    const ends = new Date(starts.getTime() + 4 * 3_600_000);
    const r = await postAs(app, '/operations', dea, {
      type: 'raid',
      title: 'SECRET TITLE do not show',
      location: { lat: 32.54, lon: -117.03, radiusM: 300 },
      startsAt: starts.toISOString(),
      endsAt: ends.toISOString(),
      contactName: 'SA Dana Whitfield',
      contactPhone: '+1 619 555 0142',
    });
    expect(r.statusCode).toBe(201);
    await createUser(store.db, {
      username: 'cbp.case',
      password: PASSWORD,
      agency: 'CBP',
      clearance: 'C',
      roles: ['case_agent'],
    });
    const { page } = await signedIn('cbp.case');
    await open(page, 'deconfliction');
    const local = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    const f = page.locator('#op-form');
    await f.locator('select').selectOption('buy_bust');
    await f.getByLabel('Title').fill('Controlled buy near San Ysidro');
    await f.getByLabel('Latitude').fill('32.5405');
    await f.getByLabel('Longitude').fill('-117.0302');
    await f.getByLabel('Starts').fill(local(new Date(starts.getTime() + 3_600_000)));
    await f.getByLabel('Ends').fill(local(new Date(starts.getTime() + 2 * 3_600_000)));
    await f.getByLabel('Contact').fill('CBPO Luis Ortega');
    await f.getByLabel('Phone').fill('+1 619 555 0199');
    await f.locator('button[type=submit]').click();
    await expect.poll(() => page.textContent('#deconf-result')).toMatch(/Operation accepted with conflict: 1 conflict/);
    await expect
      .poll(() => page.textContent('#op-conflicts'))
      .toMatch(
        /Controlled buy near San Ysidro .*Drug Enforcement Administration plans an operation.*SA Dana Whitfield, \+1 619 555 0142/,
      );
    expect(await page.textContent('main')).not.toContain('SECRET TITLE');
    await page.locator('#op-conflicts').getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => page.textContent('#op-conflicts')).toMatch(/acknowledged/);
    // A case with a target: the DEA case registered the same phone, so both sides learn of it.
    const deaCase = (
      await postAs(app, '/cases', dea, {
        caseNumber: 'DEA-SD-77',
        title: 'DEA secret case title',
        contactName: 'SA Dana Whitfield',
        contactPhone: '+1 619 555 0142',
      })
    ).json();
    expect(
      (
        await postAs(app, `/cases/${deaCase.id}/targets`, dea, {
          targets: [{ kind: 'phone', value: '+52 664 123 4567' }],
        })
      ).statusCode,
    ).toBe(201);
    const c = page.locator('#case-form');
    await c.getByLabel('Case number').fill('CBP-SD-12');
    await c.getByLabel('Title').fill('Tijuana phone shop');
    await c.getByLabel('Contact').fill('CBPO Luis Ortega');
    await c.getByLabel('Phone').fill('+1 619 555 0199');
    await c.locator('button[type=submit]').click();
    await expect.poll(() => page.textContent('#deconf-result')).toMatch(/Case CBP-SD-12 opened/);
    await page.locator('#target-form select >> nth=1').selectOption('phone');
    await page.locator('#target-form input').fill('+52 664 123 4567');
    await page.locator('#target-form button[type=submit]').click();
    await expect.poll(() => page.textContent('#deconf-result')).toMatch(/Registered; 1 conflict/);
    await expect
      .poll(() => page.textContent('#target-conflicts'))
      .toMatch(/CBP-SD-12.*phone.*Drug Enforcement Administration: contact SA Dana Whitfield/);
    expect(await page.textContent('main')).not.toContain('DEA secret case title');
    await page.screenshot({ path: 'test-output/web-deconfliction.png' });
    await page.close();
  });

  it('lists possible links for review, and a judgement takes the pair off the list', async () => {
    const { page } = await signedIn();
    await open(page, 'links');
    await page.waitForSelector('#link-list > li');
    const first = await page.textContent('#link-list > li');
    await page.locator('#link-list > li').first().getByRole('button', { name: 'Not the same' }).click();
    await expect.poll(async () => (await page.locator('#link-list > li').first().textContent()) !== first).toBe(true);
    const [rejected] = await store.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM possible_links WHERE status = 'rejected'",
    );
    expect(rejected!.n).toBe(1);
    await page.close();
  });

  it('lets a partner report a suspicious parcel and follow its status, and shows partners nothing else', async () => {
    await createUser(store.db, {
      username: 'carrier.desk',
      password: PASSWORD,
      agency: 'EXPRS',
      clearance: 'U',
      roles: ['partner'],
    });
    const { page } = await signedIn('carrier.desk');
    expect(await page.locator('#tabs a').allTextContents()).toEqual(['Screening', 'Report to agencies']);
    await open(page, 'partner');
    await page.fill('#r-summary', 'X-ray shows pressed blue tablets; declared as vitamins');
    await page.fill('#r-1', '7812 0045 9911');
    await page.fill('#r-3', 'vitamins');
    await page.click('#report button[type=submit]');
    await expect.poll(() => page.textContent('#report-done')).toMatch(/Received: reference PR-/);
    await expect.poll(() => page.textContent('#my-reports')).toMatch(/PR-[0-9A-F]+ shipment · received/);
    await page.close();
  });

  it('offers each user only what their roles allow, without asking the server for what it would refuse', async () => {
    const { page, failures } = await signedIn();
    await open(page, 'task-forces');
    await expect
      .poll(() => page.textContent('main'))
      .toMatch(/The duplication review is for supervisors and administrators/);
    expect(await page.locator('#tf-form').count()).toBe(0);
    await open(page, 'deconfliction');
    await page.waitForSelector('#target-conflicts');
    expect(await page.locator('#op-form, #case-form, #watch-center').count()).toBe(0);
    await open(page, 'nominations');
    await page.waitForSelector('#nomination-list');
    expect(await page.locator('#nomination-list button', { hasText: 'Accept' }).count()).toBe(0);
    expect(failures).toEqual([]);
    await page.close();
  });

  it('is usable from the keyboard, and a failed request says what went wrong', async () => {
    const { page } = await signedIn();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-view'))).toBe('search');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getAttribute('#tabs a[data-view=search]', 'aria-current')).toBe('page');
    await page.goto(`${url}/#/entity/no-such-entity`);
    await expect.poll(() => page.textContent('main [role=alert]')).toMatch(/no-such-entity/);
    await page.close();
  });
});

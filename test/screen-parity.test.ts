// The CLI and the API screen through the same functions (src/lists/screen.ts): for the
// same names and the same screener they give the same sanctions hits and the same
// watchlist pointers. The CLI is the real binary in its own process, on the same store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../src/store/store.js';
import { scratchPostgres } from '../src/store/scratch.js';
import { runChokepoint } from '../src/cli/spawn.js';
import { auth, postAs, server, userWithToken } from './helpers.js';

const url = process.env.DATABASE_URL;
const CSV = [
  'name,birthDate,nationality',
  '"ZAMBADA GARCIA, Ismael",1948,mx',
  'Zhang Wei,1979-05-02,',
  'Pablo Kowalski,,',
  '"   ",,', // no name: an error on line 5
  '张伟,,',
  'Caro Quintero Rafael,,mx',
].join('\n');

interface Row {
  line: number;
  name: string;
  hits: { list: string; id: string; score: number }[];
  watchlist: { result: string }[];
}
const comparable = (rows: Row[]) =>
  rows.map((r) => ({
    line: r.line,
    name: r.name,
    hits: r.hits.map((h) => ({ list: h.list, id: h.id, score: Math.round(h.score * 1000) / 1000 })),
    watchlist: r.watchlist.map((w) => w.result), // encounter references are new for every screening
  }));

for (const kind of ['pglite', ...(url ? ['postgres'] : [])]) {
  describe(`screening through the CLI and the API (${kind})`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-screen-'));
    let cliEnv: NodeJS.ProcessEnv;
    let dropDb = async (): Promise<void> => undefined;
    let api: {
      rows: Row[];
      errors: { line: number; error: string }[];
      single: { hits: { id: string }[]; watchlist: { result: string }[] };
    };

    beforeAll(async () => {
      let store: Store;
      if (kind === 'postgres') {
        const scratch = await scratchPostgres(url!);
        dropDb = scratch.drop;
        store = await Store.open({ url: scratch.url });
        cliEnv = { ...process.env, DATABASE_URL: scratch.url };
      } else {
        store = await Store.open({ url: '', dataDir: join(dir, 'db') });
        cliEnv = { ...process.env, DATABASE_URL: '' };
      }
      const app = await server(store);
      try {
        const nominator = await userWithToken(store, {
          username: 'dea.analyst',
          agency: 'DEA',
          clearance: 'S',
          roles: ['analyst'],
        });
        const reviewer = await userWithToken(store, {
          username: 'tsc.reviewer',
          agency: 'FBI',
          clearance: 'TS',
          roles: ['watchlist_reviewer'],
        });
        const screener = await userWithToken(store, {
          username: 'cbp.screener',
          agency: 'CBP',
          clearance: 'U',
          roles: ['screener'],
        });
        const n = await postAs(app, '/watchlist/nominations', nominator, {
          subjectKind: 'person',
          names: ['Zhang Wei', '张伟'],
          birthDates: ['1979-05-02'],
          nationalities: ['cn'],
          identifiers: [{ kind: 'passport', value: 'E12345678' }],
          usPerson: false,
          categories: ['precursor supply'],
          marking: 'S//NOFORN',
          basis:
            'Confidential source reporting places the subject as the broker of 4-AP shipments from Wuhan to Manzanillo.',
        });
        expect(n.statusCode, n.body).toBe(201);
        expect(
          (
            await postAs(app, `/watchlist/nominations/${n.json().id}/review`, reviewer, {
              decision: 'accept',
              note: 'Meets the criteria.',
            })
          ).json(),
        ).toEqual({ status: 'pending_deconfliction', casesAsked: 0 });
        // No open case to ask: the listing is active at once.
        expect(
          (await app.inject({ url: `/watchlist/nominations/${n.json().id}`, headers: auth(reviewer) })).json().status,
        ).toBe('active');
        const batch = await postAs(app, '/screen/batch', screener, { csv: CSV });
        expect(batch.statusCode, batch.body).toBe(200);
        const single = await app.inject({
          method: 'POST',
          url: '/screen',
          headers: auth(screener),
          payload: { name: 'Zhang Wei', birthDate: '1979-05-02' },
        });
        api = { rows: batch.json().results, errors: batch.json().errors, single: single.json() };
      } finally {
        await app.close();
        await store.close(); // the embedded database is one process's at a time
      }
    }, 120_000);
    afterAll(() => dropDb());

    it('gives the same hits and watchlist pointers for the same CSV', async () => {
      writeFileSync(join(dir, 'names.csv'), CSV);
      const r = await runChokepoint(
        [
          '--data',
          join(dir, 'db'),
          'screen',
          '--csv',
          join(dir, 'names.csv'),
          '--out',
          join(dir, 'out.jsonl'),
          '--as',
          'cbp.screener',
        ],
        cliEnv,
      );
      expect(r.status, r.stderr).toBe(0);
      const cli = readFileSync(join(dir, 'out.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Row);
      expect(comparable(cli)).toEqual(comparable(api.rows));
      // What the comparison covers: a sanctions hit, a watchlist pointer (by either script), a row with neither, an error.
      const byLine = new Map(comparable(cli).map((x) => [x.line, x]));
      expect(byLine.get(2)!.hits[0]).toMatchObject({ list: 'OFAC-SDN', id: 'ofac-7226' });
      expect(byLine.get(3)!.watchlist).toEqual(['possible match: contact the watchlist center']);
      expect(byLine.get(6)!.watchlist).toEqual(['possible match: contact the watchlist center']);
      expect(byLine.get(4)).toMatchObject({ hits: [], watchlist: [] });
      expect(api.errors.map((e) => e.line)).toEqual([5]);
      expect(r.stderr).toContain(`line 5: ${api.errors[0]!.error}`);
      expect(r.stdout).toMatch(/screened 5 of 6 rows .*: \d+ with hits, 2 with a watchlist pointer, 1 rejected/);
    }, 120_000);

    it('gives the same answer for one name', async () => {
      const r = await runChokepoint(
        ['--data', join(dir, 'db'), 'screen', 'Zhang Wei', '--dob', '1979-05-02', '--as', 'cbp.screener'],
        cliEnv,
      );
      expect(r.status, r.stderr).toBe(0);
      expect(api.single.watchlist.map((w) => w.result)).toEqual(['possible match: contact the watchlist center']);
      expect(r.stdout).toContain('WATCHLIST  possible match: contact the watchlist center');
      for (const h of api.single.hits) expect(r.stdout).toContain(h.id);
      expect(r.stdout.match(/^\d\.\d{3} {2}/gm) ?? []).toHaveLength(api.single.hits.length);
    }, 120_000);
  });
}

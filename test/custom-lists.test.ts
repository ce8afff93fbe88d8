// Lists users add to screening (src/lists/custom.ts, the commands in src/commands/lists.ts):
// read from five formats, refused with the file, line and field, stored so they survive a
// restart on PGlite and on PostgreSQL, replaced in one transaction with the change
// counted, and seen (and hit) only by readers who may read their marking.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auth, backends, memoryApiFor, postAs, userWithToken } from './helpers.js';
import { Store } from '../src/store/store.js';
import { scratchPostgres } from '../src/store/scratch.js';
import { createUser } from '../src/store/users.js';
import { SYSTEM } from '../src/store/write.js';
import type { Principal } from '../src/domain/users.js';
import { ValidationError } from '../src/domain/records.js';
import { readListFiles, type ListFile, type ListFormat } from '../src/lists/list-files.js';
import { customLists, customScreener, putList, removeList } from '../src/lists/custom.js';
import { runChokepoint } from '../src/cli/spawn.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/lists/${name}`, import.meta.url));
const reference = (p: string): string => fileURLToPath(new URL(`../reference/${p}`, import.meta.url));
const file = (path: string): ListFile => ({ name: path.replace(/^.*\//, ''), content: readFileSync(path, 'utf8') });
const ofacDir = (dir: string): ListFile[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .map((f) => file(join(dir, f)));
const PASSWORD = 'correct horse battery staple';

/** The errors a read refuses a file with. */
function refusal(format: ListFormat, files: ListFile[]): ValidationError['errors'] {
  try {
    readListFiles(format, files);
  } catch (e) {
    if (e instanceof ValidationError) return e.errors;
    throw e;
  }
  throw new Error('the file was read');
}

describe('reading a list in each format', () => {
  it('csv: names, aliases, weak aliases (shown, not matched), dates, countries and identifiers', () => {
    const r = readListFiles('csv', [file(fixture('watchlist.csv'))]);
    expect(r.entries).toHaveLength(4);
    expect(r.entries[0]).toEqual({
      id: 'W-1',
      kind: 'person',
      names: ['Rogelio Antúnez Quiroga', 'Roger Antunez', 'R. Antúnez Q.'],
      birthDates: ['1979-04-12'],
      countries: ['mx'],
      identifiers: ['passport:G48213377'],
      programs: ['PRECURSORS'],
      details: {
        name: 'Rogelio Antúnez Quiroga',
        weakAliases: ['El Químico'],
        notes: 'Brokers NPP shipments through Manzanillo',
      },
    });
    expect(r.entries.map((e) => [e.id, e.kind, e.countries])).toEqual([
      ['W-1', 'person', ['mx']],
      ['W-2', 'organization', ['mx']],
      ['W-3', 'person', ['cn']],
      ['W-4', 'vessel', ['mx']],
    ]);
    expect(r.entries[3]!.identifiers).toEqual(['imo:9569671']);
  });

  it('ftm: the screening schemata become entries; every other schema is counted as skipped', () => {
    const r = readListFiles('ftm', [file(fixture('eu.ftm.jsonl'))]);
    expect(r.entries.map((e) => [e.id, e.kind])).toEqual([
      ['eu-fsf-1', 'person'],
      ['eu-fsf-2', 'organization'],
      ['eu-fsf-3', 'vessel'],
      ['eu-fsf-4', 'aircraft'],
      ['eu-fsf-5', 'organization'],
    ]);
    expect(r.skipped).toEqual({ Sanction: 2, Address: 1 });
    const person = r.entries[0]!;
    expect(person.names).toEqual(['Aurelio Benítez Carranza', 'Aurelio Benitez']);
    expect(person.names).not.toContain('El Güero');
    expect(person.details).toMatchObject({ weakAliases: ['El Güero'], gender: 'male', schema: 'Person' });
    expect(person).toMatchObject({ birthDates: ['1968-02-29'], countries: ['mx'], identifiers: ['passport:M0192837'] });
    expect(r.entries[2]!.identifiers).toEqual(['imo:9569671']);
    expect(r.entries[4]!.names).toEqual(['Cartel del Golfo Norte', 'Golfo Norte']);
  });

  it("ofac-xml, ofac-csv and un-xml: the publishers' files, read by the shipped lists' loaders", () => {
    const xml = readListFiles('ofac-xml', [file(fixture('SDN.XML'))]);
    expect(xml.publishDate).toBe('2024-05-03');
    expect(xml.entries.map((e) => e.id)).toEqual(['ofac-7226', 'ofac-15117', 'ofac-15904', 'ofac-4238']);
    const sdn = readListFiles('ofac-csv', ofacDir(reference('ofac')));
    expect(sdn.entries).toHaveLength(14965);
    const nonSdn = readListFiles('ofac-csv', ofacDir(reference('ofac/nonsdn')));
    expect(nonSdn.entries).toHaveLength(442);
    expect(nonSdn.entries[0]!.id).toMatch(/^ofac-nonsdn-/);
    const un = readListFiles('un-xml', [file(reference('un/UN_consolidated.xml'))]);
    expect(un.entries).toHaveLength(1003);
    expect(un.publishDate).toBe('2026-02-27');
  });

  it('refuses bad input with the file, the line and the field', () => {
    expect(refusal('csv', [file(fixture('bad.csv'))])).toEqual([
      { file: 'bad.csv', line: 3, path: 'kind', message: expect.stringContaining('"company" is none of person') },
      {
        file: 'bad.csv',
        line: 4,
        path: 'birthDate',
        message: expect.stringContaining('"12 April 1984" is not a date'),
      },
      { file: 'bad.csv', line: 5, path: 'name', message: 'missing: every entry needs a name' },
      { file: 'bad.csv', line: 6, path: 'country', message: expect.stringContaining('"Atlantis" is not a country') },
      {
        file: 'bad.csv',
        line: 6,
        path: 'identifiers',
        message: expect.stringContaining('"tail:XA-123" is not kind:value'),
      },
    ]);
    expect(refusal('ftm', [file(fixture('bad.ftm.jsonl'))])).toEqual([
      { file: 'bad.ftm.jsonl', line: 2, path: '(line)', message: expect.stringMatching(/^not a JSON entity/) },
      { file: 'bad.ftm.jsonl', line: 3, path: 'properties.name', message: 'missing: a Company needs a name' },
      { file: 'bad.ftm.jsonl', line: 4, path: 'properties.birthDate', message: expect.stringContaining('not a date') },
      { file: 'bad.ftm.jsonl', line: 5, path: 'properties.name', message: 'must be a list of strings' },
    ]);
    const noName =
      '36,"AEROCARIBBEAN AIRLINES",-0-,"CUBA",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0- \r\n37,"",-0-,"CUBA",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0- \r\n';
    expect(refusal('ofac-csv', [{ name: 'sdn.csv', content: noName }])).toEqual([
      { file: 'sdn.csv', line: 2, path: 'name', message: 'an entry with no name; the file is damaged' },
    ]);
    const cut = readFileSync(fixture('SDN.XML'), 'utf8').slice(0, 2500);
    expect(refusal('ofac-xml', [{ name: 'SDN.XML', content: cut }])).toEqual([
      {
        file: 'SDN.XML',
        line: expect.any(Number),
        path: '(file)',
        message: expect.stringMatching(/^Record_Count says 4 entries, \d read; the XML breaks off/),
      },
    ]);
    expect(refusal('ofac-csv', [{ name: 'notes.txt', content: 'x' }])[0]).toMatchObject({
      file: 'notes.txt',
      message: expect.stringContaining("not one of OFAC's legacy CSV files"),
    });
    expect(refusal('csv', [{ name: 'w.csv', content: 'name,age\nAna,3\n' }])).toEqual([
      { file: 'w.csv', line: 1, path: 'age', message: expect.stringContaining('unknown column') },
    ]);
    expect(
      refusal('ftm', [{ name: 'only.jsonl', content: '{"id":"s1","schema":"Sanction","properties":{}}\n' }]),
    ).toEqual([{ path: '(file)', message: 'no entries to screen against (skipped: 1 Sanction)' }]);
  });
});

/** The hits (list/id) `me` gets for a name, on the lists named (all by default). */
const hitsOf = async (store: Store, me: Principal, name: string, lists?: string[]) =>
  (await customScreener(store.db, me))
    .screen({ name }, { threshold: 0.3, limit: 10 })
    .filter((h) => !lists || lists.includes(h.entry.list))
    .map((h) => `${h.entry.list}/${h.entry.id}`)
    .sort();

for (const backend of backends) {
  describe(`stored lists (${backend.name})`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let sup: Principal;
    let deaAnalyst: Principal;
    let cbp: Principal;
    beforeAll(async () => {
      ({ store, drop } = await backend.open());
      const user = (
        username: string,
        agency: string,
        roles: Principal['roles'],
        clearance: Principal['clearance'] = 'S',
      ) => createUser(store.db, { username, agency, clearance, roles, password: PASSWORD });
      sup = await user('dea.sup', 'DEA', ['supervisor']);
      deaAnalyst = await user('dea.analyst', 'DEA', ['analyst'], 'U');
      cbp = await user('cbp.analyst', 'CBP', ['analyst'], 'TS');
    });
    afterAll(() => drop());

    it('replaces a list in one step and says what changed; the same files again change nothing', async () => {
      const first = await putList(
        store,
        sup,
        { name: 'DEA-WATCH', format: 'csv', files: [file(fixture('watchlist.csv'))] },
        'add',
      );
      expect(first).toMatchObject({ outcome: 'added', added: 4, removed: 0, changed: 0, unchanged: 0 });
      expect(first.note).toMatch(/^Earlier screening results were not re-run/);
      expect(first.list).toMatchObject({
        list: 'DEA-WATCH',
        custom: true,
        format: 'csv',
        entries: 4,
        byKind: { person: 2, organization: 1, vessel: 1 },
        marking: 'UNCLASSIFIED//ORCON//OWNER DEA',
      });
      const again = await putList(
        store,
        sup,
        { name: 'DEA-WATCH', format: 'csv', files: [file(fixture('watchlist.csv'))] },
        'add',
      );
      expect(again).toMatchObject({ outcome: 'unchanged', added: 0, removed: 0, changed: 0, unchanged: 4 });
      expect(again.note).toMatch(/already stored with these files and this marking: nothing changed/);
      expect(again.list.updatedAt).toBe(first.list.updatedAt);
      // v2: W-3 gone, W-2 has a new alias, W-5 new.
      const v2 = await putList(
        store,
        sup,
        { name: 'DEA-WATCH', format: 'csv', files: [file(fixture('watchlist-v2.csv'))] },
        'update',
      );
      expect(v2).toMatchObject({ outcome: 'replaced', added: 1, removed: 1, changed: 1, unchanged: 2 });
      expect(v2.list.addedAt).toBe(first.list.addedAt);
      expect(await hitsOf(store, sup, 'Hao Zhenyu')).toEqual([]);
      expect(await hitsOf(store, sup, 'Dalia Ferreira Ocampo')).toEqual(['DEA-WATCH/W-5']);
      expect(await hitsOf(store, sup, 'Lirio Azul Express')).toEqual(['DEA-WATCH/W-2']);
    });

    it('a failing replacement leaves the old list whole, in the store and in screening', async () => {
      await putList(store, sup, { name: 'ATOMIC', format: 'csv', files: [file(fixture('watchlist.csv'))] }, 'add');
      expect(await hitsOf(store, sup, 'Hao Zhenyu', ['ATOMIC'])).toEqual(['ATOMIC/W-3']);
      // A real failure inside the transaction, after the old revision was deleted and some new entries written.
      await store.db.exec(`
        CREATE FUNCTION fail_w5() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN IF NEW.entry_id = 'W-5' THEN RAISE EXCEPTION 'the disk gave out'; END IF; RETURN NEW; END $$;
        CREATE TRIGGER fail_w5 BEFORE INSERT ON screening_list_entries FOR EACH ROW EXECUTE FUNCTION fail_w5();`);
      try {
        await expect(
          putList(store, sup, { name: 'ATOMIC', format: 'csv', files: [file(fixture('watchlist-v2.csv'))] }, 'add'),
        ).rejects.toThrow(/the disk gave out/);
      } finally {
        await store.db.exec('DROP TRIGGER fail_w5 ON screening_list_entries; DROP FUNCTION fail_w5();');
      }
      const [atomic] = (await customLists(store.db, sup)).filter((l) => l.list === 'ATOMIC');
      expect(atomic).toMatchObject({ entries: 4 });
      const stored = await store.db.query<{ entry_id: string }>(
        "SELECT entry_id FROM screening_list_entries e JOIN screening_lists l ON l.id = e.list_id WHERE l.name = 'ATOMIC' ORDER BY 1",
      );
      expect(stored.map((r) => r.entry_id)).toEqual(['W-1', 'W-2', 'W-3', 'W-4']);
      expect(await hitsOf(store, sup, 'Hao Zhenyu', ['ATOMIC'])).toEqual(['ATOMIC/W-3']);
      expect(await hitsOf(store, sup, 'Dalia Ferreira Ocampo', ['ATOMIC'])).toEqual([]);
      // A bad file is refused before anything is written.
      await expect(
        putList(store, sup, { name: 'ATOMIC', format: 'csv', files: [file(fixture('bad.csv'))] }, 'add'),
      ).rejects.toThrow(ValidationError);
      expect((await customLists(store.db, sup)).find((l) => l.list === 'ATOMIC')?.updatedAt).toBe(atomic!.updatedAt);
    });

    it('readers see one revision whole while it is replaced', async () => {
      await putList(store, sup, { name: 'SWAP', format: 'csv', files: [file(fixture('watchlist.csv'))] }, 'add');
      const v = [fixture('watchlist.csv'), fixture('watchlist-v2.csv')];
      const writes = [1, 0, 1].map((i) =>
        putList(store, sup, { name: 'SWAP', format: 'csv', files: [file(v[i]!)] }, 'add'),
      );
      const seen = await Promise.all(
        Array.from({ length: 12 }, async () => {
          const s = await customScreener(store.db, sup);
          const q = (name: string) =>
            s.screen({ name }, { threshold: 0.3, limit: 5 }).some((h) => h.entry.list === 'SWAP');
          return [q('Hao Zhenyu'), q('Dalia Ferreira Ocampo')];
        }),
      );
      await Promise.all(writes);
      // The old revision has W-3 (Hao Zhenyu), the new one W-5 (Dalia Ferreira Ocampo): never both, never neither.
      for (const [old, neu] of seen) expect(old !== neu).toBe(true);
    });

    it('the list and its marking decide who sees it and who gets hits from it', async () => {
      await putList(store, sup, { name: 'DEA-ONLY', format: 'ftm', files: [file(fixture('eu.ftm.jsonl'))] }, 'add');
      // The default marking is the agency's own: a DEA analyst cleared only for U reads it; a TS CBP analyst does not.
      expect(await hitsOf(store, deaAnalyst, 'Aurelio Benitez Carranza')).toEqual(['DEA-ONLY/eu-fsf-1']);
      expect(await hitsOf(store, cbp, 'Aurelio Benitez Carranza')).toEqual([]);
      expect((await customLists(store.db, cbp)).map((l) => l.list)).not.toContain('DEA-ONLY');
      expect((await customLists(store.db, deaAnalyst)).map((l) => l.list)).toContain('DEA-ONLY');
      // Weak aliases are shown with a hit, never matched.
      expect(await hitsOf(store, sup, 'El Güero')).toEqual([]);
      // A marking above the reader's clearance hides it from them too.
      await putList(
        store,
        sup,
        { name: 'DEA-SECRET', format: 'csv', files: [file(fixture('watchlist.csv'))], marking: 'S//NOFORN' },
        'add',
      );
      expect(await hitsOf(store, deaAnalyst, 'Rogelio Antunez Quiroga', ['DEA-WATCH', 'DEA-SECRET'])).toEqual([
        'DEA-WATCH/W-1',
      ]);
      expect(await hitsOf(store, sup, 'Rogelio Antunez Quiroga', ['DEA-WATCH', 'DEA-SECRET'])).toEqual([
        'DEA-SECRET/W-1',
        'DEA-WATCH/W-1',
      ]);
      // No write-up, and a supervisor marks only their own agency's lists.
      await expect(
        putList(
          store,
          sup,
          { name: 'X', format: 'csv', files: [file(fixture('watchlist.csv'))], marking: 'TS' },
          'add',
        ),
      ).rejects.toThrow(/above your own access/);
      await expect(
        putList(
          store,
          sup,
          { name: 'X', format: 'csv', files: [file(fixture('watchlist.csv'))], marking: 'U//OWNER CBP' },
          'add',
        ),
      ).rejects.toThrow(/only mark a list as owned by your agency/);
    });

    it('a name held by a list the writer cannot read neither replaces it nor tells of it', async () => {
      const cbpSup = await createUser(store.db, {
        username: 'cbp.sup',
        agency: 'CBP',
        clearance: 'S',
        roles: ['supervisor'],
        password: PASSWORD,
      });
      const mine = await putList(
        store,
        cbpSup,
        { name: 'DEA-ONLY', format: 'csv', files: [file(fixture('watchlist.csv'))] },
        'add',
      );
      expect(mine).toMatchObject({ outcome: 'added', added: 4 });
      expect(await hitsOf(store, sup, 'Aurelio Benitez Carranza', ['DEA-ONLY'])).toEqual(['DEA-ONLY/eu-fsf-1']);
      expect(await hitsOf(store, cbpSup, 'Rogelio Antunez Quiroga', ['DEA-ONLY'])).toEqual(['DEA-ONLY/W-1']);
      await expect(
        putList(store, cbpSup, { name: 'DEA-WATCH', format: 'csv', files: [file(fixture('watchlist.csv'))] }, 'update'),
      ).rejects.toThrow('no list DEA-WATCH');
      expect(await removeList(store, cbpSup, 'DEA-ONLY')).toMatchObject({ removed: 'DEA-ONLY', entries: 4 });
      await expect(removeList(store, cbpSup, 'DEA-ONLY')).rejects.toThrow('no list DEA-ONLY');
      expect((await customLists(store.db, sup)).find((l) => l.list === 'DEA-ONLY')).toMatchObject({ entries: 5 });
    });

    it('a list may not take the name of a shipped one', async () => {
      await expect(
        putList(
          store,
          SYSTEM,
          { name: 'ofac-sdn', format: 'csv', files: [file(fixture('watchlist.csv'))], marking: 'U' },
          'add',
        ),
      ).rejects.toThrow(/shipped with Chokepoint/);
    });
  });
}

describe('lists survive a restart', () => {
  const dirs = [
    { name: 'pglite', url: '' },
    ...(process.env.DATABASE_URL ? [{ name: 'postgres', url: 'scratch' }] : []),
  ];
  for (const d of dirs)
    it(`on ${d.name}`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'cp-lists-restart-'));
      const scratch = d.url ? await scratchPostgres(process.env.DATABASE_URL!) : undefined;
      const open = () => Store.open({ url: scratch?.url ?? '', dataDir });
      try {
        let store = await open();
        await putList(
          store,
          SYSTEM,
          { name: 'EU-FSF', format: 'ftm', files: [file(fixture('eu.ftm.jsonl'))], marking: 'U' },
          'add',
        );
        await store.close();
        store = await open();
        expect((await customLists(store.db, SYSTEM)).map((l) => [l.list, l.entries])).toEqual([['EU-FSF', 5]]);
        expect(await hitsOf(store, SYSTEM, 'Quimica Delta Orion')).toEqual(['EU-FSF/eu-fsf-2']);
        await store.close();
      } finally {
        await scratch?.drop();
      }
    }, 60_000);
});

describe('lists through the API', () => {
  const ctx = memoryApiFor({ username: 'hsi.sup', agency: 'HSI', clearance: 'S', roles: ['supervisor'] });
  let analyst: string;
  let other: string;
  beforeAll(async () => {
    analyst = await userWithToken(ctx.store, {
      username: 'hsi.analyst',
      agency: 'HSI',
      clearance: 'U',
      roles: ['analyst'],
    });
    other = await userWithToken(ctx.store, { username: 'dea.x', agency: 'DEA', clearance: 'TS', roles: ['analyst'] });
  });
  const body = { name: 'HSI-WATCH', format: 'csv', files: [file(fixture('watchlist.csv'))] };

  it('adds, lists, screens (one name and a batch), replaces and removes a list', async () => {
    expect((await postAs(ctx.app, '/screen/lists', analyst, body)).statusCode).toBe(403);
    const added = await postAs(ctx.app, '/screen/lists', ctx.token, body);
    expect(added.statusCode, added.body).toBe(200);
    expect(added.json()).toMatchObject({
      outcome: 'added',
      added: 4,
      list: { list: 'HSI-WATCH', marking: 'UNCLASSIFIED//ORCON//OWNER HSI' },
    });
    const lists = (await ctx.app.inject({ url: '/screen/lists', headers: auth(analyst) })).json();
    expect(lists.map((l: { list: string }) => l.list)).toEqual(['OFAC-SDN', 'OFAC-NON-SDN', 'UN-SC', 'HSI-WATCH']);
    const seenByDea = (await ctx.app.inject({ url: '/screen/lists', headers: auth(other) })).json();
    expect(seenByDea.map((l: { list: string }) => l.list)).toEqual(['OFAC-SDN', 'OFAC-NON-SDN', 'UN-SC']);

    const screened = (
      await postAs(ctx.app, '/screen', analyst, { name: 'Rogelio Antunez Quiroga', birthDate: '1979' })
    ).json();
    expect(screened.hits[0]).toMatchObject({ list: 'HSI-WATCH', id: 'W-1', marking: 'UNCLASSIFIED//ORCON//OWNER HSI' });
    expect(screened.hits[0].details.weakAliases).toEqual(['El Químico']);
    expect(screened.lists.map((l: { list: string }) => l.list)).toContain('HSI-WATCH');
    const hidden = (
      await postAs(ctx.app, '/screen', other, { name: 'Rogelio Antunez Quiroga', birthDate: '1979' })
    ).json();
    expect(hidden.hits.filter((h: { list: string }) => h.list === 'HSI-WATCH')).toEqual([]);
    expect(JSON.stringify(hidden)).not.toContain('HSI-WATCH');
    const batch = (
      await postAs(ctx.app, '/screen/batch', analyst, { csv: 'name\nHao Zhenyu\nNobody Here At All\n' })
    ).json();
    expect(batch.results[0].hits[0]).toMatchObject({ list: 'HSI-WATCH', id: 'W-3' });
    // The CSV of the batch quotes the list too: each of its hits' rows carries the list's marking.
    const csv = await ctx.app.inject({
      method: 'POST',
      url: '/screen/batch?format=csv',
      headers: auth(analyst),
      payload: { csv: 'name\nHao Zhenyu\n' },
    });
    const hitRow = csv.body.split('\r\n').find((l) => l.includes(',hit,HSI-WATCH,'));
    expect(hitRow, csv.body).toMatch(/,W-3,UNCLASSIFIED\/\/ORCON\/\/OWNER HSI$/);

    const bad = await postAs(ctx.app, '/screen/lists', ctx.token, { ...body, files: [file(fixture('bad.csv'))] });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0]).toEqual({ file: 'bad.csv', line: 3, path: 'kind', message: expect.any(String) });
    const put = await ctx.app.inject({
      method: 'PUT',
      url: '/screen/lists/HSI-WATCH',
      headers: auth(ctx.token),
      payload: { format: 'csv', files: [file(fixture('watchlist-v2.csv'))] },
    });
    expect(put.json()).toMatchObject({ outcome: 'replaced', added: 1, removed: 1, changed: 1 });
    const del = await ctx.app.inject({ method: 'DELETE', url: '/screen/lists/HSI-WATCH', headers: auth(ctx.token) });
    expect(del.json()).toMatchObject({ removed: 'HSI-WATCH', entries: 4 });
    const again = await ctx.app.inject({ method: 'DELETE', url: '/screen/lists/HSI-WATCH', headers: auth(ctx.token) });
    expect(again.statusCode).toBe(404);
  }, 60_000);
});

describe('lists on the command line', () => {
  const data = mkdtempSync(join(tmpdir(), 'cp-cli-lists-'));
  const cli = (...args: string[]) =>
    runChokepoint(['--data', join(data, 'db'), ...args], { ...process.env, DATABASE_URL: '' });

  it('adds a directory of OFAC files and a CSV, lists them, screens against them, and refuses a bad file', async () => {
    const store = await Store.open({ url: '', dataDir: join(data, 'db') });
    await createUser(store.db, {
      username: 'dea.sup',
      agency: 'DEA',
      clearance: 'S',
      roles: ['supervisor'],
      password: PASSWORD,
    });
    await store.close();
    const add = await cli(
      'lists',
      'add',
      fixture('watchlist.csv'),
      '--format',
      'csv',
      '--name',
      'DEA-WATCH',
      '--as',
      'dea.sup',
    );
    expect(add.status, add.stderr).toBe(0);
    expect(add.stdout).toMatch(
      /^added DEA-WATCH: 4 entries \(2 person, 1 organization, 1 vessel\), marked UNCLASSIFIED\/\/ORCON\/\/OWNER DEA/,
    );
    expect(add.stdout).toMatch(/Earlier screening results were not re-run/);
    const dir = await cli(
      'lists',
      'add',
      reference('ofac/nonsdn'),
      '--format',
      'ofac-csv',
      '--name',
      'NONSDN-COPY',
      '--marking',
      'U',
      '--as',
      'dea.sup',
    );
    expect(dir.status, dir.stderr).toBe(0);
    expect(dir.stdout).toMatch(/added NONSDN-COPY: 442 entries/);
    const bad = await cli(
      'lists',
      'add',
      fixture('bad.csv'),
      '--format',
      'csv',
      '--name',
      'DEA-WATCH',
      '--as',
      'dea.sup',
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/rejected, nothing written: 5 problem/);
    expect(bad.stderr).toContain('bad.csv:line 3: kind:');
    const list = await cli('lists', 'list', '--as', 'dea.sup');
    expect(list.stdout).toMatch(
      /DEA-WATCH {2}DEA-WATCH: 4 entries, published unknown, added \S+, marked UNCLASSIFIED\/\/ORCON\/\/OWNER DEA/,
    );
    const screen = await cli('screen', 'Rogelio Antunez Quiroga', '--as', 'dea.sup');
    expect(screen.status, screen.stderr).toBe(0);
    expect(screen.stdout).toMatch(/DEA-WATCH W-1 {2}Rogelio Antúnez Quiroga/);
    const removed = await cli('lists', 'remove', 'DEA-WATCH', '--as', 'dea.sup');
    expect(removed.stdout).toMatch(/removed DEA-WATCH/);
  }, 120_000);
});

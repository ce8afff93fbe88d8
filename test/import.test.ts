import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backends } from './helpers.js';
import type { Store } from '../src/store/store.js';
import { importRecords } from '../src/ingest/importer.js';
import { readChokepointJson, readCsv, readFtm, validateMapping } from '../src/ingest/readers.js';
import { importCbpCsv } from '../src/ingest/cbp.js';
import { exportFtm } from '../src/ingest/export.js';
import { ValidationError, parseRecord } from '../src/ingest/record-input.js';
import { SYSTEM } from '../src/store/write.js';
import { createUser } from '../src/store/users.js';

const dir = mkdtempSync(join(tmpdir(), 'cp-import-'));
const file = (name: string, content: string): string => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

const report = (id: string, name: string, extra: Record<string, unknown> = {}) => ({
  sourceRecordId: id,
  kind: 'intelligence',
  reportDate: '2026-03-01',
  grade: 'B2',
  marking: 'U//LES',
  criminalBasis: 'Subject distributes counterfeit fentanyl pills (21 U.S.C. 841).',
  sensitivity: 'sensitive',
  confidence: 'medium',
  entities: [
    {
      id: `${id}-p`,
      schema: 'Person',
      properties: { name: [name], birthDate: ['1985-04-02'], phone: ['+52 667 123 4567'] },
    },
    {
      id: `${id}-c`,
      schema: 'Company',
      properties: { name: ['Comercializadora Costa Azul S.A. de C.V.'], country: ['mx'] },
    },
    { id: `${id}-d`, schema: 'Directorship', properties: { director: [`${id}-p`], organization: [`${id}-c`] } },
  ],
  ...extra,
});

// CBP's real published rows, kept in the team's shared data beside the repository (not copied in: the
// repository keeps no test data files). Re-written by R: three quantities are in scientific notation.
const REAL_CBP = fileURLToPath(new URL('../reference/cbp/howard-xuan-fentanylfy19fy23.csv', import.meta.url));

const count = async (store: Store, table: string): Promise<number> =>
  (await store.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;

for (const backend of backends) {
  describe(`ingestion (${backend.name})`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    beforeAll(async () => ({ store, drop } = await backend.open()));
    afterAll(async () => drop());

    const importJson = (path: string, mode: 'atomic' | 'skip' = 'atomic') =>
      importRecords(store, SYSTEM, () => readChokepointJson({ path }, { source: 'DEA' }), { origin: path, mode });

    it('imports a Chokepoint JSON file, and re-importing it changes nothing', async () => {
      const p = file(
        'dea.json',
        JSON.stringify({ source: 'DEA', records: [report('DEA-1', 'José García'), report('DEA-2', 'Wang Wei')] }),
      );
      const first = await importJson(p);
      expect(first).toMatchObject({ read: 2, inserted: 2, updated: 0, unchanged: 0, entities: 6 });
      const before = {
        s: await count(store, 'statements'),
        r: await count(store, 'records'),
        e: await count(store, 'entities'),
      };
      const again = await importJson(p);
      expect(again).toMatchObject({ read: 2, inserted: 0, updated: 0, unchanged: 2, statements: 0 });
      expect({
        s: await count(store, 'statements'),
        r: await count(store, 'records'),
        e: await count(store, 'entities'),
      }).toEqual(before);
    });

    it('replaces what a record said when the source sends a corrected version', async () => {
      const p = file('dea-v2.json', JSON.stringify({ source: 'DEA', records: [report('DEA-1', 'José Luis García')] }));
      expect(await importJson(p)).toMatchObject({ updated: 1, inserted: 0 });
      const names = await store.db.query<{ value: string }>(
        "SELECT value FROM statements WHERE entity_id = 'DEA-1-p' AND prop = 'name'",
      );
      expect(names.map((n) => n.value)).toEqual(['José Luis García']);
    });

    it('rejects a malformed batch whole, naming file, line and field, and writes nothing', async () => {
      const before = await count(store, 'statements');
      const p = file(
        'bad.jsonl',
        [
          JSON.stringify(report('DEA-10', 'Ana López')),
          JSON.stringify(
            report('DEA-11', 'Luis Pérez', {
              entities: [{ id: 'x1', schema: 'Person', properties: { birthDate: ['1985-13-40'] } }],
            }),
          ),
          '{ not json',
          JSON.stringify(report('DEA-12', 'Rosa Ochoa', { marking: 'SECRET//NOFORN//REL TO MEX' })),
        ].join('\n'),
      );
      const err = await importJson(p).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      const errors = (err as ValidationError).errors;
      expect(errors).toContainEqual(
        expect.objectContaining({
          file: p,
          line: 2,
          path: 'record.entities[0].properties.birthDate[0]',
          message: expect.stringMatching(/month 13/),
        }),
      );
      expect(errors).toContainEqual(
        expect.objectContaining({ file: p, line: 3, message: expect.stringMatching(/malformed JSON/) }),
      );
      expect(errors).toContainEqual(
        expect.objectContaining({
          line: 4,
          path: 'record.marking',
          message: expect.stringMatching(/NOFORN and REL TO/),
        }),
      );
      expect(await count(store, 'statements')).toBe(before);
      expect(await count(store, 'records')).toBe(2);
    });

    it('in skip mode writes the valid records and reports the rejected ones', async () => {
      const p = file(
        'mixed.jsonl',
        [
          JSON.stringify(report('DEA-20', 'Ana López')),
          JSON.stringify({ sourceRecordId: 'DEA-21', marking: 'U', entities: [] }),
        ].join('\n'),
      );
      const r = await importJson(p, 'skip');
      expect(r).toMatchObject({ read: 2, inserted: 1, rejected: 1 });
      expect(r.errors[0]).toMatchObject({ line: 2, path: 'record.entities' });
    });

    it('keeps a reference to an entity the file does not hold (FtM allows it), as an entity with no values', async () => {
      const p = file(
        'dangling.json',
        JSON.stringify([
          report('DEA-30', 'Ana'),
          {
            ...report('DEA-31', 'Luis'),
            entities: [{ id: 'own-1', schema: 'Ownership', properties: { owner: ['DEA-30-p'], asset: ['nowhere'] } }],
          },
        ]),
      );
      const r = await importJson(p);
      expect(r).toMatchObject({ inserted: 2, references: 1 });
      const [own] = await store.db.query<{ value: string }>(
        "SELECT value FROM statements WHERE entity_id = 'own-1' AND prop = 'asset'",
      );
      expect(own?.value).toBe('nowhere');
      // Present in the referring record, under the reference's marking, with the property's range as schema.
      const stub = await store.db.query<{ schema: string; n: number }>(
        `SELECT e.schema, (SELECT count(*) FROM statements s WHERE s.entity_id = e.id)::int AS n
           FROM entities e JOIN presence p ON p.entity_id = e.id WHERE e.id = 'nowhere'`,
      );
      expect(stub).toEqual([{ schema: 'Asset', n: 0 }]);
      // Defined later, the entity takes the more specific schema, and the reference holds.
      const later = file(
        'defined.json',
        JSON.stringify([
          {
            ...report('DEA-32', 'x'),
            entities: [{ id: 'nowhere', schema: 'Company', properties: { name: ['Nowhere SA'] } }],
          },
        ]),
      );
      expect(await importJson(later)).toMatchObject({ inserted: 1 });
      const [e] = await store.db.query<{ schema: string }>("SELECT schema FROM entities WHERE id = 'nowhere'");
      expect(e?.schema).toBe('Company');
    });

    it('accepts references to entities defined later in the same file', async () => {
      const p = file(
        'forward.json',
        JSON.stringify([
          {
            sourceRecordId: 'DEA-40',
            marking: 'U//LES',
            entities: [{ id: 'own-40', schema: 'Ownership', properties: { owner: ['p-41'], asset: ['c-41'] } }],
          },
          {
            sourceRecordId: 'DEA-41',
            marking: 'U//LES',
            entities: [
              { id: 'p-41', schema: 'Person', properties: { name: ['Ana'] } },
              { id: 'c-41', schema: 'Company', properties: { name: ['Acme'] } },
            ],
          },
        ]),
      );
      expect(await importJson(p)).toMatchObject({ inserted: 2 });
    });

    it('enforces 28 CFR Part 23: criminal basis, labels, no protected views without a criminal nexus, five-year review', () => {
      const today = new Date('2026-11-23');
      const noBasis = parseRecord(
        { ...report('X', 'Ana'), criminalBasis: undefined, sensitivity: undefined },
        { source: 'DEA', today },
      );
      expect(noBasis.errors.map((e) => e.path)).toEqual(['record.criminalBasis', 'record.sensitivity']);
      const views = parseRecord(
        {
          ...report('Y', 'Ana'),
          entities: [{ id: 'y', schema: 'Person', properties: { name: ['Ana'], religion: ['x'] } }],
        },
        { source: 'DEA', today },
      );
      expect(views.errors[0]?.message).toMatch(/28 CFR 23.20\(b\)/);
      const withNexus = parseRecord(
        {
          ...report('Y', 'Ana'),
          protectedNexus: 'Membership of the group is the vehicle of the conspiracy charged.',
          entities: [{ id: 'y', schema: 'Person', properties: { name: ['Ana'], political: ['x'] } }],
        },
        { source: 'DEA', today },
      );
      expect(withNexus.errors).toEqual([]);
      expect(
        parseRecord({ ...report('Z', 'Ana'), reviewBy: '2032-01-01' }, { source: 'DEA', today }).errors[0]?.message,
      ).toMatch(/at most 5 years/);
      expect(parseRecord(report('Z', 'Ana'), { source: 'DEA', today }).record?.reviewBy).toBe('2031-11-23');
    });

    it('round-trips FollowTheMoney entity streams', async () => {
      const ftm = [
        {
          id: 'ftm-p1',
          schema: 'Person',
          properties: { name: ['Zhang Wei'], nationality: ['cn'], birthDate: ['1979'] },
        },
        {
          id: 'ftm-c1',
          schema: 'Company',
          properties: { name: ['Hubei Kangda Chemical Co., Ltd.'], jurisdiction: ['cn'] },
        },
        { id: 'ftm-o1', schema: 'Ownership', properties: { owner: ['ftm-p1'], asset: ['ftm-c1'], percentage: ['60'] } },
      ];
      const p = file('entities.ftm.json', ftm.map((e) => JSON.stringify(e)).join('\n'));
      const r = await importRecords(
        store,
        SYSTEM,
        () => readFtm({ path: p }, { source: 'OFAC', marking: 'U', kind: 'public' }),
        { origin: p },
      );
      expect(r).toMatchObject({ inserted: 3, rejected: 0 });
      const reader = await createUser(store.db, {
        username: 'ftm.reader',
        password: 'correct horse battery staple',
        agency: 'OFAC',
        clearance: 'U',
        roles: ['analyst'],
      });
      const out = [];
      for await (const e of exportFtm(store, reader, { purpose: 'round-trip test' })) out.push(e);
      expect(out).toEqual(expect.arrayContaining(ftm));
      expect(out).toHaveLength(3); // the OFAC reader (not law enforcement) sees none of the LES data
    });

    it('imports CSV through a mapping, deriving stable ids so re-import is idempotent', async () => {
      const csv = file(
        'seizures.csv',
        'case_no,seized_on,driver,dob,plate\nAZ-1,2025-06-01,Juan Pérez,1990-01-02,ABC123D\nAZ-2,2025-06-09,Rosa Meza,,XYZ987A\n',
      );
      const mapping = validateMapping({
        recordId: ['case_no'],
        entities: {
          driver: {
            schema: 'Person',
            keys: ['driver', 'dob'],
            properties: { name: { column: 'driver' }, birthDate: { column: 'dob' } },
          },
          car: { schema: 'Vehicle', keys: ['plate'], properties: { registrationNumber: { column: 'plate' } } },
          seizure: {
            schema: 'Seizure',
            keys: ['case_no'],
            properties: {
              name: { value: 'Traffic stop seizure' },
              date: { column: 'seized_on' },
              involved: { entity: 'driver' },
              conveyance: { entity: 'car' },
              recordId: { column: 'case_no' },
            },
          },
        },
      });
      const run = () =>
        importRecords(store, SYSTEM, () => readCsv({ path: csv }, mapping, { source: 'AZDPS', marking: 'U//LES' }), {
          origin: csv,
        });
      expect(await run()).toMatchObject({ read: 2, inserted: 2, entities: 6 });
      expect(await run()).toMatchObject({ unchanged: 2, inserted: 0 });
    });

    it('rejects a CSV mapping that refers to a column the file lacks, with the line', async () => {
      const csv = file('short.csv', 'a,b\n1,2\n');
      const mapping = validateMapping({
        entities: { p: { schema: 'Person', keys: ['a'], properties: { name: { column: 'nope' } } } },
      });
      const err = await importRecords(
        store,
        SYSTEM,
        () => readCsv({ path: csv }, mapping, { source: 'AZDPS', marking: 'U' }),
        { origin: csv },
      ).catch((e: unknown) => e);
      expect((err as ValidationError).errors[0]).toMatchObject({
        line: 2,
        path: 'column nope',
        message: 'is not in the CSV header',
      });
    });

    it('imports CBP nationwide drug-seizure statistics idempotently and rejects bad rows', async () => {
      // Synthetic rows in CBP's published column layout (the real files are not shipped).
      const header =
        'FY,Month (abbv),Component,Region,Land Filter,Area of Responsibility,Drug Type,Count of Event,Sum Qty (lbs)';
      const p = file(
        'cbp.csv',
        `${header}\n2025,OCT,Office of Field Operations,Southwest Border,Southwest Border,San Diego Field Office,Fentanyl,"1,204","2,310.5"\nFY2025,NOV,U.S. Border Patrol,Southwest Border,Southwest Border,Tucson Sector,Fentanyl,12,40.25\n`,
      );
      expect((await importCbpCsv(store.db, 'test', p)).rows).toBe(2);
      expect((await importCbpCsv(store.db, 'test', p)).rows).toBe(2);
      const rows = await store.db.query<{ n: number; lbs: number }>(
        'SELECT count(*)::int AS n, sum(qty_lbs) AS lbs FROM cbp_seizure_stats',
      );
      expect(rows[0]).toEqual({ n: 2, lbs: 2350.75 });
      const bad = file('cbp-bad.csv', `${header}\n2025,Octember,OFO,SW,SW,SD,Fentanyl,x,1\n`);
      const err = await importCbpCsv(store.db, 'test', bad).catch((e: unknown) => e);
      expect((err as ValidationError).errors.map((e) => [e.line, e.path])).toEqual([
        [2, 'Month (abbv)'],
        [2, 'Count of Event'],
      ]);
      const noCols = file('cbp-cols.csv', 'FY,Month\n2025,OCT\n');
      await expect(importCbpCsv(store.db, 'test', noCols)).rejects.toThrow(
        /missing column\(s\) Month \(abbv\), Component/,
      );
    });

    it('reads the running fiscal year labelled "2026 (FYTD)" as 2026, and keeps that its figures are partial', async () => {
      const header =
        'FY,Month (abbv),Component,Region,Land Filter,Area of Responsibility,Drug Type,Count of Event,Sum Qty (lbs)';
      const row = (fy: string, events: number, lbs: string) =>
        `${fy},OCT,Office of Field Operations,Southwest Border,Land Only,TUCSON FIELD OFFICE,Fentanyl,${events},${lbs}`;
      const fytd = file('cbp-fytd.csv', `${header}\n${row('2026 (FYTD)', 3, '10.5')}\n`);
      expect(await importCbpCsv(store.db, 'test', fytd)).toMatchObject({ rows: 1, partialYears: [2026] });
      const year = () =>
        store.db.query<{ fy: number; partial: boolean; event_count: number }>(
          "SELECT fy, partial, event_count FROM cbp_seizure_stats WHERE fy = 2026 AND aor = 'TUCSON FIELD OFFICE'",
        );
      expect(await year()).toEqual([{ fy: 2026, partial: true, event_count: 3 }]);
      // When CBP publishes the year as complete, its figures replace the partial ones.
      const complete = file('cbp-fy26.csv', `${header}\n${row('FY2026', 4, '12')}\n`);
      expect(await importCbpCsv(store.db, 'test', complete)).toMatchObject({ rows: 1, partialYears: [] });
      expect(await year()).toEqual([{ fy: 2026, partial: false, event_count: 4 }]);
      // A label that is no fiscal year is still refused with file, line and field, and nothing of the file is kept.
      const bad = file(
        'cbp-fytd-bad.csv',
        `${header}\n${row('2026 (FYTD)', 9, '1')}\n${row('2026 (estimate)', 9, '1')}\n`,
      );
      const err = await importCbpCsv(store.db, 'test', bad).catch((e: unknown) => e);
      expect((err as ValidationError).errors).toEqual([
        expect.objectContaining({
          file: bad,
          line: 3,
          path: 'FY',
          message: expect.stringMatching(/2026 \(estimate\)/),
        }),
      ]);
      expect(await year()).toEqual([{ fy: 2026, partial: false, event_count: 4 }]);
    });

    it("imports CBP's real rows (FY2019-2023, fentanyl, Southwest Border) with the file's totals for each year", async () => {
      const r = await importCbpCsv(store.db, 'test', REAL_CBP);
      expect(r).toMatchObject({ rows: 523, partialYears: [] });
      const totals = () =>
        store.db.query<{ fy: number; events: number; lbs: number }>(
          `SELECT fy, sum(event_count)::int AS events, sum(qty_lbs) AS lbs FROM cbp_seizure_stats
             WHERE source_file = 'howard-xuan-fentanylfy19fy23.csv' GROUP BY fy ORDER BY fy`,
        );
      // The totals the file's own rows add up to (shared/data/README.md).
      const expected = [
        [2019, 370, 2633.2889],
        [2020, 884, 4557.7389],
        [2021, 1324, 10586.388],
        [2022, 1212, 14104.1117],
        [2023, 1210, 26717.8339],
      ] as const;
      const check = async () => {
        const got = await totals();
        expect(got.map((t) => [t.fy, t.events])).toEqual(expected.map(([fy, events]) => [fy, events]));
        for (const [i, [, , lbs]] of expected.entries()) expect(got[i]!.lbs).toBeCloseTo(lbs, 4);
      };
      await check();
      // The values written as 1.322773572e-4, 8e-4 and 4e-4 are read as the numbers they are.
      const [tiny] = await store.db.query<{ qty_lbs: number }>(
        `SELECT qty_lbs FROM cbp_seizure_stats WHERE fy = 2020 AND month = 'JUN' AND land_filter = 'Other'
             AND aor = 'SAN DIEGO FIELD OFFICE' AND component = 'Office of Field Operations'`,
      );
      expect(tiny!.qty_lbs).toBeCloseTo(1.322773572e-4, 12);
      expect((await importCbpCsv(store.db, 'test', REAL_CBP)).rows).toBe(523);
      await check(); // re-importing replaces, never adds
    });
  });
}

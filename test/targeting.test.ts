// Shipment targeting: scores that explain themselves, the exam queue, hit rates per rule, rules as versioned data.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { backends, auth, apiSuite } from './helpers.js';
import { parseRecord } from '../src/ingest/record-input.js';
import { writeBatch, SYSTEM } from '../src/store/write.js';

for (const backend of backends) {
  describe(`shipment targeting (${backend.name})`, () => {
    const api = apiSuite(
      backend,
      {
        cbp: { username: 'cbp.targeter', agency: 'CBP', clearance: 'C', roles: ['analyst'] },
        admin: { username: 'cbp.admin', agency: 'CBP', clearance: 'S', roles: ['admin'] },
        partner: { username: 'carrier.x', agency: 'EXPRS', clearance: 'U', roles: ['partner'] },
      },
      async (store) => {
        const manifest = (
          id: string,
          marking: string,
          ship: Record<string, string[]>,
          parties: { id: string; name: string }[],
        ) =>
          parseRecord(
            {
              sourceRecordId: id,
              marking,
              entities: [
                ...parties.map((p) => ({ id: p.id, schema: 'Company', properties: { name: [p.name] } })),
                { id: `ship-${id}`, schema: 'Shipment', properties: ship },
              ],
            },
            { source: 'CBP' },
          ).record!;
        await writeBatch(
          store.db,
          store.markings,
          SYSTEM,
          [
            // Precursor code declared as auto parts, cheap for its weight, via Hong Kong, to a first-time consignee.
            manifest(
              'M1',
              'U//LES',
              {
                hsCode: ['2933.39'],
                declaredGoods: ['auto parts'],
                grossWeightKg: ['1200'],
                declaredValue: ['900'],
                routeLegs: ['CNSHA > HKHKG > MXZLO'],
                shipper: ['co-wuhan'],
                consignee: ['co-front'],
              },
              [
                { id: 'co-wuhan', name: 'Wuhan Yuanhang Chemical Co., Ltd.' },
                { id: 'co-front', name: 'Importadora Costa Azul S.A. de C.V.' },
              ],
            ),
            // Ordinary furniture.
            manifest(
              'M2',
              'U//LES',
              {
                hsCode: ['9403.60'],
                declaredGoods: ['wooden furniture'],
                grossWeightKg: ['800'],
                declaredValue: ['12000'],
                routeLegs: ['VNSGN > USLGB'],
                shipper: ['co-viet'],
                consignee: ['co-us'],
              },
              [
                { id: 'co-viet', name: 'Saigon Woodcraft JSC' },
                { id: 'co-us', name: 'Pacific Home Goods LLC' },
              ],
            ),
            // A tablet press, for a reader cleared higher than the partner.
            manifest(
              'M3',
              'S//LES/NOFORN',
              {
                hsCode: ['8479.30'],
                declaredGoods: ['machine parts'],
                grossWeightKg: ['300'],
                declaredValue: ['4000'],
                consignee: ['co-press'],
              },
              [{ id: 'co-press', name: 'Tableting Supply Inc' }],
            ),
            // A shipper on the sanctions list, and sanctioned in the picture.
            manifest(
              'M4',
              'U//LES',
              {
                hsCode: ['3824.99'],
                declaredGoods: ['chemical preparations'],
                grossWeightKg: ['50'],
                declaredValue: ['5000'],
                shipper: ['co-cjng'],
                consignee: ['co-new'],
              },
              [
                { id: 'co-cjng', name: 'Cartel de Jalisco Nueva Generación' },
                { id: 'co-new', name: 'Quimicos del Norte' },
              ],
            ),
            parseRecord(
              {
                sourceRecordId: 'OFAC-1',
                marking: 'U',
                entities: [
                  { id: 'auth-ofac', schema: 'Organization', properties: { name: ['OFAC'] } },
                  {
                    id: 'sanc-1',
                    schema: 'Sanction',
                    properties: { entity: ['co-cjng'], authority: ['OFAC'] },
                  },
                ],
              },
              { source: 'OFAC' },
            ).record!,
          ],
          { origin: 'test' },
        );
      },
    );
    const get = async (url: string, token = api.token.cbp) =>
      (await api.app.inject({ url, headers: auth(token) })).json();

    it('scores on arrival, explains every point, and queues the riskiest first', async () => {
      const q = await get('/targeting/queue');
      expect(q.map((x: { shipment: string }) => x.shipment)).toEqual(['ship-M4', 'ship-M1', 'ship-M2']); // M3 is SECRET: not for this reader
      expect(q[0].reasons.map((r: { rule: string; detail: string }) => `${r.rule}: ${r.detail}`)).toEqual([
        expect.stringMatching(/^LIST-HIT: shipper co-cjng matches OFAC-SDN ofac-\d+/),
        'NETWORK: a sanctioned party (co-cjng)',
        'NEW-IMPORTER: consignee co-new has no earlier shipment',
      ]);
      const top = q[1];
      expect(top.reasons.map((r: { rule: string }) => r.rule).sort()).toEqual([
        'HS-PRECURSOR',
        'LOW-VALUE',
        'MISDECLARED',
        'NEW-IMPORTER',
        'ROUTE',
      ]);
      expect(top.reasons.find((r: { rule: string }) => r.rule === 'MISDECLARED').detail).toBe(
        'HS 2933.39 declared as "auto parts"',
      );
      expect(top.score).toBeCloseTo(1 - 0.5 * 0.6 * 0.8 * 0.85 * 0.8, 3);
      expect(q[2].reasons.map((r: { rule: string }) => r.rule)).toEqual(['NEW-IMPORTER']);
      const [m3] = await api.store.db.query<{ reasons: { rule: string }[] }>(
        "SELECT reasons FROM shipment_scores WHERE shipment_id = 'ship-M3'",
      );
      expect(m3!.reasons.map((r) => r.rule)).toEqual(['HS-PRESS', 'NEW-IMPORTER']); // declared as machine parts: consistent with HS 84
      expect((await api.app.inject({ url: '/targeting/queue', headers: auth(api.token.partner) })).statusCode).toBe(
        403,
      );
    });

    it('records exam results and reports the hit rate of each rule', async () => {
      expect(
        (await api.post('/targeting/shipments/ship-M1/exam', api.token.cbp, { result: 'seized', note: '400 kg 4-AP' }))
          .statusCode,
      ).toBe(200);
      await api.post('/targeting/shipments/ship-M2/exam', api.token.cbp, { result: 'no hit' });
      await api.post('/targeting/shipments/ship-M4/exam', api.token.cbp, { result: 'hit' });
      expect(await get('/targeting/queue')).toEqual([]);
      const rules = await get('/targeting/rules');
      const rate = (code: string) => rules.find((r: { code: string; active: boolean }) => r.code === code && r.active);
      expect(rate('HS-PRECURSOR')).toMatchObject({ examinedWhenFired: 1, hits: 1, hitRate: 1 });
      expect(rate('NEW-IMPORTER')).toMatchObject({ examinedWhenFired: 3, hits: 2, hitRate: 0.667 });
      expect((await api.post('/targeting/shipments/ship-none/exam', api.token.cbp, { result: 'hit' })).statusCode).toBe(
        404,
      );
    });

    it('treats rules as data: an admin edit is a new version, and rescoring uses it', async () => {
      expect(
        (
          await api.app.inject({
            method: 'PUT',
            url: '/targeting/rules/LOW-VALUE',
            headers: auth(api.token.cbp),
            payload: { weight: 0.3 },
          })
        ).statusCode,
      ).toBe(403);
      const r = await api.app.inject({
        method: 'PUT',
        url: '/targeting/rules/NEW-IMPORTER',
        headers: auth(api.token.admin),
        payload: { active: false },
      });
      expect(r.json()).toEqual({ code: 'NEW-IMPORTER', version: 2 });
      expect(
        (
          await api.app.inject({
            method: 'PUT',
            url: '/targeting/rules/ROUTE',
            headers: auth(api.token.admin),
            payload: { weight: 1.5 },
          })
        ).statusCode,
      ).toBe(400);
      expect((await api.post('/targeting/rescore', api.token.admin, {})).json().scored).toBe(4);
      const [m2] = await api.store.db.query<{ score: number; rules: string[] }>(
        "SELECT score, rules FROM shipment_scores WHERE shipment_id = 'ship-M2'",
      );
      expect(m2!.score).toBe(0);
      expect(m2!.rules).not.toContain('NEW-IMPORTER@1');
      const versions = (await get('/targeting/rules')).filter((x: { code: string }) => x.code === 'NEW-IMPORTER');
      expect(versions.map((v: { version: number; active: boolean }) => [v.version, v.active])).toEqual([
        [1, false],
        [2, false],
      ]);
    });
  });
}

for (const backend of backends) {
  describe(`pre-export notifications (${backend.name})`, () => {
    const api = apiSuite(backend, {
      exporter: { username: 'dea.diversion', agency: 'DEA', clearance: 'S', roles: ['analyst'] },
      fgr: { username: 'fgr.precursors', agency: 'FGR', clearance: 'S', roles: ['analyst'], country: 'MEX' },
      cbp: { username: 'cbp.t', agency: 'CBP', clearance: 'S', roles: ['analyst'] },
    });
    const pen = {
      importingCountry: 'MEX',
      exporter: { name: 'Gulf Chemical Distributors LLC', address: '1200 Industrial Blvd, Houston TX' },
      importer: { name: 'Importadora Costa Azul S.A. de C.V.', address: 'Av. del Puerto 45, Manzanillo, Colima' },
      consignee: { name: 'Importadora Costa Azul S.A. de C.V.', address: 'Av. del Puerto 45, Manzanillo, Colima' },
      substance: 'Propionyl chloride',
      casNumber: '79-03-8',
      quantityKg: 2000,
      pointOfEntry: 'Nuevo Laredo',
      dispatchDate: '2031-04-02',
      transportDocument: 'MAEU 123 456 789',
    };

    it('files a notification to the importing country, which objects; the shipment is then held in targeting', async () => {
      const r = await api.post('/pre-export', api.token.exporter, pen);
      expect(r.statusCode).toBe(201);
      expect(r.json()).toMatchObject({
        reference: expect.stringMatching(/^PEN-/),
        notified: expect.arrayContaining(['FGR']),
      });
      expect((await api.post('/pre-export', api.token.exporter, { ...pen, casNumber: '79-3-8x' })).statusCode).toBe(
        400,
      );
      expect(
        (await api.post('/pre-export', api.token.exporter, { ...pen, importingCountry: 'USA' })).json().error,
      ).toMatch(/another country/);
      const fgrNotes = (await api.app.inject({ url: '/notifications', headers: auth(api.token.fgr) })).json();
      expect(fgrNotes[0].message).toMatch(/2000 kg Propionyl chloride .* entering at Nuevo Laredo/);
      const id = r.json().id;
      expect((await api.post(`/pre-export/${id}/respond`, api.token.cbp, { decision: 'clear' })).statusCode).toBe(404); // not addressed to the US
      const o = await api.post(`/pre-export/${id}/respond`, api.token.fgr, {
        decision: 'object',
        note: 'Importer not licensed for Table I precursors',
      });
      expect(o.json()).toEqual({ status: 'objected', held: 0 }); // not arrived yet
      expect((await api.post(`/pre-export/${id}/respond`, api.token.fgr, { decision: 'clear' })).statusCode).toBe(409);
      // The shipment arrives: it is held, first in the queue, and cannot be cleared as "no hit".
      const ship = parseRecord(
        {
          sourceRecordId: 'BOL-1',
          marking: 'U//LES',
          entities: [
            {
              id: 'ship-bol1',
              schema: 'Shipment',
              properties: {
                billOfLading: ['MAEU123456789'],
                hsCode: ['9403.60'],
                declaredGoods: ['furniture'],
                grossWeightKg: ['2000'],
                declaredValue: ['30000'],
              },
            },
          ],
        },
        { source: 'CBP' },
      );
      await writeBatch(api.store.db, api.store.markings, SYSTEM, [ship.record!], { origin: 'test' });
      const q = (await api.app.inject({ url: '/targeting/queue', headers: auth(api.token.cbp) })).json();
      expect(q[0]).toMatchObject({
        shipment: 'ship-bol1',
        hold: expect.stringMatching(/objected by fgr.precursors \(FGR\): Importer not licensed/),
      });
      expect(
        (await api.post('/targeting/shipments/ship-bol1/exam', api.token.cbp, { result: 'no hit' })).statusCode,
      ).toBe(409);
      const mine = (await api.app.inject({ url: '/pre-export', headers: auth(api.token.exporter) })).json();
      expect(mine[0]).toMatchObject({ status: 'objected', substance: 'Propionyl chloride' });
      expect(
        (await api.app.inject({ url: '/notifications', headers: auth(api.token.exporter) })).json()[0].message,
      ).toMatch(/objected by FGR/);
    });
  });
}

for (const backend of backends) {
  describe(`manifest ingest (${backend.name})`, () => {
    const api = apiSuite(backend, {
      cbp: { username: 'cbp.manifests', agency: 'CBP', clearance: 'S', roles: ['analyst'] },
    });
    const mapping = JSON.parse(readFileSync(new URL('../reference/mappings/manifest.json', import.meta.url), 'utf8'));
    const csv = [
      'transport_document,mode,hs_code,declared_goods,gross_weight_kg,declared_value,currency,route,departure_date,arrival_date,shipper_name,shipper_address,shipper_country,consignee_name,consignee_address,consignee_country,notify_party,container_number',
      'MEDU4417720,container,2933.39,ceramic tiles,1500,1100,USD,CNSHA > HKHKG > MXZLO,2031-02-01,2031-03-05,Hubei Kangda Chemical Co. Ltd.,"Wuhan, Hubei",cn,Importadora Costa Azul S.A. de C.V.,"Manzanillo, Colima",mx,,CSQU3054383',
      'AWB17612345675,air cargo,8479.30,machine parts,220,9000,USD,CNPVG > USLAX,2031-02-03,2031-02-04,Shanghai Press Machinery Co.,Shanghai,cn,Sunbelt Wholesale Inc.,"Phoenix, AZ",us,,',
      '9400111899223344556677,mail,3004.90,vitamins,0.4,25,USD,USJFK > USPHX,2031-02-05,2031-02-08,,,,Kevin Walker,"Tucson, AZ",us,,',
    ].join('\n');

    it('ingests containerised, air-cargo and mail manifests from CSV, idempotently, and scores them on arrival', async () => {
      const send = () =>
        api.post('/import', api.token.cbp, {
          format: 'csv',
          content: csv,
          mapping,
          marking: 'U//LES',
          name: 'manifest.csv',
        });
      const first = await send();
      expect(first.statusCode, first.body).toBe(200);
      expect(first.json()).toMatchObject({ read: 3, rejected: 0 });
      const again = (await send()).json();
      expect(again).toMatchObject({ unchanged: 3 });
      const q = (await api.app.inject({ url: '/targeting/queue', headers: auth(api.token.cbp) })).json();
      expect(q).toHaveLength(3);
      expect(q[0].reasons.map((r: { rule: string }) => r.rule)).toEqual(
        expect.arrayContaining(['HS-PRECURSOR', 'MISDECLARED', 'LOW-VALUE', 'ROUTE']),
      );
      expect(q[1].reasons.map((r: { rule: string }) => r.rule)).toContain('HS-PRESS');
      // A later manifest from a known precursor supplier's other spelling: cross-referencing resolves it.
      const supplier = parseRecord(
        {
          sourceRecordId: 'HSI-SUP-1',
          marking: 'U//LES',
          entities: [
            {
              id: 'hsi-kangda',
              schema: 'Company',
              properties: { name: ['Hubei Kangda Chemical Co., Ltd.'], country: ['cn'] },
            },
            { id: 'hsi-front', schema: 'Company', properties: { name: ['Importadora Costa Azul'] } },
            {
              id: 'hsi-supply-1',
              schema: 'Supply',
              properties: { supplier: ['hsi-kangda'], recipient: ['hsi-front'] },
            },
          ],
        },
        { source: 'HSI' },
      );
      await writeBatch(api.store.db, api.store.markings, SYSTEM, [supplier.record!], { origin: 'test' });
      await api.post('/import', api.token.cbp, {
        format: 'csv',
        content: csv
          .split('\n')
          .slice(0, 2)
          .join('\n')
          .replace('MEDU4417720', 'MEDU9917720')
          .replace('Hubei Kangda Chemical Co. Ltd.', 'HUBEI KANGDA CHEMICAL CO LTD'),
        mapping,
        marking: 'U//LES',
        name: 'later.csv',
      });
      const later = (await api.app.inject({ url: '/targeting/queue', headers: auth(api.token.cbp) }))
        .json()
        .find((x: { reasons: { rule: string }[] }) => x.reasons.some((r) => r.rule === 'KNOWN-SUPPLIER'));
      expect(later.reasons.find((r: { rule: string }) => r.rule === 'KNOWN-SUPPLIER').detail).toMatch(
        /resolves to hsi-kangda, which is a known precursor supplier/,
      );
      const bad = await api.post('/import', api.token.cbp, {
        format: 'csv',
        content: csv
          .replace('2933.39', '2933.39')
          .replace(',container,', ',container,')
          .split('\n')
          .map((l, i) => (i === 1 ? l.replace('CSQU3054383', 'CSQU3054384') : l))
          .join('\n'),
        mapping,
        marking: 'U//LES',
        name: 'bad.csv',
      });
      expect(bad.statusCode).toBe(422);
      expect(bad.json().message).toMatch(/bad\.csv:line 2: .*containerNumber.*ISO 6346/);
    });
  });
}

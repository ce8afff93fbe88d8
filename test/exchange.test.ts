// Partner exchange: reports in from a carrier (marked, rate-limited, with feedback), and
// releasable incidents out to a partner country, on both backends.
import { describe, expect, it } from 'vitest';
import { backends, auth, apiSuite } from './helpers.js';
import { upsertAgencies } from '../src/store/store.js';
import { loadScenario } from '../src/scenario/load.js';
import { parseRecord } from '../src/ingest/record-input.js';
import { writeBatch, SYSTEM } from '../src/store/write.js';

for (const backend of backends) {
  describe(`partner exchange (${backend.name})`, () => {
    const api = apiSuite(
      backend,
      {
        carrier: { username: 'exprs.desk', agency: 'EXPRS', clearance: 'U', roles: ['partner'] },
        otherCarrier: { username: 'mktpl.desk', agency: 'MKTPL', clearance: 'U', roles: ['partner'] },
        cbp: { username: 'cbp.x', agency: 'CBP', clearance: 'S', roles: ['analyst'] },
        dea: { username: 'dea.x', agency: 'DEA', clearance: 'S', roles: ['analyst'], groups: ['OCDETF'] },
      },
      async (store) => {
        await loadScenario(store, { seed: 3, networks: 3 });
        await upsertAgencies(store.db, [
          {
            code: 'MKTPL',
            name: 'Online marketplace trust and safety',
            country: 'USA',
            kind: 'private',
            lawEnforcement: false,
          },
        ]);
      },
    );
    const get = async (url: string, token: string) => (await api.app.inject({ url, headers: auth(token) })).json();

    it('takes a partner report into the picture under its marking, and shows the partner its status and feedback', async () => {
      const r = await api.post('/partner/reports', api.token.carrier, {
        kind: 'shipment',
        summary: 'Parcel x-ray shows pressed tablets; declared as vitamins',
        shipment: { trackingNumber: '7812 0045 6677', shipperName: 'Blue Plug Supplies', declaredGoods: 'vitamins' },
      });
      expect(r.statusCode).toBe(201);
      const ref = r.json().reference;
      // In the store as the carrier's record (U//LES/PROPIN): law enforcement sees it.
      const found = await get('/entities?q=781200456677', api.token.cbp);
      expect(found.results.some((e: { sources: string[] }) => e.sources.includes('EXPRS'))).toBe(true);
      expect(
        (
          await api.post('/partner/reports', api.token.carrier, {
            kind: 'listing',
            summary: 'x',
            listing: { url: 'ftp://nope' },
          })
        ).statusCode,
      ).toBe(400);
      expect(
        (await api.post('/partner/reports', api.token.carrier, { kind: 'account', summary: 'seller' })).json().error,
      ).toMatch(/service and username/);
      expect(
        (await api.post(`/partner/reports/${ref}/feedback`, api.token.carrier, { status: 'closed', feedback: 'x' }))
          .statusCode,
      ).toBe(403);
      expect(
        (
          await api.post(`/partner/reports/${ref}/feedback`, api.token.cbp, {
            status: 'actioned',
            feedback: 'Parcel seized; thank you.',
          })
        ).statusCode,
      ).toBe(200);
      const mine = await get('/partner/reports', api.token.carrier);
      expect(mine).toEqual([
        expect.objectContaining({ reference: ref, status: 'actioned', feedback: 'Parcel seized; thank you.' }),
      ]);
      expect(await get('/partner/reports', api.token.otherCarrier)).toEqual([]); // another partner sees nothing of it
      expect((await get('/partner/reports', api.token.cbp)).map((x: { reference: string }) => x.reference)).toContain(
        ref,
      );
    });

    it('limits the rate of partner reports', async () => {
      let limited = 0;
      for (let i = 0; i < 32; i++) {
        const r = await api.post('/partner/reports', api.token.carrier, {
          kind: 'listing',
          summary: `listing ${i}`,
          listing: { url: `https://shop.example/${i}` },
        });
        if (r.statusCode === 429) limited++;
      }
      expect(limited).toBeGreaterThan(0);
    });

    it('exports only incidents releasable to the partner country, in the documented format', async () => {
      // A joint seizure released to Mexico, beside the scenario's LES seizures that are not.
      const rec = parseRecord(
        {
          sourceRecordId: 'HSI-JOINT-1',
          marking: 'C//LES//REL TO USA, MEX',
          entities: [
            { id: 'place-mzo', schema: 'Address', properties: { full: ['Port of Manzanillo, Colima'] } },
            {
              id: 'ship-j1',
              schema: 'Shipment',
              properties: { mode: ['container'], routeLegs: ['CNSHA > MXZLO'], originPort: ['place-mzo'] },
            },
            {
              id: 'sz-joint',
              schema: 'Seizure',
              properties: {
                name: ['Joint seizure'],
                date: ['2031-05-05'],
                drugType: ['Fentanyl precursors'],
                weightKg: ['420'],
                concealment: ['mis-declared drums'],
                shipment: ['ship-j1'],
                addressEntity: ['place-mzo'],
              },
            },
          ],
        },
        { source: 'HSI' },
      );
      await writeBatch(api.store.db, api.store.markings, SYSTEM, [rec.record!], { origin: 'test' });
      const mx = await get('/incidents/export?relTo=MEX', api.token.dea);
      expect(mx.format).toBe('chokepoint-incident/1');
      expect(mx.incidents.map((i: { id: string }) => i.id)).toEqual(['sz-joint']);
      expect(mx.incidents[0]).toMatchObject({
        type: 'Seizure',
        when: '2031-05-05',
        where: 'Port of Manzanillo, Colima',
        what: { drugType: 'Fentanyl precursors', weightKg: 420 },
        concealment: 'mis-declared drums',
        route: { legs: 'CNSHA > MXZLO', mode: 'container' },
        reportedBy: ['HSI'],
      });
      expect((await get('/incidents/export?relTo=CAN', api.token.dea)).incidents).toEqual([]); // not released to Canada
      // Releasing is a dissemination: a private partner may not release anything.
      expect(
        (await api.app.inject({ url: '/incidents/export?relTo=MEX', headers: auth(api.token.carrier) })).statusCode,
      ).toBe(403);
      expect(
        (await api.app.inject({ url: '/incidents/export?relTo=ZZZ', headers: auth(api.token.dea) })).statusCode,
      ).toBe(422);
      const [logged] = await api.store.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM disseminations WHERE channel = 'chokepoint-incident/1'",
      );
      expect(logged!.n).toBeGreaterThanOrEqual(1);
    });
  });
}

// The picture behind the web application's dashboard, map and report: figures count
// only what the reader may see, carry the banner of what they used, and follow the
// conventions stated (2 mg lethal dose, previous period of the same length).
import { describe, expect, it } from 'vitest';
import { backends, userWithToken, auth, apiSuite } from './helpers.js';
import { parseRecord } from '../src/ingest/record-input.js';
import { writeBatch, SYSTEM } from '../src/store/write.js';
import { previousRange, rangeOf, seizureFigures, LETHAL_DOSE_MG } from '../src/report/picture.js';
import { unwrap } from '../src/report/map.js';

const place = (id: string, name: string, lat: number, lon: number, type = 'port of entry') => ({
  id,
  schema: 'Address',
  properties: { name: [name], latitude: [String(lat)], longitude: [String(lon)], locationType: [type] },
});
const seizure = (
  id: string,
  date: string,
  drug: string,
  kg: number,
  at: string,
  extra: Record<string, string[]> = {},
) => ({
  id,
  schema: 'Seizure',
  properties: {
    name: [`Seizure ${id}`],
    date: [date],
    drugType: [drug],
    weightKg: [String(kg)],
    addressEntity: [at],
    ...extra,
  },
});

for (const backend of backends) {
  describe(`the picture (${backend.name})`, () => {
    const api = apiSuite(
      backend,
      {
        cleared: { username: 'cbp.c', agency: 'CBP', clearance: 'C', roles: ['analyst'] },
        unclassified: { username: 'cbp.u', agency: 'CBP', clearance: 'U', roles: ['analyst'] },
      },
      async (store) => {
        const rec = (id: string, marking: string, entities: unknown[]) => {
          const r = parseRecord({ sourceRecordId: id, marking, entities }, { source: 'CBP' });
          if (!r.record) throw new Error(JSON.stringify(r.errors));
          return r.record;
        };
        await writeBatch(
          store.db,
          store.markings,
          SYSTEM,
          [
            rec('P-1', 'U', [
              place('poe-nogales', 'Nogales', 31.33, -110.94),
              place('port-shenzhen', 'Shenzhen', 22.57, 114.27, 'seaport'),
              place('port-lzc', 'Lázaro Cárdenas', 17.96, -102.2, 'seaport'),
            ]),
            rec('S-1', 'U//LES', [
              seizure('sz-1', '2026-03-10', 'Fentanyl (powder)', 2, 'poe-nogales'),
              seizure('sz-2', '2026-04-02', 'Fentanyl (pills)', 5, 'poe-nogales', { pillCount: ['50000'] }),
            ]),
            rec('S-2', 'C//LES', [seizure('sz-3', '2026-04-20', 'Fentanyl (powder)', 10, 'poe-nogales')]),
            rec('S-3', 'U//LES', [seizure('sz-old', '2025-03-10', 'Methamphetamine', 30, 'poe-nogales')]),
            rec('M-1', 'U//LES', [
              {
                id: 'ship-1',
                schema: 'Shipment',
                properties: {
                  departureDate: ['2026-02-01'],
                  mode: ['container'],
                  grossWeightKg: ['900'],
                  originPort: ['port-shenzhen'],
                  destinationPort: ['port-lzc'],
                },
              },
            ]),
          ],
          { origin: 'test' },
        );
      },
    );
    const get = (url: string, token: string) => api.app.inject({ url, headers: auth(token) });

    it('counts seizures, weight, pills and lethal doses in the range, only those the reader may see, under their banner', async () => {
      const c = (await get('/picture/dashboard?from=2025-10-01&to=2026-09-30', api.token.cleared)).json();
      expect(c).toMatchObject({
        seizures: 3,
        kg: 17,
        pills: 50000,
        fentanylKg: 17,
        fentanylPowderKg: 12,
        lethalDoses: (12 * 1e6) / LETHAL_DOSE_MG,
      });
      expect(c.marking).toMatch(/^CONFIDENTIAL\/\/LES/);
      expect(c.topPorts[0]).toMatchObject({ place: { id: 'poe-nogales', name: 'Nogales' }, events: 3 });
      expect(c.topRoutes[0]).toMatchObject({
        route: ['Shenzhen', 'Lázaro Cárdenas'],
        shipments: 1,
        kg: 900,
        modes: ['container'],
      });
      expect(c.byMonth.map((m: { month: string }) => m.month)).toEqual(['2026-03', '2026-04', '2026-04']);
      const u = (await get('/picture/dashboard?from=2025-10-01&to=2026-09-30', api.token.unclassified)).json();
      expect(u).toMatchObject({ seizures: 2, kg: 7, fentanylPowderKg: 2 });
      expect(u.marking).toMatch(/^UNCLASSIFIED\/\/LES/);
    });

    it('maps features by layer, with routes across the Pacific, and only the layers asked for', async () => {
      const all = (await get('/picture/map?from=2025-10-01&to=2026-09-30', api.token.cleared)).json();
      const layers = (name: string) =>
        all.features.filter((f: { properties: { layer: string } }) => f.properties.layer === name);
      expect(layers('seizures')).toHaveLength(3);
      expect(
        layers('ports')
          .map((f: { properties: { name: string } }) => f.properties.name)
          .sort(),
      ).toEqual(['Lázaro Cárdenas', 'Nogales', 'Shenzhen']);
      const [route] = layers('routes');
      expect(route.geometry.coordinates[1][0]).toBeGreaterThan(180); // Shenzhen 114°E to Lázaro Cárdenas 102°W, eastward
      const only = (
        await get('/picture/map?from=2025-10-01&to=2026-09-30&layers=seizures', api.token.unclassified)
      ).json();
      expect(only.features.map((f: { id: string }) => f.id).sort()).toEqual(['sz-1', 'sz-2']);
      expect((await get('/picture/map?layers=bogus', api.token.cleared)).statusCode).toBe(400);
    });

    it('reports the period against the one before, with trends in words', async () => {
      const r = (await get('/reports/cip?from=2026-01-01&to=2026-06-30', api.token.cleared)).json();
      expect(r.previous).toEqual({ from: '2025-07-04', to: '2025-12-31' });
      const seizures = r.keyFigures.find((f: { label: string }) => f.label === 'Seizures');
      expect(seizures).toMatchObject({ value: 3, previous: 0, changePct: null });
      expect(r.trends[0]).toBe('3 seizures, with nothing to compare in the period before.');
      const year = (await get('/reports/cip?from=2025-10-01&to=2026-09-30', api.token.cleared)).json();
      expect(year.keyFigures.find((f: { label: string }) => f.label === 'Seizures')).toMatchObject({
        value: 3,
        previous: 1,
        changePct: 200,
      });
      expect(year.marking).toMatch(/^CONFIDENTIAL/);
    });

    it('finds the path between two entities the reader may see, and none through what they may not', async () => {
      const p = (await get('/graph/path?from=sz-1&to=sz-2', api.token.unclassified)).json();
      expect(p.found).toBe(true);
      expect(p.nodes.map((n: { id: string }) => n.id)).toEqual(['sz-1', 'poe-nogales', 'sz-2']);
      expect((await get('/graph/path?from=sz-1&to=sz-3', api.token.unclassified)).json()).toMatchObject({
        found: false,
      });
      expect((await get('/graph/path?from=sz-1&to=sz-3', api.token.cleared)).json().found).toBe(true);
    });

    it("lists on an entity's page the reader's own agency's cases that target it, and no other agency's", async () => {
      const agent = await userWithToken(api.store, {
        username: 'cbp.agent',
        agency: 'CBP',
        clearance: 'C',
        roles: ['case_agent'],
      });
      const dea = await userWithToken(api.store, {
        username: 'dea.agent2',
        agency: 'DEA',
        clearance: 'S',
        roles: ['case_agent'],
      });
      const c = (
        await api.app.inject({
          method: 'POST',
          url: '/cases',
          headers: auth(agent),
          payload: {
            caseNumber: 'CBP-CASE-9',
            title: 'Nogales pill route',
            contactName: 'SA Ruiz',
            contactPhone: '+1 520 555 0100',
          },
        })
      ).json();
      expect(
        (
          await api.app.inject({
            method: 'POST',
            url: `/cases/${c.id}/targets`,
            headers: auth(agent),
            payload: { targets: [{ kind: 'entity', value: 'sz-1' }] },
          })
        ).statusCode,
      ).toBe(201);
      expect((await get('/entities/sz-1/cases', agent)).json()).toEqual([
        {
          caseId: c.id,
          caseNumber: 'CBP-CASE-9',
          title: 'Nogales pill route',
          targetKind: 'entity',
          targetValue: 'sz-1',
        },
      ]);
      expect((await get('/entities/sz-1/cases', dea)).json()).toEqual([]);
      expect((await get('/entities/sz-2/cases', agent)).json()).toEqual([]);
    });

    it('refuses ranges that run backwards or are not dates, saying why', async () => {
      const back = await get('/picture/dashboard?from=2026-05-01&to=2026-01-01', api.token.cleared);
      expect(back.statusCode).toBe(400);
      expect(back.json().error).toMatch(/from \(2026-05-01\) is after to \(2026-01-01\)/);
      expect((await get('/picture/dashboard?from=2026-13-45&to=2026-12-01', api.token.cleared)).statusCode).toBe(400);
    });
  });
}

describe('picture arithmetic', () => {
  it('takes the period before of the same length, and 12 months to today by default', () => {
    expect(previousRange({ from: '2026-01-01', to: '2026-01-31' })).toEqual({ from: '2025-12-01', to: '2025-12-31' });
    expect(rangeOf({}, new Date('2026-11-23T10:00:00Z'))).toEqual({ from: '2025-11-24', to: '2026-11-23' });
    expect(() => rangeOf({ from: '2010-01-01', to: '2026-01-01' })).toThrow(/at most 10 years/);
  });
  it('counts lethal doses on fentanyl powder only (pills are counted as pills)', () => {
    const f = seizureFigures([
      { id: 'a', schema: 'Seizure', date: '2026-01-01', drug: 'Fentanyl (powder)', kg: 1, pills: 0, markingIds: [] },
      { id: 'b', schema: 'Seizure', date: '2026-01-02', drug: 'Fentanyl (pills)', kg: 3, pills: 30000, markingIds: [] },
      { id: 'c', schema: 'Arrest', date: '2026-01-02', kg: 0, pills: 0, markingIds: [] },
    ]);
    expect(f).toMatchObject({ seizures: 2, fentanylKg: 4, fentanylPowderKg: 1, lethalDoses: 500_000, pills: 30000 });
  });
  it('keeps route longitudes continuous across the antimeridian', () => {
    expect(
      unwrap([
        [114.27, 22.57],
        [-102.2, 17.96],
      ]),
    ).toEqual([
      [114.27, 22.57],
      [257.8, 17.96],
    ]);
    expect(
      unwrap([
        [-117, 32],
        [-100, 30],
      ]),
    ).toEqual([
      [-117, 32],
      [-100, 30],
    ]);
  });
});

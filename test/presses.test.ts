// The pill press and die mold registry, and the alerts raised when records carry machines, on both backends.
import { describe, expect, it } from 'vitest';
import { backends, auth, apiSuite } from './helpers.js';
import { parseRecord } from '../src/ingest/record-input.js';
import { writeBatch, SYSTEM } from '../src/store/write.js';

for (const backend of backends) {
  describe(`pill press registry (${backend.name})`, () => {
    const api = apiSuite(backend, {
      dea: { username: 'dea.diversion', agency: 'DEA', clearance: 'S', roles: ['analyst'] },
      carrier: { username: 'carrier.desk', agency: 'EXPRS', clearance: 'U', roles: ['partner'] },
    });
    const get = async (url: string, token = api.token.dea) =>
      (await api.app.inject({ url, headers: auth(token) })).json();
    const write = async (id: string, entities: unknown[], source = 'FGR') => {
      const r = parseRecord({ sourceRecordId: id, marking: 'U//LES', entities }, { source });
      if (!r.record) throw new Error(JSON.stringify(r.errors));
      await writeBatch(api.store.db, api.store.markings, SYSTEM, [r.record], { origin: 'test' });
    };

    it('registers machines, refuses duplicates, and keeps their history', async () => {
      const r = await api.post('/presses', api.token.dea, {
        kind: 'tablet press',
        make: 'TDP',
        model: 'TDP-5',
        serial: 'TD-2031-00417',
        owner: 'Nutra Labs LLC',
        location: 'Phoenix, AZ',
        country: 'US',
      });
      expect(r.statusCode).toBe(201);
      const id = r.json().id;
      expect(
        (
          await api.post('/presses', api.token.dea, {
            kind: 'tablet press',
            make: 'TDP',
            model: 'TDP-5',
            serial: 'td 2031 00417',
            owner: 'x',
            location: 'x',
            country: 'US',
          })
        ).statusCode,
      ).toBe(409);
      const h = (
        await api.post(`/presses/${id}/events`, api.token.dea, {
          kind: 'transfer',
          toOwner: 'Desert Vitamins Inc',
          note: 'sold',
        })
      ).json();
      expect(h.owner).toBe('Desert Vitamins Inc');
      expect(h.events.map((e: { kind: string }) => e.kind)).toEqual(['registration', 'transfer']);
      expect((await api.post(`/presses/${id}/events`, api.token.dea, { kind: 'transfer' })).json().error).toMatch(
        /names the new owner/,
      );
      expect((await get('/presses?serial=TD203100417')).map((p: { id: number }) => p.id)).toEqual([id]);
      expect(
        (await api.app.inject({ url: '/presses?serial=TD203100417', headers: auth(api.token.carrier) })).statusCode,
      ).toBe(403);
    });

    it('alerts on a seized machine registered to someone else, and joins the seizure to its history', async () => {
      await write('FGR-LAB-1', [
        { id: 'owner-1', schema: 'Company', properties: { name: ['Comercializadora Bajío S.A. de C.V.'] } },
        {
          id: 'press-1',
          schema: 'Equipment',
          properties: {
            name: ['Tablet press'],
            equipmentType: ['pill press'],
            make: ['TDP'],
            model: ['TDP-5'],
            serialNumber: ['TD-2031-00417'],
            owner: ['owner-1'],
          },
        },
        { id: 'lab-1', schema: 'Lab', properties: { name: ['Laboratorio Cosalá'] } },
        {
          id: 'dis-1',
          schema: 'LabDismantlement',
          properties: {
            name: ['Desmantelamiento'],
            date: ['2031-02-02'],
            lab: ['lab-1'],
            equipmentSeized: ['press-1'],
          },
        },
      ]);
      const alerts = await get('/presses/alerts');
      expect(alerts.map((a: { kind: string }) => a.kind)).toEqual(['registered to someone else']);
      expect(alerts[0].message).toMatch(
        /registered to Desert Vitamins Inc, but FGR\/FGR-LAB-1 names Comercializadora Bajío/,
      );
      const [p] = await get('/presses?serial=TD-2031-00417');
      const h = await get(`/presses/${p.id}`);
      expect(h.status).toBe('seized');
      expect(h.events.at(-1)).toMatchObject({ kind: 'seizure', record: 'FGR/FGR-LAB-1', entityId: 'press-1' });
      expect((await get('/notifications')).some((n: { kind: string }) => n.kind === 'press.alert')).toBe(true); // the registering agency hears
    });

    it('alerts on an unregistered die mold, and on a machine reported stolen when it turns up', async () => {
      await write(
        'CBP-IMP-7',
        [
          {
            id: 'die-7',
            schema: 'Equipment',
            properties: {
              name: ['Die mold M30'],
              equipmentType: ['die mold'],
              make: ['ZP'],
              serialNumber: ['M30-7781'],
            },
          },
        ],
        'CBP',
      );
      const id = (
        await api.post('/presses', api.token.dea, {
          kind: 'encapsulator',
          make: 'DHP',
          model: 'DHP-2',
          serial: 'EN-5521',
          owner: 'Herbal Co',
          location: 'Tucson, AZ',
          country: 'US',
        })
      ).json().id;
      await api.post(`/presses/${id}/events`, api.token.dea, { kind: 'reported stolen', note: 'break-in' });
      await write(
        'AZDPS-77',
        [
          {
            id: 'enc-9',
            schema: 'Equipment',
            properties: {
              name: ['Encapsulator'],
              equipmentType: ['encapsulator'],
              make: ['DHP'],
              serialNumber: ['EN 5521'],
            },
          },
        ],
        'AZDPS',
      );
      const kinds = (await get('/presses/alerts')).map(
        (a: { kind: string; serial: string }) => `${a.kind} ${a.serial}`,
      );
      expect(kinds).toEqual(expect.arrayContaining(['unregistered M307781', 'reported stolen or missing EN5521']));
      // Writing the same record again raises nothing new.
      await write(
        'AZDPS-77',
        [
          {
            id: 'enc-9',
            schema: 'Equipment',
            properties: {
              name: ['Encapsulator'],
              equipmentType: ['encapsulator'],
              make: ['DHP'],
              serialNumber: ['EN 5521'],
            },
          },
        ],
        'AZDPS',
      );
      expect((await get('/presses/alerts')).length).toBe(kinds.length);
    });
  });
}

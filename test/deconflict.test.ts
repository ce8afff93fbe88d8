// Deconfliction, interdiction-to-investigation linking and notifications, on both backends.
import { describe, expect, it } from 'vitest';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { backends, userWithToken, auth, apiSuite } from './helpers.js';
import { escalateOverdue } from '../src/deconflict/events.js';
import { coveringCells, distanceM } from '../src/deconflict/geohash.js';
import { parseRecord } from '../src/ingest/record-input.js';
import { writeBatch, SYSTEM } from '../src/store/write.js';

const day = (d: number, h = 12) => new Date(Date.UTC(2031, 0, d, h)).toISOString();

describe('the geohash spatial index', () => {
  it('gives any two overlapping areas a shared cell (so the index never misses a conflict)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -60, max: 60, noNaN: true }),
        fc.double({ min: -179, max: 179, noNaN: true }),
        fc.double({ min: 50, max: 20_000, noNaN: true }),
        fc.double({ min: 50, max: 20_000, noNaN: true }),
        fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (lat, lon, ra, rb, bearing, frac) => {
          // B's centre at a fraction of (ra + rb) from A's: the circles overlap.
          const d = frac * (ra + rb) * 0.999;
          const dLat = (d * Math.cos(bearing)) / 111_195;
          const dLon = (d * Math.sin(bearing)) / (111_195 * Math.cos((lat * Math.PI) / 180));
          const [blat, blon] = [lat + dLat, lon + dLon];
          if (distanceM(lat, lon, blat, blon) > ra + rb) return; // projection error at the edge: not an overlap
          const a = new Set(coveringCells(lat, lon, ra));
          expect(coveringCells(blat, blon, rb).some((c) => a.has(c))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps covers small: a 500 m raid touches a handful of cells', () => {
    expect(coveringCells(32.5149, -117.0382, 500).length).toBeLessThanOrEqual(4);
    expect(distanceM(32.5149, -117.0382, 32.5149, -117.0382)).toBe(0);
    expect(distanceM(32.7157, -117.1611, 34.0522, -118.2437) / 1000).toBeCloseTo(179.4, 0); // San Diego to Los Angeles
  });
});

for (const backend of backends) {
  describe(`target deconfliction (${backend.name})`, () => {
    const api = apiSuite(backend, {
      dea: { username: 'dea.agent', agency: 'DEA', clearance: 'S', roles: ['case_agent'] },
      hsi: { username: 'hsi.agent', agency: 'HSI', clearance: 'U', roles: ['case_agent'] },
      hsiAnalyst: { username: 'hsi.analyst', agency: 'HSI', clearance: 'U', roles: ['analyst'] },
    });
    let deaCase: number;
    let hsiCase: number;
    const get = async (url: string, token: string) => (await api.app.inject({ url, headers: auth(token) })).json();

    it('opens cases; only case agents may', async () => {
      const d = await api.post('/cases', api.token.dea, {
        caseNumber: 'DEA-2031-SD-0042',
        title: 'Operation Blue Lotus: Culiacán pill-press cell',
        contactName: 'SA Maria Ortiz',
        contactPhone: '+1 619 555 0142',
      });
      expect(d.statusCode).toBe(201);
      deaCase = d.json().id;
      hsiCase = (
        await api.post('/cases', api.token.hsi, {
          caseNumber: 'HSI-SD-31-0007',
          title: 'Tijuana port crossings',
          contactName: 'SA Ken Park',
          contactPhone: '+1 619 555 0199',
        })
      ).json().id;
      expect(
        (
          await api.post('/cases', api.token.hsiAnalyst, {
            caseNumber: 'X-1',
            title: 'x',
            contactName: 'x',
            contactPhone: '+1 619 555 0100',
          })
        ).statusCode,
      ).toBe(403);
      expect(
        (
          await api.post('/cases', api.token.dea, {
            caseNumber: 'DEA-2031-SD-0042',
            title: 'again',
            contactName: 'x',
            contactPhone: '+1 619 555 0100',
          })
        ).statusCode,
      ).toBe(409);
    });

    it('rejects a bad target by name and writes none of the batch', async () => {
      const r = await api.post(`/cases/${deaCase}/targets`, api.token.dea, {
        targets: [
          { kind: 'phone', value: '+52 667 123 4567' },
          { kind: 'vehicle', value: '1HGCM82633A004353' },
        ],
      });
      expect(r.statusCode).toBe(400);
      expect(r.json().error).toMatch(/targets\[1\]: vin: .* check digit/);
      expect(
        (
          await api.post(`/cases/${deaCase}/targets`, api.token.dea, {
            targets: [{ kind: 'vehicle', value: 'ABC123' }],
          })
        ).json().error,
      ).toMatch(/plate needs its issuing state/);
      const [n] = await api.store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM case_targets');
      expect(n!.n).toBe(0);
    });

    it('finds a conflict when another case registers the same person, and tells both owners pointer-only', async () => {
      const d = await api.post(`/cases/${deaCase}/targets`, api.token.dea, {
        targets: [
          { kind: 'person', value: 'José Luis García López', birthDate: '1984-03-09' },
          { kind: 'phone', value: '+52 667 123 4567' },
          { kind: 'wallet', value: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t' },
        ],
      });
      expect(d.statusCode).toBe(201);
      expect(d.json().conflicts).toEqual([]);
      const h = await api.post(`/cases/${hsiCase}/targets`, api.token.hsi, {
        targets: [
          { kind: 'person', value: 'JOSE LUIS GARCIA', birthDate: '1984-03-09' },
          { kind: 'phone', value: '(667) 123-4567', country: 'MX' },
        ],
      });
      expect(h.statusCode).toBe(201);
      const conflicts = h.json().conflicts;
      expect(conflicts.map((c: { basis: string }) => c.basis).sort()).toEqual([
        expect.stringMatching(/^name match .*same date of birth/),
        'same phone',
      ]);
      expect(conflicts[0].other).toEqual({
        agency: 'DEA',
        agencyName: expect.any(String),
        contactName: 'SA Maria Ortiz',
        contactPhone: '+1 619 555 0142',
      });
      expect(conflicts[0].yourCase.caseNumber).toBe('HSI-SD-31-0007');
      // Nothing of DEA's case reaches HSI: not its title, number, target values or birth date.
      const hsiSees = JSON.stringify([
        await get('/deconfliction/targets', api.token.hsi),
        await get('/notifications', api.token.hsi),
        h.json(),
      ]);
      for (const secret of [
        'Blue Lotus',
        'DEA-2031-SD-0042',
        'José Luis García López',
        'TR7NH',
        '+52 667 123 4567',
        '1984-03-09"',
        'Culiacán',
      ])
        expect(hsiSees).not.toContain(secret);
      // DEA's owner is told too, with HSI's pointer and DEA's own target.
      const deaView = await get('/deconfliction/targets', api.token.dea);
      expect(deaView).toHaveLength(2);
      expect(deaView.map((c: { yourTarget: { value: string } }) => c.yourTarget.value).sort()).toEqual([
        '+52 667 123 4567',
        'José Luis García López',
      ]);
      expect(deaView[0].other.contactName).toBe('SA Ken Park');
      expect(JSON.stringify(deaView)).not.toContain('Tijuana port crossings');
      const deaNotes = await get('/notifications', api.token.dea);
      expect(deaNotes.filter((n: { kind: string }) => n.kind === 'deconfliction.target')).toHaveLength(2);
    });

    it('does not match a different person who shares a surname, nor a closed case', async () => {
      const r = await api.post(`/cases/${hsiCase}/targets`, api.token.hsi, {
        targets: [{ kind: 'person', value: 'Pedro García López', birthDate: '1990-01-01' }],
      });
      expect(r.json().conflicts).toEqual([]);
      expect((await api.post(`/cases/${deaCase}/close`, api.token.dea, {})).statusCode).toBe(200);
      const again = await api.post(`/cases/${hsiCase}/targets`, api.token.hsi, {
        targets: [{ kind: 'wallet', value: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t' }],
      });
      expect(again.json().conflicts).toEqual([]);
      await api.store.db.query("UPDATE cases SET status = 'open' WHERE id = $1", [deaCase]);
    });

    it('records acknowledgements from each side; open conflicts are those not acknowledged by both', async () => {
      const [first] = await get('/deconfliction/targets?open=true', api.token.hsi);
      expect((await api.post(`/deconfliction/targets/${first.id}/ack`, api.token.hsi, {})).statusCode).toBe(200);
      expect(
        (await get('/deconfliction/targets', api.token.dea)).find((c: { id: number }) => c.id === first.id)
          .acknowledgedByThem,
      ).toBe(true);
      await api.post(`/deconfliction/targets/${first.id}/ack`, api.token.dea, {});
      expect(
        (await get('/deconfliction/targets?open=true', api.token.hsi)).map((c: { id: number }) => c.id),
      ).not.toContain(first.id);
      const cbp = await userWithToken(api.store, {
        username: 'cbp.x',
        agency: 'CBP',
        clearance: 'S',
        roles: ['case_agent'],
      });
      expect((await api.post(`/deconfliction/targets/${first.id}/ack`, cbp, {})).statusCode).toBe(404);
      expect(await get('/deconfliction/targets', cbp)).toEqual([]);
    });

    it('links a seizure to the case whose target it touches, with the path, in-app, by stream and by signed webhook', async () => {
      // A webhook receiver on loopback.
      const received: { headers: IncomingHttpHeaders; body: string }[] = [];
      const hook = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          received.push({ headers: req.headers, body });
          res.end('ok');
        });
      });
      await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
      const admin = await userWithToken(api.store, {
        username: 'adm',
        agency: 'DEA',
        clearance: 'S',
        roles: ['admin'],
      });
      const wh = await api.post('/admin/webhooks', admin, {
        agency: 'DEA',
        url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/chokepoint`,
      });
      expect(wh.statusCode).toBe(201);
      const secret = wh.json().secret;
      // The case owner's event stream.
      const base = await api.app.listen({ port: 0, host: '127.0.0.1' });
      const ctl = new AbortController();
      const stream = await fetch(`${base}/notifications/stream`, { headers: auth(api.token.dea), signal: ctl.signal });
      const reader = stream.body!.getReader();
      const events: string[] = [];
      const reading = (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          events.push(new TextDecoder().decode(value));
        }
      })().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));

      try {
        const t0 = Date.now();
        const seizure = parseRecord(
          {
            sourceRecordId: 'SEIZ-2031-0001',
            marking: 'U//LES',
            entities: [
              {
                id: 'sz-1',
                schema: 'Seizure',
                properties: {
                  name: ['San Ysidro POE seizure'],
                  date: ['2031-01-05'],
                  conveyance: ['veh-1'],
                  involved: ['drv-1'],
                },
              },
              { id: 'veh-1', schema: 'Vehicle', properties: { registrationNumber: ['BC 4821'] } },
              { id: 'drv-1', schema: 'Person', properties: { name: ['Ramon Inzunza'], phone: ['+52 667 123 4567'] } },
            ],
          },
          { source: 'CBP' },
        );
        await writeBatch(api.store.db, api.store.markings, SYSTEM, [seizure.record!], { origin: 'test' });
        await expect.poll(() => events.join('').includes('interdiction.link'), { timeout: 5000 }).toBe(true);
        const latencyMs = Date.now() - t0;
        expect(latencyMs).toBeLessThan(5000);
        const notes = await get('/notifications', api.token.dea);
        const link = notes.find((n: { kind: string }) => n.kind === 'interdiction.link');
        expect(link.message).toMatch(
          /CBP record SEIZ-2031-0001 touches a target of your case DEA-2031-SD-0042 \(same phone\): Seizure sz-1 → Person drv-1 \(via involved\)/,
        );
        // The reporting agency learns that a case holds it, and whom to call; nothing more.
        const cbpSees = await api.store.db.query<{ message: string }>(
          "SELECT message FROM notifications WHERE agency = 'CBP' AND kind = 'interdiction.case'",
        );
        // (HSI registered the same phone, so both cases are named, each by its contact.)
        expect(cbpSees.map((n) => n.message).sort()).toEqual([
          expect.stringMatching(/SEIZ-2031-0001 touches an open case held by .*\(DEA\); contact SA Maria Ortiz/),
          expect.stringMatching(/SEIZ-2031-0001 touches an open case held by .*\(HSI\); contact SA Ken Park/),
        ]);
        expect(JSON.stringify(cbpSees)).not.toMatch(/Blue Lotus|DEA-2031-SD-0042/);
        // The webhook got it too, signed.
        await expect
          .poll(() => received.some((r) => r.body.includes('interdiction.link')), { timeout: 5000 })
          .toBe(true);
        const got = received.find((r) => r.body.includes('interdiction.link'))!;
        const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(got.headers['x-chokepoint-signature']))!;
        expect(v1).toBe(createHmac('sha256', secret).update(`${t}.${got.body}`).digest('hex'));
        expect(createHmac('sha256', 'wrong').update(`${t}.${got.body}`).digest('hex')).not.toBe(v1);
      } finally {
        ctl.abort();
        await reading;
        await new Promise<void>((r) => hook.close(() => r()));
      }
    });
  });

  describe(`a case's own entities (${backend.name})`, () => {
    const api = apiSuite(backend, {});

    it('reaches the case when a new record touches an entity of the picture that the case registered', async () => {
      const agent = await userWithToken(api.store, {
        username: 'fbi.agent',
        agency: 'FBI',
        clearance: 'S',
        roles: ['case_agent'],
      });
      const truck = parseRecord(
        {
          sourceRecordId: 'REG-1',
          marking: 'U//LES',
          entities: [{ id: 'truck-77', schema: 'Vehicle', properties: { registrationNumber: ['SON 4411'] } }],
        },
        { source: 'AZDPS' },
      );
      await writeBatch(api.store.db, api.store.markings, SYSTEM, [truck.record!], { origin: 'test' });
      const c = (
        await api.post('/cases', agent, {
          caseNumber: 'FBI-PX-9',
          title: 'Phoenix cell',
          contactName: 'SA Reyes',
          contactPhone: '+1 602 555 0177',
        })
      ).json();
      expect(
        (await api.post(`/cases/${c.id}/targets`, agent, { targets: [{ kind: 'entity', value: 'truck-77' }] }))
          .statusCode,
      ).toBe(201);
      const seizure = parseRecord(
        {
          sourceRecordId: 'SEIZ-9',
          marking: 'U//LES',
          entities: [
            {
              id: 'sz-9',
              schema: 'Seizure',
              properties: { name: ['I-19 checkpoint'], date: ['2031-02-02'], conveyance: ['truck-77'] },
            },
          ],
        },
        { source: 'CBP' },
      );
      await writeBatch(api.store.db, api.store.markings, SYSTEM, [seizure.record!], { origin: 'test' });
      const notes = (await api.app.inject({ url: '/notifications', headers: auth(agent) })).json();
      expect(notes.map((n: { message: string }) => n.message)).toEqual([
        expect.stringMatching(
          /CBP record SEIZ-9 touches a target of your case FBI-PX-9 \(same entity\): Seizure sz-9 → Vehicle truck-77 \(via conveyance\)/,
        ),
      ]);
    });
  });

  describe(`event deconfliction and the watch center (${backend.name})`, () => {
    const api = apiSuite(backend, {
      dea: { username: 'dea.ops', agency: 'DEA', clearance: 'S', roles: ['case_agent'] },
      sdpd: { username: 'sdpd.ops', agency: 'SDPD', clearance: 'U', roles: ['case_agent'] },
      sup: { username: 'dea.sup', agency: 'DEA', clearance: 'S', roles: ['supervisor'] },
      sup2: { username: 'dea.sup2', agency: 'DEA', clearance: 'S', roles: ['supervisor'] },
      watch: { username: 'watch.1', agency: 'DEA', clearance: 'S', roles: ['watch_officer'] },
    });
    const get = async (url: string, token: string) => (await api.app.inject({ url, headers: auth(token) })).json();
    const op = (o: Record<string, unknown>) => ({
      type: 'raid',
      title: 'Search warrant, stash house',
      contactName: 'Sgt. Lee',
      contactPhone: '+1 619 555 0111',
      startsAt: day(10, 5),
      endsAt: day(10, 9),
      location: { lat: 32.7157, lon: -117.1611 },
      ...o,
    });

    it('accepts an operation with nothing near it', async () => {
      const r = await api.post('/operations', api.token.dea, op({ title: 'DEA raid, Barrio Logan stash house' }));
      expect(r.statusCode).toBe(201);
      expect(r.json()).toMatchObject({ status: 'accepted', conflicts: [] });
    });

    it('answers "accepted with conflict" in the same request when another operation overlaps in place and time', async () => {
      const r = await api.post(
        '/operations',
        api.token.sdpd,
        op({
          type: 'buy_bust',
          title: 'Buy-bust with CI #77',
          location: { lat: 32.719, lon: -117.158 },
          startsAt: day(10, 8),
          endsAt: day(10, 11),
        }),
      );
      expect(r.json().status).toBe('accepted with conflict');
      const [c] = r.json().conflicts;
      expect(c.reason).toBe('time and place');
      // Pointer-only: whom to call, never where, when or what (a distance or window would let probes locate it).
      expect(c.distanceM).toBeNull();
      expect(c.overlap).toBeNull();
      expect(c.other).toEqual({
        agency: 'DEA',
        agencyName: expect.any(String),
        contactName: 'Sgt. Lee',
        contactPhone: '+1 619 555 0111',
      });
      expect(JSON.stringify(r.json())).not.toMatch(/Barrio Logan|32\.7157/); // neither the other's title nor its place
      // The other side hears at once.
      expect(
        (await get('/notifications', api.token.dea)).some(
          (n: { kind: string; message: string }) =>
            n.kind === 'deconfliction.event' &&
            /conflicts with an operation by .*contact/.test(n.message) &&
            !/buy.bust|m apart|overlapping/i.test(n.message),
        ),
      ).toBe(true);
    });

    it('does not flag operations far apart, or apart in time beyond the buffer; flags a shared target anywhere', async () => {
      expect(
        (
          await api.post('/operations', api.token.sdpd, op({ title: 'Far', location: { lat: 32.55, lon: -116.9 } }))
        ).json().status,
      ).toBe('accepted');
      expect(
        (
          await api.post(
            '/operations',
            api.token.sdpd,
            op({ title: 'Later', startsAt: day(10, 12), endsAt: day(10, 13) }),
          )
        ).json().status,
      ).toBe('accepted');
      expect(
        (
          await api.post(
            '/operations',
            api.token.sdpd,
            op({ title: 'Within buffer', startsAt: day(10, 9), endsAt: day(10, 10) }),
          )
        ).json().status,
      ).toBe('accepted with conflict');
      const vin = '1M8GDM9AXKP042788';
      expect(
        (
          await api.post(
            '/operations',
            api.token.dea,
            op({
              type: 'surveillance',
              title: 'Follow the truck',
              location: { lat: 33.9, lon: -118.2 },
              startsAt: day(20),
              endsAt: day(21),
              targets: [{ kind: 'vehicle', value: vin }],
            }),
          )
        ).json().status,
      ).toBe('accepted');
      const shared = await api.post(
        '/operations',
        api.token.sdpd,
        op({
          type: 'vehicle_stop',
          title: 'Stop it',
          location: { lat: 32.6, lon: -117.0 },
          startsAt: day(25),
          endsAt: day(25, 14),
          targets: [{ kind: 'vehicle', value: vin }],
        }),
      );
      expect(shared.json().conflicts.map((c: { reason: string }) => c.reason)).toEqual(['shared target']);
    });

    it('takes polygons, and validates places, windows and types', async () => {
      const poly = await api.post(
        '/operations',
        api.token.dea,
        op({
          type: 'sweep',
          title: 'Sweep of the block',
          location: {
            polygon: [
              [32.714, -117.163],
              [32.717, -117.163],
              [32.717, -117.159],
              [32.714, -117.159],
            ],
          },
        }),
      );
      expect(poly.json().status).toBe('accepted with conflict');
      expect((await api.post('/operations', api.token.dea, op({ location: { lat: 95, lon: 0 } }))).statusCode).toBe(
        400,
      );
      expect((await api.post('/operations', api.token.dea, op({ endsAt: day(10, 4) }))).json().error).toMatch(
        /endsAt must be after startsAt/,
      );
      expect((await api.post('/operations', api.token.dea, op({ type: 'picnic' }))).statusCode).toBe(400);
      expect(
        (
          await api.post(
            '/operations',
            api.token.dea,
            op({ startsAt: '2020-01-01T10:00:00Z', endsAt: '2020-01-01T12:00:00Z' }),
          )
        ).json().error,
      ).toMatch(/enter it as exigent/);
    });

    it('takes exigent operations after the fact, signed off by another supervisor', async () => {
      const r = await api.post(
        '/operations',
        api.token.dea,
        op({
          title: 'Hot pursuit entry',
          startsAt: '2030-12-01T10:00:00Z',
          endsAt: '2030-12-01T11:00:00Z',
          exigent: { reason: 'Suspect fled into the residence during a vehicle stop.' },
        }),
      );
      expect(r.json().status).toBe('pending approval');
      const id = r.json().operationId;
      expect((await api.post(`/operations/${id}/approve`, api.token.dea, {})).statusCode).toBe(403);
      expect((await api.post(`/operations/${id}/approve`, api.token.sup, {})).statusCode).toBe(200);
      expect((await api.post(`/operations/${id}/approve`, api.token.sup2, {})).statusCode).toBe(409);
    });

    it('escalates a conflict not acknowledged in time to the watch center, which claims it and records the outcome', async () => {
      const mine = await get('/deconfliction/operations?open=true', api.token.dea);
      expect(mine.length).toBeGreaterThan(0);
      expect(await escalateOverdue(api.store.db, new Date(Date.now() + 60_000))).toBe(0); // not yet: 15 minutes by default
      const n = await escalateOverdue(api.store.db, new Date(Date.now() + 16 * 60_000));
      expect(n).toBe(mine.length);
      expect((await get('/watch-center/queue', api.token.dea)).error).toMatch(/watchCenter/);
      const queue = await get('/watch-center/queue', api.token.watch);
      expect(queue).toHaveLength(n);
      expect(queue[0].sides.map((s: { contactPhone: string }) => s.contactPhone)).toContain('+1 619 555 0111');
      expect(
        (await get('/notifications', api.token.watch)).filter((x: { kind: string }) => x.kind === 'watch.escalation'),
      ).toHaveLength(n);
      const id = queue[0].id;
      expect(
        (await api.post(`/watch-center/${id}/resolve`, api.token.watch, { outcome: 'joint', note: 'x' })).statusCode,
      ).toBe(409);
      expect((await api.post(`/watch-center/${id}/claim`, api.token.watch, {})).statusCode).toBe(200);
      expect(
        (
          await api.post(`/watch-center/${id}/resolve`, api.token.watch, {
            outcome: 'joint',
            note: 'DEA and SDPD run it together; SDPD holds the buy-bust until 09:30.',
          })
        ).statusCode,
      ).toBe(200);
      expect((await get('/watch-center/queue', api.token.watch)).map((q: { id: number }) => q.id)).not.toContain(id);
      expect(await escalateOverdue(api.store.db, new Date(Date.now() + 16 * 60_000))).toBe(0); // each conflict escalates once
    });

    it('reports events entered, conflicts, escalations and notification latency', async () => {
      await new Promise((r) => setTimeout(r, 200)); // let the hub dispatch what is committed
      const m = await get('/deconfliction/metrics', api.token.sup);
      expect(m.operationsEntered).toBe(9);
      expect(m.operationConflicts).toBeGreaterThanOrEqual(4);
      expect(m.escalated).toBeGreaterThan(0);
      expect(m.resolvedByWatchCenter).toBe(1);
      expect(m.notificationLatencyMs.notifications).toBeGreaterThan(0);
      expect(m.notificationLatencyMs.p99).toBeLessThan(5000);
      expect((await api.app.inject({ url: '/deconfliction/metrics', headers: auth(api.token.dea) })).statusCode).toBe(
        403,
      );
    });
  });
}

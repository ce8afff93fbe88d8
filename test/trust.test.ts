// Regressions of a security review with ordinary accounts on the seeded demo: each
// finding is a way around the access rule that must stay closed. The oracle is the
// store's own content read as the system, judged by canRead() in TypeScript.
import { describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { backends, apiSuite, auth, userWithToken } from './helpers.js';
import { loadScenario, DEMO_USERS } from '../src/scenario/load.js';
import { canRead, type Marking, type Caveat } from '../src/domain/markings.js';
import { model } from '../src/domain/model.js';
import type { Principal } from '../src/domain/users.js';
import { findUser } from '../src/store/users.js';
import { parseRecord } from '../src/ingest/record-input.js';
import { writeBatch, SYSTEM } from '../src/store/write.js';
import { writerScope } from '../src/store/write-scope.js';
import { CLASSIFICATIONS } from '../src/domain/markings.js';

const demo = (name: string) => {
  const u = DEMO_USERS.find((x) => x.username === name)!;
  return { ...u, groups: u.groups ?? [] };
};

for (const backend of backends) {
  describe(`the access rule holds for writes and derived data (${backend.name})`, () => {
    const api = apiSuite(
      backend,
      {
        deaAnalyst: demo('dea.analyst'),
        deaAgent: demo('dea.agent'),
        cbp: demo('cbp.officer'),
        hsi: demo('hsi.agent'),
        azdps: demo('azdps.detective'),
        fgr: demo('fgr.liaison'),
        fbi: demo('fbi.reviewer'),
        carrier: demo('carrier.partner'),
        ofac: demo('ofac.analyst'),
        deaSupervisor: demo('dea.supervisor'),
      },
      async (store) => {
        await loadScenario(store, { seed: 7, networks: 2 });
      },
    );
    const get = async (url: string, token: string) => {
      const r = await api.app.inject({ url, headers: auth(token) });
      return { status: r.statusCode, body: r.body, json: () => r.json() };
    };
    const who = async (username: string): Promise<Principal> => (await findUser(api.store.db, username))!;
    /** A record written as the system, as the demo's loader writes (it must be valid). */
    const writeAsSystem = async (raw: unknown, ctx: { source: string }): Promise<void> => {
      const parsed = parseRecord(raw, ctx);
      expect(parsed.errors).toEqual([]);
      await writeBatch(api.store.db, api.store.markings, SYSTEM, [parsed.record!], { origin: 'trust test' });
    };
    /** A fresh HSI case agent (each has their own hourly bound on operations). */
    const hsiPlanner = (username: string) =>
      userWithToken(api.store, { username, agency: 'HSI', clearance: 'S', roles: ['case_agent'] });
    /** Every marking row, as the system sees it (read afresh: writes intern new ones). */
    const markingRows = async (): Promise<Map<number, Marking>> => {
      const rows = await api.store.db.query<{
        id: number;
        level: number;
        caveats: Caveat[];
        rel_to: string[];
        owner: string;
        compartments: string[];
        orcon_to: string[];
      }>('SELECT * FROM markings');
      return new Map(
        rows.map((r) => [
          r.id,
          {
            classification: CLASSIFICATIONS[r.level]!,
            caveats: r.caveats,
            relTo: r.rel_to,
            owner: r.owner,
            compartments: r.compartments,
            orconTo: r.orcon_to,
          },
        ]),
      );
    };
    /** Values the reader may not read, of the given entities (by the TypeScript rule). */
    const hiddenValues = async (reader: Principal, entityIds: string[]): Promise<string[]> => {
      const rows = await api.store.db.query<{ value: string; marking_id: number }>(
        'SELECT value, marking_id FROM statements WHERE entity_id = ANY($1)',
        [entityIds],
      );
      const markings = await markingRows();
      return rows.filter((r) => !canRead(reader, markings.get(r.marking_id)!)).map((r) => r.value);
    };

    it('a write never replaces, nor learns of, a record its writer may not read in full (finding 1)', async () => {
      // A DEA record that dea.analyst (no OCDETF group) may not read in full.
      const [hidden] = await api.store.db.query<{ id: number; source_record_id: string }>(
        "SELECT r.id, r.source_record_id FROM records r JOIN markings m ON m.id = r.marking_id WHERE r.source = 'DEA' AND 'OCDETF' = ANY (m.compartments) ORDER BY r.id LIMIT 1",
      );
      expect(hidden, 'the demo has an OCDETF record of DEA').toBeDefined();
      const before = await api.store.db.query(
        'SELECT entity_id, prop, value, marking_id FROM statements WHERE record_id = $1 ORDER BY id',
        [hidden!.id],
      );
      const write = (sid: string) =>
        api.post('/records', api.token.deaAnalyst, [
          {
            sourceRecordId: sid,
            marking: 'U//LES',
            entities: [{ id: 'probe-1', schema: 'Person', properties: { name: ['Blind Overwrite'] } }],
          },
        ]);
      const onHidden = await write(hidden!.source_record_id);
      const onUnused = await write('DEA-NEVER-USED-1');
      expect(onHidden.statusCode).toBe(200);
      // The same answer as for a key never used: nothing tells the writer the hidden record exists.
      const answer = (r: typeof onHidden) => ({ ...r.json(), seconds: undefined });
      expect(answer(onHidden)).toEqual(answer(onUnused));
      expect(onHidden.json()).toMatchObject({ inserted: 1, updated: 0 });
      // The hidden record is untouched, for everyone.
      expect(
        await api.store.db.query(
          'SELECT entity_id, prop, value, marking_id FROM statements WHERE record_id = $1 ORDER BY id',
          [hidden!.id],
        ),
      ).toEqual(before);
      // Sending the same again is idempotent for the writer; a changed version replaces only the writer's own.
      expect((await write(hidden!.source_record_id)).json()).toMatchObject({ unchanged: 1 });
      const changed = await api.post('/records', api.token.deaAnalyst, [
        {
          sourceRecordId: hidden!.source_record_id,
          marking: 'U//LES',
          entities: [{ id: 'probe-1', schema: 'Person', properties: { name: ['Blind Overwrite Two'] } }],
        },
      ]);
      expect(changed.json()).toMatchObject({ updated: 1 });
      expect(
        await api.store.db.query(
          'SELECT entity_id, prop, value, marking_id FROM statements WHERE record_id = $1 ORDER BY id',
          [hidden!.id],
        ),
      ).toEqual(before);
      // Retracting removes only what the retracting user may read in full.
      const subject = (before[0] as { entity_id: string }).entity_id;
      const visibleToAnalyst = (await get(`/entities/${subject}`, api.token.deaAnalyst)).status === 200;
      if (visibleToAnalyst)
        await api.app.inject({ method: 'DELETE', url: `/entities/${subject}`, headers: auth(api.token.deaAnalyst) });
      expect(
        await api.store.db.query(
          'SELECT entity_id, prop, value, marking_id FROM statements WHERE record_id = $1 ORDER BY id',
          [hidden!.id],
        ),
      ).toEqual(before);
    });

    it("an id in the writer's own namespace that they cannot see is not written to: it is held by someone else (review of the exchange formats, 1)", async () => {
      // A colleague's write under the analyst's namespace (they once shared it), now held only under a marking the analyst lacks.
      const analyst = await who('dea.analyst');
      const taken = `${writerScope(analyst)}:ns-probe`;
      await writeAsSystem(
        {
          sourceRecordId: 'NS-PROBE-1',
          marking: 'U//GROUPS ZZHELD',
          entities: [{ id: taken, schema: 'Person', properties: { name: ['Held Elsewhere'] } }],
        },
        { source: 'DEA' },
      );
      const r = await api.post('/records', api.token.deaAnalyst, [
        {
          sourceRecordId: 'NS-PROBE-2',
          marking: 'U//LES',
          entities: [{ id: taken, schema: 'Person', properties: { name: ['Mine Now'] } }],
        },
      ]);
      expect(r.statusCode).toBe(200);
      expect(r.json().ids[taken]).not.toBe(taken);
      const onIt = await api.store.db.query<{ record_id: number }>(
        'SELECT record_id FROM presence WHERE entity_id = $1',
        [taken],
      );
      expect(onIt).toHaveLength(1);
    });

    it('a record holding a reference its writer may not see is neither replaced nor retracted by them (review F2)', async () => {
      // A DEA seizure dea.analyst may see, whose record also names an entity it may not (an OCDETF subject).
      const cands = await api.store.db.query<{
        entity_id: string;
        value: string;
        record_id: number;
        source_record_id: string;
      }>(
        `SELECT s.entity_id, s.value, s.record_id, r.source_record_id FROM statements s JOIN records r ON r.id = s.record_id
          WHERE r.source = 'DEA' AND s.prop_type = 'entity' AND s.schema = 'Seizure' ORDER BY s.id LIMIT 200`,
      );
      let target: (typeof cands)[number] | undefined;
      for (const c of cands) {
        if ((await get(`/entities/${c.entity_id}`, api.token.deaAnalyst)).status !== 200) continue;
        if ((await get(`/entities/${c.value}`, api.token.deaAnalyst)).status === 404) {
          target = c;
          break;
        }
      }
      expect(target, 'the demo has a visible DEA seizure naming a hidden subject').toBeDefined();
      const held = () =>
        api.store.db.query('SELECT id, entity_id, prop, value FROM statements WHERE record_id = $1 ORDER BY id', [
          target!.record_id,
        ]);
      const before = await held();
      const replace = await api.post('/records', api.token.deaAnalyst, [
        {
          sourceRecordId: target!.source_record_id,
          marking: 'U//LES',
          entities: [{ id: target!.entity_id, schema: 'Seizure', properties: { name: ['replaced'] } }],
        },
      ]);
      expect(replace.json()).toMatchObject({ inserted: 1, updated: 0 });
      const retract = await api.app.inject({
        method: 'DELETE',
        url: `/entities/${target!.entity_id}`,
        headers: auth(api.token.deaAnalyst),
      });
      expect([200, 403]).toContain(retract.statusCode);
      expect(await held()).toEqual(before);
    });

    it('the other side of an operation conflict learns whom to call, never where, when or what (review F1)', async () => {
      const when = (h: number) => new Date(Date.UTC(2031, 6, 1, h)).toISOString();
      const plan = (token: string, o: Record<string, unknown>) =>
        api.post('/operations', token, {
          type: 'surveillance',
          title: 'probe',
          contactName: 'Probe',
          contactPhone: '+1 202 555 0100',
          startsAt: when(10),
          endsAt: when(12),
          location: { lat: 33.45, lon: -112.07, radiusM: 500 },
          ...o,
        });
      const buy = await plan(api.token.deaAgent, {
        type: 'controlled_buy',
        title: 'CI-7 buy at the motel',
        startsAt: when(10),
        endsAt: when(11),
      });
      expect(buy.statusCode).toBe(201);
      const probes = [
        [33.4, -112.1],
        [33.5, -112.1],
        [33.45, -112.0],
      ];
      for (const [lat, lon] of probes) {
        const r = await plan(api.token.hsi, {
          location: { lat, lon, radiusM: 20_000 },
          startsAt: when(10),
          endsAt: when(13),
        });
        expect(r.json().status).toBe('accepted with conflict');
        const text = r.body;
        for (const leak of ['controlled', 'CI-7', '33.45', '-112.07', when(11), 'startsAt":"2031-07-01T10'])
          expect(text, `a probe's answer names ${leak}`).not.toContain(leak);
        expect(r.json().conflicts.every((c: { distanceM: unknown }) => c.distanceM === null)).toBe(true);
        expect(r.json().conflicts.every((c: { overlap: unknown }) => c.overlap === null)).toBe(true);
      }
      for (const n of (await get('/notifications', api.token.hsi)).json() as { kind: string; message: string }[])
        if (n.kind === 'deconfliction.event') expect(n.message).not.toMatch(/m apart|overlapping|controlled buy/);
      // Only the planner or a supervisor acknowledges the conflict (second review 5).
      const [k] = await api.store.db.query<{ id: number }>('SELECT id FROM event_conflicts ORDER BY id LIMIT 1');
      expect((await api.post(`/deconfliction/operations/${k!.id}/ack`, api.token.deaAnalyst, {})).statusCode).toBe(403);
      expect((await api.post(`/deconfliction/operations/${k!.id}/ack`, api.token.deaAgent, {})).statusCode).toBe(200);
    });

    it("a conflict's yes or no says neither where within a cell nor when within an hour the other operation is (third review 1)", async () => {
      // On exact circles, bisecting a probe's radius from three points located a buy to 0.1 m in 47 probes.
      const prober = await hsiPlanner('trust.bisector');
      const at = (h: number, m = 0) => new Date(Date.UTC(2033, 2, 3, h, m)).toISOString();
      const plan = (token: string, o: Record<string, unknown>) =>
        api.post('/operations', token, {
          type: 'surveillance',
          title: 'probe',
          contactName: 'Probe',
          contactPhone: '+1 202 555 0100',
          startsAt: at(18),
          endsAt: at(20),
          ...o,
        });
      const centre = { lat: 33.4484, lon: -112.074 };
      expect(
        (
          await plan(api.token.deaAgent, {
            type: 'controlled_buy',
            title: 'buy',
            location: { ...centre, radiusM: 500 },
          })
        ).statusCode,
      ).toBe(201);
      // Probes north of it whose circles end 0.5 m short of the buy's circle, and 0.5 m into it.
      const degPerM = 180 / (Math.PI * 6_371_008.8);
      const probe = async (gapM: number) =>
        (
          await plan(prober, {
            location: { lat: centre.lat + (500 + 100 + gapM) * degPerM, lon: centre.lon, radiusM: 100 },
          })
        ).json().status;
      expect(await probe(0.5)).toBe(await probe(-0.5));
      // Nor does a window that ends a minute before the buy begins (less the buffer) answer differently from one a minute after.
      const buffer = (await get('/deconfliction/settings', api.token.deaAgent)).json().bufferMinutes as number;
      const windowProbe = async (endMinute: number) =>
        (
          await plan(prober, {
            location: { ...centre, radiusM: 100 },
            startsAt: at(15),
            endsAt: at(18, 20 - buffer + endMinute),
          })
        ).json().status;
      expect(await windowProbe(-1)).toBe(await windowProbe(1));
    });

    it('a misspelt restriction is refused, never dropped to a wider marking (third review 2)', async () => {
      const refused = [
        // `groups` for compartments, `noforn` and `rel_to` for the caveat and relTo.
        api.post('/entities', api.token.deaAgent, {
          schema: 'Person',
          id: 'typo-1',
          properties: { name: ['Typo One'] },
          marking: { classification: 'S', caveats: ['LES', 'NOFORN'], groups: ['OCDETF'] },
        }),
        api.post('/entities', api.token.deaAgent, {
          schema: 'Person',
          id: 'typo-2',
          properties: { name: ['Typo Two'] },
          marking: { classification: 'S', noforn: true, rel_to: ['MEX'] },
        }),
        // `propertyMarking` for propertyMarkings: the birth date would have been U//LES.
        api.post('/records', api.token.deaAgent, [
          {
            sourceRecordId: 'DEA-TYPO-1',
            marking: 'U//LES',
            entities: [
              {
                id: 'typo-3',
                schema: 'Person',
                properties: { name: ['Typo Three'], birthDate: ['1970-05-05'] },
                propertyMarking: { birthDate: 'S//LES/NOFORN//GROUPS OCDETF' },
              },
            ],
          },
        ]),
        api.post('/records', api.token.deaAgent, [
          {
            sourceRecordId: 'DEA-TYPO-2',
            marking: 'U//LES',
            extra: 1,
            entities: [{ id: 'typo-4', schema: 'Person', properties: { name: ['Typo Four'] } }],
          },
        ]),
        api.post('/entities', api.token.deaAgent, {
          schema: 'Person',
          id: 'typo-5',
          properties: { name: ['Typo Five'] },
          marking: { classification: 'S', relTo: 'MEX' },
        }),
      ];
      for (const r of await Promise.all(refused)) {
        expect(r.statusCode, r.body).toBeGreaterThanOrEqual(400);
        expect(r.statusCode, r.body).toBeLessThan(500);
        expect(r.body).toMatch(/groups|noforn|rel_to|propertyMarking|extra|relTo/);
        expect(r.body).not.toMatch(/is not a function/);
      }
      const names = await api.store.db.query("SELECT 1 FROM statements WHERE value LIKE 'Typo %'");
      expect(names).toEqual([]);
    });

    it('no one acts on what they may not see or speak for: exams, nominations, presses, task forces (third review 3-6, 8, 9)', async () => {
      // 3. An exam takes a shipment off every queue: not a non-law-enforcement user's to record.
      const [ship] = await api.store.db.query<{ shipment_id: string }>(
        "SELECT shipment_id FROM shipment_scores WHERE status = 'queued' ORDER BY shipment_id LIMIT 1",
      );
      const exam = await api.post(`/targeting/shipments/${ship!.shipment_id}/exam`, api.token.ofac, {
        result: 'no hit',
        note: 'probe',
      });
      expect(exam.statusCode).toBe(403);
      const [still] = await api.store.db.query<{ status: string }>(
        'SELECT status FROM shipment_scores WHERE shipment_id = $1',
        [ship!.shipment_id],
      );
      expect(still!.status).toBe('queued');
      // 4. Amending another agency's nomination answers as GET does: as for one that does not exist.
      const nom = await api.post('/watchlist/nominations', api.token.hsi, {
        subjectKind: 'person',
        names: ['Third Review Subject'],
        birthDates: ['1971'],
        usPerson: false,
        categories: ['precursor supply'],
        basis: 'Broker of precursor shipments per two corroborating seizures in 2031 (third review).',
        marking: 'U//LES',
      });
      expect(nom.statusCode, nom.body).toBe(201);
      const id = nom.json().id as number;
      expect((await get(`/watchlist/nominations/${id}`, api.token.deaAnalyst)).status).toBe(404);
      const amendOf = (n: number) =>
        api.post(`/watchlist/nominations/${n}/amend`, api.token.deaAnalyst, { names: ['X'] });
      const [real, missing] = [await amendOf(id), await amendOf(999_999)];
      expect(real.statusCode).toBe(404);
      expect(real.json().error.replace(String(id), 'N')).toBe(missing.json().error.replace('999999', 'N'));
      // 5. A press registration's events are its registrant's to record.
      const press = await api.post('/presses', api.token.azdps, {
        kind: 'tablet press',
        make: 'ZP',
        model: '17',
        serial: 'TR3-0001',
        owner: 'AZ Pharma LLC',
        location: 'Phoenix',
        country: 'US',
      });
      expect(press.statusCode, press.body).toBe(201);
      const pid = press.json().id as number;
      expect((await api.post(`/presses/${pid}/events`, api.token.cbp, { kind: 'destroyed' })).statusCode).toBe(403);
      expect((await get(`/presses/${pid}`, api.token.azdps)).json().status).toBe('registered');
      expect((await api.post(`/presses/${pid}/events`, api.token.azdps, { kind: 'destroyed' })).statusCode).toBe(200);
      // 6. A task force is registered by an agency that leads it or belongs to it.
      const tf = (lead: string, members: string[]) =>
        api.post('/task-forces', api.token.deaSupervisor, {
          name: `Third review TF ${lead} ${members.join(' ')}`,
          kind: 'task force',
          purpose: 'p',
          leadAgency: lead,
          memberAgencies: members,
          geography: ['US-AZ'],
          focus: ['distribution'],
        });
      expect((await tf('FBI', ['FBI', 'CBP'])).statusCode).toBe(403);
      expect((await tf('FBI', ['DEA'])).statusCode).toBe(201);
      // 8. A hidden entity's cases answer as a missing entity's.
      await writeAsSystem(
        {
          sourceRecordId: 'TRUST-HIDDEN-1',
          marking: 'TS//NOFORN',
          entities: [{ id: 'trust-hidden-1', schema: 'Person', properties: { name: ['Hidden Person'] } }],
        },
        { source: 'FBI' },
      );
      const cases = await get('/entities/trust-hidden-1/cases', api.token.deaAnalyst);
      const none = await get('/entities/trust-missing-1/cases', api.token.deaAnalyst);
      expect([cases.status, none.status]).toEqual([404, 404]);
      expect(cases.json().error.replace('hidden', 'X')).toBe(none.json().error.replace('missing', 'X'));
      // 9. What one may not do is refused before one's input is judged.
      expect((await get('/audit?x=1', api.token.deaAnalyst)).status).toBe(403);
    });

    it('bounds the operations one user may plan in an hour, so conflicts cannot be searched out by probing', async () => {
      const prober = await hsiPlanner('trust.prober');
      const when = (d: number) => new Date(Date.UTC(2032, 0, 1 + d, 10)).toISOString();
      const statuses: number[] = [];
      for (let i = 0; i < 61; i++) {
        const r = await api.post('/operations', prober, {
          type: 'surveillance',
          title: `probe ${i}`,
          contactName: 'Probe',
          contactPhone: '+1 202 555 0100',
          startsAt: when(i),
          endsAt: new Date(Date.parse(when(i)) + 3_600_000).toISOString(),
          location: { lat: 10 + i * 0.5, lon: 10, radiusM: 100 },
        });
        statuses.push(r.statusCode);
      }
      expect(statuses.slice(0, 60).every((s) => s === 201)).toBe(true);
      expect(statuses[60]).toBe(429);
    });

    it('a shipment, a nomination or a conflict the caller may not act on answers as one that does not exist (review F3, F4, F6)', async () => {
      // F3: an examiner who may not see a shipment cannot examine it, and learns nothing of it.
      const fincen = await userWithToken(api.store, {
        username: 'trust.fincen',
        agency: 'FINCEN',
        clearance: 'S',
        roles: ['analyst'],
      });
      const [hidden] = await api.store.db.query<{ shipment_id: string }>(
        "SELECT s.shipment_id FROM shipment_scores s JOIN presence p ON p.entity_id = s.shipment_id JOIN markings m ON m.id = p.marking_id WHERE 'LES' = ANY (m.caveats) AND s.status = 'queued' LIMIT 1",
      );
      expect(hidden, 'the demo scores LES shipments').toBeDefined();
      const exam = (id: string) =>
        api.post(`/targeting/shipments/${encodeURIComponent(id)}/exam`, fincen, { result: 'no hit', note: 'probe' });
      const a = await exam(hidden!.shipment_id);
      const b = await exam('never-scored');
      expect(a.statusCode).toBe(b.statusCode);
      expect(a.body.replace(hidden!.shipment_id, 'ID')).toBe(b.body.replace('never-scored', 'ID'));
      expect(
        (
          await api.store.db.query<{ status: string }>('SELECT status FROM shipment_scores WHERE shipment_id = $1', [
            hidden!.shipment_id,
          ])
        )[0]!.status,
      ).toBe('queued');
      // F4: amending someone else's nomination that one may not read answers as a missing one.
      const nominated = await api.post('/watchlist/nominations', api.token.deaAgent, {
        subjectKind: 'person',
        names: ['Trust Probe Subject'],
        birthDates: ['1970-01-01'],
        nationalities: ['mx'],
        usPerson: false,
        categories: ['trafficking'],
        basis: 'Two corroborated sources place the subject at the stash house.',
        marking: 'S//LES/NOFORN//GROUPS OCDETF',
      });
      if (nominated.statusCode === 201) {
        const id = nominated.json().id as number;
        for (const token of [api.token.hsi, api.token.fgr]) {
          const one = await api.post(`/watchlist/nominations/${id}/amend`, token, { basis: 'x' });
          const none = await api.post('/watchlist/nominations/99999/amend', token, { basis: 'x' });
          expect(one.statusCode).toBe(none.statusCode);
          expect(one.body.replace(String(id), 'ID')).toBe(none.body.replace('99999', 'ID'));
        }
      } else expect.fail(`the nomination was refused: ${nominated.body}`);
      // F6: a colleague who neither owns the case nor supervises may not acknowledge its conflict.
      const [k] = await api.store.db.query<{ id: number }>(
        "SELECT k.id FROM target_conflicts k JOIN case_targets t ON t.id = k.target_a JOIN cases c ON c.id = t.case_id WHERE c.agency = 'DEA' LIMIT 1",
      );
      if (k)
        expect((await api.post(`/deconfliction/targets/${k.id}/ack`, api.token.deaAnalyst, {})).statusCode).toBe(403);
    });

    it('a case target on an id its registrant may not see is never tied to what touches it (review F5)', async () => {
      const hsi = await who('hsi.agent');
      // An entity HSI may not see, and a seizure HSI may see that involves it.
      const [hidden] = await api.store.db.query<{ entity_id: string }>(
        "SELECT entity_id FROM presence WHERE entity_id LIKE 'dea-p-%-h0' ORDER BY entity_id LIMIT 1",
      );
      expect((await get(`/entities/${hidden!.entity_id}`, api.token.hsi)).status).toBe(404);
      const c = await api.post('/cases', api.token.hsi, {
        caseNumber: 'HSI-TRUST-5',
        title: 'probe',
        contactName: 'SA Probe',
        contactPhone: '+1 202 555 0101',
      });
      expect(c.statusCode).toBe(201);
      expect(
        (
          await api.post(`/cases/${c.json().id}/targets`, api.token.hsi, {
            targets: [{ kind: 'entity', value: hidden!.entity_id }],
          })
        ).statusCode,
      ).toBe(201);
      await writeAsSystem(
        {
          sourceRecordId: 'DEA-TRUST-SZ-5',
          marking: 'U//LES',
          entities: [
            {
              id: 'trust-sz-5',
              schema: 'Seizure',
              properties: { name: ['Motel seizure'], date: ['2031-07-02'], involved: [hidden!.entity_id] },
            },
          ],
        },
        { source: 'DEA' },
      );
      const notes = ((await get('/notifications', api.token.hsi)).json() as { kind: string; message: string }[]).filter(
        (n) => n.kind === 'interdiction.link',
      );
      expect(notes.length, 'the owner is told, pointer-only').toBeGreaterThan(0);
      for (const n of notes) {
        expect(n.message).not.toContain('trust-sz-5');
        expect(n.message).not.toContain(hidden!.entity_id);
      }
      expect(hsi.agency).toBe('HSI');
    });

    it('a partner cannot ask through its own reports whether anyone investigates a name (second review 1, 2)', async () => {
      const c = await api.post('/cases', api.token.deaAgent, {
        caseNumber: 'DEA-TRUST-R1',
        title: 'probe',
        contactName: 'SA Red',
        contactPhone: '+1 202 555 0102',
      });
      expect(c.statusCode).toBe(201);
      await api.post(`/cases/${c.json().id}/targets`, api.token.deaAgent, {
        targets: [{ kind: 'person', value: 'Jessica Trustworthy' }],
      });
      const report = await api.post('/partner/reports', api.token.carrier, {
        kind: 'shipment',
        summary: 'Suspicious parcel',
        shipment: { trackingNumber: '1Z999TRUST01', consigneeName: 'Jessica Trustworthy' },
      });
      expect(report.statusCode).toBe(201);
      const notes = (await get('/notifications', api.token.carrier)).json() as { kind: string; message: string }[];
      expect(
        notes.filter((n) => n.kind.startsWith('interdiction')),
        JSON.stringify(notes),
      ).toEqual([]);
      // And a write's answer does not count possible links made with what the writer may not see.
      const w = await api.post('/records', api.token.azdps, [
        {
          sourceRecordId: 'AZ-TRUST-R2',
          marking: 'U//LES',
          entities: [{ id: 'r2', schema: 'Person', properties: { name: ['Jessica Trustworthy'] } }],
        },
      ]);
      expect(w.statusCode).toBe(200);
      expect(w.json()).not.toHaveProperty('links');
    });

    it('equities are asked only of case owners who may read the nomination, and can be asked again (second review 3, 4)', async () => {
      const name = 'Horacio Trust Equities';
      for (const [token, no] of [
        [api.token.hsi, 'HSI-TRUST-R3'],
        [api.token.deaAgent, 'DEA-TRUST-R3'],
      ] as const) {
        const c = await api.post('/cases', token, {
          caseNumber: no,
          title: 'probe',
          contactName: 'SA Blue',
          contactPhone: '+1 202 555 0103',
        });
        await api.post(`/cases/${c.json().id}/targets`, token, { targets: [{ kind: 'person', value: name }] });
      }
      const nom = await api.post('/watchlist/nominations', api.token.deaAgent, {
        subjectKind: 'person',
        names: [name],
        birthDates: ['1971-02-03'],
        nationalities: ['mx'],
        usPerson: false,
        categories: ['trafficking'],
        basis: 'Two corroborated sources place the subject at the stash house.',
        marking: 'S//LES/NOFORN//GROUPS OCDETF',
      });
      expect(nom.statusCode).toBe(201);
      const id = nom.json().id as number;
      const accept = await api.post(`/watchlist/nominations/${id}/review`, api.token.fbi, {
        decision: 'accept',
        note: 'meets the criteria',
      });
      expect(accept.statusCode).toBe(200);
      const hsiNotes = (await get('/notifications', api.token.hsi)).json() as { kind: string; message: string }[];
      expect(
        hsiNotes.some((n) => n.kind === 'watchlist.equities'),
        'HSI may not read the nomination',
      ).toBe(false);
      const fbiNotes = (await get('/notifications', api.token.fbi)).json() as { kind: string }[];
      expect(fbiNotes.some((n) => n.kind === 'watchlist.equities.unasked')).toBe(true);
      // The DEA owner (OCDETF) is asked, objects; the reviewer can accept again.
      const deaCase = ((await get('/cases', api.token.deaAgent)).json() as { id: number; caseNumber: string }[]).find(
        (x) => x.caseNumber === 'DEA-TRUST-R3',
      )!;
      const obj = await api.post(`/watchlist/nominations/${id}/equities`, api.token.deaAgent, {
        caseId: deaCase.id,
        response: 'object',
        note: 'would harm the wire',
      });
      expect(obj.statusCode, obj.body).toBeLessThan(300);
      const again = await api.post(`/watchlist/nominations/${id}/review`, api.token.fbi, {
        decision: 'accept',
        note: 'cleared with the case agent',
      });
      expect(again.statusCode, again.body).toBe(200);
      // HSI cannot answer (or veto) a nomination it may not read.
      const hsiCase = ((await get('/cases', api.token.hsi)).json() as { id: number; caseNumber: string }[]).find(
        (x) => x.caseNumber === 'HSI-TRUST-R3',
      )!;
      const veto = await api.post(`/watchlist/nominations/${id}/equities`, api.token.hsi, {
        caseId: hsiCase.id,
        response: 'object',
        note: 'x',
      });
      const none = await api.post('/watchlist/nominations/99999/equities', api.token.hsi, {
        caseId: hsiCase.id,
        response: 'object',
        note: 'x',
      });
      expect(veto.statusCode).toBe(none.statusCode);
    });

    it('partners read neither the targeting method nor the task-force registry (second review 6, 7)', async () => {
      for (const token of [api.token.carrier, api.token.fgr]) {
        expect((await get('/targeting/rules', token)).status).toBe(403);
        expect((await get('/task-forces', token)).status).toBe(403);
      }
      expect((await get('/targeting/rules', api.token.cbp)).status).toBe(200);
    });

    it('a press reads as seized, and shows the seizure, only to a reader who may read the seizure', async () => {
      const reg = await api.post('/presses', api.token.azdps, {
        kind: 'tablet press',
        make: 'TrustPress',
        model: 'TP-9',
        serial: 'TRUST-0001',
        owner: 'Desert Pharma LLC',
        location: 'Phoenix, AZ',
        country: 'us',
      });
      expect(reg.statusCode, reg.body).toBe(201);
      const id = reg.json().id as number;
      await writeAsSystem(
        {
          sourceRecordId: 'DEA-TRUST-PRESS-1',
          marking: 'S//LES/NOFORN//GROUPS OCDETF',
          entities: [
            {
              id: 'trust-press-1',
              schema: 'Equipment',
              properties: {
                name: ['Seized press'],
                equipmentType: ['pill press'],
                make: ['TrustPress'],
                serialNumber: ['TRUST-0001'],
              },
            },
            {
              id: 'trust-press-sz-1',
              schema: 'Seizure',
              properties: { name: ['Lab raid'], date: ['2031-08-01'], involved: ['trust-press-1'] },
            },
          ],
        },
        { source: 'DEA' },
      );
      const seen = (token: string) =>
        get(`/presses/${id}`, token).then((r) => r.json() as { status: string; events: { kind: string }[] });
      const azdps = await seen(api.token.azdps);
      expect(azdps.status).toBe('registered');
      expect(azdps.events.map((e) => e.kind)).not.toContain('seizure');
      expect(JSON.stringify(azdps)).not.toContain('trust-press');
      const dea = await seen(api.token.deaAgent);
      expect(dea.status).toBe('seized');
      expect(dea.events.map((e) => e.kind)).toContain('seizure');
    });

    it('a write naming an entity its writer cannot see behaves as for an unused id, and attaches nothing to it (finding 2)', async () => {
      const azdps = await who('azdps.detective');
      const [hidden] = await api.store.db.query<{ id: string; schema: string }>(
        `SELECT e.id, e.schema FROM entities e WHERE NOT EXISTS (
           SELECT 1 FROM presence p JOIN markings m ON m.id = p.marking_id WHERE p.entity_id = e.id AND m.level = 0 AND NOT ('ORCON' = ANY (m.caveats)) AND cardinality(m.compartments) = 0 AND NOT ('PROPIN' = ANY (m.caveats)))
         ORDER BY e.id LIMIT 1`,
      );
      expect(hidden).toBeDefined();
      expect((await get(`/entities/${hidden!.id}`, api.token.azdps)).status).toBe(404);
      const presenceBefore = await api.store.db.query(
        'SELECT record_id, schema, marking_id FROM presence WHERE entity_id = $1 ORDER BY record_id',
        [hidden!.id],
      );
      const other = model.concrete().find((s) => !model.compatible(s.name, hidden!.schema) && s.name === 'Vessel')
        ? 'Vessel'
        : 'Address';
      const post = (id: string, schema: string) =>
        api.post('/entities', api.token.azdps, {
          schema,
          id,
          properties: schema === 'Vessel' ? { name: ['Probe'] } : { full: ['Probe'] },
          marking: 'U//LES',
        });
      for (const schema of [other, hidden!.schema]) {
        const a = await post(hidden!.id, schema);
        const b = await post('never-used-id-7', schema);
        expect(a.statusCode, `${schema} on a hidden id`).toBe(b.statusCode);
        const strip = (x: { id?: string; properties?: unknown }) =>
          JSON.stringify({ ...x, id: undefined })
            .replace(/"statementId":\d+/g, '')
            .replace(/"sourceRecordId":"[^"]*"/g, '');
        expect(strip(a.json())).toEqual(strip(b.json()));
        expect(a.json().id).not.toBe(hidden!.id);
      }
      // Nothing was attached to the hidden entity, nor its schema changed.
      expect(
        await api.store.db.query(
          'SELECT record_id, schema, marking_id FROM presence WHERE entity_id = $1 ORDER BY record_id',
          [hidden!.id],
        ),
      ).toEqual(presenceBefore);
      expect(
        (await api.store.db.query<{ schema: string }>('SELECT schema FROM entities WHERE id = $1', [hidden!.id]))[0]!
          .schema,
      ).toBe(hidden!.schema);
      expect(azdps.clearance).toBe('U');
    });

    it('possible-link reasons quote only what the reader may read (finding 3)', async () => {
      const azdps = await who('azdps.detective');
      // A broker whose birth date is C//LES//REL TO USA, MEX: azdps (cleared U) may see the person, not the date.
      const [broker] = await api.store.db.query<{ entity_id: string; value: string }>(
        `SELECT s.entity_id, s.value FROM statements s JOIN markings m ON m.id = s.marking_id WHERE s.prop = 'birthDate' AND m.level = 2 AND s.entity_id LIKE 'hsi-p-cn-%' ORDER BY s.entity_id LIMIT 1`,
      );
      expect(broker).toBeDefined();
      const [name] = await api.store.db.query<{ value: string }>(
        "SELECT value FROM statements WHERE entity_id = $1 AND prop = 'name' LIMIT 1",
        [broker!.entity_id],
      );
      const probe = await api.post('/entities', api.token.azdps, {
        schema: 'Person',
        id: 'probe-li',
        properties: { name: [name!.value], birthDate: [broker!.value.slice(0, 4)] },
        marking: 'U//LES',
      });
      expect(probe.statusCode).toBe(201);
      const seen = (await get(`/links?entity=${encodeURIComponent(probe.json().id)}`, api.token.azdps)).json() as {
        left_id: string;
        right_id: string;
        reasons: string[];
      }[];
      for (const l of seen) {
        const hidden = await hiddenValues(azdps, [l.left_id, l.right_id]);
        for (const v of hidden) expect(l.reasons.join(' | '), `link ${l.left_id}~${l.right_id}`).not.toContain(v);
      }
      // The OCDETF agent, who may read the broker's date, does see the match and its reasons.
      const full = (await get(`/links?entity=${encodeURIComponent(probe.json().id)}`, api.token.hsi)).json() as {
        reasons: string[];
      }[];
      expect(full.length).toBeGreaterThanOrEqual(seen.length);
    });

    it('a reference is shown only when its target is visible (finding 4)', async () => {
      for (const [token, username] of [
        [api.token.cbp, 'cbp.officer'],
        [api.token.fgr, 'fgr.liaison'],
        [api.token.azdps, 'azdps.detective'],
      ] as const) {
        const reader = await who(username);
        const list = (await get('/entities?limit=200', token)).json().results as {
          id: string;
          schema: string;
          properties: Record<string, { value: string }[]>;
        }[];
        expect(list.length).toBeGreaterThan(0);
        const visible = new Set<string>();
        const targets = new Set<string>();
        for (const e of list) {
          visible.add(e.id);
          for (const [p, vals] of Object.entries(e.properties))
            if (model.properties(e.schema)[p]?.type === 'entity') for (const v of vals) targets.add(v.value);
        }
        for (const t of targets)
          expect((await get(`/entities/${t}`, token)).status, `${username} sees a reference to ${t}`).toBe(200);
        // And no id the reader sees spells out an identifier it may not read.
        const hidden = await hiddenValues(reader, [...visible]);
        for (const e of list)
          for (const h of hidden.filter((x) => x.length >= 8))
            expect(e.id.includes(h.replace(/^\+/, '')), `${e.id} spells ${h}`).toBe(false);
      }
    });

    it("a release to a partner is computed in the requester's access, narrowed to the partner's, by those who may disseminate (finding 5)", async () => {
      const exp = await get('/incidents/export?relTo=MEX', api.token.hsi);
      expect(exp.status).toBe(200);
      const incidents = exp.json().incidents as { id: string }[];
      const hsi = await who('hsi.agent');
      for (const i of incidents) {
        const own = await get(`/entities/${i.id}`, api.token.hsi);
        expect(own.status, `${i.id} is visible to the requester`).toBe(200);
        for (const v of await hiddenValues(hsi, [i.id])) expect(JSON.stringify(i)).not.toContain(v);
      }
      // Partners and users without the dissemination permission may not release.
      expect((await get('/incidents/export?relTo=MEX', api.token.fgr)).status).toBe(403);
    });

    it('the exam queue shows and counts only the reasons its reader may read', async () => {
      for (const token of [api.token.cbp, api.token.hsi, api.token.azdps]) {
        const queue = (await get('/targeting/queue?limit=200', token)).json() as {
          shipment: string;
          score: number;
          reasons: { weight: number; detail: string }[];
        }[];
        for (const row of queue) {
          expect((await get(`/entities/${row.shipment}`, token)).status).toBe(200);
          const score = Math.round((1 - row.reasons.reduce((m, r) => m * (1 - r.weight), 1)) * 1000) / 1000;
          expect(row.score, row.shipment).toBe(score);
          for (const r of row.reasons)
            for (const id of r.detail.match(/\b[a-z]+(?:-[a-z0-9]+)+\b/g) ?? []) {
              const [known] = await api.store.db.query('SELECT 1 FROM entities WHERE id = $1', [id]);
              if (known) expect((await get(`/entities/${id}`, token)).status, `${id} in "${r.detail}"`).toBe(200);
            }
        }
      }
      const cbpQueue = (await get('/targeting/queue?limit=200', api.token.cbp)).json() as unknown[];
      expect(cbpQueue.length, 'the demo queues shipments CBP may see').toBeGreaterThan(0);
    });

    it('an agency-wide alert reaches a user in full only when they may read what it names (finding 6)', async () => {
      // DEA's webhook, and the event streams of a DEA agent and of the HSI agent, open before the write.
      const received: string[] = [];
      const hook = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          received.push(body);
          res.end('ok');
        });
      });
      await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
      const admin = await userWithToken(api.store, {
        username: 'trust.admin',
        agency: 'DEA',
        clearance: 'TS',
        roles: ['admin'],
      });
      expect(
        (
          await api.post('/admin/webhooks', admin, {
            agency: 'DEA',
            url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
          })
        ).statusCode,
      ).toBe(201);
      const base = await api.app.listen({ port: 0, host: '127.0.0.1' });
      const ctl = new AbortController();
      const streamOf = async (token: string) => {
        const res = await fetch(`${base}/notifications/stream`, { headers: auth(token), signal: ctl.signal });
        const reader = res.body!.getReader();
        const got: string[] = [];
        void (async () => {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            got.push(new TextDecoder().decode(value));
          }
        })().catch(() => undefined);
        return got;
      };
      const deaStream = await streamOf(api.token.deaAgent);
      const hsiStream = await streamOf(api.token.hsi);
      await new Promise((r) => setTimeout(r, 100));
      await writeAsSystem(
        {
          sourceRecordId: 'HSI-ORCON-LAB-1',
          marking: 'S//LES/ORCON',
          entities: [
            {
              id: 'hsi-sz-orcon-1',
              schema: 'Seizure',
              properties: { name: ['Controlled delivery'], date: ['2031-06-01'], drugType: ['Zylofuranylfentanyl-9'] },
            },
          ],
        },
        { source: 'HSI' },
      );
      const notes = async (token: string) =>
        (await get('/notifications', token)).json() as { kind: string; message: string; ref: string | null }[];
      const forDea = (await notes(api.token.deaAgent)).filter((n) => n.kind === 'substance.emerging');
      expect(forDea.length).toBeGreaterThan(0);
      for (const n of forDea) {
        expect(n.message).not.toContain('hsi-sz-orcon-1');
        expect(n.message).not.toContain('Zylofuranylfentanyl');
        expect(n.ref).toBeNull();
      }
      expect(forDea.some((n) => /held by HSI/.test(n.message))).toBe(true);
      const forHsi = (await notes(api.token.hsi)).filter((n) => n.kind === 'substance.emerging');
      expect(forHsi.some((n) => n.message.includes('Zylofuranylfentanyl-9') && n.ref === 'hsi-sz-orcon-1')).toBe(true);
      // The streams and the webhook say the same as GET /notifications does to each.
      try {
        await expect.poll(() => hsiStream.join('').includes('Zylofuranylfentanyl-9'), { timeout: 5000 }).toBe(true);
        await expect.poll(() => deaStream.join('').includes('substance.emerging'), { timeout: 5000 }).toBe(true);
        await expect.poll(() => received.some((b) => b.includes('substance.emerging')), { timeout: 5000 }).toBe(true);
        for (const text of [deaStream.join(''), ...received]) {
          expect(text).not.toContain('hsi-sz-orcon-1');
          expect(text).not.toContain('Zylofuranylfentanyl');
        }
      } finally {
        ctl.abort();
        hook.close();
      }
    });
  });
}

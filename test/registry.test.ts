// The task-force registry with duplication detection, and federation between two
// instances on loopback (pointers only), on both backends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { backends, memoryStore, postAs, userWithToken, auth, apiSuite } from './helpers.js';
import { buildServer } from '../src/api/server.js';
import type { Store } from '../src/store/store.js';

for (const backend of backends) {
  describe(`task-force registry (${backend.name})`, () => {
    const api = apiSuite(backend, {
      steering: { username: 'ondcp.sup', agency: 'DEA', clearance: 'S', roles: ['supervisor'] },
    });
    const add = (t: Record<string, unknown>) =>
      api.post('/task-forces', api.token.steering, {
        kind: 'task force',
        purpose: 'Dismantle fentanyl trafficking networks.',
        leadAgency: 'DEA',
        memberAgencies: ['HSI', 'CBP'],
        ...t,
      });

    it('registers bodies and flags the likely duplicates, saying why', async () => {
      expect(
        (
          await add({
            name: 'Arizona Fentanyl Strike Force',
            geography: ['US-AZ'],
            focus: ['border crossing', 'distribution'],
            targets: [{ kind: 'phone', value: '+52 662 555 0101' }],
          })
        ).statusCode,
      ).toBe(201);
      expect(
        (
          await add({
            name: 'Southwest Border Fusion Cell',
            kind: 'fusion cell',
            geography: ['US'],
            focus: ['border crossing', 'distribution', 'bulk cash'],
          })
        ).statusCode,
      ).toBe(201);
      expect(
        (
          await add({
            name: 'Nogales Port Working Group',
            kind: 'working group',
            geography: ['USNOG', 'MX-SON'],
            focus: ['money laundering'],
            targets: [{ kind: 'phone', value: '+526625550101' }],
          })
        ).statusCode,
      ).toBe(201);
      expect((await add({ name: 'Maine Opioid Task Force', geography: ['US-ME'], focus: ['crypto'] })).statusCode).toBe(
        201,
      );
      expect(
        (await add({ name: 'Chinese Precursor Cell', kind: 'fusion cell', geography: ['CN'], focus: ['precursors'] }))
          .statusCode,
      ).toBe(201);
      const dup = (await api.app.inject({ url: '/task-forces/duplication', headers: auth(api.token.steering) })).json();
      const pairs = dup.map((d: { a: { name: string }; b: { name: string } }) =>
        [d.a.name, d.b.name].sort().join(' / '),
      );
      expect(pairs).toContain('Arizona Fentanyl Strike Force / Southwest Border Fusion Cell'); // Arizona lies in the US, same focus
      expect(pairs).toContain('Arizona Fentanyl Strike Force / Nogales Port Working Group'); // the Nogales port lies in Arizona, and a shared target
      expect(pairs.some((p: string) => p.includes('Maine'))).toBe(false); // in the US, but another focus and no shared target
      expect(pairs.some((p: string) => p.includes('Chinese'))).toBe(false);
      const az = dup.find((d: { a: { name: string }; b: { name: string } }) =>
        [d.a.name, d.b.name].includes('Southwest Border Fusion Cell'),
      );
      expect(az).toMatchObject({
        sharedGeography: ['US-AZ'],
        sharedFocus: ['border crossing', 'distribution'],
        sharedAgencies: ['DEA', 'HSI', 'CBP'],
      });
    });

    it('validates codes, focus and agencies', async () => {
      expect((await add({ name: 'X', geography: ['Arizona'], focus: ['distribution'] })).json().error).toMatch(
        /geography: "Arizona" is not an ISO 3166/,
      );
      expect((await add({ name: 'Y', geography: ['US'], focus: ['knitting'] })).statusCode).toBe(400);
      expect(
        (await add({ name: 'Z', geography: ['US'], focus: ['crypto'], memberAgencies: ['NOPE'] })).json().error,
      ).toMatch(/unknown agencies: NOPE/);
      expect(
        (await add({ name: 'Arizona Fentanyl Strike Force', geography: ['US'], focus: ['crypto'] })).statusCode,
      ).toBe(409);
      const analyst = await userWithToken(api.store, {
        username: 'an',
        agency: 'DEA',
        clearance: 'S',
        roles: ['analyst'],
      });
      expect(
        (
          await api.post('/task-forces', analyst, {
            name: 'W',
            kind: 'task force',
            purpose: 'p',
            leadAgency: 'DEA',
            memberAgencies: [],
            geography: ['US'],
            focus: ['crypto'],
          })
        ).statusCode,
      ).toBe(403);
    });
  });
}

describe('federation between two instances on loopback', () => {
  let a: { store: Store; app: FastifyInstance; url: string };
  let b: { store: Store; app: FastifyInstance; url: string };
  beforeAll(async () => {
    const open = async (instance: string) => {
      const store = await memoryStore();
      const app = await buildServer({
        store,
        rateLimit: 100_000,
        escalateEveryMs: 0,
        maxEventLoopDelayMs: 0,
        instance,
      });
      return { store, app, url: await app.listen({ port: 0, host: '127.0.0.1' }) };
    };
    a = await open('dea-west');
    b = await open('hsi-sd');
  });
  afterAll(async () => {
    for (const x of [a, b]) {
      await x.app.close();
      await x.store.close();
    }
  });

  it('answers a peer with pointers only, and refuses an unknown peer', async () => {
    // Instance A (DEA) holds a case with targets.
    const deaAgent = await userWithToken(a.store, {
      username: 'dea.agent',
      agency: 'DEA',
      clearance: 'S',
      roles: ['case_agent'],
    });
    const c = (
      await postAs(a.app, '/cases', deaAgent, {
        caseNumber: 'DEA-31-0099',
        title: 'Operation Jade Needle',
        contactName: 'SA Ortiz',
        contactPhone: '+1 619 555 0142',
      })
    ).json();
    await postAs(a.app, `/cases/${c.id}/targets`, deaAgent, {
      targets: [
        { kind: 'container', value: 'CSQU3054383' },
        { kind: 'person', value: 'Chen Jianhua', birthDate: '1975-08-19' },
      ],
    });
    // The administrators exchange tokens: each instance issues the token the other presents.
    const aAdmin = await userWithToken(a.store, {
      username: 'a.admin',
      agency: 'DEA',
      clearance: 'S',
      roles: ['admin'],
    });
    const bAdmin = await userWithToken(b.store, {
      username: 'b.admin',
      agency: 'HSI',
      clearance: 'S',
      roles: ['admin'],
    });
    const placeholder = 'not-yet-issued-token-0000';
    const bAtA = (
      await postAs(a.app, '/admin/peers', aAdmin, { name: 'hsi-sd', url: b.url, outboundToken: placeholder })
    ).json();
    const aAtB = await postAs(b.app, '/admin/peers', bAdmin, {
      name: 'dea-west',
      url: a.url,
      outboundToken: bAtA.inboundToken,
    });
    expect(aAtB.statusCode).toBe(201);
    // Instance B's case agent asks every peer about a container and a person.
    const hsiAgent = await userWithToken(b.store, {
      username: 'hsi.agent',
      agency: 'HSI',
      clearance: 'U',
      roles: ['case_agent'],
    });
    const r = await postAs(b.app, '/deconfliction/federated', hsiAgent, {
      targets: [
        { kind: 'container', value: 'CSQU 305438 3' },
        { kind: 'person', value: 'CHEN, Jianhua', birthDate: '1975-08-19' },
      ],
    });
    expect(r.statusCode).toBe(200);
    const [answer] = r.json();
    expect(answer.peer).toBe('dea-west');
    expect(answer.pointers).toEqual([
      {
        instance: 'dea-west',
        basis: 'same container',
        agency: 'DEA',
        agencyName: expect.any(String),
        contactName: 'SA Ortiz',
        contactPhone: '+1 619 555 0142',
      },
    ]);
    expect(r.body).not.toMatch(/Jade Needle|DEA-31-0099|CSQU3054383|Chen Jianhua/);
    // A asked without the token, or with a wrong one: nothing.
    expect(
      (
        await fetch(`${a.url}/federation/pointers`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"keys":[],"names":[]}',
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await fetch(`${a.url}/federation/pointers`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Peer ${placeholder}` },
          body: '{"keys":[],"names":[]}',
        })
      ).status,
    ).toBe(401);
    const [logged] = await a.store.db.query<{ actor: string }>(
      "SELECT actor FROM audit_log WHERE action = 'federation.query'",
    );
    expect(logged!.actor).toBe('peer:hsi-sd');
    // A peer that does not answer is reported, not fatal.
    await postAs(b.app, '/admin/peers', bAdmin, {
      name: 'down',
      url: 'http://127.0.0.1:9',
      outboundToken: 'whatever-token-123456',
    });
    const two = (
      await postAs(b.app, '/deconfliction/federated', hsiAgent, {
        targets: [{ kind: 'container', value: 'CSQU3054383' }],
      })
    ).json();
    expect(two.map((x: { peer: string; error?: string }) => [x.peer, !!x.error])).toEqual([
      ['dea-west', false],
      ['down', true],
    ]);
  });
});

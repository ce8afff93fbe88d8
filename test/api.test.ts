import { describe, expect, it } from 'vitest';
import { backends, userWithToken, auth, apiSuite } from './helpers.js';
import { MAX_FAILED_LOGINS } from '../src/store/users.js';
import { verifyAudit } from '../src/store/audit.js';

for (const backend of backends) {
  describe(`HTTP API (${backend.name})`, () => {
    const api = apiSuite(backend, {
      dea: { username: 'dea.a', agency: 'DEA', clearance: 'S', roles: ['analyst'] },
      cbp: { username: 'cbp.a', agency: 'CBP', clearance: 'C', roles: ['analyst'] },
      partner: { username: 'carrier', agency: 'EXPRS', clearance: 'U', roles: ['partner'] },
      admin: { username: 'root', agency: 'DEA', clearance: 'TS', roles: ['admin'] },
    });
    const person = (name: unknown, extra: Record<string, unknown> = {}) => ({
      schema: 'Person',
      properties: { name: [name] },
      marking: 'U//LES',
      ...extra,
    });

    it('serves health and the OpenAPI document without a token, and nothing else', async () => {
      expect((await api.app.inject('/health')).json()).toMatchObject({ status: 'ok' });
      const doc = (await api.app.inject('/openapi.json')).json();
      expect(doc.openapi).toMatch(/^3\./);
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/entities',
          '/entities/{id}',
          '/entities/{id}/neighbourhood',
          '/import',
          '/export',
          '/audit',
        ]),
      );
      const res = await api.app.inject('/entities');
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toMatch(/Bearer/);
      expect((await api.app.inject({ url: '/entities', headers: auth('cp_ses_forged') })).statusCode).toBe(401);
    });

    it('signs in with a password, rejects a wrong one, and blocks the client after repeated failures', async () => {
      await userWithToken(api.store, { username: 'victim', agency: 'CBP', clearance: 'U', roles: ['analyst'] });
      const login = (password: string) =>
        api.app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'victim', password } });
      const ok = await login('correct horse battery staple');
      expect(ok.statusCode).toBe(200);
      const me = await api.app.inject({ url: '/auth/me', headers: auth(ok.json().token) });
      expect(me.json()).toMatchObject({ username: 'victim', agency: 'CBP', lawEnforcement: true });
      expect(me.json()).not.toHaveProperty('password_hash');
      for (let i = 0; i < MAX_FAILED_LOGINS; i++) expect((await login('guess')).statusCode).toBe(401);
      const locked = await login('correct horse battery staple');
      expect(locked.statusCode).toBe(429);
      expect(locked.headers['retry-after']).toBeDefined();
      expect(
        (await api.app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'nobody', password: 'x' } }))
          .statusCode,
      ).toBe(401);
    });

    it('expires sessions and revokes them on sign-out', async () => {
      const token = await userWithToken(api.store, {
        username: 'shortlived',
        agency: 'CBP',
        clearance: 'U',
        roles: ['analyst'],
      });
      expect((await api.app.inject({ url: '/auth/me', headers: auth(token) })).statusCode).toBe(200);
      await api.store.db.query("UPDATE tokens SET expires_at = now() - interval '1 second'");
      expect((await api.app.inject({ url: '/auth/me', headers: auth(token) })).statusCode).toBe(401);
      const fresh = await userWithToken(api.store, {
        username: 'logout',
        agency: 'CBP',
        clearance: 'U',
        roles: ['analyst'],
      });
      expect((await api.post('/auth/logout', fresh, {})).statusCode).toBe(200);
      expect((await api.app.inject({ url: '/auth/me', headers: auth(fresh) })).statusCode).toBe(401);
      // The other users of this suite need their tokens back.
      await api.store.db.query("UPDATE tokens SET expires_at = now() + interval '1 hour'");
    });

    it('creates, reads, amends and retracts entities, keeping each agency to its own facts', async () => {
      const created = await api.post(
        '/entities',
        api.token.dea,
        person('Joaquín Beltrán', {
          id: 'dea-t1',
          propertyMarkings: { birthDate: 'S//LES/NOFORN' },
          properties: { name: ['Joaquín Beltrán'], birthDate: ['1971-05-02'] },
          provenance: { grade: 'B2', reportDate: '2026-01-10' },
        }),
      );
      expect(created.statusCode).toBe(201);
      // A new id is written under the writer's namespace (their agency and a digest of their access), so no
      // write can land on, or learn of, an entity the writer cannot see.
      const t1 = created.json().id as string;
      expect(t1).toMatch(/^dea\.[0-9a-f]{10}:dea-t1$/);
      expect(created.json()).toMatchObject({ schema: 'Person', marking: 'SECRET//LES/NOFORN//OWNER DEA' });
      expect(created.json().properties.name[0]).toMatchObject({
        source: 'DEA',
        grade: 'B2',
        reportDate: '2026-01-10',
        portion: '(U//LES)',
      });
      // CBP (CONFIDENTIAL) sees the name, not the SECRET birth date; the banner follows what it sees.
      const seen = (await api.app.inject({ url: `/entities/${t1}`, headers: auth(api.token.cbp) })).json();
      expect(Object.keys(seen.properties)).toEqual(['name']);
      expect(seen.marking).toBe('UNCLASSIFIED//LES//OWNER DEA');
      // CBP adds its own fact as its own record.
      const amended = await api.app.inject({
        method: 'PATCH',
        url: `/entities/${t1}`,
        headers: auth(api.token.cbp),
        payload: { properties: { alias: ['JOAQUIN BELTRAN'] }, marking: 'U//FOUO' },
      });
      expect(amended.statusCode).toBe(200);
      expect(amended.json().sources).toEqual(['CBP', 'DEA']);
      // CBP may not write as DEA, nor above its own clearance.
      const asDea = await api.post('/entities', api.token.cbp, person('X', { marking: 'U//LES//OWNER DEA' }));
      expect(asDea.statusCode).toBe(422);
      expect(asDea.json().errors[0].message).toMatch(/only mark information as owned by your agency/);
      const above = await api.post('/entities', api.token.cbp, person('X', { marking: 'S' }));
      expect(above.json().errors[0].message).toMatch(/above your own access/);
      // Retraction removes only the caller's facts.
      const retract = await api.app.inject({ method: 'DELETE', url: `/entities/${t1}`, headers: auth(api.token.cbp) });
      expect(retract.json()).toEqual({ retracted: 1 });
      const after = (await api.app.inject({ url: `/entities/${t1}`, headers: auth(api.token.dea) })).json();
      expect(after.sources).toEqual(['DEA']);
      expect(after.properties.birthDate[0].value).toBe('1971-05-02');
    });

    it('shows the source of every visible value, even from a record the reader may not see', async () => {
      const prov = (
        await api.post('/entities', api.token.dea, {
          schema: 'Person',
          id: 'dea-prov',
          properties: { name: ['Rafael Caro'] },
          marking: 'U//LES',
        })
      ).json().id as string;
      // A SECRET record whose entity entry is SECRET too, but which releases one alias at U//LES.
      const secret = await api.app.inject({
        method: 'PATCH',
        url: `/entities/${prov}`,
        headers: auth(api.token.dea),
        payload: {
          properties: { alias: ['El Príncipe'], birthDate: ['1952-10-24'] },
          marking: 'S//LES/NOFORN',
          propertyMarkings: { alias: 'U//LES' },
          provenance: { sourceRecordId: 'DEA-SECRET-9', grade: 'A1' },
        },
      });
      expect(secret.statusCode).toBe(200);
      const seen = (await api.app.inject({ url: `/entities/${prov}`, headers: auth(api.token.cbp) })).json();
      expect(Object.keys(seen.properties).sort()).toEqual(['alias', 'name']);
      expect(seen.properties.alias[0]).toMatchObject({
        value: 'El Príncipe',
        source: 'DEA',
        sourceRecordId: 'DEA-SECRET-9',
        grade: 'A1',
      });
    });

    it('answers bad input with a clear 4xx and writes nothing', async () => {
      const before = (await api.store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM statements'))[0]!.n;
      const cases: [unknown, number, RegExp][] = [
        [person(''), 422, /name\[0\]: is empty/],
        [person('x'.repeat(10_000)), 422, /at most 1000/],
        [person('bad \ud800 surrogate'), 422, /invalid Unicode/],
        [person(42), 422, /expected a string/],
        [{ schema: 'Person', properties: { name: 'not a list' }, marking: 'U' }, 400, /invalid request/],
        [{ schema: 'Spaceship', properties: {}, marking: 'U' }, 422, /schema: must be one of/],
        [
          { schema: 'Person', properties: { shoeSize: ['44'] }, marking: 'U//LES' },
          422,
          /shoeSize: is not a property of Person/,
        ],
        [person('Ana', { marking: 'SUPER SECRET' }), 422, /unknown classification/],
        [person('Ana', { extra: true }), 400, /must NOT have additional properties/],
        [{ schema: 'Person', properties: { name: ['A'], phone: ['667 123'] }, marking: 'U//LES' }, 422, /E\.164/],
      ];
      for (const [payload, status, message] of cases) {
        const res = await api.post('/entities', api.token.dea, payload);
        expect(res.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(status);
        expect(JSON.stringify(res.json())).toMatch(message);
      }
      const notJson = await api.app.inject({
        method: 'POST',
        url: '/entities',
        headers: { ...auth(api.token.dea), 'content-type': 'application/json' },
        payload: '{"schema":',
      });
      expect(notJson.statusCode).toBe(400);
      expect((await api.app.inject({ url: '/entities?limit=100000', headers: auth(api.token.dea) })).statusCode).toBe(
        400,
      );
      expect((await api.app.inject({ url: '/entities/has%20space', headers: auth(api.token.dea) })).statusCode).toBe(
        400,
      );
      expect(
        (await api.app.inject({ url: '/entities/x/neighbourhood?hops=9', headers: auth(api.token.dea) })).statusCode,
      ).toBe(400);
      const big = await api.app.inject({
        method: 'POST',
        url: '/entities',
        headers: { ...auth(api.token.dea), 'content-type': 'application/json' },
        payload: JSON.stringify(person('y'.repeat(2 * 1024 * 1024))),
      });
      expect(big.statusCode).toBe(413);
      expect((await api.store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM statements'))[0]!.n).toBe(before);
    });

    it('finds entities by name regardless of accents and case, and by identifiers however they are spaced', async () => {
      const s1 = (
        await api.post('/entities', api.token.dea, {
          schema: 'Person',
          id: 'dea-s1',
          properties: { name: ['María Guadalupe Ochoa'], phone: ['+526671234567'], passportNumber: ['G-1234.5678'] },
          marking: 'U//LES',
        })
      ).json().id;
      const s2 = (
        await api.post('/entities', api.token.dea, {
          schema: 'Container',
          id: 'dea-s2',
          properties: { containerNumber: ['MSKU1234565'] },
          marking: 'U//LES',
        })
      ).json().id;
      const find = async (q: string) =>
        (await api.app.inject({ url: `/entities?q=${encodeURIComponent(q)}`, headers: auth(api.token.cbp) }))
          .json()
          .results.map((e: { id: string }) => e.id);
      expect(await find('MARIA GUADALUPE')).toContain(s1);
      expect(await find('+52 667 123 4567')).toContain(s1);
      expect(await find('g12345678')).toContain(s1);
      expect(await find('MSKU 123456 5')).toContain(s2);
      expect(await find('ochoa 1')).toEqual([]);
    });

    it('gives each role only what it needs', async () => {
      expect((await api.post('/entities', api.token.partner, person('Ana', { marking: 'U' }))).statusCode).toBe(403);
      expect((await api.app.inject({ url: '/audit', headers: auth(api.token.dea) })).statusCode).toBe(403);
      expect((await api.app.inject({ url: '/users', headers: auth(api.token.dea) })).statusCode).toBe(403);
      expect((await api.post('/retention/purge', api.token.dea, {})).statusCode).toBe(403);
      expect(
        (await api.app.inject({ url: '/export?purpose=partner%20feed', headers: auth(api.token.partner) })).statusCode,
      ).toBe(403);
      expect((await api.app.inject({ url: '/audit?limit=5', headers: auth(api.token.admin) })).statusCode).toBe(200);
    });

    it('audits reads and writes, with purpose, in a chain that verifies', async () => {
      const [t1] = (await api.app.inject({ url: '/entities?q=joaquin%20beltran', headers: auth(api.token.cbp) }))
        .json()
        .results.map((e: { id: string }) => e.id);
      await api.app.inject({ url: `/entities/${t1}?purpose=case%20DEA-PX-26-0001`, headers: auth(api.token.cbp) });
      const rows = (
        await api.app.inject({
          url: '/audit?action=entity.read&actor=cbp.a&limit=1000',
          headers: auth(api.token.admin),
        })
      ).json();
      expect(rows.at(-1)).toMatchObject({
        actor: 'cbp.a',
        action: 'entity.read',
        target: t1,
        purpose: 'case DEA-PX-26-0001',
      });
      const writes = (
        await api.app.inject({ url: '/audit?action=records.write&limit=1000', headers: auth(api.token.admin) })
      ).json();
      expect(writes.map((w: { actor: string }) => w.actor)).toEqual(expect.arrayContaining(['dea.a', 'cbp.a']));
      const verify = (await api.app.inject({ url: '/audit/verify', headers: auth(api.token.admin) })).json();
      expect(verify.ok).toBe(true);
      expect((await verifyAudit(api.store.db)).ok).toBe(true);
    });

    it('imports through the API all or nothing, and reports errors with their line', async () => {
      const content = [
        JSON.stringify({
          sourceRecordId: 'api-1',
          marking: 'U//LES',
          entities: [{ id: 'api-p1', schema: 'Person', properties: { name: ['Ana'] } }],
        }),
        JSON.stringify({
          sourceRecordId: 'api-2',
          marking: 'U//LES',
          entities: [{ id: 'api-p2', schema: 'Person', properties: { name: ['Luis'], birthDate: ['yesterday'] } }],
        }),
      ].join('\n');
      const bad = await api.post('/import', api.token.dea, { format: 'jsonl', content, name: 'drop.jsonl' });
      expect(bad.statusCode).toBe(422);
      expect(bad.json().errors[0]).toMatchObject({
        file: 'drop.jsonl',
        line: 2,
        path: 'record.entities[0].properties.birthDate[0]',
      });
      expect((await api.app.inject({ url: '/entities/api-p1', headers: auth(api.token.dea) })).statusCode).toBe(404);
      const skip = await api.post('/import', api.token.dea, {
        format: 'jsonl',
        content,
        name: 'drop.jsonl',
        mode: 'skip',
      });
      expect(skip.json()).toMatchObject({ inserted: 1, rejected: 1 });
      expect((await api.post('/import', api.token.dea, { format: 'ftm', content: '{}' })).json().error).toMatch(
        /state the marking/,
      );
    });
  });
}

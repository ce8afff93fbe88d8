// Cross-referencing and analyst judgements, on both backends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, auth, apiSuite } from './helpers.js';
import type { Store } from '../src/store/store.js';
import { parseRecord } from '../src/ingest/record-input.js';
import { writeBatch, SYSTEM } from '../src/store/write.js';
import { purgeExpired } from '../src/store/retention.js';
import { createUser } from '../src/store/users.js';
import { importRecords, type ImportPhase } from '../src/ingest/importer.js';
import { generateScenario } from '../src/scenario/generate.js';
import type { Parsed } from '../src/ingest/readers.js';
import type { LeftUndone } from '../src/store/after-write.js';
import { SCORE_AFTER_WRITE_MAX, shipmentScoringReaction } from '../src/targeting/score.js';

for (const backend of backends) {
  describe(`possible links and judgements (${backend.name})`, () => {
    const api = apiSuite(backend, {
      dea: { username: 'dea.a', agency: 'DEA', clearance: 'S', roles: ['analyst'] },
      cbp: { username: 'cbp.a', agency: 'CBP', clearance: 'C', roles: ['analyst'] },
      fgr: { username: 'fgr.a', agency: 'FGR', clearance: 'S', roles: ['partner'] },
    });
    // Users' new entities get ids in the writer's namespace (store/write-scope.ts): the test keeps the map.
    const made = new Map<string, string>();
    const id = (given: string): string => made.get(given) ?? given;
    const create = async (token: string, body: { id: string } & Record<string, unknown>) => {
      const res = await api.post('/entities', token, body);
      made.set(body.id, res.json().id);
      return res;
    };
    const links = async (token: string, status = 'open') =>
      (await api.app.inject({ url: `/links?status=${status}`, headers: auth(token) })).json();

    it('links a new record to what is known when the names and dates agree across spellings', async () => {
      await create(api.token.dea, {
        schema: 'Person',
        id: 'dea-x1',
        properties: { name: ['José Luis García López'], birthDate: ['1984-03-09'], nationality: ['mx'] },
        marking: 'U//LES',
      });
      await create(api.token.dea, {
        schema: 'Person',
        id: 'dea-x9',
        properties: { name: ['Rosa Elena Meza'], birthDate: ['1990-01-01'] },
        marking: 'S//LES/NOFORN',
      });
      await create(api.token.cbp, {
        schema: 'Person',
        id: 'cbp-x2',
        properties: { name: ['JOSE LUIS GARCIA'], birthDate: ['1984-03-09'] },
        marking: 'U//LES',
      });
      await create(api.token.cbp, {
        schema: 'Person',
        id: 'cbp-x3',
        properties: { name: ['ROSA ELENA MEZA'] },
        marking: 'U//LES',
      });
      await create(api.token.cbp, {
        schema: 'Person',
        id: 'cbp-x4',
        properties: { name: ['Pedro Infante Cruz'] },
        marking: 'U//LES',
      });
      const seen = await links(api.token.dea);
      const pairs = seen.map((l: { left_id: string; right_id: string }) => `${l.left_id}~${l.right_id}`);
      expect(pairs).toContain(`${id('cbp-x2')}~${id('dea-x1')}`);
      expect(pairs).toContain(`${id('cbp-x3')}~${id('dea-x9')}`);
      expect(pairs.some((p: string) => p.includes(id('cbp-x4')))).toBe(false);
      const l = seen.find((x: { left_id: string }) => x.left_id === id('cbp-x2'));
      expect(l.reasons.join(' | ')).toMatch(/date of birth matches: 1984-03-09/);
      expect(l.left).toMatchObject({ caption: 'JOSE LUIS GARCIA', sources: ['CBP'] });
    });

    it('shows a link only to readers who may see both entities', async () => {
      const cbpPairs = (await links(api.token.cbp)).map(
        (l: { left_id: string; right_id: string }) => `${l.left_id}~${l.right_id}`,
      );
      expect(cbpPairs).toContain(`${id('cbp-x2')}~${id('dea-x1')}`);
      expect(cbpPairs).not.toContain(`${id('cbp-x3')}~${id('dea-x9')}`); // dea-x9 is SECRET//NOFORN... and CBP is cleared C
      expect(await links(api.token.fgr)).toEqual([]); // nothing here is released to Mexico
    });

    it('merges on confirmation, each reader seeing only what they may', async () => {
      const all = await links(api.token.dea);
      const garcia = all.find((x: { left_id: string }) => x.left_id === id('cbp-x2'));
      const rosa = all.find((x: { left_id: string }) => x.left_id === id('cbp-x3'));
      expect(
        (
          await api.post(`/links/${garcia.id}/confirm`, api.token.dea, {
            reason: 'same DOB, same plate in both reports',
          })
        ).json(),
      ).toEqual({ id: garcia.id, status: 'confirmed' });
      expect((await api.post(`/links/${rosa.id}/confirm`, api.token.dea, {})).statusCode).toBe(200);
      expect((await api.post(`/links/${garcia.id}/confirm`, api.token.dea, {})).statusCode).toBe(409);
      const merged = (
        await api.app.inject({ url: `/entities/${id('dea-x1')}/merged`, headers: auth(api.token.cbp) })
      ).json();
      expect(merged.members.map((m: { id: string }) => m.id).sort()).toEqual([id('cbp-x2'), id('dea-x1')]);
      expect(
        merged.properties.name.map((v: { value: string; source: string }) => `${v.source}:${v.value}`).sort(),
      ).toEqual(['CBP:JOSE LUIS GARCIA', 'DEA:José Luis García López']);
      expect(
        (await api.app.inject({ url: `/entities/${id('dea-x1')}`, headers: auth(api.token.cbp) })).json().sameAs,
      ).toEqual([id('cbp-x2')]);
      // Search results name what each was merged with.
      const found = (
        await api.app.inject({ url: '/entities?q=Jose%20Luis%20Garcia', headers: auth(api.token.cbp) })
      ).json().results;
      expect(
        Object.fromEntries(
          found
            .filter((r: { id: string }) => [id('dea-x1'), id('cbp-x2')].includes(r.id))
            .map((r: { id: string; sameAs: string[] }) => [r.id, r.sameAs]),
        ),
      ).toEqual({ [id('dea-x1')]: [id('cbp-x2')], [id('cbp-x2')]: [id('dea-x1')] });
      // CBP may not see dea-x9, so its merged view of cbp-x3 is cbp-x3 alone.
      const rosaForCbp = (
        await api.app.inject({ url: `/entities/${id('cbp-x3')}/merged`, headers: auth(api.token.cbp) })
      ).json();
      expect(rosaForCbp.members.map((m: { id: string }) => m.id)).toEqual([id('cbp-x3')]);
      expect(
        (await api.app.inject({ url: `/entities/${id('cbp-x3')}`, headers: auth(api.token.cbp) })).json().sameAs,
      ).toEqual([]);
      const rosaForDea = (
        await api.app.inject({ url: `/entities/${id('cbp-x3')}/merged`, headers: auth(api.token.dea) })
      ).json();
      expect(rosaForDea.members.map((m: { id: string }) => m.id).sort()).toEqual([id('cbp-x3'), id('dea-x9')]);
    });

    it('never suggests a rejected pair again, and undoes judgements', async () => {
      await create(api.token.cbp, {
        schema: 'Person',
        id: 'cbp-x5',
        properties: { name: ['Juan Carlos Ochoa Tapia'] },
        marking: 'U//LES',
      });
      await create(api.token.dea, {
        schema: 'Person',
        id: 'dea-x5',
        properties: { name: ['Juan Carlos Ochoa'] },
        marking: 'U//LES',
      });
      const l = (await links(api.token.dea)).find(
        (x: { left_id: string; right_id: string }) => x.left_id === id('cbp-x5') && x.right_id === id('dea-x5'),
      );
      expect(l).toBeDefined();
      expect(
        (
          await api.post(`/links/${l.id}/reject`, api.token.cbp, {
            reason: 'different people: other DOB in passport records',
          })
        ).json().status,
      ).toBe('rejected');
      // The source sends the record again, amended: the pair is not suggested again.
      await api.app.inject({
        method: 'PATCH',
        url: `/entities/${id('dea-x5')}`,
        headers: auth(api.token.dea),
        payload: { properties: { alias: ['El Güero'] }, marking: 'U//LES' },
      });
      expect((await links(api.token.dea)).some((x: { id: number }) => x.id === l.id)).toBe(false);
      expect((await links(api.token.dea, 'rejected')).map((x: { id: number }) => x.id)).toContain(l.id);
      expect((await api.post(`/links/${l.id}/undo`, api.token.dea, {})).json().status).toBe('open');
      expect((await api.post(`/links/${l.id}/undo`, api.token.dea, {})).statusCode).toBe(409);
      expect((await api.post('/links/999999/confirm', api.token.dea, {})).statusCode).toBe(404);
      expect((await api.post(`/links/${l.id}/confirm`, api.token.fgr, {})).statusCode).toBe(403);
      const trail = await api.store.db.query<{ action: string }>(
        "SELECT action FROM audit_log WHERE action LIKE 'link.%' ORDER BY seq",
      );
      expect(trail.map((t) => t.action)).toEqual(['link.confirm', 'link.confirm', 'link.reject', 'link.undo']);
    });
  });
}

for (const backend of backends) {
  describe(`cross-referencing follows corrections and purges (${backend.name})`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    beforeAll(async () => ({ store, drop } = await backend.open()));
    afterAll(() => drop());
    const write = async (id: string, name: string, opts: { intelligence?: boolean; today?: Date } = {}) => {
      const r = parseRecord(
        {
          sourceRecordId: id,
          marking: 'U//LES',
          entities: [{ id: `${id}-p`, schema: 'Person', properties: { name: [name] } }],
          ...(opts.intelligence
            ? {
                kind: 'intelligence',
                criminalBasis: 'Subject launders proceeds for a trafficking organization.',
                sensitivity: 'sensitive',
                confidence: 'medium',
              }
            : {}),
        },
        { source: 'DEA', today: opts.today },
      );
      if (!r.record) throw new Error(JSON.stringify(r.errors));
      await writeBatch(store.db, store.markings, SYSTEM, [r.record], { origin: 'test' });
    };
    const pairs = async () =>
      (
        await store.db.query<{ p: string }>("SELECT left_id || '~' || right_id AS p FROM possible_links ORDER BY 1")
      ).map((r) => r.p);

    it('matches a corrected record by its new name, not its old one', async () => {
      await write('A', 'Griselda Ochoa Tapia');
      await write('B', 'Griselda Ochoa Tapia');
      expect(await pairs()).toEqual(['A-p~B-p']);
      await write('B', 'Marisol Uriarte Fuentes'); // the same record, corrected
      await write('C', 'GRISELDA OCHOA TAPIA');
      await write('D', 'Marisol Uriarte Fuentes');
      expect(await pairs()).toEqual(['A-p~B-p', 'A-p~C-p', 'B-p~D-p']); // no B~C: B no longer has that name
    });

    it('forgets purged entities: their links go, and new records do not link to them', async () => {
      await write('OLD', 'Aureliano Bojorquez Loaiza', { intelligence: true, today: new Date('2020-01-10') });
      await write('E', 'Aureliano Bojorquez Loaiza');
      expect(await pairs()).toContain('E-p~OLD-p');
      const admin = await createUser(store.db, {
        username: 'adm',
        password: 'correct horse battery staple',
        agency: 'DEA',
        clearance: 'S',
        roles: ['admin'],
      });
      expect((await purgeExpired(store.db, admin)).purged.map((p) => p.sourceRecordId)).toEqual(['OLD']);
      expect(await pairs()).not.toContain('E-p~OLD-p');
      await write('F', 'AURELIANO BOJORQUEZ LOAIZA');
      expect((await pairs()).filter((p) => p.includes('OLD'))).toEqual([]);
      expect(await pairs()).toContain('E-p~F-p');
    });
  });
}

// The demo scenario's networks: people and companies recorded by several agencies under
// variant spellings, some with several names and birth dates (so the two sides of a
// pair can score differently). The first part is what the store already knows.
const scenario = [...generateScenario({ seed: 5, networks: 24 })].map(
  (r) => parseRecord(r, { source: r.source, path: `${r.source}/${r.sourceRecordId}` }) as Parsed,
);
const known = scenario.slice(0, Math.floor(scenario.length / 3));
const imported = scenario.slice(known.length);
const itemsOf = (ps: Parsed[]) =>
  async function* () {
    yield* ps;
  };

for (const backend of backends) {
  describe(`cross-referencing a large import in batches (${backend.name})`, () => {
    const opened: { store: Store; drop: () => Promise<void> }[] = [];
    afterAll(async () => {
      for (const o of opened) await o.drop();
    });
    /** A store that knows `known`, then imports `imported`, cross-referenced `batch` entities a transaction. */
    const importWith = async (batch: number) => {
      const o = await backend.open();
      opened.push(o);
      await importRecords(o.store, SYSTEM, itemsOf(known), { origin: 'known' });
      const progress: number[] = [];
      const report = await importRecords(o.store, SYSTEM, itemsOf(imported), {
        origin: 'test import',
        crossReferenceBatch: batch,
        onProgress: (phase: ImportPhase, done) => phase === 'cross-reference' && progress.push(done),
      });
      const links = await o.store.db.query<{ link: string }>(
        `SELECT concat_ws(' ', l.left_id, l.right_id, l.score, l.status, l.reasons::text, m.canonical) AS link
           FROM possible_links l JOIN markings m ON m.id = l.marking_id ORDER BY l.left_id, l.right_id`,
      );
      return { report, progress, links: links.map((l) => l.link) };
    };

    it('finds the links one batch of everything finds, whatever the batch size', async () => {
      const batched = await importWith(250);
      const whole = await importWith(1_000_000);
      const written = batched.progress.at(-1)!;
      // Several batches ran, each told as progress; one batch is one step.
      expect(written).toBeGreaterThan(2000);
      expect(batched.progress).toEqual(
        Array.from({ length: Math.ceil(written / 250) }, (_, i) => Math.min(written, (i + 1) * 250)),
      );
      expect(whole.progress).toEqual([written]);
      expect(batched.report.links).toBeGreaterThan(50);
      expect(batched.report.links).toBe(whole.report.links);
      expect(batched.links).toEqual(whole.links);
      expect(batched.report.leftUndone).toBeUndefined();
    });

    it('says what it left undone, with the count, when asked to skip cross-referencing', async () => {
      const o = await backend.open();
      opened.push(o);
      const report = await importRecords(o.store, SYSTEM, itemsOf(known), { origin: 'bulk', crossReference: false });
      expect(report.links).toBeNull();
      expect(report.leftUndone).toEqual([
        { step: 'cross-referencing', entities: report.entities, reason: 'skipped', redo: 'chokepoint xref' },
        {
          step: 'shipment scoring',
          entities: report.entities,
          reason: 'skipped',
          redo: 'chokepoint targeting rescore',
        },
      ]);
      expect(await o.store.db.query('SELECT 1 FROM possible_links')).toEqual([]);
    });

    it('leaves the shipments of a write above the scoring limit to `targeting rescore`, and says so', async () => {
      const o = await backend.open();
      opened.push(o);
      const left: LeftUndone[] = [];
      const ids = Array.from({ length: SCORE_AFTER_WRITE_MAX + 1 }, (_, i) => `bulk-${i}`);
      await shipmentScoringReaction.run(o.store.db, ids, 'system', { onLeftUndone: (l) => left.push(l) });
      expect(left).toEqual([
        { step: 'shipment scoring', entities: ids.length, reason: 'limit', redo: 'chokepoint targeting rescore' },
      ]);
    });
  });
}

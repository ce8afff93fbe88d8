// What follows a committed write: the reactions the capabilities install in the
// store's after-write queue (src/capabilities.ts), the order they run in, which
// writes concern them, what a failing one does to the rest and to the queued job,
// and that a write path without them fails instead of silently skipping them.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { backends } from './helpers.js';
import type { Store } from '../src/store/store.js';
import { parseRecord } from '../src/ingest/record-input.js';
import { importRecords } from '../src/ingest/importer.js';
import { writeBatch, SYSTEM } from '../src/store/write.js';
import {
  afterWrite,
  type LeftUndone,
  afterWriteReactions,
  installAfterWriteReactions,
  resumeAfterWrites,
  type AfterWriteReaction,
} from '../src/store/after-write.js';
import { model } from '../src/domain/model.js';
import type { RecordInput } from '../src/domain/records.js';

const COMPOSED = [
  'cross-referencing',
  'linking to investigations',
  'pill-press registry check',
  'emerging-substance check',
  'shipment scoring',
];

type Entity = { id: string; schema: string; properties: Record<string, string[]> };
const record = (id: string, entities: Entity[]): RecordInput => {
  const r = parseRecord({ sourceRecordId: id, marking: 'U//LES', entities }, { source: 'DEA' });
  if (!r.record) throw new Error(JSON.stringify(r.errors));
  return r.record;
};

describe('the composition root', () => {
  /** The reactions a write of these schemas concerns. */
  const concerned = (...schemas: string[]) =>
    afterWriteReactions()
      .filter((r) => !r.concerns || r.concerns(new Set(schemas)))
      .map((r) => r.name);

  it("installs every capability's reaction, in the order they run", () => {
    expect(afterWriteReactions().map((r) => r.name)).toEqual(COMPOSED);
  });

  it('asks the model which writes concern a reaction: events, equipment, shipments', () => {
    expect(concerned('Person')).toEqual(['cross-referencing', 'linking to investigations']);
    expect(concerned('Equipment')).toEqual([
      'cross-referencing',
      'linking to investigations',
      'pill-press registry check',
    ]);
    expect(concerned('Seizure')).toEqual([
      'cross-referencing',
      'linking to investigations',
      'emerging-substance check',
    ]);
    expect(concerned('LabDismantlement', 'Shipment')).toEqual([
      'cross-referencing',
      'linking to investigations',
      'emerging-substance check',
      'shipment scoring',
    ]);
    // Every event schema, not a list of names: a new kind of event is checked for emerging substances.
    for (const event of model.eventSchemas()) expect(concerned(event)).toContain('emerging-substance check');
  });

  it('leaves cross-referencing and shipment scoring to their commands after a bulk import', () => {
    const names = (which: (r: AfterWriteReaction) => unknown) =>
      afterWriteReactions()
        .filter(which)
        .map((r) => r.name);
    expect(names((r) => r.skipWithoutCrossReference)).toEqual(['cross-referencing', 'shipment scoring']);
    // The links a write reports are cross-referencing's.
    expect(names((r) => r.reportsLinks)).toEqual(['cross-referencing']);
  });

  // The CLI runs its program when imported: test/cli.test.ts writes and resumes through it,
  // and test/layers.test.ts checks that it imports the composition root.
  const entryPoints: [string, () => Promise<unknown>][] = [
    ['the API server', () => import('../src/api/server.js')],
    ['the entity commands', () => import('../src/commands/entities.js')],
    ['the importer', () => import('../src/ingest/importer.js')],
    ['the demo loader', () => import('../src/scenario/load.js')],
    ['the partner exchange', () => import('../src/exchange/partners.js')],
  ];
  for (const [name, load] of entryPoints) {
    it(`is installed by ${name}, imported alone`, async () => {
      vi.resetModules(); // a fresh store module, as in a process that starts there
      await load();
      const fresh = await import('../src/store/after-write.js');
      expect(fresh.afterWriteReactions().map((r) => r.name)).toEqual(COMPOSED);
    });
  }
});

describe('installing reactions', () => {
  const run = async () => null;
  it('refuses an empty list, two reactions of one name or order, and two that report links', () => {
    expect(() => installAfterWriteReactions([])).toThrow(/installing no after-write reactions/);
    const a = { name: 'a', order: 1, run };
    expect(() => installAfterWriteReactions([a, { name: 'a', order: 2, run }])).toThrow(/the name a/);
    expect(() => installAfterWriteReactions([a, { name: 'b', order: 1, run }])).toThrow(/the order 1/);
    const b = { name: 'b', order: 2, run };
    expect(() =>
      installAfterWriteReactions([
        { ...a, reportsLinks: true },
        { ...b, reportsLinks: true },
      ]),
    ).toThrow(/more than one after-write reaction reports links/);
    expect(afterWriteReactions().map((r) => r.name)).toEqual(COMPOSED); // none of those replaced what was installed
  });
});

for (const backend of backends) {
  describe(`after-write reactions (${backend.name})`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    beforeAll(async () => ({ store, drop } = await backend.open()));
    afterAll(() => drop());

    const write = (id: string, entities: Entity[]) =>
      writeBatch(store.db, store.markings, SYSTEM, [record(id, entities)], { origin: 'test' });
    const person = (id: string) => ({ id, schema: 'Person', properties: { name: ['Ana Ruiz'] } });
    const queued = () =>
      store.db.query<{ attempts: number; last_error: string | null; cross_reference: boolean }>(
        'SELECT attempts, last_error, cross_reference FROM after_write_queue ORDER BY id',
      );

    /** What ran, in order: "<reaction> <entity ids> by <actor>". */
    const calls: string[] = [];
    const reaction = (name: string, order: number, more: Partial<AfterWriteReaction> = {}): AfterWriteReaction => ({
      name,
      order,
      run: async (_db, entityIds, actor) => {
        calls.push(`${name} ${[...entityIds].sort().join(',')} by ${actor}`);
        return null;
      },
      ...more,
    });
    let restore: (() => void) | undefined;
    /** Replaces the capabilities' reactions until the end of the test. */
    const install = (reactions: AfterWriteReaction[]): void => {
      const back = installAfterWriteReactions(reactions);
      restore ??= back;
    };
    afterEach(() => {
      restore?.();
      restore = undefined;
      calls.length = 0;
      vi.restoreAllMocks();
    });

    it('runs the reactions by their order, each only for the writes that concern it', async () => {
      install([
        reaction('shipments', 50, { concerns: (s) => s.has('Shipment') }),
        reaction('links', 10),
        reaction('events', 40, { concerns: (s) => [...s].some((x) => model.isEvent(x)) }),
        reaction('every write', 20),
      ]);
      const seizure = { id: 'ord-s1', schema: 'Seizure', properties: { name: ['POE seizure'] } };
      await write('ORDER-1', [person('ord-p1'), seizure]);
      expect(calls).toEqual([
        'links ord-p1,ord-s1 by system',
        'every write ord-p1,ord-s1 by system',
        'events ord-p1,ord-s1 by system',
      ]);
      expect(await queued()).toEqual([]);
    });

    it("reports the links reaction's result: none written is 0, a bulk import or a failure is null", async () => {
      install([
        reaction('links', 10, { reportsLinks: true, skipWithoutCrossReference: true, run: async () => 3 }),
        reaction('scoring', 20, { skipWithoutCrossReference: true }),
        reaction('linking', 30),
      ]);
      await write('LINKS-1', [person('lk-p1')]);
      calls.length = 0;
      expect(await afterWrite(store.db, ['lk-p1'], 'analyst')).toBe(3);
      expect(await afterWrite(store.db, [], 'analyst')).toBe(0);
      expect(await afterWrite(store.db, [], 'analyst', { crossReference: false })).toBeNull();
      expect(calls).toEqual(['scoring lk-p1 by analyst', 'linking lk-p1 by analyst']);

      // A bulk import: the job is queued without cross-referencing, which it skips with what depends on it.
      calls.length = 0;
      const bulk = record('LINKS-2', [person('lk-p2')]);
      const items = async function* () {
        yield { record: bulk, errors: [] };
      };
      const report = await importRecords(store, SYSTEM, items, { origin: 'test', crossReference: false });
      expect(report.links).toBeNull();
      expect(calls).toEqual(['linking lk-p2 by system']);

      vi.spyOn(console, 'error').mockImplementation(() => undefined);
      install([
        reaction('links', 10, {
          reportsLinks: true,
          run: async () => {
            throw new Error('index corrupt');
          },
        }),
      ]);
      const left: LeftUndone[] = [];
      expect(await afterWrite(store.db, ['lk-p1'], 'analyst', { onLeftUndone: (l) => left.push(l) })).toBeNull();
      // The writer is told what was not done, not why: the error may quote what they may not read.
      expect(left).toEqual([{ step: 'links', entities: 1, reason: 'failed' }]);
    });

    it('logs a reaction that fails and goes on with the rest; the job is done', async () => {
      const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      install([
        reaction('first', 10),
        reaction('broken', 20, {
          run: async () => {
            throw new Error('disk full');
          },
        }),
        reaction('last', 30),
      ]);
      await write('FAIL-1', [person('fl-p1')]);
      expect(calls).toEqual(['first fl-p1 by system', 'last fl-p1 by system']);
      expect(errors).toHaveBeenCalledWith('broken failed after the write committed: disk full');
      expect(await queued()).toEqual([]);
    });

    it('keeps the job queued when the database is out of reach, and a sweep finishes it', async () => {
      vi.spyOn(console, 'error').mockImplementation(() => undefined);
      const unreachable = Object.assign(new Error('terminating connection due to administrator command'), {
        code: '57P01', // what PostgreSQL says when it shuts down under a connection
      });
      install([
        reaction('first', 10),
        reaction('unreachable', 20, {
          run: async () => {
            throw unreachable;
          },
        }),
        reaction('last', 30),
      ]);
      const written = await write('DOWN-1', [person('dn-p1')]);
      expect(written.inserted).toBe(1); // the write committed and says so
      expect(calls).toEqual(['first dn-p1 by system']);
      expect(await queued()).toEqual([{ attempts: 1, last_error: unreachable.message, cross_reference: true }]);

      calls.length = 0;
      install([reaction('first', 10), reaction('reachable again', 20), reaction('last', 30)]);
      expect(await resumeAfterWrites(store.db)).toBe(1);
      expect(calls).toEqual(['first dn-p1 by system', 'reachable again dn-p1 by system', 'last dn-p1 by system']);
      expect(await queued()).toEqual([]);
    });

    it('refuses to write, and to resume queued work, where no reactions are installed', async () => {
      vi.resetModules(); // fresh store modules that no composition root installed reactions in
      const fresh = { ...(await import('../src/store/write.js')), ...(await import('../src/store/after-write.js')) };
      const forgotten = record('FORGOT-1', [person('fg-p1')]);
      await expect(
        fresh.writeBatch(store.db, store.markings, fresh.SYSTEM, [forgotten], { origin: 'test' }),
      ).rejects.toThrow(/no after-write reactions are installed: the entry point must import src\/capabilities.ts/);
      // The write was rolled back with it: nothing was written that nothing followed.
      expect(await store.db.query("SELECT 1 FROM records WHERE source_record_id = 'FORGOT-1'")).toEqual([]);
      expect(await queued()).toEqual([]);

      // Work a killed process left queued stays queued, untouched, rather than being dropped undone.
      await store.db.query(
        "INSERT INTO after_write_queue (entity_ids, actor, cross_reference) VALUES ('{fg-p0}', 'killed process', true)",
      );
      await expect(fresh.resumeAfterWrites(store.db)).rejects.toThrow(/no after-write reactions are installed/);
      expect(await queued()).toEqual([{ attempts: 0, last_error: null, cross_reference: true }]);
      install([reaction('resumed', 10)]);
      expect(await resumeAfterWrites(store.db)).toBe(1);
      expect(calls).toEqual(['resumed fg-p0 by killed process']);
    });
  });
}

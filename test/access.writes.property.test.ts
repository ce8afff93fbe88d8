// Property: writes learn nothing and touch nothing they cannot read. For random records
// under random markings and a random writer, the same random writes (POST /records,
// POST /entities, DELETE /entities/:id, with keys and ids that collide with what exists)
// are sent to two stores: one holding everything, one holding only the records the writer
// may read. Every answer must be the same in both (so no answer depends on what the
// writer cannot see), and in the first store no record the writer cannot read and no
// entity's schema may change. The oracle is canRead() in TypeScript. The same holds for
// screening lists (POST /screen/lists, PUT and DELETE /screen/lists/:name) whose names
// collide with lists under markings the writer may not read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { auth, memoryStore, server, userWithToken } from './helpers.js';
import type { Store } from '../src/store/store.js';
import { canRead, formatMarking, type Marking, type ReaderAccess } from '../src/domain/markings.js';
import { parseRecord } from '../src/ingest/record-input.js';
import { writeBatch, SYSTEM } from '../src/store/write.js';
import { markingArb, userReaderArb } from './access-cases.js';
import { putList } from '../src/lists/custom.js';

/** The entities records may be about; each has one schema, and E4 is never loaded (always unused). */
const ENTITIES = ['e0', 'e1', 'e2', 'e3', 'e4'];
const SCHEMA: Record<string, string> = { e0: 'Person', e1: 'Company', e2: 'Person', e3: 'Vessel', e4: 'Person' };

interface Held {
  key: string;
  entity: string;
  value: string;
  marking: Marking;
}
type Write =
  | { kind: 'record'; key: string; entity: string; schema: string; value: string }
  | { kind: 'entity'; entity: string; schema: string; value: string }
  | { kind: 'retract'; entity: string };

const heldArb: fc.Arbitrary<Held[]> = fc
  .array(fc.record({ entity: fc.constantFrom(...ENTITIES.slice(0, 4)), marking: markingArb }), {
    minLength: 1,
    maxLength: 6,
  })
  .map((rs) => rs.map((r, i) => ({ ...r, key: `K${i}`, value: `held ${i}` })));

const writeArb: fc.Arbitrary<Write> = fc.oneof(
  fc.record({
    kind: fc.constant('record' as const),
    key: fc.constantFrom('K0', 'K1', 'K2', 'K3', 'K4', 'K5', 'FRESH'),
    entity: fc.constantFrom(...ENTITIES),
    schema: fc.constantFrom('Person', 'Company'),
    value: fc.constantFrom('written a', 'written b'),
  }),
  fc.record({
    kind: fc.constant('entity' as const),
    entity: fc.constantFrom(...ENTITIES),
    schema: fc.constantFrom('Person', 'Company'),
    value: fc.constantFrom('written c', 'written d'),
  }),
  fc.record({ kind: fc.constant('retract' as const), entity: fc.constantFrom(...ENTITIES) }),
);

interface World {
  store: Store;
  app: FastifyInstance;
}

async function load(w: World, held: Held[]): Promise<void> {
  await w.store.db.exec(
    'TRUNCATE statements, presence, record_basis, records, entities, possible_links, notifications, after_write_queue CASCADE',
  );
  if (!held.length) return;
  const parsed = held.map((h) =>
    parseRecord(
      {
        sourceRecordId: h.key,
        marking: formatMarking(h.marking),
        entities: [{ id: h.entity, schema: SCHEMA[h.entity], properties: { name: [h.value] } }],
      },
      { source: h.marking.owner },
    ),
  );
  for (const p of parsed) expect(p.errors).toEqual([]);
  await writeBatch(
    w.store.db,
    w.store.markings,
    SYSTEM,
    parsed.map((p) => p.record!),
    { origin: 'write property test' },
  );
}

/**
 * The answer as the writer sees it, less what varies by the clock or by chance: the
 * import's seconds, the random key of a record made by POST /entities, and statement
 * ids. Those are sequential, so their gaps show how much was written that one may not
 * read (a known, low-severity channel, left open: see the note).
 */
function answerOf(r: { statusCode: number; body: string }): unknown {
  const body = JSON.parse(r.body || 'null', (k, v) =>
    k === 'statementId' ? '#' : k === 'sourceRecordId' && /^api-/.test(v) ? 'api-…' : v,
  ) as Record<string, unknown> | null;
  if (body && typeof body === 'object') delete body.seconds;
  return { status: r.statusCode, body };
}

function send(w: World, token: string, x: Write) {
  if (x.kind === 'record')
    return w.app.inject({
      method: 'POST',
      url: '/records',
      headers: auth(token),
      payload: [
        {
          sourceRecordId: x.key,
          marking: 'U',
          entities: [{ id: x.entity, schema: x.schema, properties: { name: [x.value] } }],
        },
      ],
    });
  if (x.kind === 'entity')
    return w.app.inject({
      method: 'POST',
      url: '/entities',
      headers: auth(token),
      payload: { id: x.entity, schema: x.schema, marking: 'U', properties: { name: [x.value] } },
    });
  return w.app.inject({ method: 'DELETE', url: `/entities/${x.entity}`, headers: auth(token) });
}

describe('writes learn nothing and touch nothing they cannot read (pglite)', () => {
  let full: World;
  let readable: World;
  let users = 0;
  beforeAll(async () => {
    const open = async (): Promise<World> => {
      const store = await memoryStore();
      return { store, app: await server(store) };
    };
    [full, readable] = [await open(), await open()];
  }, 60_000);
  afterAll(async () => {
    for (const w of [full, readable]) {
      await w.app.close();
      await w.store.close();
    }
  });

  const writer = (w: World, u: ReaderAccess, username: string): Promise<string> =>
    userWithToken(w.store, {
      username,
      agency: u.agency,
      clearance: u.clearance,
      groups: u.groups,
      country: u.country,
      roles: ['analyst'],
    });

  /** What the writer may not read: the rows of those records, and every entity's schema. */
  const untouchable = (w: World, records: number[]) =>
    Promise.all([
      w.store.db.query(
        `SELECT r.source_record_id, s.entity_id, s.prop, s.value, s.marking_id FROM statements s JOIN records r ON r.id = s.record_id
          WHERE r.id = ANY($1) ORDER BY 1, 2, 3, 4`,
        [records],
      ),
      w.store.db.query('SELECT id, schema FROM entities ORDER BY id'),
    ]);

  it('answers every write the same whether or not what the writer cannot read exists, and leaves it as it was', async () => {
    let hiddenSeen = 0;
    let collided = 0;
    await fc.assert(
      fc.asyncProperty(
        heldArb,
        userReaderArb,
        fc.array(writeArb, { minLength: 1, maxLength: 4 }),
        async (held, u, writes) => {
          const mayRead = held.filter((h) => canRead(u, h.marking));
          const hidden = held.filter((h) => !canRead(u, h.marking)).map((h) => h.key);
          hiddenSeen += hidden.length;
          collided += writes.filter((x) => 'key' in x && hidden.includes(x.key)).length;
          await load(full, held);
          await load(readable, mayRead);
          const username = `w${++users}`;
          const tokens = [await writer(full, u, username), await writer(readable, u, username)];
          const hiddenRecords = (
            await full.store.db.query<{ id: number }>('SELECT id FROM records WHERE source_record_id = ANY($1)', [
              hidden,
            ])
          ).map((r) => r.id);
          const before = await untouchable(full, hiddenRecords);
          for (const x of writes) {
            const a = answerOf(await send(full, tokens[0]!, x));
            const b = answerOf(await send(readable, tokens[1]!, x));
            expect(a, JSON.stringify({ write: x, held, reader: u })).toEqual(b);
          }
          const [rowsAfter, entitiesAfter] = await untouchable(full, hiddenRecords);
          expect(rowsAfter).toEqual(before[0]);
          // Entities the writer created may be added; none that existed changes its schema.
          const schemaBefore = new Map((before[1] as { id: string; schema: string }[]).map((e) => [e.id, e.schema]));
          for (const e of entitiesAfter as { id: string; schema: string }[])
            if (schemaBefore.has(e.id)) expect(e.schema, e.id).toBe(schemaBefore.get(e.id));
        },
      ),
      { numRuns: 40 },
    );
    // The generators did reach the cases that matter: hidden records, and writes aimed at them.
    expect(hiddenSeen).toBeGreaterThan(10);
    expect(collided).toBeGreaterThan(3);
  }, 300_000);

  const heldListsArb = fc
    .array(fc.record({ name: fc.constantFrom('L0', 'L1', 'L2'), marking: markingArb }), { minLength: 1, maxLength: 4 })
    .map((ls) => [...new Map(ls.map((l) => [l.name, l])).values()]);
  type ListWrite = { kind: 'add' | 'update' | 'remove'; name: string; rows: string };
  const listWriteArb: fc.Arbitrary<ListWrite> = fc.record({
    kind: fc.constantFrom('add', 'update', 'remove'),
    name: fc.constantFrom('L0', 'L1', 'L2', 'FRESH'),
    rows: fc.constantFrom('Ana Ruiz', 'Ana Ruiz\nLuis Paz'),
  });
  const listCsv = (rows: string) => [{ name: 'l.csv', content: `name\n${rows}\n` }];
  const sendList = (w: World, token: string, x: ListWrite) =>
    x.kind === 'remove'
      ? w.app.inject({ method: 'DELETE', url: `/screen/lists/${x.name}`, headers: auth(token) })
      : w.app.inject({
          method: x.kind === 'add' ? 'POST' : 'PUT',
          url: x.kind === 'add' ? '/screen/lists' : `/screen/lists/${x.name}`,
          headers: auth(token),
          payload: { ...(x.kind === 'add' ? { name: x.name } : {}), format: 'csv', files: listCsv(x.rows) },
        });
  /** A list write's answer, less the clock. */
  const listAnswerOf = (r: { statusCode: number; body: string }) => ({
    status: r.statusCode,
    body: JSON.parse(r.body || 'null', (k, v) => (k === 'addedAt' || k === 'updatedAt' ? '#' : v)),
  });

  it('answers every list write the same whether or not a list of that name the writer cannot read exists, and leaves it as it was', async () => {
    let hiddenSeen = 0;
    let collided = 0;
    await fc.assert(
      fc.asyncProperty(
        heldListsArb,
        userReaderArb,
        fc.array(listWriteArb, { minLength: 1, maxLength: 4 }),
        async (held, u, writes) => {
          const hidden = held.filter((l) => !canRead(u, l.marking)).map((l): string => l.name);
          hiddenSeen += hidden.length;
          collided += writes.filter((x) => hidden.includes(x.name)).length;
          for (const [w, lists] of [
            [full, held],
            [readable, held.filter((l) => canRead(u, l.marking))],
          ] as const) {
            await w.store.db.exec('TRUNCATE screening_lists CASCADE');
            for (const l of lists)
              await putList(
                w.store,
                SYSTEM,
                { name: l.name, format: 'csv', files: listCsv('Held Entry'), marking: formatMarking(l.marking) },
                'add',
              );
          }
          const username = `lw${++users}`;
          const make = (w: World) =>
            userWithToken(w.store, {
              username,
              agency: u.agency,
              clearance: u.clearance,
              groups: u.groups,
              country: u.country,
              roles: ['supervisor'],
            });
          const tokens = [await make(full), await make(readable)];
          const untouched = () =>
            full.store.db.query(
              `SELECT l.name, l.key_scope, l.content_hash, l.marking_id, l.updated_at, count(e.entry_id) AS entries
                 FROM screening_lists l LEFT JOIN screening_list_entries e ON e.list_id = l.id
                WHERE l.name = ANY($1) AND l.key_scope = '' GROUP BY l.id ORDER BY l.name`,
              [hidden],
            );
          const before = await untouched();
          for (const x of writes) {
            const a = listAnswerOf(await sendList(full, tokens[0]!, x));
            const b = listAnswerOf(await sendList(readable, tokens[1]!, x));
            expect(a, JSON.stringify({ write: x, held, reader: u })).toEqual(b);
          }
          expect(await untouched()).toEqual(before);
        },
      ),
      { numRuns: 40 },
    );
    expect(hiddenSeen).toBeGreaterThan(10);
    expect(collided).toBeGreaterThan(3);
  }, 300_000);
});

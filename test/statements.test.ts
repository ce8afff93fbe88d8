// Exchange between Chokepoint instances: FtM statements that carry each value's
// marking and provenance, so that what one instance exports another imports without
// losing a marking, and a reader there sees exactly what they would see here.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportStatements, type StatementLine } from '../src/ingest/statements.js';
import { importRecords } from '../src/ingest/importer.js';
import { recordsOf } from '../src/ingest/readers.js';
import { loadScenario } from '../src/scenario/load.js';
import { SYSTEM } from '../src/store/write.js';
import { createUser } from '../src/store/users.js';
import type { Store } from '../src/store/store.js';
import type { Principal } from '../src/domain/users.js';
import { memoryStore } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cp-statements-'));
const READER = {
  password: 'correct horse battery staple',
  agency: 'HSI',
  clearance: 'S' as const,
  roles: ['analyst' as const],
};
async function all(store: Store, who: Principal): Promise<StatementLine[]> {
  const out: StatementLine[] = [];
  for await (const s of exportStatements(store, who, { purpose: 'exchange with a partner instance' })) out.push(s);
  return out;
}
/** What must survive the exchange: everything but the times, which are the receiving instance's own. */
const key = (s: StatementLine) => JSON.stringify({ ...s, first_seen: undefined, last_seen: undefined });

describe('statements exchange between instances', () => {
  let here: Store;
  let there: Store;
  beforeAll(async () => {
    here = await memoryStore();
    there = await memoryStore();
    await loadScenario(here, { seed: 11, networks: 2 });
  });
  afterAll(async () => {
    await here.close();
    await there.close();
  });

  it('carries every value the exporter may read with its marking and source record, and imports losslessly', async () => {
    const exporter = await createUser(here.db, { ...READER, username: 'hsi.exporter' });
    const lines = await all(here, exporter);
    expect(lines.length).toBeGreaterThan(500);
    // Several markings and several sources: a real mix, not one marking for all.
    expect(new Set(lines.map((l) => l.marking)).size).toBeGreaterThan(2);
    expect(new Set(lines.map((l) => l.dataset)).size).toBeGreaterThan(2);
    const path = join(dir, 'hsi.statements.json');
    writeFileSync(path, lines.map((l) => JSON.stringify(l)).join('\n'));

    const r = await importRecords(there, SYSTEM, recordsOf('statements', { path }, { source: 'UNKNOWN' }), {
      origin: path,
      crossReference: false,
    });
    expect(r).toMatchObject({ rejected: 0 });
    // The same access there sees exactly the same statements, markings and provenance.
    const twin = await createUser(there.db, { ...READER, username: 'hsi.exporter' });
    expect((await all(there, twin)).map(key).sort()).toEqual(lines.map(key).sort());
    // A reader with less access there sees exactly what that reader would see here, of what was sent.
    const small = { ...READER, agency: 'CBP', clearance: 'U' as const, username: 'cbp.officer' };
    const sent = new Set(lines.map((l) => `${l.dataset}/${l.source_record_id}/${l.entity_id}/${l.prop}/${l.value}`));
    const id = (l: StatementLine) => `${l.dataset}/${l.source_record_id}/${l.entity_id}/${l.prop}/${l.value}`;
    const seenHere = (await all(here, await createUser(here.db, small))).filter((l) => sent.has(id(l)));
    const seenThere = await all(there, await createUser(there.db, small));
    expect(seenThere.map(id).sort()).toEqual(seenHere.map(id).sort());
    expect(seenThere.length).toBeLessThan(lines.length);
    // Re-importing the same file changes nothing.
    const again = await importRecords(there, SYSTEM, recordsOf('statements', { path }, { source: 'UNKNOWN' }), {
      origin: path,
      crossReference: false,
    });
    expect(again).toMatchObject({ inserted: 0, updated: 0 });
  });

  it('refuses a file whose values of one property in one record carry two markings, naming the line', async () => {
    const exporter = await createUser(here.db, { ...READER, username: 'hsi.second' });
    const lines = (await all(here, exporter)).filter((l) => l.prop === 'name').slice(0, 1);
    const other = { ...lines[0]!, value: `${lines[0]!.value} II`, marking: 'SECRET//OWNER HSI' };
    const path = join(dir, 'mixed.statements.json');
    writeFileSync(path, [lines[0], other].map((l) => JSON.stringify(l)).join('\n'));
    await expect(
      importRecords(there, SYSTEM, recordsOf('statements', { path }, { source: 'UNKNOWN' }), { origin: path }),
    ).rejects.toThrow(/line 2: statement\.marking: a property's values in one record share one marking/);
  });
});

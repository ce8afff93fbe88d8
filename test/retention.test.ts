import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './helpers.js';
import type { Store } from '../src/store/store.js';
import { parseRecord } from '../src/ingest/record-input.js';
import { writeBatch, SYSTEM } from '../src/store/write.js';
import { purgeExpired, renewRecord, reviewQueue, RetentionError } from '../src/store/retention.js';
import { createUser } from '../src/store/users.js';
import { exportFtm } from '../src/ingest/export.js';
import { verifyAudit } from '../src/store/audit.js';
import type { Principal } from '../src/domain/users.js';

for (const backend of backends) {
  describe(`retention under 28 CFR Part 23 (${backend.name})`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let supervisor: Principal;
    let analyst: Principal;
    let hsi: Principal;
    const jan2021 = new Date('2021-01-15');
    beforeAll(async () => {
      ({ store, drop } = await backend.open());
      const pw = 'correct horse battery staple';
      supervisor = await createUser(store.db, {
        username: 'sup',
        password: pw,
        agency: 'DEA',
        clearance: 'S',
        roles: ['supervisor'],
      });
      analyst = await createUser(store.db, {
        username: 'ana',
        password: pw,
        agency: 'DEA',
        clearance: 'S',
        roles: ['analyst'],
      });
      hsi = await createUser(store.db, {
        username: 'hsi',
        password: pw,
        agency: 'HSI',
        clearance: 'S',
        roles: ['analyst'],
      });
      // Two intelligence records entered in January 2021 (review due January 2026) and one in 2026.
      const rec = (id: string, today: Date) =>
        parseRecord(
          {
            sourceRecordId: id,
            kind: 'intelligence',
            marking: 'U//LES',
            criminalBasis: 'Subject brokers precursor chemicals for a trafficking organization.',
            sensitivity: 'sensitive',
            confidence: 'medium',
            entities: [{ id: `${id}-p`, schema: 'Person', properties: { name: [`Subject ${id}`] } }],
          },
          { source: 'DEA', today },
        ).record!;
      await writeBatch(
        store.db,
        store.markings,
        SYSTEM,
        [rec('OLD-1', jan2021), rec('OLD-2', jan2021), rec('NEW-1', new Date('2026-06-01'))],
        { origin: 'test' },
      );
    });
    afterAll(async () => drop());

    it('lists the records due for review, to supervisors only', async () => {
      const due = await reviewQueue(store.db, supervisor, 30, new Date('2026-02-01'));
      expect(due.map((d) => [d.sourceRecordId, d.reviewBy, d.overdue])).toEqual([
        ['OLD-1', '2026-01-15', true],
        ['OLD-2', '2026-01-15', true],
      ]);
      await expect(reviewQueue(store.db, analyst, 30)).rejects.toThrow(/retentionReview/);
    });

    it('renews a record only with a new justification, for at most five more years', async () => {
      const [old1] = await reviewQueue(store.db, supervisor, 30, new Date('2026-02-01'));
      await expect(renewRecord(store.db, supervisor, old1!.id, 'still open')).rejects.toBeInstanceOf(RetentionError);
      const r = await renewRecord(
        store.db,
        supervisor,
        old1!.id,
        'Subject re-identified in a March 2026 seizure; investigation continues.',
        new Date('2026-02-01'),
      );
      expect(r.reviewBy).toBe('2031-02-01');
      const [basis] = await store.db.query<{ renewals: { justification: string }[] }>(
        'SELECT renewals FROM record_basis WHERE record_id = $1',
        [old1!.id],
      );
      expect(basis!.renewals[0]!.justification).toMatch(/re-identified/);
    });

    it('purges expired records, keeps a tombstone, audits, and tells the agencies that received them', async () => {
      // HSI received the DEA records through an export (a logged dissemination).
      for await (const _ of exportFtm(store, hsi, { purpose: 'joint targeting', recipientAgency: 'HSI' })) void _;
      const r = await purgeExpired(store.db, { ...SYSTEM, username: 'admin' }, new Date('2026-02-01'));
      expect(r.purged).toEqual([{ source: 'DEA', sourceRecordId: 'OLD-2', notified: ['HSI'] }]);
      expect(await store.db.query("SELECT 1 FROM records WHERE source_record_id = 'OLD-2'")).toEqual([]);
      expect(await store.db.query("SELECT 1 FROM entities WHERE id = 'OLD-2-p'")).toEqual([]);
      expect(await store.db.query("SELECT 1 FROM entities WHERE id = 'OLD-1-p'")).toHaveLength(1);
      const [tomb] = await store.db.query<{ notified_agencies: string[] }>(
        "SELECT notified_agencies FROM purged_records WHERE source_record_id = 'OLD-2'",
      );
      expect(tomb!.notified_agencies).toEqual(['HSI']);
      const notes = await store.db.query<{ agency: string; message: string }>(
        "SELECT agency, message FROM notifications WHERE kind = 'retention.purged'",
      );
      expect(notes).toEqual([{ agency: 'HSI', message: expect.stringMatching(/DEA\/OLD-2.*purged/) }]);
      const audit = await store.db.query<{ details: string }>(
        "SELECT details FROM audit_log WHERE action = 'retention.purge'",
      );
      expect(JSON.parse(audit[0]!.details)).toMatchObject({ count: 1, records: ['DEA/OLD-2'] });
      expect((await verifyAudit(store.db)).ok).toBe(true);
    });

    it('may not be purged by anyone but an administrator', async () => {
      await expect(purgeExpired(store.db, supervisor)).rejects.toThrow(/retentionPurge/);
    });
  });
}

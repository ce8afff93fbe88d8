import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './helpers.js';
import type { Store } from '../src/store/store.js';
import { audit, verifyAudit } from '../src/store/audit.js';

for (const backend of backends) {
  describe(`audit log (${backend.name})`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    beforeAll(async () => ({ store, drop } = await backend.open()));
    afterAll(async () => drop());

    const fill = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) await audit(store.db, { actor: 'analyst1', action: 'entity.read', target: `e${i}`, purpose: 'case 42', details: { i } });
    };
    /** What an attacker with database superuser rights could do: bypass the trigger. */
    const asSuperuser = async (sql: string, params: unknown[] = []): Promise<void> => {
      await store.db.transaction(async (tx) => {
        await tx.exec('ALTER TABLE audit_log DISABLE TRIGGER USER');
        await tx.query(sql, params);
        await tx.exec('ALTER TABLE audit_log ENABLE TRIGGER USER');
      });
    };
    const reset = async (): Promise<void> => {
      await asSuperuser('DELETE FROM audit_log');
      await store.db.query("UPDATE audit_head SET seq = 0, hash = repeat('0', 64)");
    };

    it('verifies an untouched chain and reports its head', async () => {
      await reset();
      await fill(5);
      const r = await verifyAudit(store.db);
      expect(r).toMatchObject({ ok: true, entries: 5, problems: [] });
      expect(r.head.seq).toBe(5);
    });

    it('refuses updates, deletes and truncation through SQL', async () => {
      await expect(store.db.query("UPDATE audit_log SET actor = 'x' WHERE seq = 1")).rejects.toThrow(/append-only/);
      await expect(store.db.query('DELETE FROM audit_log WHERE seq = 1')).rejects.toThrow(/append-only/);
      await expect(store.db.exec('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    });

    it('detects an edited entry', async () => {
      await reset();
      await fill(5);
      await asSuperuser("UPDATE audit_log SET purpose = 'nothing to see' WHERE seq = 3");
      const r = await verifyAudit(store.db);
      expect(r.ok).toBe(false);
      expect(r.problems.join('\n')).toMatch(/entry 3: content does not match its hash/);
    });

    it('detects a deleted entry in the middle', async () => {
      await reset();
      await fill(5);
      await asSuperuser('DELETE FROM audit_log WHERE seq = 2');
      const r = await verifyAudit(store.db);
      expect(r.ok).toBe(false);
      expect(r.problems.join('\n')).toMatch(/entries 2\.\.2 are missing/);
    });

    it('detects entries removed from the end, by the head row or by a recorded head', async () => {
      await reset();
      await fill(5);
      const recorded = (await verifyAudit(store.db)).head;
      await asSuperuser('DELETE FROM audit_log WHERE seq >= 4');
      expect((await verifyAudit(store.db)).problems.join('\n')).toMatch(/head says entry 5 but the log ends at entry 3/);
      // Even when the attacker also rewinds the head row, the head recorded elsewhere catches it.
      const [last] = await store.db.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
      await store.db.query('UPDATE audit_head SET seq = $1, hash = $2', [last!.seq, last!.hash]);
      expect((await verifyAudit(store.db)).ok).toBe(true);
      const r = await verifyAudit(store.db, recorded);
      expect(r.ok).toBe(false);
      expect(r.problems.join('\n')).toMatch(/recorded head \(entry 5\) is not in the log/);
    });

    it('detects a rewritten chain that no longer contains a recorded head', async () => {
      await reset();
      await fill(3);
      const recorded = (await verifyAudit(store.db)).head;
      await fill(2);
      await asSuperuser("UPDATE audit_log SET hash = repeat('a', 64) WHERE seq = 3");
      const r = await verifyAudit(store.db, recorded);
      expect(r.ok).toBe(false);
      expect(r.problems.join('\n')).toMatch(/entry 3/);
    });
  });
}

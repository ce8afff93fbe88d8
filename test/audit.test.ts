// The audit chain against a privileged local attacker: one who owns the table, so can
// drop the append-only triggers, edit, delete, reorder, insert and re-hash entries,
// and rewrite audit_head. Each way of tampering is shown detected, and by which check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './helpers.js';
import type { Store } from '../src/store/store.js';
import type { Sql } from '../src/store/db.js';
import { audit, appendAuditBatch, entryHash, verifyAudit, type AuditRow } from '../src/store/audit.js';

const ZERO = '0'.repeat(64);

for (const backend of backends) {
  describe(`audit log (${backend.name})`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    beforeAll(async () => ({ store, drop } = await backend.open()));
    afterAll(async () => drop());

    const fill = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++)
        await audit(store.db, {
          actor: 'analyst1',
          action: 'entity.read',
          target: `e${i}`,
          purpose: 'case 42',
          details: { i },
        });
    };
    /** What a table owner can do: drop the append-only triggers, tamper, and put them back so nothing looks amiss. */
    const asTableOwner = async (tamper: (tx: Sql) => Promise<unknown>): Promise<void> => {
      await store.db.transaction(async (tx) => {
        await tx.exec('DROP TRIGGER audit_no_update ON audit_log; DROP TRIGGER audit_no_truncate ON audit_log');
        await tamper(tx);
        await tx.exec(`CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_is_append_only();
          CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_is_append_only()`);
      });
    };
    const sql = (text: string, params: unknown[] = []) => asTableOwner((tx) => tx.query(text, params));
    const reset = async (): Promise<void> => {
      await sql('DELETE FROM audit_log');
      await store.db.query("UPDATE audit_head SET seq = 0, hash = repeat('0', 64)");
    };
    const row = async (tx: Sql, seq: number): Promise<AuditRow> =>
      (
        await tx.query<AuditRow>(
          'SELECT seq, at, actor, action, target, purpose, details, prev_hash, hash FROM audit_log WHERE seq = $1',
          [seq],
        )
      )[0]!;
    /** The attacker knows the algorithm: re-hashes every entry from `seq` on, as if the chain had always been so, and the head with it. */
    const rehashFrom = async (tx: Sql, seq: number): Promise<void> => {
      const [before] = await tx.query<{ hash: string }>(
        'SELECT hash FROM audit_log WHERE seq < $1 ORDER BY seq DESC LIMIT 1',
        [seq],
      );
      let prev = before?.hash ?? ZERO;
      let last = seq - 1;
      for (const r of await tx.query<AuditRow>(
        'SELECT seq, at, actor, action, target, purpose, details FROM audit_log WHERE seq >= $1 ORDER BY seq',
        [seq],
      )) {
        const h = entryHash(prev, r);
        await tx.query('UPDATE audit_log SET prev_hash = $2, hash = $3 WHERE seq = $1', [r.seq, prev, h]);
        prev = h;
        last = r.seq;
      }
      const [end] = await tx.query<{ seq: number; hash: string }>(
        'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
      );
      await tx.query('UPDATE audit_head SET seq = $1, hash = $2', end ? [end.seq, end.hash] : [last, prev]);
    };
    const problems = async (expectHead?: { seq: number; hash: string }): Promise<string> => {
      const r = await verifyAudit(store.db, expectHead);
      expect(r.ok).toBe(r.problems.length === 0);
      return r.problems.join('\n');
    };

    it('verifies an untouched chain and reports its head', async () => {
      await reset();
      await fill(5);
      const r = await verifyAudit(store.db);
      expect(r).toMatchObject({ ok: true, entries: 5, problems: [] });
      expect(r.head.seq).toBe(5);
    });

    it('verifies entries appended in one batch like entries appended one by one', async () => {
      await reset();
      await fill(2);
      await store.db.transaction((tx) =>
        appendAuditBatch(
          tx,
          Array.from({ length: 1200 }, (_, i) => ({ actor: 'a', action: 'api.request', target: `/x/${i}` })),
        ),
      );
      await fill(1);
      const r = await verifyAudit(store.db);
      expect(r).toMatchObject({ ok: true, entries: 1203, head: { seq: 1203 } });
    });

    it('refuses updates, deletes and truncation through SQL', async () => {
      await expect(store.db.query("UPDATE audit_log SET actor = 'x' WHERE seq = 1")).rejects.toThrow(/append-only/);
      await expect(store.db.query('DELETE FROM audit_log WHERE seq = 1')).rejects.toThrow(/append-only/);
      await expect(store.db.exec('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    });

    it('detects a field changed with the hash left as it was (content check)', async () => {
      await reset();
      await fill(5);
      await sql("UPDATE audit_log SET purpose = 'nothing to see' WHERE seq = 3");
      expect(await problems()).toMatch(/^entry 3: content does not match its hash \(edited\)$/);
    });

    it("detects a field changed and that entry's hash recomputed, by the link from the next entry (chain check)", async () => {
      await reset();
      await fill(5);
      await asTableOwner(async (tx) => {
        const r = { ...(await row(tx, 3)), actor: 'someone.else' };
        await tx.query('UPDATE audit_log SET actor = $2, hash = $3 WHERE seq = $1', [
          3,
          r.actor,
          entryHash(r.prev_hash, r),
        ]);
      });
      expect(await problems()).toBe('entry 4: does not follow the entry before it (chain broken)');
    });

    it('detects the last entry changed and its hash recomputed, by audit_head (head check)', async () => {
      await reset();
      await fill(5);
      await asTableOwner(async (tx) => {
        const r = { ...(await row(tx, 5)), target: 'e-other' };
        await tx.query('UPDATE audit_log SET target = $2, hash = $3 WHERE seq = $1', [
          5,
          r.target,
          entryHash(r.prev_hash, r),
        ]);
      });
      expect(await problems()).toBe('head does not match entry 5, the last (that entry or the head was rewritten)');
    });

    it('detects the last entry rewritten together with audit_head, by a head recorded elsewhere', async () => {
      await reset();
      await fill(5);
      const recorded = (await verifyAudit(store.db)).head;
      await asTableOwner(async (tx) => {
        await tx.query("UPDATE audit_log SET target = 'e-other' WHERE seq = 5");
        await rehashFrom(tx, 5);
      });
      expect(await problems()).toBe('');
      expect(await problems(recorded)).toBe(
        'the recorded head (entry 5) is not in the log: entries were removed or rewritten',
      );
    });

    it('detects a deleted entry (gap and broken link)', async () => {
      await reset();
      await fill(5);
      await sql('DELETE FROM audit_log WHERE seq = 2');
      const p = await problems();
      expect(p).toMatch(/entries 2\.\.2 are missing/);
      expect(p).toMatch(/entry 3: does not follow the entry before it/);
    });

    it('detects a deleted first entry', async () => {
      await reset();
      await fill(3);
      await sql('DELETE FROM audit_log WHERE seq = 1');
      expect(await problems()).toMatch(/entries 1\.\.1 are missing/);
    });

    it('detects a deleted entry even when every later entry and the head are re-hashed to close the chain (sequence check)', async () => {
      await reset();
      await fill(5);
      await asTableOwner(async (tx) => {
        await tx.query('DELETE FROM audit_log WHERE seq = 2');
        await rehashFrom(tx, 3);
      });
      expect(await problems()).toBe('entries 2..2 are missing');
    });

    it('detects entries reordered', async () => {
      await reset();
      await fill(5);
      const recorded = (await verifyAudit(store.db)).head;
      const swap = async (tx: Sql) => {
        // three steps: seq is the primary key
        await tx.query('UPDATE audit_log SET seq = -2 WHERE seq = 2');
        await tx.query('UPDATE audit_log SET seq = 2 WHERE seq = 3');
        await tx.query('UPDATE audit_log SET seq = 3 WHERE seq = -2');
      };
      await asTableOwner(swap);
      const p = await problems();
      expect(p).toMatch(/entry 2: does not follow the entry before it/);
      expect(p).toMatch(/entry 2: content does not match its hash/);
      // The chain re-hashed from the swap on, and the head with it: only a head recorded elsewhere still tells.
      await asTableOwner((tx) => rehashFrom(tx, 2));
      expect(await problems()).toBe('');
      expect(await problems(recorded)).toBe(
        'the recorded head (entry 5) is not in the log: entries were removed or rewritten',
      );
    });

    it('detects entries removed from the end, by the head row or by a recorded head', async () => {
      await reset();
      await fill(5);
      const recorded = (await verifyAudit(store.db)).head;
      await sql('DELETE FROM audit_log WHERE seq >= 4');
      expect(await problems()).toMatch(/head says entry 5 but the log ends at entry 3/);
      // Even when the attacker also rewinds the head row, the head recorded elsewhere catches it.
      const [last] = await store.db.query<{ seq: number; hash: string }>(
        'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
      );
      await store.db.query('UPDATE audit_head SET seq = $1, hash = $2', [last!.seq, last!.hash]);
      expect(await problems()).toBe('');
      expect(await problems(recorded)).toBe(
        'the recorded head (entry 5) is not in the log: entries were removed or rewritten',
      );
    });

    it('detects a missing head row', async () => {
      await reset();
      await fill(2);
      await store.db.query('DELETE FROM audit_head');
      try {
        expect(await problems()).toBe('audit head is missing');
      } finally {
        await store.db.query("INSERT INTO audit_head (seq, hash) VALUES (0, repeat('0', 64))");
      }
    });

    it('detects a forged entry inserted with a made-up hash', async () => {
      await reset();
      await fill(3);
      await store.db.query(
        'INSERT INTO audit_log (seq, at, actor, action, details, prev_hash, hash) VALUES (4, $1, $2, $3, $4, $5, $6)',
        [new Date().toISOString(), 'admin', 'entity.read', '{}', 'f'.repeat(64), 'e'.repeat(64)],
      );
      const p = await problems();
      expect(p).toMatch(/entry 4: does not follow the entry before it/);
      expect(p).toMatch(/entry 4: content does not match its hash/);
      expect(p).toMatch(/head says entry 3 but the log ends at entry 4/);
    });

    it('detects a forged entry appended with a correct hash but the head left behind (head check)', async () => {
      await reset();
      await fill(3);
      const [tail] = await store.db.query<{ hash: string }>('SELECT hash FROM audit_log WHERE seq = 3');
      const forged = {
        seq: 4,
        at: new Date().toISOString(),
        actor: 'admin',
        action: 'entity.read',
        target: 'e9',
        purpose: null,
        details: '{}',
      };
      await store.db.query(
        'INSERT INTO audit_log (seq, at, actor, action, target, purpose, details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
        [
          forged.seq,
          forged.at,
          forged.actor,
          forged.action,
          forged.target,
          forged.purpose,
          forged.details,
          tail!.hash,
          entryHash(tail!.hash, forged),
        ],
      );
      expect(await problems()).toBe(
        'head says entry 3 but the log ends at entry 4 (entries removed from the end, or head edited)',
      );
    });

    it('detects a forged entry slipped into the middle, everything after re-numbered and re-hashed, by a recorded head', async () => {
      await reset();
      await fill(5);
      const recorded = (await verifyAudit(store.db)).head;
      await asTableOwner(async (tx) => {
        await tx.query('UPDATE audit_log SET seq = -seq WHERE seq >= 3'); // two steps: seq is the primary key
        await tx.query('UPDATE audit_log SET seq = 1 - seq WHERE seq < 0');
        await tx.query(
          "INSERT INTO audit_log (seq, at, actor, action, details, prev_hash, hash) VALUES (3, $1, 'dea.admin', 'entity.read', '{}', '', '')",
          [new Date().toISOString()],
        );
        await rehashFrom(tx, 3);
      });
      expect(await problems()).toBe('');
      expect(await problems(recorded)).toBe('entry 5 no longer has the recorded hash');
    });
  });
}

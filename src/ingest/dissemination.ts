// An export is a dissemination (28 CFR 23.20(g)): every format's export checks the
// same permission and purpose first, and logs the same way when done. Apart from the
// formats, so each format's module can use it without importing the others.
import type { Store } from '../store/store.js';
import { logDissemination } from '../store/retention.js';
import { appendAudit } from '../store/audit.js';
import { assertMay, type Principal } from '../domain/users.js';

export interface ExportOptions {
  purpose: string;
  /** Who receives the export, when not the reader (e.g. a partner agency). */
  recipient?: string;
  recipientAgency?: string;
  pageSize?: number;
}

export function assertExport(who: Principal, opts: ExportOptions): void {
  assertMay(who, 'export');
  if (!opts.purpose || opts.purpose.trim().length < 5) throw new Error('purpose: an export needs a stated purpose');
}

/** An export is a dissemination (28 CFR 23.20(g)): logged with the recipient, the purpose and the intelligence records it carried. */
export async function logExport(
  store: Store,
  who: Principal,
  opts: ExportOptions,
  channel: string,
  counts: Record<string, unknown>,
  intelRecords: Set<number>,
): Promise<void> {
  await store.db.transaction(async (tx) => {
    await logDissemination(tx, {
      actor: who.username,
      recipient: opts.recipient ?? who.username,
      recipientAgency: opts.recipientAgency ?? who.agency,
      channel,
      purpose: opts.purpose,
      recordIds: [...intelRecords],
    });
    await appendAudit(tx, {
      actor: who.username,
      action: channel,
      purpose: opts.purpose,
      details: { ...counts, intelligenceRecords: intelRecords.size, recipient: opts.recipient ?? who.username },
    });
  });
}

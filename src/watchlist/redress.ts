// Redress: anyone who believes they were wrongly delayed or denied may file a
// request and gets a control number; the status page says where the request
// stands and never whether anyone is or was listed.
import { randomInt } from 'node:crypto';
import type { Database } from '../store/db.js';
import { appendAudit } from '../store/audit.js';
import { assertMay, type Principal } from '../domain/users.js';
import { WatchlistError } from './nominations.js';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // no 0/O, 1/I: read over the phone
const control = (): string =>
  `RDR-${Array.from({ length: 10 }, (_, i) => (i === 5 ? '-' : '') + ALPHABET[randomInt(ALPHABET.length)]).join('')}`;

export const NEITHER_CONFIRM_NOR_DENY =
  'This status describes your request only. It neither confirms nor denies that any person is or was on any list.';

export async function fileRedress(
  db: Database,
  r: { name: string; birthDate?: string; contact: string; details: string },
): Promise<{ controlNumber: string; status: string; notice: string }> {
  if (r.birthDate && !/^\d{4}-\d{2}-\d{2}$/.test(r.birthDate)) throw new WatchlistError('birthDate: YYYY-MM-DD');
  return db.transaction(async (tx) => {
    const controlNumber = control();
    await tx.query(
      'INSERT INTO redress_requests (control_number, name, birth_date, contact, details) VALUES ($1, $2, $3, $4, $5)',
      [controlNumber, r.name, r.birthDate ?? null, r.contact, r.details],
    );
    await appendAudit(tx, { actor: 'public', action: 'redress.file', target: controlNumber });
    return { controlNumber, status: 'received', notice: NEITHER_CONFIRM_NOR_DENY };
  });
}

/** The public status page: the same shape whatever is or is not on any list. */
export async function redressStatus(
  db: Database,
  controlNumber: string,
): Promise<{ controlNumber: string; status: string; received: string; updated: string; notice: string } | undefined> {
  const [r] = await db.query<{ status: string; created_at: string; updated_at: string }>(
    'SELECT status, created_at, updated_at FROM redress_requests WHERE control_number = $1',
    [controlNumber],
  );
  if (!r) return undefined;
  return {
    controlNumber,
    status: r.status,
    received: r.created_at.slice(0, 10),
    updated: r.updated_at.slice(0, 10),
    notice: NEITHER_CONFIRM_NOR_DENY,
  };
}

export async function updateRedress(
  db: Database,
  me: Principal,
  controlNumber: string,
  status: 'under review' | 'closed',
  note: string,
): Promise<void> {
  assertMay(me, 'reviewNominations');
  await db.transaction(async (tx) => {
    const rows = await tx.query(
      'UPDATE redress_requests SET status = $2, updated_at = now() WHERE control_number = $1 RETURNING id',
      [controlNumber, status],
    );
    if (!rows.length) throw new WatchlistError(`no redress request ${controlNumber}`, 404);
    await appendAudit(tx, {
      actor: me.username,
      action: 'redress.update',
      target: controlNumber,
      details: { status, note },
    });
  });
}

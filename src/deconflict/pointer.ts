// Pointer-only disclosure. What another agency learns of a case, operation or
// nomination is assembled here and only here: the agency, a point of contact and
// the kind of match; never titles, target values, case numbers or locations that
// belong to the other side.
import type { Sql } from '../store/db.js';

export interface Pointer {
  agency: string;
  agencyName: string;
  contactName: string;
  contactPhone: string;
}

export async function casePointer(tx: Sql, caseId: number): Promise<Pointer> {
  const [r] = await tx.query<Pointer>(
    `SELECT c.agency, a.name AS "agencyName", c.contact_name AS "contactName", c.contact_phone AS "contactPhone"
       FROM cases c JOIN agencies a ON a.code = c.agency WHERE c.id = $1`,
    [caseId],
  );
  if (!r) throw new Error(`no case ${caseId}`);
  return r;
}

export async function operationPointer(
  tx: Sql,
  opId: number,
): Promise<Pointer & { type: string; startsAt: string; endsAt: string }> {
  const [r] = await tx.query<Pointer & { type: string; startsAt: string; endsAt: string }>(
    `SELECT o.agency, a.name AS "agencyName", o.contact_name AS "contactName", o.contact_phone AS "contactPhone", o.type,
            o.starts_at AS "startsAt", o.ends_at AS "endsAt"
       FROM operations o JOIN agencies a ON a.code = o.agency WHERE o.id = $1`,
    [opId],
  );
  if (!r) throw new Error(`no operation ${opId}`);
  return r;
}

export const describePointer = (p: Pointer): string =>
  `${p.agencyName} (${p.agency}); contact ${p.contactName}, ${p.contactPhone}`;

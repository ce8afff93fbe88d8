// Pre-export notifications for precursor chemicals (1988 Convention art. 12(10)(a)):
// exporter, importer and consignee with addresses, substance, quantity, point of
// entry and dispatch date. The exporting authority files; the importing country's
// authorities are told at once and answer: acknowledge, clear or object. An
// objection holds the matching shipment (same transport document) in targeting.
import { randomBytes } from 'node:crypto';
import type { Database, Sql } from '../store/db.js';
import { appendAudit } from '../store/audit.js';
import { assertMay, type Principal } from '../domain/users.js';
import { notify } from '../notify/notifications.js';
import { TargetingError } from './score.js';

export interface Party {
  name: string;
  address: string;
}

export interface PreExportInput {
  importingCountry: string;
  exporter: Party;
  importer: Party;
  consignee: Party;
  substance: string;
  casNumber?: string;
  quantityKg: number;
  pointOfEntry: string;
  dispatchDate: string;
  transportDocument?: string;
}

const doc = (s?: string): string | null => (s ? s.toUpperCase().replace(/[^A-Z0-9]/g, '') : null);

export async function filePreExport(
  db: Database,
  me: Principal,
  p: PreExportInput,
): Promise<{ id: number; reference: string; notified: string[] }> {
  assertMay(me, 'write');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(p.dispatchDate) || Number.isNaN(Date.parse(p.dispatchDate)))
    throw new TargetingError('dispatchDate: YYYY-MM-DD');
  if (p.casNumber && !/^\d{2,7}-\d{2}-\d$/.test(p.casNumber))
    throw new TargetingError(`casNumber: "${p.casNumber}" is not a CAS registry number`);
  return db.transaction(async (tx) => {
    const [me2] = await tx.query<{ country: string }>('SELECT country FROM agencies WHERE code = $1', [me.agency]);
    const importing = p.importingCountry.toUpperCase();
    if (me2?.country === importing) throw new TargetingError('a pre-export notification goes to another country');
    const authorities = await tx.query<{ code: string }>(
      "SELECT code FROM agencies WHERE country = $1 AND (law_enforcement OR kind <> 'private') ORDER BY code",
      [importing],
    );
    if (!authorities.length) throw new TargetingError(`no authority of ${importing} is known here to notify`, 422);
    const reference = `PEN-${randomBytes(4).toString('hex').toUpperCase()}`;
    const [row] = await tx.query<{ id: number }>(
      `INSERT INTO pre_export_notifications (reference, exporting_agency, importing_country, exporter, importer, consignee, substance, cas_number, quantity_kg, point_of_entry, dispatch_date, transport_document, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
      [
        reference,
        me.agency,
        importing,
        JSON.stringify(p.exporter),
        JSON.stringify(p.importer),
        JSON.stringify(p.consignee),
        p.substance,
        p.casNumber ?? null,
        p.quantityKg,
        p.pointOfEntry,
        p.dispatchDate,
        doc(p.transportDocument),
        me.username,
      ],
    );
    for (const a of authorities) {
      await notify(tx, {
        agency: a.code,
        kind: 'pre-export.notified',
        message: `Pre-export notification ${reference} from ${me.agency}: ${p.quantityKg} kg ${p.substance} for ${p.importer.name}, dispatch ${p.dispatchDate}, entering at ${p.pointOfEntry}. Acknowledge, clear or object.`,
        ref: reference,
      });
    }
    await appendAudit(tx, {
      actor: me.username,
      action: 'pre-export.file',
      target: reference,
      details: { importingCountry: importing, substance: p.substance, quantityKg: p.quantityKg },
    });
    return { id: row!.id, reference, notified: authorities.map((a) => a.code) };
  });
}

/** Notifications the user's agency filed or must answer. */
export interface PreExportView {
  id: number;
  reference: string;
  exportingAgency: string;
  importingCountry: string;
  exporter: Party;
  importer: Party;
  consignee: Party;
  substance: string;
  casNumber: string | null;
  quantityKg: number;
  pointOfEntry: string;
  dispatchDate: string;
  transportDocument: string | null;
  status: string;
  responseNote: string | null;
  respondedBy: string | null;
}

export async function listPreExport(db: Sql, me: Principal): Promise<PreExportView[]> {
  const [mine] = await db.query<{ country: string }>('SELECT country FROM agencies WHERE code = $1', [me.agency]);
  return db.query<PreExportView>(
    `SELECT id, reference, exporting_agency AS "exportingAgency", importing_country AS "importingCountry", exporter, importer, consignee, substance, cas_number AS "casNumber",
            quantity_kg AS "quantityKg", point_of_entry AS "pointOfEntry", dispatch_date::text AS "dispatchDate", transport_document AS "transportDocument", status, response_note AS "responseNote", responded_by AS "respondedBy"
       FROM pre_export_notifications WHERE exporting_agency = $1 OR importing_country = $2 ORDER BY id DESC LIMIT 500`,
    [me.agency, mine?.country ?? ''],
  );
}

export async function respondPreExport(
  db: Database,
  me: Principal,
  id: number,
  decision: 'acknowledge' | 'clear' | 'object',
  note: string,
): Promise<{ status: string; held: number }> {
  assertMay(me, 'write');
  return db.transaction(async (tx) => {
    const [n] = await tx.query<{
      reference: string;
      importing_country: string;
      exporting_agency: string;
      transport_document: string | null;
      status: string;
    }>(
      'SELECT reference, importing_country, exporting_agency, transport_document, status FROM pre_export_notifications WHERE id = $1 FOR UPDATE',
      [id],
    );
    const [mine] = await tx.query<{ country: string }>('SELECT country FROM agencies WHERE code = $1', [me.agency]);
    if (!n || mine?.country !== n.importing_country)
      throw new TargetingError(`no pre-export notification ${id} addressed to your country`, 404);
    if (n.status === 'cleared' || n.status === 'objected')
      throw new TargetingError(`${n.reference} is already ${n.status}`, 409);
    const status = decision === 'acknowledge' ? 'acknowledged' : decision === 'clear' ? 'cleared' : 'objected';
    await tx.query(
      'UPDATE pre_export_notifications SET status = $2, response_note = $3, responded_by = $4, responded_at = now() WHERE id = $1',
      [id, status, note, `${me.username} (${me.agency})`],
    );
    let held = 0;
    if (status === 'objected')
      held = await holdShipments(
        tx,
        n.transport_document,
        `pre-export notification ${n.reference} objected by ${me.agency}: ${note}`,
      );
    await notify(tx, {
      agency: n.exporting_agency,
      kind: `pre-export.${status}`,
      message: `Pre-export notification ${n.reference} ${status} by ${me.agency}${note ? `: ${note}` : ''}.`,
      ref: n.reference,
    });
    await appendAudit(tx, { actor: me.username, action: `pre-export.${decision}`, target: n.reference });
    return { status, held };
  });
}

/** Holds scored shipments whose transport document matches; returns how many. */
export async function holdShipments(tx: Sql, document: string | null, reason: string): Promise<number> {
  if (!document) return 0;
  const rows = await tx.query(
    `UPDATE shipment_scores SET hold = $2 WHERE shipment_id IN (
       SELECT entity_id FROM statements WHERE schema = 'Shipment' AND prop = 'billOfLading' AND upper(regexp_replace(value, '[^A-Za-z0-9]', '', 'g')) = $1)
     RETURNING shipment_id`,
    [document, reason],
  );
  return rows.length;
}

/** For a shipment being scored: an objection on its transport document, if any. */
export async function objectionFor(tx: Sql, shipmentId: string): Promise<string | null> {
  const [r] = await tx.query<{ reference: string; note: string | null; responded_by: string }>(
    `SELECT n.reference, n.response_note AS note, n.responded_by FROM pre_export_notifications n
       JOIN statements s ON s.schema = 'Shipment' AND s.prop = 'billOfLading' AND upper(regexp_replace(s.value, '[^A-Za-z0-9]', '', 'g')) = n.transport_document
      WHERE s.entity_id = $1 AND n.status = 'objected' LIMIT 1`,
    [shipmentId],
  );
  return r
    ? `pre-export notification ${r.reference} objected by ${r.responded_by}${r.note ? `: ${r.note}` : ''}`
    : null;
}

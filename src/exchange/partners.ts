// Partner exchange. Private-sector partners submit suspicious shipments, listings
// and accounts: each report becomes a record of the partner's agency in the store
// (validated like any import, marked PROPIN for the submitter by default, and
// cross-referenced, linked and scored like every write), and a tracked report
// whose status and feedback the partner can see. Releasable incidents go the other
// way as JSON (incidents.ts).
import { randomBytes } from 'node:crypto';
import type { Store } from '../store/store.js';
import type { Sql } from '../store/db.js';
import { appendAudit } from '../store/audit.js';
import { assertMay, type Principal } from '../domain/users.js';
import { StatusError } from '../domain/errors.js';
import { parseRecord, formatFieldError } from '../ingest/record-input.js';
import '../capabilities.js';
import { writeBatch, SYSTEM } from '../store/write.js';

export class ExchangeError extends StatusError {}

export interface PartnerReport {
  kind: 'shipment' | 'listing' | 'account';
  summary: string;
  /** Shipments: tracking or airway bill, shipper and consignee names, declared goods. Listings: URL, platform, seller. Accounts: service, username. */
  shipment?: {
    trackingNumber: string;
    shipperName?: string;
    consigneeName?: string;
    declaredGoods?: string;
    originCountry?: string;
    destinationCountry?: string;
  };
  listing?: { url: string; platform?: string; seller?: string };
  account?: { service: string; username: string; email?: string; phone?: string };
}

export async function submitPartnerReport(
  store: Store,
  me: Principal,
  r: PartnerReport,
): Promise<{ reference: string; status: string }> {
  const reference = `PR-${randomBytes(5).toString('hex').toUpperCase()}`;
  const id = (k: string) => `${me.agency.toLowerCase()}-${reference.toLowerCase()}-${k}`;
  const entities: { id: string; schema: string; properties: Record<string, string[]> }[] = [];
  if (r.kind === 'shipment') {
    if (!r.shipment)
      throw new ExchangeError('shipment: give the tracking number (and what you know of shipper, consignee and goods)');
    const props: Record<string, string[]> = { billOfLading: [r.shipment.trackingNumber], mode: ['express'] };
    if (r.shipment.declaredGoods) props.declaredGoods = [r.shipment.declaredGoods];
    if (r.shipment.shipperName) {
      entities.push({ id: id('shipper'), schema: 'Company', properties: { name: [r.shipment.shipperName] } });
      props.shipper = [id('shipper')];
    }
    if (r.shipment.consigneeName) {
      entities.push({ id: id('consignee'), schema: 'Company', properties: { name: [r.shipment.consigneeName] } });
      props.consignee = [id('consignee')];
    }
    entities.push({ id: id('shipment'), schema: 'Shipment', properties: props });
  } else if (r.kind === 'listing') {
    if (!r.listing) throw new ExchangeError('listing: give the URL');
    entities.push({
      id: id('listing'),
      schema: 'Website',
      properties: {
        url: [r.listing.url],
        ...(r.listing.platform ? { platform: [r.listing.platform] } : {}),
        ...(r.listing.seller ? { name: [r.listing.seller] } : {}),
      },
    });
  } else {
    if (!r.account) throw new ExchangeError('account: give the service and username');
    entities.push({
      id: id('account'),
      schema: 'UserAccount',
      properties: {
        service: [r.account.service],
        username: [r.account.username],
        ...(r.account.email ? { email: [r.account.email] } : {}),
        ...(r.account.phone ? { number: [r.account.phone] } : {}),
      },
    });
  }
  // The marking: proprietary to the partner, readable by government (and the partner itself).
  const parsed = parseRecord(
    { sourceRecordId: reference, kind: 'operational', marking: 'U//PROPIN', entities },
    { source: me.agency },
  );
  if (!parsed.record) throw new ExchangeError(`report: ${parsed.errors.map(formatFieldError).join('; ')}`);
  // Written by the system on the partner's behalf: partners may not write to the picture, only report.
  await writeBatch(store.db, store.markings, SYSTEM, [parsed.record], {
    origin: `partner report ${reference} by ${me.username}`,
  });
  await store.db.transaction(async (tx) => {
    await tx.query(
      'INSERT INTO partner_reports (reference, agency, submitted_by, kind, summary, source_record_id) VALUES ($1, $2, $3, $4, $5, $6)',
      [reference, me.agency, me.username, r.kind, r.summary, reference],
    );
    await appendAudit(tx, {
      actor: me.username,
      action: 'partner.report',
      target: reference,
      details: { kind: r.kind },
    });
  });
  return { reference, status: 'received' };
}

/** A partner sees its own agency's reports and their feedback; government users see all. */
export async function partnerReports(db: Sql, me: Principal): Promise<Record<string, unknown>[]> {
  return db.query(
    `SELECT reference, agency, kind, summary, status, feedback, created_at AS "submittedAt", updated_at AS "updatedAt" FROM partner_reports
      WHERE agency = $1 OR $2 ORDER BY id DESC LIMIT 500`,
    [me.agency, me.government],
  );
}

export async function giveFeedback(
  db: Sql & { transaction: <T>(fn: (tx: Sql) => Promise<T>) => Promise<T> },
  me: Principal,
  reference: string,
  status: 'under review' | 'actioned' | 'closed',
  feedback: string,
): Promise<void> {
  assertMay(me, 'write');
  if (!me.government) throw new ExchangeError('feedback comes from the agencies that act on reports', 403);
  await db.transaction(async (tx) => {
    const rows = await tx.query(
      'UPDATE partner_reports SET status = $2, feedback = $3, feedback_by = $4, updated_at = now() WHERE reference = $1 RETURNING id',
      [reference, status, feedback, me.agency],
    );
    if (!rows.length) throw new ExchangeError(`no partner report ${reference}`, 404);
    await appendAudit(tx, { actor: me.username, action: 'partner.feedback', target: reference, details: { status } });
  });
}

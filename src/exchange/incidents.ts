// Releasable incidents: seizures, interdictions and lab dismantlements as JSON for partner countries,
// in a documented format ("chokepoint-incident/1", modelled on the fields of
// international incident sharing such as INCB's IONICS: what, where, when, route,
// substance, quantity, concealment). An incident is exported only when the
// requester may see it AND its marking releases it to the partner country; each
// value is read in the partner's scope, so a value not released to them is left out.
import type { Store } from '../store/store.js';
import { getEntities, type EntityView } from '../store/read.js';
import { logDissemination } from '../store/retention.js';
import type { Principal } from '../domain/users.js';
import type { ReaderAccess } from '../domain/markings.js';
import { ExchangeError } from './partners.js';

export const INCIDENT_FORMAT = 'chokepoint-incident/1';

export interface Incident {
  id: string;
  type: string;
  when: string | null;
  where: string | null;
  what: { substance: string | null; drugType: string | null; weightKg: number | null; pillCount: number | null };
  concealment: string | null;
  route: { origin: string | null; transshipment: string | null; destination: string | null; legs: string | null; mode: string | null } | null;
  reportedBy: string[];
  marking: string;
}

const first = (e: EntityView | undefined, prop: string): string | null => e?.properties[prop]?.[0]?.value ?? null;

export async function exportIncidents(store: Store, me: Principal, relTo: string, opts: { since?: string; limit?: number } = {}): Promise<{ format: string; generated: string; releasableTo: string; incidents: Incident[] }> {
  const country = relTo.toUpperCase();
  const [partner] = await store.db.query<{ code: string; law_enforcement: boolean }>("SELECT code, law_enforcement FROM agencies WHERE country = $1 AND kind = 'foreign' ORDER BY code LIMIT 1", [country]);
  if (!partner) throw new ExchangeError(`no partner agency of ${country} is known here; add one (chokepoint agencies add) before releasing to it`, 422);
  // The partner as a reader: a law-enforcement liaison of that country at the requester's clearance.
  const reader: ReaderAccess = { agency: partner.code, country, clearance: me.clearance, groups: [], lawEnforcement: partner.law_enforcement, government: true };
  const types = ['Seizure', 'Interdiction', 'LabDismantlement'];
  const mine = new Set((await store.read(me, (tx) => tx.query<{ id: string }>('SELECT id FROM entities WHERE schema = ANY($1)', [types]))).map((r) => r.id));
  const out = await store.read(reader, async (tx) => {
    const ids = (await tx.query<{ id: string }>('SELECT id FROM entities WHERE schema = ANY($1) ORDER BY id', [types])).map((r) => r.id).filter((id) => mine.has(id)).slice(0, opts.limit ?? 5000);
    const events = await getEntities(tx, store.markings, ids);
    const refIds = [...new Set(events.flatMap((e) => ['substance', 'shipment', 'addressEntity'].flatMap((p) => e.properties[p]?.map((v) => v.value) ?? [])))];
    const refs = new Map((await getEntities(tx, store.markings, refIds)).map((e) => [e.id, e]));
    const shipRefs = [...new Set([...refs.values()].filter((e) => e.schema === 'Shipment').flatMap((e) => ['originPort', 'transshipmentPort', 'destinationPort'].flatMap((p) => e.properties[p]?.map((v) => v.value) ?? [])))];
    for (const e of await getEntities(tx, store.markings, shipRefs)) refs.set(e.id, e);
    const name = (id: string | null) => (id ? refs.get(id)?.caption ?? null : null);
    const incidents: Incident[] = [];
    for (const e of events) {
      const when = first(e, 'date');
      if (opts.since && when && when < opts.since) continue;
      const ship = refs.get(first(e, 'shipment') ?? '');
      incidents.push({
        id: e.id, type: e.schema, when, where: name(first(e, 'addressEntity')),
        what: { substance: name(first(e, 'substance')), drugType: first(e, 'drugType'), weightKg: first(e, 'weightKg') ? Number(first(e, 'weightKg')) : null, pillCount: first(e, 'pillCount') ? Number(first(e, 'pillCount')) : null },
        concealment: first(e, 'concealment'),
        route: ship ? { origin: name(first(ship, 'originPort')), transshipment: name(first(ship, 'transshipmentPort')), destination: name(first(ship, 'destinationPort')), legs: first(ship, 'routeLegs'), mode: first(ship, 'mode') } : null,
        reportedBy: e.sources, marking: e.marking,
      });
    }
    const recordIds = (await tx.query<{ id: number }>('SELECT DISTINCT record_id AS id FROM presence WHERE entity_id = ANY($1)', [incidents.map((i) => i.id)])).map((r) => r.id);
    return { incidents, recordIds };
  });
  // Sharing with a partner is a dissemination (28 CFR 23.20(g)): logged like an export.
  await store.db.transaction((tx) => logDissemination(tx, { actor: me.username, recipient: `partner country ${country}`, recipientAgency: partner.code, channel: INCIDENT_FORMAT, purpose: 'incident sharing', recordIds: out.recordIds }));
  return { format: INCIDENT_FORMAT, generated: new Date().toISOString(), releasableTo: country, incidents: out.incidents };
}

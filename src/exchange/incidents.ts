// Releasable incidents: seizures, interdictions and lab dismantlements as JSON for partner countries,
// in a documented format ("chokepoint-incident/1", modelled on the fields of
// international incident sharing such as INCB's IONICS: what, where, when, route,
// substance, quantity, concealment). An incident is exported only when the
// requester may see it AND its marking releases it to the partner country; each
// value is read in the requester's scope and kept only when the partner may read it too (release.ts).
import type { Store } from '../store/store.js';
import { getEntities, type EntityView } from '../store/read.js';
import { logDissemination } from '../store/retention.js';
import { assertMay, ForbiddenError, type Principal } from '../domain/users.js';
import { model } from '../domain/model.js';
import { releasable } from './release.js';
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
  route: {
    origin: string | null;
    transshipment: string | null;
    destination: string | null;
    legs: string | null;
    mode: string | null;
  } | null;
  reportedBy: string[];
  marking: string;
}

const first = (e: EntityView | undefined, prop: string): string | null => e?.properties[prop]?.[0]?.value ?? null;

const INCIDENT_TYPES = ['Seizure', 'Interdiction', 'LabDismantlement'];

export async function exportIncidents(
  store: Store,
  me: Principal,
  relTo: string,
  opts: { since?: string; limit?: number } = {},
): Promise<{ format: string; generated: string; releasableTo: string; incidents: Incident[] }> {
  // Releasing to a foreign partner is a dissemination, for US law-enforcement users who may disseminate.
  assertMay(me, 'disseminate');
  if (!me.lawEnforcement || me.country !== 'USA')
    throw new ForbiddenError(`${me.username} may not release law-enforcement information to partner countries`);
  const country = relTo.toUpperCase();
  const [partner] = await store.db.query<{ code: string; law_enforcement: boolean }>(
    "SELECT code, law_enforcement FROM agencies WHERE country = $1 AND kind = 'foreign' ORDER BY code LIMIT 1",
    [country],
  );
  if (!partner)
    throw new ExchangeError(
      `no partner agency of ${country} is known here; add one (chokepoint agencies add) before releasing to it`,
      422,
    );
  // The partner as a reader: a law-enforcement liaison of that country at the requester's clearance.
  const partnerAccess: ReaderAccess = {
    agency: partner.code,
    country,
    clearance: me.clearance,
    groups: [],
    lawEnforcement: partner.law_enforcement,
    government: true,
  };
  const types = model.eventSchemas().filter((s) => INCIDENT_TYPES.includes(s));
  // Everything is read in the requester's own transaction and then narrowed to what the partner may receive.
  const out = await store.read(me, async (tx) => {
    const release = (views: EntityView[]) => releasable(tx, store.markings, views, partnerAccess);
    const visible = (
      await tx.query<{ id: string }>(
        'SELECT DISTINCT entity_id AS id FROM presence WHERE schema = ANY($1) ORDER BY 1',
        [types],
      )
    ).map((r) => r.id);
    const events = (await release(await getEntities(tx, store.markings, visible))).slice(0, opts.limit ?? 5000);
    const refIds = [
      ...new Set(
        events.flatMap((e) =>
          ['substance', 'shipment', 'addressEntity'].flatMap((p) => e.properties[p]?.map((v) => v.value) ?? []),
        ),
      ),
    ];
    const refs = new Map((await release(await getEntities(tx, store.markings, refIds))).map((e) => [e.id, e]));
    const shipRefs = [
      ...new Set(
        [...refs.values()]
          .filter((e) => e.schema === 'Shipment')
          .flatMap((e) =>
            ['originPort', 'transshipmentPort', 'destinationPort'].flatMap(
              (p) => e.properties[p]?.map((v) => v.value) ?? [],
            ),
          ),
      ),
    ];
    for (const e of await release(await getEntities(tx, store.markings, shipRefs))) refs.set(e.id, e);
    const name = (id: string | null) => (id ? (refs.get(id)?.caption ?? null) : null);
    const incidents: Incident[] = [];
    for (const e of events) {
      const when = first(e, 'date');
      if (opts.since && when && when < opts.since) continue;
      const ship = refs.get(first(e, 'shipment') ?? '');
      incidents.push({
        id: e.id,
        type: e.schema,
        when,
        where: name(first(e, 'addressEntity')),
        what: {
          substance: name(first(e, 'substance')),
          drugType: first(e, 'drugType'),
          weightKg: first(e, 'weightKg') ? Number(first(e, 'weightKg')) : null,
          pillCount: first(e, 'pillCount') ? Number(first(e, 'pillCount')) : null,
        },
        concealment: first(e, 'concealment'),
        route: ship
          ? {
              origin: name(first(ship, 'originPort')),
              transshipment: name(first(ship, 'transshipmentPort')),
              destination: name(first(ship, 'destinationPort')),
              legs: first(ship, 'routeLegs'),
              mode: first(ship, 'mode'),
            }
          : null,
        reportedBy: e.sources,
        marking: e.marking,
      });
    }
    const recordIds = (
      await tx.query<{ id: number }>('SELECT DISTINCT record_id AS id FROM presence WHERE entity_id = ANY($1)', [
        [...incidents.map((i) => i.id), ...refs.keys()],
      ])
    ).map((r) => r.id);
    return { incidents, recordIds };
  });
  // Sharing with a partner is a dissemination (28 CFR 23.20(g)): logged like an export.
  await store.db.transaction((tx) =>
    logDissemination(tx, {
      actor: me.username,
      recipient: `partner country ${country}`,
      recipientAgency: partner.code,
      channel: INCIDENT_FORMAT,
      purpose: 'incident sharing',
      recordIds: out.recordIds,
    }),
  );
  return {
    format: INCIDENT_FORMAT,
    generated: new Date().toISOString(),
    releasableTo: country,
    incidents: out.incidents,
  };
}

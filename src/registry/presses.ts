// The pill press and die mold registry. Machines are registered with make, model,
// serial, owner and location; transfers, imports, exports and reports (stolen,
// missing, destroyed) build their history. When a record written to the store
// carries a tableting machine or die mold (an import, a seizure, a dismantled lab),
// its serial is looked up: unregistered, registered to someone else, or reported
// stolen or missing raises an alert; a seizure joins the machine's history.
import type { Database, Sql } from '../store/db.js';
import { appendAudit } from '../store/audit.js';
import { assertMay, type Principal } from '../domain/users.js';
import { StatusError } from '../domain/errors.js';
import { model } from '../domain/model.js';
import { PRESS_KINDS, PRESS_EVENT_KINDS as EVENT_KINDS } from '../domain/registry-terms.js';
export { PRESS_KINDS, EVENT_KINDS };
import { notify } from '../notify/notifications.js';
import { derivedMarkings, markingOfEntities } from '../store/derived.js';
import { latestRecordOf } from '../store/read.js';
import { foldName } from '../resolve/normalize.js';

export class RegistryError extends StatusError {}

const STATUS_AFTER: Record<string, string> = {
  export: 'exported',
  'reported stolen': 'reported stolen',
  'reported missing': 'reported missing',
  destroyed: 'destroyed',
};

export const serialKey = (s: string): string => s.toUpperCase().replace(/[^A-Z0-9]/g, '');

/** What the store calls such machines (Equipment.equipmentType). */
function pressKind(equipmentType: string): (typeof PRESS_KINDS)[number] | undefined {
  const t = equipmentType.toLowerCase();
  if (/die|mold|mould|punch/.test(t)) return 'die mold';
  if (/encapsul/.test(t)) return 'encapsulator';
  if (/press|tablet|tablet(t)?ing/.test(t)) return 'tablet press';
  return undefined;
}

export interface PressInput {
  kind: (typeof PRESS_KINDS)[number];
  make: string;
  model: string;
  serial: string;
  owner: string;
  location: string;
  country: string;
}

export async function registerPress(db: Database, me: Principal, p: PressInput): Promise<{ id: number }> {
  assertMay(me, 'write');
  const key = serialKey(p.serial);
  if (key.length < 3) throw new RegistryError(`serial: "${p.serial}" is too short to identify a machine`);
  return db.transaction(async (tx) => {
    const [dup] = await tx.query<{ id: number; owner: string }>(
      'SELECT id, owner FROM presses WHERE make = $1 AND serial_key = $2',
      [p.make, key],
    );
    if (dup)
      throw new RegistryError(
        `${p.make} serial ${p.serial} is already registered (#${dup.id}); record a transfer instead`,
        409,
      );
    const [row] = await tx.query<{ id: number }>(
      'INSERT INTO presses (kind, make, model, serial, serial_key, owner, location, country, agency, registered_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id',
      [p.kind, p.make, p.model, p.serial, key, p.owner, p.location, p.country.toLowerCase(), me.agency, me.id],
    );
    await tx.query(
      "INSERT INTO press_events (press_id, kind, to_owner, country, actor) VALUES ($1, 'registration', $2, $3, $4)",
      [row!.id, p.owner, p.country.toLowerCase(), me.username],
    );
    await appendAudit(tx, {
      actor: me.username,
      action: 'press.register',
      target: `press:${row!.id}`,
      details: { make: p.make, serial: key },
    });
    return row!;
  });
}

export async function recordPressEvent(
  db: Database,
  me: Principal,
  id: number,
  e: { kind: (typeof EVENT_KINDS)[number]; toOwner?: string; country?: string; note?: string },
): Promise<void> {
  assertMay(me, 'write');
  if (e.kind === 'transfer' && !e.toOwner) throw new RegistryError('a transfer names the new owner (toOwner)');
  await db.transaction(async (tx) => {
    const [p] = await tx.query<{ owner: string; country: string; agency: string }>(
      'SELECT owner, country, agency FROM presses WHERE id = $1 FOR UPDATE',
      [id],
    );
    if (!p) throw new RegistryError(`no press ${id}`, 404);
    // The registration's life (transfer, export, theft, destruction) is its registrant's to record;
    // another agency that meets the machine reports it in a record, which the registry reads (third review 5).
    if (p.agency !== me.agency)
      throw new RegistryError(
        `press ${id} is registered by ${p.agency}: only ${p.agency} records its events; report a sighting or seizure of it as a record`,
        403,
      );
    await tx.query(
      'INSERT INTO press_events (press_id, kind, from_owner, to_owner, country, note, actor) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [id, e.kind, p.owner, e.toOwner ?? null, e.country?.toLowerCase() ?? null, e.note ?? null, me.username],
    );
    if (e.toOwner) await tx.query('UPDATE presses SET owner = $2 WHERE id = $1', [id, e.toOwner]);
    if (e.country) await tx.query('UPDATE presses SET country = $2 WHERE id = $1', [id, e.country.toLowerCase()]);
    if (STATUS_AFTER[e.kind])
      await tx.query('UPDATE presses SET status = $2 WHERE id = $1', [id, STATUS_AFTER[e.kind]]);
    else if (e.kind === 'import' || e.kind === 'transfer')
      await tx.query("UPDATE presses SET status = 'registered' WHERE id = $1 AND status = 'exported'", [id]);
    await appendAudit(tx, { actor: me.username, action: `press.${e.kind}`, target: `press:${id}` });
  });
}

/**
 * A press reads as seized when a seizure the reader may see names it (press_events under
 * row-level security): a seizure in a record they may not read must not show in the registry.
 * Run in a reader's transaction.
 */
const STATUS = `CASE WHEN p.status IN ('registered', 'reported stolen', 'reported missing', 'exported')
  AND EXISTS (SELECT 1 FROM press_events e WHERE e.press_id = p.id AND e.kind = 'seizure') THEN 'seized' ELSE p.status END`;

/** A registered machine as a list shows it. */
export interface PressRow {
  id: number;
  kind: string;
  make: string;
  model: string;
  serial: string;
  owner: string;
  country: string;
  status: string;
}
/** A machine with its history: registration, transfers, imports, exports, reports, seizures and sightings, and alerts. */
export interface PressHistory extends PressRow {
  location: string;
  agency: string;
  registeredAt: string;
  events: {
    kind: string;
    at: string;
    fromOwner: string | null;
    toOwner: string | null;
    country: string | null;
    note: string | null;
    record: string | null;
    entityId: string | null;
    actor: string;
  }[];
  alerts: { kind: string; at: string; entityId: string; record: string | null; message: string }[];
}
export interface PressAlert {
  id: number;
  at: string;
  kind: string;
  serial: string;
  pressId: number | null;
  entityId: string;
  record: string | null;
  message: string;
}

export async function pressHistory(db: Sql, id: number): Promise<PressHistory | undefined> {
  const [p] = await db.query<Omit<PressHistory, 'events' | 'alerts'>>(
    `SELECT id, kind, make, model, serial, owner, location, country, ${STATUS} AS status, agency, created_at AS "registeredAt" FROM presses p WHERE id = $1`,
    [id],
  );
  if (!p) return undefined;
  const events = await db.query<PressHistory['events'][number]>(
    'SELECT kind, at, from_owner AS "fromOwner", to_owner AS "toOwner", country, note, record_ref AS "record", entity_id AS "entityId", actor FROM press_events WHERE press_id = $1 ORDER BY at, id',
    [id],
  );
  const alerts = await db.query<PressHistory['alerts'][number]>(
    'SELECT kind, at, entity_id AS "entityId", record_ref AS "record", message FROM press_alerts WHERE press_id = $1 ORDER BY at',
    [id],
  );
  return { ...p, events, alerts };
}

export async function findPresses(db: Sql, serial: string): Promise<PressRow[]> {
  return db.query<PressRow>(
    `SELECT id, kind, make, model, serial, owner, country, ${STATUS} AS status FROM presses p WHERE serial_key = $1 ORDER BY id`,
    [serialKey(serial)],
  );
}

export async function pressAlerts(db: Sql): Promise<PressAlert[]> {
  return db.query<PressAlert>(
    'SELECT id, at, kind, serial_key AS "serial", press_id AS "pressId", entity_id AS "entityId", record_ref AS "record", message FROM press_alerts ORDER BY at DESC, id DESC LIMIT 500',
  );
}

/** A seizure or sighting of a press in a record is written once, however often the record's after-write check runs. */
async function pressEventOnce(
  tx: Sql,
  pressId: number,
  kind: 'seizure' | 'sighting',
  note: string | null,
  recordRef: string | null,
  entityId: string,
  markingId: number,
): Promise<void> {
  await tx.query(
    `INSERT INTO press_events (press_id, kind, note, record_ref, entity_id, actor, marking_id) SELECT $1, $2, $3, $4, $5, 'system', $6
      WHERE NOT EXISTS (SELECT 1 FROM press_events WHERE press_id = $1 AND kind = $2 AND record_ref IS NOT DISTINCT FROM $4 AND entity_id = $5)`,
    [pressId, kind, note, recordRef, entityId, markingId],
  );
}

/**
 * After a write: every tableting machine or die mold among the written entities is
 * checked against the registry. Runs as the system (what it reads is not shown;
 * alerts carry ids and serials). Returns the alerts raised.
 */
export async function checkPressesAfterWrite(db: Database, entityIds: string[]): Promise<number> {
  if (!entityIds.length) return 0;
  return db.transaction(async (tx) => {
    const rows = await tx.query<{ entity_id: string; prop: string; value: string }>(
      "SELECT entity_id, prop, value FROM statements WHERE entity_id = ANY($1) AND schema = 'Equipment' AND prop = ANY($2)",
      [entityIds, ['equipmentType', 'serialNumber', 'make', 'owner']],
    );
    if (!rows.length) return 0;
    const machines = new Map<string, { type?: string; serial?: string; make?: string; owner?: string }>();
    for (const r of rows) {
      const m = machines.get(r.entity_id) ?? {};
      if (r.prop === 'equipmentType') m.type = r.value;
      else if (r.prop === 'serialNumber') m.serial = r.value;
      else if (r.prop === 'make') m.make = r.value;
      else m.owner = r.value;
      machines.set(r.entity_id, m);
    }
    let raised = 0;
    for (const [entityId, m] of machines) {
      if (!m.serial || !m.type || !pressKind(m.type)) continue;
      const key = serialKey(m.serial);
      const rec = await latestRecordOf(tx, entityId);
      // Seized when an event (seizure, lab dismantlement) in the store names it.
      const [seizedBy] = await tx.query<{ entity_id: string; schema: string }>(
        "SELECT entity_id, schema FROM statements WHERE value = $1 AND prop_type = 'entity' AND schema = ANY($2) LIMIT 1",
        [entityId, model.eventSchemas()],
      );
      const reg = (
        await tx.query<{ id: number; owner: string; status: string; make: string; agency: string }>(
          'SELECT id, owner, status, make, agency FROM presses WHERE serial_key = $1',
          [key],
        )
      ).find((p) => !m.make || foldName(p.make) === foldName(m.make));
      const ownerName = m.owner
        ? (
            await tx.query<{ value: string }>(
              "SELECT value FROM statements WHERE entity_id = $1 AND prop = 'name' LIMIT 1",
              [m.owner],
            )
          )[0]?.value
        : undefined;
      // Alerts and sightings quote the machine's record (ids, serial, owner's name): marked as all of it.
      const markingId = await markingOfEntities(tx, derivedMarkings(db), m.owner ? [entityId, m.owner] : [entityId]);
      const holder = rec?.source && rec.source !== 'SYSTEM' ? rec.source : 'another agency';
      const alert = async (kind: string, message: string, pressId: number | null, agency?: string) => {
        const ins = await tx.query(
          'INSERT INTO press_alerts (kind, serial_key, press_id, entity_id, record_ref, message, marking_id) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id',
          [kind, key, pressId, entityId, rec?.ref ?? null, message, markingId],
        );
        if (!ins.length) return;
        raised++;
        const pointer = `A record held by ${holder} that you may not read names a machine of the registry${pressId ? ` (press ${pressId})` : ''}; ask ${holder} for access.`;
        if (agency)
          await notify(tx, {
            agency,
            kind: 'press.alert',
            message,
            ref: pressId ? `press:${pressId}` : `entity:${entityId}`,
            markingId,
            pointer,
          });
      };
      if (!reg) {
        await alert(
          'unregistered',
          `${m.make ?? ''} ${m.type} serial ${m.serial} (${entityId}, ${rec?.ref ?? 'record unknown'}) is not in the registry`.trim(),
          null,
        );
        continue;
      }
      if (seizedBy) {
        await pressEventOnce(
          tx,
          reg.id,
          'seizure',
          `named by ${seizedBy.schema} ${seizedBy.entity_id}`,
          rec?.ref ?? null,
          entityId,
          await markingOfEntities(tx, derivedMarkings(db), [entityId, seizedBy.entity_id]),
        );
      } else {
        await pressEventOnce(tx, reg.id, 'sighting', null, rec?.ref ?? null, entityId, markingId);
      }
      if (reg.status === 'reported stolen' || reg.status === 'reported missing') {
        await alert(
          'reported stolen or missing',
          `${reg.make} serial ${m.serial}, ${reg.status}, appears in ${rec?.ref ?? entityId}`,
          reg.id,
          reg.agency,
        );
      }
      if (ownerName && foldName(ownerName) !== foldName(reg.owner)) {
        await alert(
          'registered to someone else',
          `${reg.make} serial ${m.serial} is registered to ${reg.owner}, but ${rec?.ref ?? entityId} names ${ownerName} as owner`,
          reg.id,
          reg.agency,
        );
      }
    }
    if (raised) await appendAudit(tx, { actor: 'system', action: 'press.alerts', details: { raised } });
    return raised;
  });
}

/** After a write of equipment (installed by src/capabilities.ts). */
export const pressRegistryReaction = {
  name: 'pill-press registry check',
  order: 30,
  concerns: (schemas: ReadonlySet<string>) => [...schemas].some((s) => model.isA(s, 'Equipment')),
  run: (db: Database, entityIds: string[]) => checkPressesAfterWrite(db, entityIds),
};

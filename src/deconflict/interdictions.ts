// Linking interdictions to investigations: when records are written, every entity
// they carry, and what a seizure or interdiction in them points at (its
// conveyance, shipment, container, the people involved, and their phones, wallets
// and companies, up to two references away), is resolved against the registered
// targets of open cases. A hit notifies the case owner at once (in-app, SSE,
// webhook) with the path of references that connects the record to their target,
// and tells the reporting agency, pointer-only, that a case holds it.
import type { Database, Sql } from '../store/db.js';
import { appendAudit } from '../store/audit.js';
import { model } from '../domain/model.js';
import { notify } from '../notify/notifications.js';
import { casePointer, describePointer } from './pointer.js';
import { findTargets, caseOwner } from './targets.js';
import { derivedMarkings, markingOfRecord } from '../store/derived.js';
import { latestRecordOf } from '../store/read.js';
import { withinReaderScope } from '../store/access.js';
import { findUserById } from '../store/users.js';
import type { Principal } from '../domain/users.js';
import { statementKeys } from './keys.js';

const HOPS = 2;
const CHUNK = 5_000; // entities resolved per transaction
const MAX_ENTITIES = 50_000; // reached from one chunk: a bound on the walk, far above any real seizure

export interface InterdictionLink {
  caseId: number;
  targetId: number;
  entityId: string;
  basis: string;
  path: { entityId: string; schema: string; via: string | null }[];
}

/** Entities reachable from `roots` through references, with the path to each (breadth first). */
async function reach(tx: Sql, roots: string[]): Promise<Map<string, { entityId: string; via: string | null }[]>> {
  const paths = new Map<string, { entityId: string; via: string | null }[]>(
    roots.map((r) => [r, [{ entityId: r, via: null }]]),
  );
  let frontier = roots;
  for (let hop = 0; hop < HOPS && frontier.length; hop++) {
    const refs = await tx.query<{ entity_id: string; prop: string; value: string }>(
      `SELECT entity_id, prop, value FROM statements WHERE entity_id = ANY($1) AND prop_type = 'entity'
       UNION SELECT entity_id, prop, value FROM statements WHERE value = ANY($1) AND prop_type = 'entity'`,
      [frontier],
    );
    const next: string[] = [];
    for (const r of refs) {
      const [from, to] =
        paths.has(r.entity_id) && !paths.has(r.value)
          ? [r.entity_id, r.value]
          : paths.has(r.value) && !paths.has(r.entity_id)
            ? [r.value, r.entity_id]
            : [null, null];
      if (!from || !to || paths.size >= MAX_ENTITIES) continue;
      paths.set(to, [...paths.get(from)!, { entityId: to, via: r.prop }]);
      next.push(to);
    }
    frontier = next;
  }
  return paths;
}

/**
 * Resolves written entities against registered targets and notifies. Runs as the
 * system after the write commits (like cross-referencing): what it reads is never
 * shown, only pointers are sent. Returns the links found.
 */
export async function linkToInvestigations(
  db: Database,
  entityIds: string[],
  actor: string,
): Promise<InterdictionLink[]> {
  const unique = [...new Set(entityIds)];
  const out: InterdictionLink[] = [];
  for (let i = 0; i < unique.length; i += CHUNK) out.push(...(await linkChunk(db, unique.slice(i, i + CHUNK), actor)));
  return out;
}

async function linkChunk(db: Database, ids: string[], actor: string): Promise<InterdictionLink[]> {
  return db.transaction(async (tx) => {
    const [anyTarget] = await tx.query(
      "SELECT 1 FROM case_targets t JOIN cases c ON c.id = t.case_id WHERE c.status = 'open' LIMIT 1",
    );
    if (!anyTarget) return [];
    // Events (seizures, interdictions, arrests) reach out to what they involve; other entities stand for themselves.
    const schemas = await tx.query<{ entity_id: string; schema: string }>(
      'SELECT DISTINCT entity_id, schema FROM presence WHERE entity_id = ANY($1)',
      [ids],
    );
    const events = schemas.filter((s) => model.isEvent(s.schema)).map((s) => s.entity_id);
    const paths = await reach(tx, events);
    for (const id of ids) if (!paths.has(id)) paths.set(id, [{ entityId: id, via: null }]);
    const all = [...paths.keys()];
    const stmts = await tx.query<{ entity_id: string; schema: string; prop: string; value: string }>(
      `SELECT entity_id, schema, prop, value FROM statements WHERE entity_id = ANY($1) AND prop_type <> 'entity'`,
      [all],
    );
    const byEntity = new Map<string, { schema: string; keys: Set<string>; names: string[]; birthDate?: string }>();
    for (const s of stmts) {
      let e = byEntity.get(s.entity_id);
      if (!e) byEntity.set(s.entity_id, (e = { schema: s.schema, keys: new Set(), names: [] }));
      const party = model.party(s.schema);
      const person = party === 'person';
      const org = party === 'organization';
      for (const k of statementKeys(s.schema, s.prop, s.value, person, org)) e.keys.add(k);
      if ((person || org) && (s.prop === 'name' || s.prop === 'alias')) e.names.push(s.value);
      if (person && s.prop === 'birthDate') e.birthDate = s.value;
    }
    const found: InterdictionLink[] = [];
    const seen = new Set<string>();
    for (const entityId of paths.keys()) {
      let e = byEntity.get(entityId);
      if (!e) byEntity.set(entityId, (e = { schema: 'Thing', keys: new Set(), names: [] }));
      e.keys.add(`entity:${entityId}`); // a case may register the entity itself
    }
    for (const [entityId, e] of byEntity) {
      const person = model.party(e.schema) === 'person';
      const probes = e.names.length
        ? e.names.map((n) => ({ keys: [...e.keys], name: { value: n, person, birthDate: e.birthDate } }))
        : [{ keys: [...e.keys] }];
      for (const probe of probes) {
        if (!probe.keys.length && !('name' in probe)) continue;
        for (const m of await findTargets(tx, db, probe)) {
          if (seen.has(`${m.targetId} ${entityId}`)) continue;
          seen.add(`${m.targetId} ${entityId}`);
          const schemaOf = new Map(schemas.map((s) => [s.entity_id, s.schema]));
          const path = paths
            .get(entityId)!
            .map((p) => ({ ...p, schema: schemaOf.get(p.entityId) ?? byEntity.get(p.entityId)?.schema ?? 'Thing' }));
          found.push({ caseId: m.caseId, targetId: m.targetId, entityId, basis: m.basis, path });
        }
      }
    }
    // Many links in one write often share a case owner, a reporting agency and a record: look each up once.
    const owners = new Map<number, Promise<Principal | undefined>>();
    const once = <K, V>(m: Map<K, Promise<V>>, k: K, f: () => Promise<V>): Promise<V> => {
      if (!m.has(k)) m.set(k, f());
      return m.get(k)!;
    };
    const caseAgencies = new Map<string, Promise<boolean>>();
    const recordMarkings = new Map<string, Promise<number>>();
    for (const l of found) {
      const c = await caseOwner(tx, l.caseId);
      const rec = await latestRecordOf(tx, l.path[0]!.entityId);
      // The owner is told what their own access lets them read: the record and the
      // entities on the path they may see, and otherwise only who holds it (pointer-only).
      const owner = await once(owners, c.owner_id, () => findUserById(tx, c.owner_id));
      const seen = owner
        ? await ownerSees(
            tx,
            owner,
            rec,
            l.path.map((p) => p.entityId),
          )
        : { record: false, entities: new Set<string>() };
      // When the matched entity itself is one the owner may not see (a registered id of someone
      // else's subject), no step of the path is named: naming a visible seizure would tie it to the hidden subject.
      const path = seen.entities.has(l.entityId) ? l.path.filter((p) => seen.entities.has(p.entityId)) : [];
      const route = path.map((p) => `${p.schema} ${p.entityId}${p.via ? ` (via ${p.via})` : ''}`).join(' → ');
      const message =
        seen.record && path.length === l.path.length
          ? `New ${rec?.source ?? ''} record ${rec?.sourceRecordId ?? ''} touches a target of your case ${c.case_number} (${l.basis}): ${route}.`
          : `A new record held by ${rec?.source ?? 'another agency'} touches a target of your case ${c.case_number} (${l.basis})${route ? `: ${route}` : ''}. Its marking keeps ${seen.record ? 'part of the path' : 'it'} from you; contact ${rec?.source ?? 'the holder'}.`;
      await notify(tx, {
        agency: c.agency,
        userId: c.owner_id,
        kind: 'interdiction.link',
        message,
        ref: `case:${l.caseId}`,
        payload: {
          caseId: l.caseId,
          targetId: l.targetId,
          record: rec && seen.record ? rec.ref : null,
          holder: rec?.source ?? null,
          basis: l.basis,
          path,
        },
        dedupeKey: rec ? `interdiction.link ${l.targetId} ${l.entityId} ${rec.ref} ${rec.contentHash}` : undefined,
      });
      // The reporting agency learns only that a case holds it, and whom to call.
      // Only an agency that works cases itself (domestic law enforcement) hears that a case holds its
      // record: a private partner or a foreign liaison could otherwise ask "is anyone investigating X?"
      // through its own reports, which deconfliction refuses them.
      if (rec && rec.source !== c.agency && (await once(caseAgencies, rec.source, () => worksCases(tx, rec.source)))) {
        const p = await casePointer(tx, l.caseId);
        // Addressed to the whole agency, so marked as the record: a colleague who may not read it learns only that one exists.
        await notify(tx, {
          agency: rec.source,
          kind: 'interdiction.case',
          message: `Your record ${rec.sourceRecordId} touches an open case held by ${describePointer(p)}. Contact them.`,
          ref: rec.ref,
          payload: { record: rec.ref, other: p },
          markingId: await once(recordMarkings, rec.ref, () =>
            markingOfRecord(tx, derivedMarkings(db), rec.source, rec.sourceRecordId),
          ),
          pointer: `A record of your agency that you may not read touches an open case held by ${describePointer(p)}; a colleague cleared for the record can follow it up.`,
          dedupeKey: `interdiction.case ${l.caseId} ${rec.ref} ${rec.contentHash}`,
        });
      }
    }
    if (found.length)
      await appendAudit(tx, {
        actor,
        action: 'interdiction.link',
        details: { links: found.map((l) => ({ case: l.caseId, target: l.targetId, entity: l.entityId })) },
      });
    return found;
  });
}

async function worksCases(tx: Sql, agency: string): Promise<boolean> {
  const [a] = await tx.query<{ ok: boolean }>(
    "SELECT law_enforcement AND country = 'USA' AS ok FROM agencies WHERE code = $1",
    [agency],
  );
  return !!a?.ok;
}

/** What a case owner may read of a link: the record, and which of the path's entities. */
async function ownerSees(
  tx: Sql,
  owner: Principal,
  rec: { source: string; sourceRecordId: string } | undefined,
  entityIds: string[],
): Promise<{ record: boolean; entities: Set<string> }> {
  return withinReaderScope(tx, owner, async (r) => {
    const record = rec
      ? (
          await r.query('SELECT 1 FROM records WHERE source = $1 AND source_record_id = $2', [
            rec.source,
            rec.sourceRecordId,
          ])
        ).length > 0
      : false;
    const entities = new Set(
      (
        await r.query<{ entity_id: string }>('SELECT DISTINCT entity_id FROM presence WHERE entity_id = ANY($1)', [
          entityIds,
        ])
      ).map((x) => x.entity_id),
    );
    return { record, entities };
  });
}

/** After every write (installed by src/capabilities.ts): whatever was written may touch an open case. */
export const linkToInvestigationsReaction = {
  name: 'linking to investigations',
  order: 20,
  run: (db: Database, entityIds: string[], actor: string) => linkToInvestigations(db, entityIds, actor),
};

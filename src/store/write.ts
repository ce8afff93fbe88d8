// Writing source records into the statement store: idempotent by (source,
// source_record_id) and content hash, in one transaction per batch, with bulk
// inserts (unnest of arrays) so large imports are bound by the database, not by
// round trips.
import type { Database, Sql } from './db.js';
import { appendAudit } from './audit.js';
import { queueAfterWrite, runAfterWrite } from './after-write.js';
import { withinReaderScope } from './access.js';
import { fullyReadable, scopeBatch, writerScope } from './write-scope.js';
import type { MarkingCache } from './markings.js';
import { canRead, formatMarking, type Marking } from '../domain/markings.js';
import { model } from '../domain/model.js';
import { ForbiddenError, may, type Principal } from '../domain/users.js';
import {
  referencedIds,
  ValidationError,
  type EntityInput,
  type FieldError,
  type RecordInput,
} from '../domain/records.js';

type Intern = (m: Marking) => Promise<number>;

export interface WriteResult {
  inserted: number;
  updated: number;
  unchanged: number;
  entities: number;
  statements: number;
  /** Entity ids written under another id than given (a user's new ids go to their namespace; see write-scope.ts). */
  ids?: Record<string, string>;
  /** Entities referred to but defined nowhere (in the batch, the import or the store), kept as references. */
  references?: number;
}

export interface WriteOptions {
  /** Shown in the audit entry (file name, endpoint). */
  origin: string;
  purpose?: string;
  /** Ids defined elsewhere in the same import (later batches of one file). */
  knownIds?: Set<string>;
  /** Told the ids of the entities written (new or changed), e.g. for cross-referencing. */
  onWritten?: (entityIds: string[]) => void;
}

/** The CLI and the demo loader write as the system, which is trusted with any source and marking. */
export const SYSTEM: Principal = {
  id: 0,
  username: 'system',
  displayName: 'Chokepoint system',
  agency: 'SYSTEM',
  country: 'USA',
  clearance: 'TS',
  groups: [],
  lawEnforcement: true,
  government: true,
  roles: ['admin'],
};
// id 0 is no user's (users start at 1); the CLI's operator is the system under a name that says who ran it.
export const isSystem = (p: Principal): boolean => p.id === 0 && p.agency === SYSTEM.agency;

/**
 * Who may write what: a user writes records of their own agency (admins may
 * write for others, e.g. loading a published list), only under markings they
 * can read themselves, with no write-up.
 */
export function checkWriteAccess(writer: Principal, records: RecordInput[]): FieldError[] {
  if (isSystem(writer)) return [];
  if (!may(writer, 'write')) throw new ForbiddenError(`${writer.username} may not write records`);
  const errors: FieldError[] = [];
  const admin = writer.roles.includes('admin');
  records.forEach((r) => {
    const path = `record ${r.source}/${r.sourceRecordId}`;
    if (r.source !== writer.agency && !admin)
      errors.push({
        path,
        message: `source ${r.source}: you may only write records of your own agency (${writer.agency})`,
      });
    const markings = [r.marking, ...r.entities.flatMap((e) => [e.marking, ...e.statements.map((s) => s.marking)])];
    for (const m of markings) {
      if (!canRead(writer, m)) {
        errors.push({
          path,
          message: `marking ${formatMarking(m)} is above your own access; you may not write what you could not read`,
        });
        break;
      }
      if (m.owner !== writer.agency && !admin) {
        errors.push({
          path,
          message: `marking owner ${m.owner}: you may only mark information as owned by your agency (${writer.agency})`,
        });
        break;
      }
    }
  });
  return errors;
}

/**
 * The system's batch: entity references must point into the batch (or earlier batches
 * of the same import) or to a stored entity, so the graph holds no dangling edges. A
 * user's batch is checked against what the user may see instead (scopeBatch).
 */
async function missingReferences(
  tx: Sql,
  records: RecordInput[],
  known: (id: string) => boolean,
): Promise<Set<string>> {
  const wanted = [...new Set(records.flatMap(referencedIds))].filter((id) => !known(id));
  if (!wanted.length) return new Set();
  const found = await tx.query<{ id: string }>('SELECT id FROM entities WHERE id = ANY($1)', [wanted]);
  const have = new Set(found.map((r) => r.id));
  return new Set(wanted.filter((id) => !have.has(id)));
}

/**
 * FtM allows a reference to an entity the stream does not hold (OpenSanctions' data
 * is full of them), so such a reference is kept, not refused: the entity it names is
 * recorded as present in the referring record, with the reference's marking and
 * the property's range as schema, but with no values (a stub). Its existence is then
 * visible exactly to whoever may read the reference, whatever is written under that
 * id later, and a user's reference goes to their own namespace (write-scope.ts), so
 * it never attaches to an entity they cannot see.
 */
function withReferencedStubs(records: RecordInput[], missing: Set<string>): { records: RecordInput[]; count: number } {
  const stubbed = new Set<string>();
  const out = records.map((r) => {
    const defined = new Set(r.entities.map((e) => e.id));
    const stubs = new Map<string, EntityInput>();
    for (const e of r.entities) {
      const props = model.properties(e.schema);
      for (const s of e.statements) {
        if (s.propType !== 'entity' || !missing.has(s.value) || defined.has(s.value)) continue;
        const range = props[s.prop]?.range ?? 'Thing';
        const prev = stubs.get(s.value);
        // Two ranges for one id (a payer that is also an owner): the schema that is both, or Thing.
        const schema = prev ? (model.compatible(prev.schema, range) ?? 'Thing') : range;
        stubs.set(s.value, { id: s.value, schema, marking: prev?.marking ?? s.marking, statements: [], stub: true });
        stubbed.add(s.value);
      }
    }
    return stubs.size ? { ...r, entities: [...r.entities, ...stubs.values()] } : r;
  });
  return { records: out, count: stubbed.size };
}

/** Writes a validated batch in the caller's transaction. */
export async function writeRecords(
  tx: Sql,
  markings: MarkingCache,
  writer: Principal,
  given: RecordInput[],
  opts: WriteOptions,
): Promise<WriteResult> {
  const result: WriteResult = { inserted: 0, updated: 0, unchanged: 0, entities: 0, statements: 0 };
  if (!given.length) return result;
  let records = given;
  const local = new Map<string, number>();
  const intern = (m: Marking): Promise<number> => markings.intern(tx, m, local);
  const accessErrors = checkWriteAccess(writer, records);
  if (accessErrors.length) throw new ValidationError(accessErrors);

  const system = isSystem(writer);
  const known = (id: string): boolean => opts.knownIds?.has(id) ?? false;
  let missing: Set<string>;
  if (system) {
    const batchIds = new Set(records.flatMap((r) => r.entities.map((e) => e.id)));
    missing = await missingReferences(tx, records, (id) => batchIds.has(id) || known(id));
  } else {
    const scoped = await scopeBatch(tx, writer, records, known);
    records = scoped.records;
    missing = scoped.missing;
    if (scoped.renamed.size) result.ids = Object.fromEntries(scoped.renamed);
  }
  if (missing.size) {
    const kept = withReferencedStubs(records, missing);
    records = kept.records;
    result.references = kept.count;
  }

  // Idempotency: find what exists already, skip what is unchanged. A user replaces a
  // stored record only when they may read all of it; otherwise their write goes to a
  // record of their own key scope beside it, exactly as if the key were unused.
  const existing = await tx.query<{
    id: number;
    source: string;
    source_record_id: string;
    content_hash: string;
    key_scope: string;
  }>(
    `SELECT r.id, r.source, r.source_record_id, r.content_hash, r.key_scope FROM records r
       JOIN unnest($1::text[], $2::text[]) AS k(source, sid) ON r.source = k.source AND r.source_record_id = k.sid`,
    [records.map((r) => r.source), records.map((r) => r.sourceRecordId)],
  );
  const scope = system ? '' : writerScope(writer);
  const readable = system
    ? null
    : await fullyReadable(
        tx,
        writer,
        existing.filter((e) => e.key_scope === '' || e.key_scope === scope).map((e) => e.id),
      );
  const byKey = new Map<string, (typeof existing)[number]>();
  const sharedKeyTaken = new Set<string>();
  for (const e of existing) {
    const key = `${e.source}\u0000${e.source_record_id}`;
    if (e.key_scope === '') sharedKeyTaken.add(key);
    if (system ? e.key_scope !== '' : (e.key_scope !== '' && e.key_scope !== scope) || !readable!.has(e.id)) continue;
    // The writer's own scope wins over the shared record when both are readable.
    if (!byKey.has(key) || e.key_scope === scope) byKey.set(key, e);
  }
  const toWrite: { rec: RecordInput; id?: number; keyScope: string }[] = [];
  const seenKeys = new Set<string>();
  for (const rec of records) {
    const key = `${rec.source}\u0000${rec.sourceRecordId}`;
    if (seenKeys.has(key))
      throw new ValidationError([
        { path: `record ${rec.source}/${rec.sourceRecordId}`, message: 'appears twice in the batch' },
      ]);
    seenKeys.add(key);
    const old = byKey.get(key);
    if (old && old.content_hash === rec.contentHash) result.unchanged++;
    else toWrite.push({ rec, id: old?.id, keyScope: old ? old.key_scope : sharedKeyTaken.has(key) ? scope : '' });
  }
  if (!toWrite.length) {
    await appendAudit(tx, {
      actor: writer.username,
      action: 'records.write',
      target: opts.origin,
      purpose: opts.purpose,
      details: { ...result },
    });
    return result;
  }

  // Changed records: drop their old statements, keep the record row (its id is provenance).
  const changed = toWrite.filter((w) => w.id !== undefined);
  if (changed.length) {
    const ids = changed.map((w) => w.id!);
    await tx.query('DELETE FROM statements WHERE record_id = ANY($1)', [ids]);
    await tx.query('DELETE FROM presence WHERE record_id = ANY($1)', [ids]);
    await tx.query('DELETE FROM record_basis WHERE record_id = ANY($1)', [ids]);
    for (const w of changed) {
      const r = w.rec;
      await tx.query(
        `UPDATE records SET kind = $2, report_date = $3, reliability = $4, credibility = $5, marking_id = $6, review_by = $7,
           content_hash = $8, imported_at = now(), imported_by = $9 WHERE id = $1`,
        [
          w.id,
          r.kind,
          r.reportDate,
          r.reliability,
          r.credibility,
          await intern(r.marking),
          r.reviewBy,
          r.contentHash,
          writer.username,
        ],
      );
    }
    result.updated = changed.length;
  }
  const fresh = toWrite.filter((w) => w.id === undefined);
  if (fresh.length) {
    const markingIds: number[] = [];
    for (const w of fresh) markingIds.push(await intern(w.rec.marking)); // one connection: no concurrent queries
    const rows = await tx.query<{ id: number; source: string; source_record_id: string }>(
      `INSERT INTO records (source, source_record_id, kind, report_date, reliability, credibility, marking_id, review_by, content_hash, imported_by, key_scope)
       SELECT s, sid, k, rd::date, rel, cred, m, rb::date, h, $10, ks
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[], $9::text[], $11::text[])
           AS t(s, sid, k, rd, rel, cred, m, rb, h, ks)
       RETURNING id, source, source_record_id`,
      [
        fresh.map((w) => w.rec.source),
        fresh.map((w) => w.rec.sourceRecordId),
        fresh.map((w) => w.rec.kind),
        fresh.map((w) => w.rec.reportDate),
        fresh.map((w) => w.rec.reliability),
        fresh.map((w) => w.rec.credibility),
        markingIds,
        fresh.map((w) => w.rec.reviewBy),
        fresh.map((w) => w.rec.contentHash),
        writer.username,
        fresh.map((w) => w.keyScope),
      ],
    );
    const idOf = new Map(rows.map((r) => [`${r.source}\u0000${r.source_record_id}`, r.id]));
    for (const w of fresh) w.id = idOf.get(`${w.rec.source}\u0000${w.rec.sourceRecordId}`);
    result.inserted = fresh.length;
  }

  opts.onWritten?.(toWrite.flatMap((t) => t.rec.entities.filter((e) => !e.stub).map((e) => e.id)));
  await writeBasis(tx, intern, toWrite as { rec: RecordInput; id: number }[]);
  const counts = await writeEntities(tx, intern, writer, toWrite as { rec: RecordInput; id: number }[]);
  result.entities = counts.entities;
  result.statements = counts.statements;
  await appendAudit(tx, {
    actor: writer.username,
    action: 'records.write',
    target: opts.origin,
    purpose: opts.purpose,
    details: { ...result, sources: [...new Set(records.map((r) => r.source))] },
  });
  return result;
}

async function writeBasis(tx: Sql, intern: Intern, rows: { rec: RecordInput; id: number }[]): Promise<void> {
  const withBasis = rows.filter(
    ({ rec }) => rec.criminalBasis || rec.protectedNexus || rec.sensitivity || rec.confidence,
  );
  if (!withBasis.length) return;
  const mids: number[] = [];
  for (const { rec } of withBasis) mids.push(await intern(rec.marking));
  await tx.query(
    `INSERT INTO record_basis (record_id, marking_id, criminal_basis, protected_nexus, sensitivity, confidence)
     SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[])`,
    [
      withBasis.map((r) => r.id),
      mids,
      withBasis.map((r) => r.rec.criminalBasis),
      withBasis.map((r) => r.rec.protectedNexus),
      withBasis.map((r) => r.rec.sensitivity),
      withBasis.map((r) => r.rec.confidence),
    ],
  );
}

const CHUNK = 20_000;

async function writeEntities(
  tx: Sql,
  intern: Intern,
  writer: Principal,
  rows: { rec: RecordInput; id: number }[],
): Promise<{ entities: number; statements: number }> {
  const system = isSystem(writer);
  // The most specific schema per entity id across the batch (Company beats LegalEntity).
  const schemaOf = new Map<string, string>();
  for (const { rec } of rows) {
    for (const e of rec.entities) {
      const prev = schemaOf.get(e.id);
      const merged = prev === undefined ? e.schema : model.compatible(prev, e.schema);
      if (!merged)
        throw new ValidationError([
          {
            path: `record ${rec.source}/${rec.sourceRecordId}, entity ${e.id}`,
            message: `is a ${e.schema} here but a ${prev} elsewhere in the batch`,
          },
        ]);
      schemaOf.set(e.id, merged);
    }
  }
  const ids = [...schemaOf.keys()];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const part = ids.slice(i, i + CHUNK);
    await tx.query(
      'INSERT INTO entities (id, schema) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (id) DO NOTHING',
      [part, part.map((id) => schemaOf.get(id)!)],
    );
    // A user's write is checked against the schemas they can see, and never changes the
    // stored one: what others hold must neither shape the answer nor be reshaped by it.
    const look = (q: Sql) =>
      q.query<{ id: string; schema: string }>(
        system
          ? 'SELECT id, schema FROM entities WHERE id = ANY($1)'
          : 'SELECT DISTINCT entity_id AS id, schema FROM presence WHERE entity_id = ANY($1)',
        [part],
      );
    const stored = system ? await look(tx) : await withinReaderScope(tx, writer, look);
    for (const s of stored) {
      const want = schemaOf.get(s.id)!;
      if (s.schema === want) continue;
      const merged = model.compatible(s.schema, want);
      if (!merged)
        throw new ValidationError([
          {
            path: `entity ${s.id}`,
            message: `the id is already used by an entity of another schema; cannot also be a ${want}`,
          },
        ]);
      if (system && merged !== s.schema)
        await tx.query('UPDATE entities SET schema = $2 WHERE id = $1', [s.id, merged]);
    }
  }

  const pres = { e: [] as string[], r: [] as number[], s: [] as string[], m: [] as number[], stub: [] as boolean[] };
  const st = {
    e: [] as string[],
    s: [] as string[],
    p: [] as string[],
    t: [] as string[],
    v: [] as string[],
    k: [] as (string | null)[],
    r: [] as number[],
    m: [] as number[],
  };
  let statements = 0;
  const flush = async (): Promise<void> => {
    if (!st.e.length) return;
    await tx.query(
      `INSERT INTO statements (entity_id, schema, prop, prop_type, value, search_key, record_id, marking_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::int[])`,
      [st.e, st.s, st.p, st.t, st.v, st.k, st.r, st.m],
    );
    statements += st.e.length;
    for (const a of Object.values(st)) a.length = 0;
  };
  let stubs = 0;
  for (const { rec, id } of rows) {
    for (const e of rec.entities) {
      if (e.stub) stubs++;
      pres.stub.push(e.stub === true);
      pres.e.push(e.id);
      pres.r.push(id);
      pres.s.push(e.schema);
      pres.m.push(await intern(e.marking));
      for (const s of e.statements) {
        st.e.push(e.id);
        st.s.push(e.schema);
        st.p.push(s.prop);
        st.t.push(s.propType);
        st.v.push(s.value);
        st.k.push(s.searchKey);
        st.r.push(id);
        st.m.push(await intern(s.marking));
        if (st.e.length >= CHUNK) await flush();
      }
    }
  }
  await flush();
  for (let i = 0; i < pres.e.length; i += CHUNK) {
    await tx.query(
      'INSERT INTO presence (entity_id, record_id, schema, marking_id, stub) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::int[], $5::boolean[])',
      [
        pres.e.slice(i, i + CHUNK),
        pres.r.slice(i, i + CHUNK),
        pres.s.slice(i, i + CHUNK),
        pres.m.slice(i, i + CHUNK),
        pres.stub.slice(i, i + CHUNK),
      ],
    );
  }
  return { entities: pres.e.length - stubs, statements };
}

/** A validated batch, all or nothing; then cross-referenced against the store. */
export async function writeBatch(
  db: Database,
  markings: MarkingCache,
  writer: Principal,
  records: RecordInput[],
  opts: WriteOptions,
): Promise<WriteResult> {
  const written: string[] = [];
  const { r, job } = await db.transaction(async (tx) => {
    const r = await writeRecords(tx, markings, writer, records, { ...opts, onWritten: (ids) => written.push(...ids) });
    return { r, job: await queueAfterWrite(db, tx, written, writer.username) };
  });
  await runAfterWrite(db, job);
  return r;
}

// Read queries. Every function here takes a transaction opened by `asReader`, so
// PostgreSQL's row-level security has already removed what the reader may not see:
// these queries never filter by marking themselves, and cannot forget to.
import type { Sql } from './db.js';
import type { MarkingCache } from './markings.js';
import { formatMarking, highestMarking, portionMarking, type Marking } from '../domain/markings.js';
import { model } from '../domain/model.js';
import { compactIdentifier, foldForSearch } from '../domain/values.js';

export interface Provenance {
  source: string | null;
  sourceRecordId: string | null;
  reportDate: string | null;
  grade: string | null;
}

export interface ValueView extends Provenance {
  value: string;
  statementId: number;
  marking: string;
  portion: string;
}

export interface EntityView {
  id: string;
  schema: string;
  caption: string;
  marking: string;
  portion: string;
  properties: Record<string, ValueView[]>;
  sources: string[];
}

interface StatementRow {
  id: number;
  entity_id: string;
  schema: string;
  prop: string;
  value: string;
  marking_id: number;
  source: string | null;
  source_record_id: string | null;
  report_date: string | null;
  reliability: string | null;
  credibility: string | null;
}

/** The most specific of the schemas the reader can see for an entity. */
function mostSpecific(schemas: string[]): string {
  return schemas.reduce((a, b) => model.compatible(a, b) ?? a);
}

export function captionOf(schema: string, props: Record<string, { value: string }[]>): string {
  const def = model.get(schema);
  for (const p of model.captionProps(schema)) {
    const v = props[p]?.[0]?.value;
    if (v) return v;
  }
  return def?.label ?? schema;
}

/** Entities by id, with every visible value, its provenance and its portion marking. */
export async function getEntities(tx: Sql, markings: MarkingCache, ids: string[]): Promise<EntityView[]> {
  if (!ids.length) return [];
  const presence = await tx.query<{ entity_id: string; schema: string; marking_id: number }>(
    'SELECT entity_id, schema, marking_id FROM presence WHERE entity_id = ANY($1)',
    [ids],
  );
  const rows = await tx.query<StatementRow>(
    `SELECT s.id, s.entity_id, s.schema, s.prop, s.value, s.marking_id,
            r.source, r.source_record_id, r.report_date::text AS report_date, r.reliability, r.credibility
       FROM statements s LEFT JOIN records r ON r.id = s.record_id
      WHERE s.entity_id = ANY($1)
      ORDER BY s.entity_id, s.prop, s.id`,
    [ids],
  );
  const byId = new Map<
    string,
    { schemas: string[]; markings: Marking[]; props: Record<string, ValueView[]>; sources: Set<string> }
  >();
  for (const p of presence) {
    const e = byId.get(p.entity_id) ?? { schemas: [], markings: [], props: {}, sources: new Set<string>() };
    e.schemas.push(p.schema);
    e.markings.push(await markings.get(tx, p.marking_id));
    byId.set(p.entity_id, e);
  }
  for (const r of rows) {
    const e = byId.get(r.entity_id);
    if (!e) continue; // RLS guarantees presence; belt and braces
    const m = await markings.get(tx, r.marking_id);
    e.markings.push(m);
    if (r.source) e.sources.add(r.source);
    (e.props[r.prop] ??= []).push({
      value: r.value,
      statementId: r.id,
      marking: formatMarking(m),
      portion: portionMarking(m),
      source: r.source,
      sourceRecordId: r.source_record_id,
      reportDate: r.report_date,
      grade: r.reliability && r.credibility ? `${r.reliability}${r.credibility}` : null,
    });
  }
  const out: EntityView[] = [];
  for (const id of ids) {
    const e = byId.get(id);
    if (!e) continue;
    const schema = mostSpecific(e.schemas);
    const top = highestMarking(e.markings)!;
    out.push({
      id,
      schema,
      caption: captionOf(schema, e.props),
      marking: formatMarking(top),
      portion: portionMarking(top),
      properties: e.props,
      sources: [...e.sources].sort(),
    });
  }
  return out;
}

/** Statements a search considers at most; broader queries are cut (say "refine the search"). */
export const MAX_SEARCH_CANDIDATES = 50_000;

export interface SearchQuery {
  q?: string;
  schemas?: string[];
  limit: number;
  offset: number;
}

/** Schema names including every schema that extends the ones asked for. */
export function expandSchemas(names: string[]): string[] {
  return model
    .concrete()
    .filter((s) => names.some((n) => model.isA(s.name, n)))
    .map((s) => s.name);
}

/**
 * Name completions for a search box: names (and aliases) containing what was typed,
 * those that start with it first, then the most common. Run inside a reader's
 * transaction: candidates come through the trigram index, and row-level security
 * drops every name the reader may not read before anything is counted or ordered.
 */
export async function suggestNames(tx: Sql, q: string, limit: number): Promise<{ name: string; entities: number }[]> {
  const key = foldForSearch(q);
  if (key.length < 2) return [];
  const esc = key.replace(/[\\%_]/g, (c) => `\\${c}`);
  return tx.query<{ name: string; entities: number }>(
    `SELECT s.value AS name, count(DISTINCT s.entity_id)::int AS entities
       FROM statements s
      WHERE s.id IN (SELECT statement_id FROM cp_search_candidates($1, $1, ${MAX_SEARCH_CANDIDATES})) AND s.prop_type = 'name'
      GROUP BY s.value
      ORDER BY min(CASE WHEN s.search_key LIKE $2 THEN 0 ELSE 1 END), count(DISTINCT s.entity_id) DESC, s.value
      LIMIT $3`,
    [`%${esc}%`, `${esc}%`, limit],
  );
}

/** Name/identifier search over folded values; results and total are marking-filtered. */
export async function searchEntities(tx: Sql, q: SearchQuery): Promise<{ total: number; ids: string[] }> {
  const schemas = q.schemas?.length ? expandSchemas(q.schemas) : null;
  const key = q.q ? foldForSearch(q.q) : '';
  if (!key) {
    const where = schemas ? 'WHERE schema = ANY($1)' : '';
    const params = schemas ? [schemas] : [];
    const [c] = await tx.query<{ n: number }>(
      `SELECT count(DISTINCT entity_id)::int AS n FROM presence ${where}`,
      params,
    );
    const rows = await tx.query<{ entity_id: string }>(
      `SELECT DISTINCT entity_id FROM presence ${where} ORDER BY entity_id LIMIT ${q.limit} OFFSET ${q.offset}`,
      params,
    );
    return { total: c?.n ?? 0, ids: rows.map((r) => r.entity_id) };
  }
  // Identifiers are stored without separators, so "+52 667 123 4567" and
  // "MSKU 123456 7" find what was written "+526671234567" and "MSKU1234567";
  // names keep their spaces, so both forms are tried.
  const keys = [...new Set([key, compactIdentifier(key)])];
  const likes = keys.map((k) => `%${k.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  const schemaFilter = schemas ? 'AND s.schema = ANY($5)' : '';
  const params: unknown[] = [keys, `${likes[0]!.slice(1)}`, likes[0], likes[1] ?? likes[0]];
  if (schemas) params.push(schemas);
  // Candidates come through the trigram index (see migration 002); the outer query
  // re-reads them under the full row-level-security policy.
  const hits = await tx.query<{ entity_id: string; rank: number }>(
    `SELECT s.entity_id, min(CASE WHEN s.search_key = ANY($1::text[]) THEN 0 WHEN s.search_key LIKE $2 THEN 1 ELSE 2 END) AS rank
       FROM statements s
      WHERE s.id IN (SELECT statement_id FROM cp_search_candidates($3, $4, ${MAX_SEARCH_CANDIDATES})) ${schemaFilter}
      GROUP BY s.entity_id
      ORDER BY rank, s.entity_id
      LIMIT 10000`,
    params,
  );
  return { total: hits.length, ids: hits.slice(q.offset, q.offset + q.limit).map((h) => h.entity_id) };
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  label: string;
  schema: string;
}

export interface Neighbourhood {
  nodes: EntityView[];
  edges: GraphEdge[];
  truncated: boolean;
}

/**
 * Breadth-first neighbourhood over entity references. Relation and event entities
 * (Ownership, Payment, Seizure, ...) are traversed as edges, so one hop goes from
 * a person through an Ownership to the company. Every step is marking-filtered.
 */
export async function neighbourhood(
  tx: Sql,
  markings: MarkingCache,
  rootId: string,
  hops: number,
  maxNodes: number,
): Promise<Neighbourhood | undefined> {
  const [root] = await tx.query<{ id: string }>('SELECT id FROM entities WHERE id = $1', [rootId]);
  if (!root) return undefined;
  const seen = new Set<string>([rootId]);
  const edges = new Map<string, GraphEdge>();
  let frontier = [rootId];
  let truncated = false;
  const schemaOf = new Map<string, string>();
  const loadSchemas = async (ids: string[]): Promise<void> => {
    const need = ids.filter((i) => !schemaOf.has(i));
    if (!need.length) return;
    const rows = await tx.query<{ entity_id: string; schema: string }>(
      'SELECT entity_id, schema FROM presence WHERE entity_id = ANY($1)',
      [need],
    );
    const acc = new Map<string, string[]>();
    for (const r of rows) acc.set(r.entity_id, [...(acc.get(r.entity_id) ?? []), r.schema]);
    for (const [id, s] of acc) schemaOf.set(id, mostSpecific(s));
  };
  // Outgoing and incoming references as two queries, each served by its own index.
  const refsOf = (ids: string[]): Promise<{ entity_id: string; prop: string; value: string; id: number }[]> =>
    tx.query(
      `SELECT id, entity_id, prop, value FROM statements WHERE entity_id = ANY($1) AND prop_type = 'entity'
       UNION
       SELECT id, entity_id, prop, value FROM statements WHERE value = ANY($1) AND prop_type = 'entity'`,
      [ids],
    );

  for (let hop = 0; hop < hops && frontier.length && !truncated; hop++) {
    const refs = await refsOf(frontier);
    await loadSchemas(refs.flatMap((r) => [r.entity_id, r.value]));
    // Relation entities touched this hop: expand them fully so both ends are known.
    const relSet = new Set(
      refs.flatMap((r) => [r.entity_id, r.value]).filter((id) => model.get(schemaOf.get(id) ?? '')?.edge),
    );
    const relIds = [...relSet];
    const relRefs = relIds.length
      ? await tx.query<{ entity_id: string; prop: string; value: string; id: number }>(
          'SELECT id, entity_id, prop, value FROM statements WHERE prop_type = $2 AND entity_id = ANY($1)',
          [relIds, 'entity'],
        )
      : [];
    await loadSchemas(relRefs.map((r) => r.value));
    const next: string[] = [];
    const visit = (id: string): void => {
      if (seen.has(id) || !schemaOf.has(id)) return;
      if (seen.size >= maxNodes) {
        truncated = true;
        return;
      }
      seen.add(id);
      next.push(id);
    };
    for (const relId of relIds) {
      const def = model.get(schemaOf.get(relId)!)!;
      const mine = relRefs.filter((r) => r.entity_id === relId);
      const srcs = mine.filter((r) => r.prop === def.edge!.source).map((r) => r.value);
      const tgts = mine.filter((r) => r.prop === def.edge!.target).map((r) => r.value);
      for (const s of srcs)
        for (const t of tgts) {
          if (!schemaOf.has(s) || !schemaOf.has(t)) continue;
          if (!seen.has(s) && !seen.has(t)) continue; // not attached to what we have reached
          edges.set(`${relId}:${s}:${t}`, {
            id: relId,
            source: s,
            target: t,
            label: def.edge!.label,
            schema: def.name,
          });
          visit(s);
          visit(t);
        }
    }
    for (const r of refs) {
      if (relSet.has(r.entity_id) || relSet.has(r.value)) continue;
      if (!schemaOf.has(r.entity_id) || !schemaOf.has(r.value)) continue;
      edges.set(`s${r.id}`, {
        id: `s${r.id}`,
        source: r.entity_id,
        target: r.value,
        label: model.properties(schemaOf.get(r.entity_id)!)[r.prop]?.label ?? r.prop,
        schema: schemaOf.get(r.entity_id)!,
      });
      visit(r.entity_id);
      visit(r.value);
    }
    frontier = next;
  }
  const nodes = await getEntities(tx, markings, [...seen]);
  const keep = new Set(nodes.map((n) => n.id));
  return { nodes, edges: [...edges.values()].filter((e) => keep.has(e.source) && keep.has(e.target)), truncated };
}

/** Aggregates for the picture: entities by schema and seizures by month and drug. */
export async function statistics(tx: Sql): Promise<{
  bySchema: Record<string, number>;
  seizuresByMonth: { month: string; drug: string; events: number; kg: number }[];
}> {
  const rows = await tx.query<{ schema: string; n: number }>(
    'SELECT schema, count(DISTINCT entity_id)::int AS n FROM presence GROUP BY schema ORDER BY schema',
  );
  // One pass over the three properties involved, pivoted per seizure.
  const seizures = await tx.query<{ month: string; drug: string; events: number; kg: number }>(
    `WITH s AS (
       SELECT entity_id,
              min(value) FILTER (WHERE prop = 'date') AS d,
              min(value) FILTER (WHERE prop = 'drugType') AS t,
              min(value) FILTER (WHERE prop = 'weightKg') AS w
         FROM statements WHERE schema = 'Seizure' AND prop IN ('date', 'drugType', 'weightKg')
        GROUP BY entity_id)
     SELECT substr(d, 1, 7) AS month, coalesce(t, 'unknown') AS drug, count(*)::int AS events, coalesce(sum(w::double precision), 0) AS kg
       FROM s WHERE length(d) >= 7 GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  return { bySchema: Object.fromEntries(rows.map((r) => [r.schema, r.n])), seizuresByMonth: seizures };
}

/** Keyset pages of visible entity ids, for exports of any size. */
export async function entityIdPage(tx: Sql, after: string, limit: number): Promise<string[]> {
  const rows = await tx.query<{ entity_id: string }>(
    'SELECT DISTINCT entity_id FROM presence WHERE entity_id > $1 ORDER BY entity_id LIMIT $2',
    [after, limit],
  );
  return rows.map((r) => r.entity_id);
}

/** Records behind the given visible entities (for the dissemination log). */
export async function recordIdsOf(tx: Sql, entityIds: string[], kind?: string): Promise<number[]> {
  const rows = await tx.query<{ id: number }>(
    `SELECT DISTINCT r.id FROM presence p JOIN records r ON r.id = p.record_id WHERE p.entity_id = ANY($1) ${kind ? 'AND r.kind = $2' : ''}`,
    kind ? [entityIds, kind] : [entityIds],
  );
  return rows.map((r) => r.id);
}

/** The newest record that speaks of an entity, as source and source record id (for pointers in alerts). */
export async function latestRecordOf(
  tx: Sql,
  entityId: string,
): Promise<{ source: string; sourceRecordId: string; ref: string; contentHash: string } | undefined> {
  const [r] = await tx.query<{ source: string; source_record_id: string; content_hash: string }>(
    'SELECT r.source, r.source_record_id, r.content_hash FROM presence p JOIN records r ON r.id = p.record_id WHERE p.entity_id = $1 ORDER BY r.id DESC LIMIT 1',
    [entityId],
  );
  return (
    r && {
      source: r.source,
      sourceRecordId: r.source_record_id,
      ref: `${r.source}/${r.source_record_id}`,
      contentHash: r.content_hash,
    }
  );
}

/** Whether the reader may see the entity. */
export async function entityVisible(tx: Sql, id: string): Promise<boolean> {
  const [row] = await tx.query('SELECT 1 FROM entities WHERE id = $1', [id]);
  return !!row;
}

/** Events (seizures, arrests, ...) that involve the entity, newest first; undefined when the reader cannot see it. */
export async function eventsOf(tx: Sql, markings: MarkingCache, id: string): Promise<EntityView[] | undefined> {
  if (!(await entityVisible(tx, id))) return undefined;
  const rows = await tx.query<{ entity_id: string }>(
    "SELECT DISTINCT entity_id FROM statements WHERE prop_type = 'entity' AND value = $1 AND schema = ANY($2) LIMIT 1000",
    [id, model.eventSchemas()],
  );
  const events = await getEntities(
    tx,
    markings,
    rows.map((r) => r.entity_id),
  );
  const date = (e: EntityView): string => e.properties.date?.[0]?.value ?? e.properties.startDate?.[0]?.value ?? '';
  return events.sort((a, b) => date(b).localeCompare(date(a)));
}

/** A record as an exchange format names it: who said it, when, and under what marking. */
export interface RecordMeta {
  id: number;
  source: string;
  sourceRecordId: string;
  kind: string;
  reportDate: string | null;
  grade: string | null;
  /** When it was last written (seconds since 1970): what a MISP feed's timestamps are. */
  written: number;
  marking: Marking;
}

/** The records the reader may read behind the given entities, with each entity's presence (existence) marking in each. */
export async function recordsOfEntities(
  tx: Sql,
  markings: MarkingCache,
  entityIds: string[],
): Promise<{ records: RecordMeta[]; presences: { entityId: string; recordId: number; marking: Marking }[] }> {
  if (!entityIds.length) return { records: [], presences: [] };
  const rows = await tx.query<{
    entity_id: string;
    record_id: number;
    presence_marking: number;
    source: string;
    source_record_id: string;
    kind: string;
    report_date: string | null;
    reliability: string | null;
    credibility: string | null;
    written: number;
    record_marking: number;
  }>(
    `SELECT p.entity_id, p.record_id, p.marking_id AS presence_marking, r.source, r.source_record_id, r.kind,
            r.report_date::text AS report_date, r.reliability, r.credibility,
            extract(epoch FROM r.imported_at)::bigint AS written, r.marking_id AS record_marking
       FROM presence p JOIN records r ON r.id = p.record_id
      WHERE p.entity_id = ANY($1)`,
    [entityIds],
  );
  const records = new Map<number, RecordMeta>();
  const presences: { entityId: string; recordId: number; marking: Marking }[] = [];
  for (const r of rows) {
    if (!records.has(r.record_id))
      records.set(r.record_id, {
        id: Number(r.record_id),
        source: r.source,
        sourceRecordId: r.source_record_id,
        kind: r.kind,
        reportDate: r.report_date,
        grade: r.reliability && r.credibility ? `${r.reliability}${r.credibility}` : null,
        written: Number(r.written),
        marking: await markings.get(tx, r.record_marking),
      });
    presences.push({
      entityId: r.entity_id,
      recordId: Number(r.record_id),
      marking: await markings.get(tx, r.presence_marking),
    });
  }
  return { records: [...records.values()], presences };
}

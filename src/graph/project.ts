// The supply-chain graph, projected from the store inside the reader's marking
// scope (row-level security filters every statement read here, so each user
// analyses only what they may see). Nodes are entities; edges come from relations
// (owner -> asset, member -> organisation, supplier -> recipient, payer ->
// beneficiary, ...) and from entity references of other entities (a lab's
// operator, a shipment's shipper and consignee). For flow, goods move along
// supply and shipments, and money moves the other way, so a payment counts as
// goods flowing from beneficiary to payer; ties of control and kinship carry flow
// both ways. Events are not edges here: they count as seizures of what they involve.
// References to places are left out: a city shared by two networks is no tie between them.
import type { Sql } from '../store/db.js';
import { model } from '../domain/model.js';
import { CsrGraph } from './csr.js';

export class GraphTooLargeError extends Error {}

export interface Projection {
  graph: CsrGraph;
  /** Directed for flow (see above); `graph` keeps relations' own direction for the measures. */
  flow: CsrGraph;
  schema: string[];
  seizures: Int32Array;
  sanctioned: Uint8Array;
  inCase: Uint8Array;
  /** Flow terminals: precursor suppliers (supply nobody supplies to them), and retail outlets (shippers of mail and express parcels). */
  sources: number[];
  sinks: number[];
  ms: number;
}

const GOODS_FORWARD = new Set(['Supply']);
const WEIGHED = new Set([
  'Supply',
  'Payment',
  'Ownership',
  'Membership',
  'Employment',
  'Associate',
  'Family',
  'UnknownLink',
  'Usage',
  'Directorship',
]);
const VOLUME_PROPS = ['quantityKg', 'amount'];
const DATE_PROPS = ['date', 'startDate'];
const MONEY = new Set(['Payment']);

/**
 * `merges`: which judgements on possible links join two records' entities into one
 * node: only those an analyst confirmed (default), or the open suggestions too
 * (a fuller but unconfirmed picture; rejected pairs never join).
 */
export async function projectGraph(
  tx: Sql,
  opts: { maxEdges?: number; merges?: 'confirmed' | 'suggested' } = {},
): Promise<Projection> {
  const t0 = performance.now();
  const maxEdges = opts.maxEdges ?? 3_000_000;
  const [{ n: count } = { n: 0 }] = await tx.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM statements WHERE prop_type = 'entity'",
  );
  if (count > maxEdges)
    throw new GraphTooLargeError(`the graph you may see has ${count} references; analyses are limited to ${maxEdges}`);
  const refs = await tx.query<Ref>("SELECT entity_id, schema, prop, value FROM statements WHERE prop_type = 'entity'");
  const modes = await tx.query<{ entity_id: string; value: string }>(
    "SELECT entity_id, value FROM statements WHERE schema = 'Shipment' AND prop = 'mode'",
  );
  const attrs = await tx.query<{ entity_id: string; prop: string; value: string }>(
    `SELECT entity_id, prop, value FROM statements WHERE schema = ANY($1) AND prop = ANY($2)`,
    [[...WEIGHED], [...VOLUME_PROPS, ...DATE_PROPS]],
  );
  // The merges the reader may see (row-level security filters the links too).
  const links = await tx.query<{ left_id: string; right_id: string }>(
    `SELECT left_id, right_id FROM possible_links WHERE status = ANY($1)`,
    [opts.merges === 'suggested' ? ['confirmed', 'open'] : ['confirmed']],
  );
  const p = await buildProjection({ refs, modes, links, attrs, entities: visibleSchemas(tx) });
  return { ...p, ms: performance.now() - t0 };
}

/**
 * Which entities exist for the reader and as what: the most specific schema of the
 * presences they may see (the stored entities.schema may come from a presence they may not).
 */
function visibleSchemas(tx: Sql): (ids: string[]) => Promise<{ id: string; schema: string }[]> {
  return async (ids) => {
    const rows = await tx.query<{ id: string; schema: string }>(
      'SELECT DISTINCT entity_id AS id, schema FROM presence WHERE entity_id = ANY($1)',
      [ids],
    );
    const best = new Map<string, string>();
    for (const r of rows)
      best.set(r.id, best.has(r.id) ? (model.compatible(best.get(r.id)!, r.schema) ?? best.get(r.id)!) : r.schema);
    return [...best].map(([id, schema]) => ({ id, schema }));
  };
}

export interface Ref {
  entity_id: string;
  schema: string;
  prop: string;
  value: string;
}

/**
 * The projection from its inputs: entity references, shipment modes, merges, and a
 * lookup that says which entities exist for the reader (and their schemas). The
 * benchmark feeds it the scenario generator's output directly.
 */
export async function buildProjection(input: {
  refs: Ref[];
  modes: { entity_id: string; value: string }[];
  links: { left_id: string; right_id: string }[];
  attrs?: { entity_id: string; prop: string; value: string }[];
  now?: number;
  entities: (ids: string[]) => Promise<{ id: string; schema: string }[]>;
}): Promise<Projection> {
  const t0 = performance.now();
  const { refs, modes, links } = input;
  // Edge weights for the measures: volume (kilograms supplied, money paid) on a log
  // scale, so a ton does not drown a network of ounces, halved every two years of
  // age, so current ties count most. Parallel edges add up.
  const volume = new Map<string, number>();
  const date = new Map<string, number>();
  for (const a of input.attrs ?? []) {
    if (VOLUME_PROPS.includes(a.prop)) volume.set(a.entity_id, (volume.get(a.entity_id) ?? 0) + (Number(a.value) || 0));
    else {
      const t = Date.parse(a.value);
      if (!Number.isNaN(t)) date.set(a.entity_id, Math.max(date.get(a.entity_id) ?? 0, t));
    }
  }
  const now = input.now ?? Date.now();
  const weightOf = (relId: string): number => {
    const v = volume.get(relId);
    const d = date.get(relId);
    return (1 + (v ? Math.log10(1 + v) : 0)) * (d ? 0.5 ** (Math.max(0, now - d) / (730 * 864e5)) : 1);
  };
  // Union-find over the merges.
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  for (const l of links) {
    const a = find(l.left_id);
    const b = find(l.right_id);
    if (a !== b) parent.set(a < b ? b : a, a < b ? a : b);
  }
  const rep = (id: string): string => (parent.has(id) ? find(id) : id);
  const index = new Map<string, number>();
  const ids: string[] = [];
  const schemaOf: string[] = [];
  const node = (raw: string, schema?: string): number => {
    const id = rep(raw);
    let i = index.get(id);
    if (i === undefined) {
      i = ids.length;
      index.set(id, i);
      ids.push(id);
      schemaOf.push(schema ?? 'Thing');
    } else if (schema && schemaOf[i] === 'Thing') schemaOf[i] = schema;
    return i;
  };
  // Relations: collect both ends first (their statements arrive in any order).
  const relEnds = new Map<string, { schema: string; source?: string; target?: string }>();
  const events = new Map<string, number>();
  const sanctionedIds = new Set<string>();
  const caseIds = new Set<string>();
  const src: number[] = [];
  const dst: number[] = [];
  const wts: number[] = [];
  const fSrc: number[] = [];
  const fDst: number[] = [];
  const both = (a: number, b: number): void => {
    fSrc.push(a, b);
    fDst.push(b, a);
  };
  const shippers = new Map<string, string>();
  for (const r of refs) {
    const s = model.get(r.schema);
    if (!s) continue;
    // FtM's Sanction is an interval naming what is sanctioned, not an edge: it marks its entity.
    if (r.schema === 'Sanction') {
      if (r.prop === 'entity') sanctionedIds.add(rep(r.value));
      continue;
    }
    if (s.edge) {
      const e = relEnds.get(r.entity_id) ?? { schema: r.schema };
      if (r.prop === s.edge.source) e.source = r.value;
      else if (r.prop === s.edge.target) e.target = r.value;
      relEnds.set(r.entity_id, e);
    } else if (model.isEvent(r.schema)) {
      events.set(rep(r.value), (events.get(rep(r.value)) ?? 0) + 1);
    } else {
      // Places are where things happen, not links between actors: a shared city would join unrelated networks.
      if (model.properties(r.schema)[r.prop]?.range === 'Address') continue;
      const a = node(r.entity_id, r.schema);
      const b = node(r.value);
      src.push(a);
      dst.push(b);
      wts.push(1);
      if (r.schema === 'Shipment' && r.prop === 'shipper') {
        fSrc.push(b);
        fDst.push(a);
        shippers.set(r.entity_id, r.value);
      } else if (r.schema === 'Shipment' && r.prop === 'consignee') {
        fSrc.push(a);
        fDst.push(b);
      } else both(a, b);
    }
  }
  const supplied = new Set<number>();
  const supplies = new Set<number>();
  for (const [relId, e] of relEnds) {
    if (!e.source || !e.target) continue;
    if (e.schema === 'CaseLink') {
      caseIds.add(rep(e.source));
      continue;
    }
    const a = node(e.source);
    const b = node(e.target);
    src.push(a);
    dst.push(b);
    wts.push(weightOf(relId));
    if (GOODS_FORWARD.has(e.schema)) {
      fSrc.push(a);
      fDst.push(b);
      supplies.add(a);
      supplied.add(b);
    } else if (MONEY.has(e.schema)) {
      fSrc.push(b);
      fDst.push(a);
    } else both(a, b);
  }
  // A visible statement may name an entity the reader may not see: such nodes are
  // dropped with their edges (row-level security decides which entities exist here).
  const visible = new Uint8Array(ids.length);
  for (let i = 0; i < ids.length; i += 50_000) {
    const rows = await input.entities(ids.slice(i, i + 50_000));
    for (const r of rows) {
      const k = index.get(r.id)!;
      visible[k] = 1;
      if (schemaOf[k] === 'Thing') schemaOf[k] = r.schema;
    }
  }
  const keep = (a: number[], b: number[], w?: number[]): [number[], number[], number[]] => {
    const x: number[] = [];
    const y: number[] = [];
    const z: number[] = [];
    for (let e = 0; e < a.length; e++)
      if (visible[a[e]!] && visible[b[e]!]) {
        x.push(a[e]!);
        y.push(b[e]!);
        z.push(w ? w[e]! : 1);
      }
    return [x, y, z];
  };
  // Renumber so hidden nodes do not appear at all.
  const newIndex = new Int32Array(ids.length).fill(-1);
  const keptIds: string[] = [];
  const keptSchema: string[] = [];
  for (let i = 0; i < ids.length; i++)
    if (visible[i]) {
      newIndex[i] = keptIds.length;
      keptIds.push(ids[i]!);
      keptSchema.push(schemaOf[i]!);
    }
  const renum = (xs: number[]) => xs.map((v) => newIndex[v]!);
  const [gs, gd, gw] = keep(src, dst, wts);
  const [fs, fd] = keep(fSrc, fDst);
  const graph = CsrGraph.fromEdges(keptIds, renum(gs), renum(gd), gw);
  const flow = CsrGraph.fromEdges(keptIds, renum(fs), renum(fd));
  const at = (id: string): number | undefined => {
    const i = index.get(id);
    return i === undefined || newIndex[i]! < 0 ? undefined : newIndex[i]!;
  };
  const n = keptIds.length;
  const seizures = new Int32Array(n);
  for (const [id, c] of events) {
    const i = at(id);
    if (i !== undefined) seizures[i] = c;
  }
  const sanctioned = new Uint8Array(n);
  for (const id of sanctionedIds) {
    const i = at(id);
    if (i !== undefined) sanctioned[i] = 1;
  }
  const inCase = new Uint8Array(n);
  for (const id of caseIds) {
    const i = at(id);
    if (i !== undefined) inCase[i] = 1;
  }
  const retail = new Set<number>();
  for (const m of modes) {
    const i =
      /mail|express/i.test(m.value) && shippers.has(m.entity_id) ? at(rep(shippers.get(m.entity_id)!)) : undefined;
    if (i !== undefined) retail.add(i);
  }
  const mapSet = (xs: Set<number>) => new Set([...xs].map((v) => newIndex[v]!).filter((v) => v >= 0));
  const sup = mapSet(supplies);
  const sd = mapSet(supplied);
  const sources = [...sup].filter((v) => !sd.has(v));
  // Retail is where pills are sold: without visible parcel shipments there are no outlets to cut flow from.
  const sinks = [...retail];
  return { graph, flow, schema: keptSchema, seizures, sanctioned, inCase, sources, sinks, ms: performance.now() - t0 };
}

// Shipment risk scoring that explains itself. Each active rule (data in
// targeting_rules, versioned) that fires adds its weight; weights combine as a
// noisy-OR (score = 1 - Π(1 - w)), so no single rule reaches certainty and
// independent evidence adds up. Every score keeps the reasons and the rule
// versions that made it. Scoring runs after each committed write that carries a
// shipment, as the system; the queue shows a shipment only to readers who may see it.
import type { Database, Sql } from '../store/db.js';
import type { AfterWriteOptions } from '../store/after-write.js';
import { appendAudit } from '../store/audit.js';
import { asReader } from '../store/access.js';
import { visibleIds } from '../store/write-scope.js';
import { derivedMarkings, markingOfEntities } from '../store/derived.js';
import { objectionFor } from './pre-export.js';
import { assertMay, type Principal } from '../domain/users.js';
import { StatusError } from '../domain/errors.js';
import { model } from '../domain/model.js';
import { screeningLists } from '../lists/registry.js';
import { watchlistMatcher } from '../watchlist/screening.js';
import type { ScreeningQuery } from '../resolve/screen-index.js';

export class TargetingError extends StatusError {}

export interface Rule {
  id: number;
  code: string;
  version: number;
  name: string;
  kind:
    | 'hs_code'
    | 'misdeclared'
    | 'value_per_kg'
    | 'new_importer'
    | 'route'
    | 'list_hit'
    | 'network'
    | 'known_supplier';
  params: Record<string, unknown>;
  weight: number;
}

interface Facts {
  id: string;
  hsCode: string[];
  declaredGoods: string[];
  grossWeightKg?: number;
  declaredValue?: number;
  routeLegs: string[];
  parties: { role: string; id: string }[];
  /** The port entities whose codes or names were read into routeLegs. */
  portIds: string[];
}

async function facts(tx: Sql, id: string): Promise<Facts> {
  const rows = await tx.query<{ prop: string; value: string }>(
    'SELECT prop, value FROM statements WHERE entity_id = $1',
    [id],
  );
  const f: Facts = { id, hsCode: [], declaredGoods: [], routeLegs: [], parties: [], portIds: [] };
  for (const r of rows) {
    if (r.prop === 'hsCode') f.hsCode.push(r.value);
    else if (r.prop === 'declaredGoods') f.declaredGoods.push(r.value);
    else if (r.prop === 'grossWeightKg') f.grossWeightKg = Number(r.value);
    else if (r.prop === 'declaredValue') f.declaredValue = Number(r.value);
    else if (r.prop === 'routeLegs') f.routeLegs.push(...r.value.split(/[\s>,;]+/).filter(Boolean));
    else if (['shipper', 'consignee', 'notifyParty'].includes(r.prop)) f.parties.push({ role: r.prop, id: r.value });
  }
  // Ports named as places count as legs too (their UN/LOCODE).
  const ports = await tx.query<{ value: string; port: string }>(
    "SELECT p.value, p.entity_id AS port FROM statements s JOIN statements p ON p.entity_id = s.value AND p.prop IN ('unlocode', 'name') WHERE s.entity_id = $1 AND s.prop IN ('originPort', 'transshipmentPort', 'destinationPort')",
    [id],
  );
  f.routeLegs.push(...ports.map((p) => p.value.toUpperCase()));
  f.portIds = [...new Set(ports.map((p) => p.port))];
  return f;
}

/**
 * A rule's finding: what it says, and the entities it read to say it (besides the
 * shipment itself), so the reason is marked as all of that (see scoreShipments).
 */
type Finding = string | { detail: string; about: string[] };
type Check = (tx: Sql, f: Facts, rule: Rule, watchlist: (q: ScreeningQuery) => boolean) => Promise<Finding | null>;

const CHECKS: Record<Rule['kind'], Check> = {
  async hs_code(_tx, f, r) {
    const hit = f.hsCode.find((h) => (r.params.prefixes as string[]).some((p) => h.replace(/\s/g, '').startsWith(p)));
    return hit ? `HS code ${hit}` : null;
  },
  async misdeclared(_tx, f, r) {
    for (const pair of r.params.pairs as { hsPrefix: string; goods: string }[]) {
      const hs = f.hsCode.find((h) => h.startsWith(pair.hsPrefix));
      const goods = f.declaredGoods.find((g) => new RegExp(pair.goods, 'i').test(g));
      if (hs && goods) return `HS ${hs} declared as "${goods}"`;
    }
    return null;
  },
  async value_per_kg(_tx, f, r) {
    if (!f.grossWeightKg || f.declaredValue === undefined) return null;
    const perKg = f.declaredValue / f.grossWeightKg;
    return perKg < Number(r.params.minPerKg)
      ? `declared ${perKg.toFixed(2)} per kg (${f.declaredValue} for ${f.grossWeightKg} kg)`
      : null;
  },
  async new_importer(tx, f) {
    const c = f.parties.find((p) => p.role === 'consignee');
    if (!c) return null;
    const [n] = await tx.query<{ n: number }>(
      "SELECT count(DISTINCT entity_id)::int AS n FROM statements WHERE prop = 'consignee' AND value = $1 AND schema = 'Shipment'",
      [c.id],
    );
    return (n?.n ?? 0) <= 1 ? { detail: `consignee ${c.id} has no earlier shipment`, about: [c.id] } : null;
  },
  async route(_tx, f, r) {
    const hit = f.routeLegs.find((l) => (r.params.locodes as string[]).includes(l.toUpperCase()));
    return hit ? { detail: `routed via ${hit}`, about: f.portIds } : null;
  },
  async list_hit(tx, f, r, watchlist) {
    // A weak name match is a lead for an analyst, not a reason to stop a shipment: the rule sets the calibrated score it needs.
    const threshold = Number(r.params.minScore ?? 0.5);
    for (const p of f.parties) {
      const names = await tx.query<{ value: string }>(
        "SELECT value FROM statements WHERE entity_id = $1 AND prop IN ('name', 'alias')",
        [p.id],
      );
      for (const n of names) {
        const hit = screeningLists().screen({ name: n.value, kind: 'any' }, { limit: 1, threshold })[0];
        if (hit)
          return {
            detail: `${p.role} ${p.id} matches ${hit.entry.list} ${hit.entry.id} (${hit.score.toFixed(2)})`,
            about: [p.id],
          };
        if (watchlist({ name: n.value }))
          return {
            detail: `${p.role} ${p.id}: possible watchlist match (contact the watchlist center)`,
            about: [p.id],
          };
      }
    }
    return null;
  },
  async known_supplier(tx, f) {
    // The party itself, or what cross-referencing found it may be (possible links not rejected), supplies precursors in the picture.
    for (const p of f.parties.filter((x) => x.role === 'shipper')) {
      const same = await tx.query<{ id: string }>(
        "SELECT CASE WHEN left_id = $1 THEN right_id ELSE left_id END AS id FROM possible_links WHERE (left_id = $1 OR right_id = $1) AND status <> 'rejected'",
        [p.id],
      );
      const ids = [p.id, ...same.map((s) => s.id)];
      const [sup] = await tx.query<{ value: string; entity_id: string }>(
        "SELECT value, entity_id FROM statements WHERE schema = 'Supply' AND prop = 'supplier' AND value = ANY($1) LIMIT 1",
        [ids],
      );
      if (sup)
        return {
          detail: `shipper ${p.id} ${sup.value === p.id ? 'is' : `resolves to ${sup.value}, which is`} a known precursor supplier`,
          about: [p.id, sup.value, sup.entity_id],
        };
    }
    return null;
  },
  async network(tx, f, r) {
    const hops = Number(r.params.hops ?? 2);
    let frontier = f.parties.map((p) => p.id);
    const seen = new Set(frontier);
    for (let h = 0; h <= hops && frontier.length; h++) {
      const flagged = await tx.query<{ entity_id: string; schema: string; value: string }>(
        "SELECT entity_id, schema, value FROM statements WHERE schema IN ('Sanction', 'CaseLink') AND prop IN ('entity', 'subject') AND value = ANY($1) LIMIT 1",
        [frontier],
      );
      // Everything walked to get here is marked into the reason: the path itself is what it says.
      if (flagged.length)
        return {
          detail: `${h === 0 ? '' : `${h} link(s) from `}${flagged[0]!.schema === 'Sanction' ? 'a sanctioned party' : 'a case subject'} (${flagged[0]!.value})`,
          about: [...seen, flagged[0]!.entity_id],
        };
      const refs = await tx.query<{ a: string; b: string }>(
        `SELECT entity_id AS a, value AS b FROM statements WHERE prop_type = 'entity' AND (value = ANY($1) OR entity_id = ANY($1)) AND schema NOT IN ('Shipment', 'Address')`,
        [frontier],
      );
      const next: string[] = [];
      for (const x of refs)
        for (const id of [x.a, x.b])
          if (!seen.has(id)) {
            seen.add(id);
            next.push(id);
          }
      frontier = next.slice(0, 5000);
    }
    return null;
  },
};

export async function activeRules(tx: Sql): Promise<Rule[]> {
  return tx.query<Rule>(
    'SELECT id, code, version, name, kind, params, weight FROM targeting_rules WHERE active ORDER BY code',
  );
}

/** Scores (or rescores) shipments; returns their scores. */
export async function scoreShipments(db: Database, ids: string[]): Promise<{ id: string; score: number }[]> {
  if (!ids.length) return [];
  const watchlist = await watchlistMatcher(db);
  return db.transaction(async (tx) => {
    const shipments = await tx.query<{ id: string }>(
      "SELECT id FROM entities WHERE id = ANY($1) AND schema = 'Shipment'",
      [ids],
    );
    if (!shipments.length) return [];
    const rules = await activeRules(tx);
    const out: { id: string; score: number }[] = [];
    for (const { id } of shipments) {
      const f = await facts(tx, id);
      const reasons: Reason[] = [];
      for (const r of rules) {
        const found = await CHECKS[r.kind](tx, f, r, watchlist);
        if (!found) continue;
        const { detail, about } = typeof found === 'string' ? { detail: found, about: [] } : found;
        // Each reason carries the highest marking of what it read: a reader is shown (and scored by) only the reasons they may read.
        const markingId = await markingOfEntities(tx, derivedMarkings(db), [
          ...new Set([id, ...f.parties.map((p) => p.id), ...about]),
        ]);
        reasons.push({ rule: r.code, version: r.version, name: r.name, weight: r.weight, detail, markingId });
      }
      const score = scoreOf(reasons);
      // An objection to its pre-export notification holds a shipment whatever its score.
      const hold = await objectionFor(tx, id);
      await tx.query(
        `INSERT INTO shipment_scores (shipment_id, score, reasons, rules, hold) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (shipment_id) DO UPDATE SET score = excluded.score, reasons = excluded.reasons, rules = excluded.rules, hold = coalesce(excluded.hold, shipment_scores.hold), scored_at = now()`,
        [id, score, JSON.stringify(reasons), JSON.stringify(rules.map((r) => `${r.code}@${r.version}`)), hold],
      );
      out.push({ id, score });
    }
    return out;
  });
}

interface Reason {
  rule: string;
  version: number;
  name: string;
  weight: number;
  detail: string;
  /** Interned marking of what the reason read (absent on scores made before reasons were marked: shown to nobody). */
  markingId?: number;
}

/** Scores every shipment again with the active rules (after a bulk import); returns how many. */
export async function rescoreAll(db: Database): Promise<number> {
  const ids = (await db.query<{ id: string }>("SELECT id FROM entities WHERE schema = 'Shipment'")).map((r) => r.id);
  let scored = 0;
  for (let i = 0; i < ids.length; i += 1000) scored += (await scoreShipments(db, ids.slice(i, i + 1000))).length;
  return scored;
}

/** Independent rules combined as 1 - prod(1 - weight). */
const scoreOf = (reasons: Reason[]): number =>
  Math.round((1 - reasons.reduce((miss, r) => miss * (1 - r.weight), 1)) * 1000) / 1000;

/** Queued shipments looked at for one queue, at most: a larger queue is cut and says so. */
export const MAX_QUEUE_SCAN = 20_000;

/**
 * The exam queue: highest risk first, as the reader may see it. Assembled in the
 * reader's own transaction: only shipments they may see, and each scored by the
 * reasons they may read (a reason resting on a case they may not know is not shown,
 * nor counted), so neither the order nor a score says more than they may read.
 */
/** A shipment awaiting exam, scored by the reasons its reader may read. */
export interface QueuedShipment {
  shipment: string;
  score: number;
  /** Why it may not be cleared (an objection to its pre-export notification), or null. */
  hold: string | null;
  reasons: Omit<Reason, 'markingId'>[];
  scoredAt: string;
}

export async function targetingQueue(db: Database, me: Principal, limit = 50): Promise<QueuedShipment[]> {
  if (!me.government) throw new TargetingError('the targeting queue is for government users', 403);
  return asReader(db, me, async (tx) => {
    const rows = await tx.query<{ shipment_id: string; reasons: Reason[]; scored_at: string; hold: string | null }>(
      `SELECT s.shipment_id, s.reasons, s.scored_at, s.hold FROM shipment_scores s
        WHERE s.status = 'queued' AND EXISTS (SELECT 1 FROM entities e WHERE e.id = s.shipment_id) ORDER BY s.shipment_id LIMIT ${MAX_QUEUE_SCAN + 1}`,
    );
    if (rows.length > MAX_QUEUE_SCAN)
      throw new TargetingError(
        `the queue holds more than ${MAX_QUEUE_SCAN} shipments you may see; rescore or examine some first`,
        413,
      );
    const ids = [
      ...new Set(rows.flatMap((r) => r.reasons.map((x) => x.markingId).filter((m): m is number => m !== undefined))),
    ];
    const readable = new Set(
      (await tx.query<{ id: number }>('SELECT id FROM readable_markings WHERE id = ANY($1)', [ids])).map((r) => r.id),
    );
    const mine = rows.map((r) => {
      const reasons = r.reasons
        .filter((x) => x.markingId !== undefined && readable.has(x.markingId))
        .map(({ markingId: _, ...x }) => x);
      return { shipment: r.shipment_id, score: scoreOf(reasons), hold: r.hold, reasons, scoredAt: r.scored_at };
    });
    // Held shipments (an objection to their pre-export notification) come first: they may not be cleared.
    mine.sort(
      (a, b) =>
        Number(a.hold === null) - Number(b.hold === null) || b.score - a.score || (a.shipment < b.shipment ? -1 : 1),
    );
    return mine.slice(0, limit);
  });
}

export async function recordExam(
  db: Database,
  me: Principal,
  shipmentId: string,
  result: 'hit' | 'no hit' | 'seized',
  note?: string,
): Promise<void> {
  assertMay(me, 'write');
  // An exam is a law-enforcement officer's act: it takes the shipment off every queue and counts in every
  // rule's hit rate, so a sanctions analyst or a carrier cannot close one (third review 3). The officer need
  // not read every reason of the score: the exam records what the box held, not what the reasons say.
  if (!me.lawEnforcement || !me.government)
    throw new TargetingError('exam results are recorded by law-enforcement users', 403);
  await db.transaction(async (tx) => {
    // A shipment the examiner may not see answers as one never scored, and is not touched.
    if (!(await visibleIds(tx, me, [shipmentId])).has(shipmentId))
      throw new TargetingError(`no scored shipment ${shipmentId}`, 404);
    const [held] = await tx.query<{ hold: string | null }>('SELECT hold FROM shipment_scores WHERE shipment_id = $1', [
      shipmentId,
    ]);
    if (held?.hold && result === 'no hit')
      throw new TargetingError(`${shipmentId} is held (${held.hold}); it cannot be cleared as "no hit"`, 409);
    const rows = await tx.query(
      "UPDATE shipment_scores SET status = 'examined', exam_result = $2, exam_note = $3, examined_by = $4, examined_at = now() WHERE shipment_id = $1 RETURNING shipment_id",
      [shipmentId, result, note ?? null, me.username],
    );
    if (!rows.length) throw new TargetingError(`no scored shipment ${shipmentId}`, 404);
    await appendAudit(tx, { actor: me.username, action: 'targeting.exam', target: shipmentId, details: { result } });
  });
}

/** Each rule's record over the examined shipments and reasons the reader may see (`db` is the reader's transaction). */
export interface RuleRecord {
  code: string;
  version: number;
  name: string;
  kind: string;
  params: unknown;
  weight: number;
  active: boolean;
  examinedWhenFired: number;
  hits: number;
  hitRate: number | null;
}

export async function ruleHitRates(db: Sql): Promise<RuleRecord[]> {
  const rules = await db.query<{
    code: string;
    version: number;
    name: string;
    kind: string;
    params: unknown;
    weight: number;
    active: boolean;
  }>('SELECT code, version, name, kind, params, weight, active FROM targeting_rules ORDER BY code, version');
  const stats = await db.query<{ rule: string; fired: number; hits: number }>(
    `SELECT r->>'rule' AS rule, count(*)::int AS fired, count(*) FILTER (WHERE s.exam_result IN ('hit', 'seized'))::int AS hits
       FROM shipment_scores s, jsonb_array_elements(s.reasons) r
      WHERE s.status = 'examined' AND EXISTS (SELECT 1 FROM entities e WHERE e.id = s.shipment_id) AND (r->>'markingId')::int IN (SELECT id FROM readable_markings)
      GROUP BY 1`,
  );
  const byRule = new Map(stats.map((s) => [s.rule, s]));
  return rules.map((r) => {
    const s = r.active ? byRule.get(r.code) : undefined;
    return {
      ...r,
      examinedWhenFired: s?.fired ?? 0,
      hits: s?.hits ?? 0,
      hitRate: s?.fired ? Math.round((s.hits / s.fired) * 1000) / 1000 : null,
    };
  });
}

/** An administrator edits a rule: a new version replaces the active one (the old is kept). */
export async function editRule(
  db: Database,
  me: Principal,
  code: string,
  change: { params?: Record<string, unknown>; weight?: number; active?: boolean; name?: string },
): Promise<{ code: string; version: number }> {
  assertMay(me, 'manageUsers');
  if (change.weight !== undefined && !(change.weight > 0 && change.weight < 1))
    throw new TargetingError('weight: between 0 and 1 (exclusive)');
  return db.transaction(async (tx) => {
    const [cur] = await tx.query<Rule & { active: boolean }>(
      'SELECT * FROM targeting_rules WHERE code = $1 ORDER BY version DESC LIMIT 1 FOR UPDATE',
      [code],
    );
    if (!cur) throw new TargetingError(`no rule ${code}`, 404);
    await tx.query('UPDATE targeting_rules SET active = false WHERE code = $1', [code]);
    const version = cur.version + 1;
    await tx.query(
      'INSERT INTO targeting_rules (code, version, name, kind, params, weight, active, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [
        code,
        version,
        change.name ?? cur.name,
        cur.kind,
        JSON.stringify(change.params ?? cur.params),
        change.weight ?? cur.weight,
        change.active ?? true,
        me.username,
      ],
    );
    await appendAudit(tx, {
      actor: me.username,
      action: 'targeting.rule.edit',
      target: `${code}@${version}`,
      details: change,
    });
    return { code, version };
  });
}

/**
 * Above this many entities written, a write's shipments are not scored after it
 * (scoring reads a few dozen rows a shipment: 395 shipments of a 10,000-entity store
 * took 30 s on PGlite, so a million-entity import, some 40,000 shipments, would take
 * most of an hour); the write's answer says so, and `chokepoint targeting rescore` scores them.
 */
export const SCORE_AFTER_WRITE_MAX = 50_000;

/**
 * After a write of shipments (installed by src/capabilities.ts): scored as they arrive; a write
 * without cross-referencing, or larger than SCORE_AFTER_WRITE_MAX, by `chokepoint targeting rescore`.
 */
export const shipmentScoringReaction = {
  name: 'shipment scoring',
  order: 50,
  skipWithoutCrossReference: true,
  redo: 'chokepoint targeting rescore',
  concerns: (schemas: ReadonlySet<string>) => [...schemas].some((s) => model.isA(s, 'Shipment')),
  run: async (db: Database, entityIds: string[], _actor: string, opts: AfterWriteOptions): Promise<unknown> => {
    if (entityIds.length <= SCORE_AFTER_WRITE_MAX) return scoreShipments(db, entityIds);
    opts.onLeftUndone?.({
      step: 'shipment scoring',
      entities: entityIds.length,
      reason: 'limit',
      redo: 'chokepoint targeting rescore',
    });
    return null;
  },
};

// Shipment risk scoring that explains itself. Each active rule (data in
// targeting_rules, versioned) that fires adds its weight; weights combine as a
// noisy-OR (score = 1 - Π(1 - w)), so no single rule reaches certainty and
// independent evidence adds up. Every score keeps the reasons and the rule
// versions that made it. Scoring runs after each committed write that carries a
// shipment, as the system; the queue shows a shipment only to readers who may see it.
import type { Database, Sql } from '../store/db.js';
import { appendAudit } from '../store/audit.js';
import { asReader } from '../store/access.js';
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
  kind: 'hs_code' | 'misdeclared' | 'value_per_kg' | 'new_importer' | 'route' | 'list_hit' | 'network' | 'known_supplier';
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
}

async function facts(tx: Sql, id: string): Promise<Facts> {
  const rows = await tx.query<{ prop: string; value: string }>('SELECT prop, value FROM statements WHERE entity_id = $1', [id]);
  const f: Facts = { id, hsCode: [], declaredGoods: [], routeLegs: [], parties: [] };
  for (const r of rows) {
    if (r.prop === 'hsCode') f.hsCode.push(r.value);
    else if (r.prop === 'declaredGoods') f.declaredGoods.push(r.value);
    else if (r.prop === 'grossWeightKg') f.grossWeightKg = Number(r.value);
    else if (r.prop === 'declaredValue') f.declaredValue = Number(r.value);
    else if (r.prop === 'routeLegs') f.routeLegs.push(...r.value.split(/[\s>,;]+/).filter(Boolean));
    else if (['shipper', 'consignee', 'notifyParty'].includes(r.prop)) f.parties.push({ role: r.prop, id: r.value });
  }
  // Ports named as places count as legs too (their UN/LOCODE).
  const ports = await tx.query<{ value: string }>(
    "SELECT p.value FROM statements s JOIN statements p ON p.entity_id = s.value AND p.prop IN ('unlocode', 'name') WHERE s.entity_id = $1 AND s.prop IN ('originPort', 'transshipmentPort', 'destinationPort')", [id]);
  f.routeLegs.push(...ports.map((p) => p.value.toUpperCase()));
  return f;
}

type Check = (tx: Sql, f: Facts, rule: Rule, watchlist: (q: ScreeningQuery) => boolean) => Promise<string | null>;

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
    return perKg < Number(r.params.minPerKg) ? `declared ${perKg.toFixed(2)} per kg (${f.declaredValue} for ${f.grossWeightKg} kg)` : null;
  },
  async new_importer(tx, f) {
    const c = f.parties.find((p) => p.role === 'consignee');
    if (!c) return null;
    const [n] = await tx.query<{ n: number }>("SELECT count(DISTINCT entity_id)::int AS n FROM statements WHERE prop = 'consignee' AND value = $1 AND schema = 'Shipment'", [c.id]);
    return (n?.n ?? 0) <= 1 ? `consignee ${c.id} has no earlier shipment` : null;
  },
  async route(_tx, f, r) {
    const hit = f.routeLegs.find((l) => (r.params.locodes as string[]).includes(l.toUpperCase()));
    return hit ? `routed via ${hit}` : null;
  },
  async list_hit(tx, f, r, watchlist) {
    // A weak name match is a lead for an analyst, not a reason to stop a shipment: the rule sets the calibrated score it needs.
    const threshold = Number(r.params.minScore ?? 0.5);
    for (const p of f.parties) {
      const names = await tx.query<{ value: string }>("SELECT value FROM statements WHERE entity_id = $1 AND prop IN ('name', 'alias')", [p.id]);
      for (const n of names) {
        const hit = screeningLists().screen({ name: n.value, kind: 'any' }, { limit: 1, threshold })[0];
        if (hit) return `${p.role} ${p.id} matches ${hit.entry.list} ${hit.entry.id} (${hit.score.toFixed(2)})`;
        if (watchlist({ name: n.value })) return `${p.role} ${p.id}: possible watchlist match (contact the watchlist center)`;
      }
    }
    return null;
  },
  async known_supplier(tx, f) {
    // The party itself, or what cross-referencing found it may be (possible links not rejected), supplies precursors in the picture.
    for (const p of f.parties.filter((x) => x.role === 'shipper')) {
      const same = await tx.query<{ id: string }>(
        "SELECT CASE WHEN left_id = $1 THEN right_id ELSE left_id END AS id FROM possible_links WHERE (left_id = $1 OR right_id = $1) AND status <> 'rejected'", [p.id]);
      const ids = [p.id, ...same.map((s) => s.id)];
      const [sup] = await tx.query<{ value: string }>("SELECT value FROM statements WHERE schema = 'Supply' AND prop = 'supplier' AND value = ANY($1) LIMIT 1", [ids]);
      if (sup) return `shipper ${p.id} ${sup.value === p.id ? 'is' : `resolves to ${sup.value}, which is`} a known precursor supplier`;
    }
    return null;
  },
  async network(tx, f, r) {
    const hops = Number(r.params.hops ?? 2);
    let frontier = f.parties.map((p) => p.id);
    const seen = new Set(frontier);
    for (let h = 0; h <= hops && frontier.length; h++) {
      const flagged = await tx.query<{ entity_id: string; schema: string; value: string }>(
        "SELECT entity_id, schema, value FROM statements WHERE schema IN ('Sanction', 'CaseLink') AND prop IN ('entity', 'subject') AND value = ANY($1) LIMIT 1", [frontier]);
      if (flagged.length) return `${h === 0 ? '' : `${h} link(s) from `}${flagged[0]!.schema === 'Sanction' ? 'a sanctioned party' : 'a case subject'} (${flagged[0]!.value})`;
      const refs = await tx.query<{ a: string; b: string }>(
        `SELECT entity_id AS a, value AS b FROM statements WHERE prop_type = 'entity' AND (value = ANY($1) OR entity_id = ANY($1)) AND schema NOT IN ('Shipment', 'Address')`, [frontier]);
      const next: string[] = [];
      for (const x of refs) for (const id of [x.a, x.b]) if (!seen.has(id)) { seen.add(id); next.push(id); }
      frontier = next.slice(0, 5000);
    }
    return null;
  },
};

export async function activeRules(tx: Sql): Promise<Rule[]> {
  return tx.query<Rule>('SELECT id, code, version, name, kind, params, weight FROM targeting_rules WHERE active ORDER BY code');
}

/** Scores (or rescores) shipments; returns their scores. */
export async function scoreShipments(db: Database, ids: string[]): Promise<{ id: string; score: number }[]> {
  if (!ids.length) return [];
  const watchlist = await watchlistMatcher(db);
  return db.transaction(async (tx) => {
    const shipments = await tx.query<{ id: string }>("SELECT id FROM entities WHERE id = ANY($1) AND schema = 'Shipment'", [ids]);
    if (!shipments.length) return [];
    const rules = await activeRules(tx);
    const out: { id: string; score: number }[] = [];
    for (const { id } of shipments) {
      const f = await facts(tx, id);
      const reasons: { rule: string; version: number; name: string; weight: number; detail: string }[] = [];
      let miss = 1;
      for (const r of rules) {
        const detail = await CHECKS[r.kind](tx, f, r, watchlist);
        if (!detail) continue;
        reasons.push({ rule: r.code, version: r.version, name: r.name, weight: r.weight, detail });
        miss *= 1 - r.weight;
      }
      const score = Math.round((1 - miss) * 1000) / 1000;
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

/** The exam queue: highest risk first, only shipments the reader may see. */
export async function targetingQueue(db: Database, me: Principal, limit = 50): Promise<Record<string, unknown>[]> {
  if (!me.government) throw new TargetingError('the targeting queue is for government users', 403);
  // Held shipments (an objection to their pre-export notification) come first: they may not be cleared.
  const rows = await db.query<{ shipment_id: string; score: number; reasons: unknown; scored_at: string; hold: string | null }>(
    "SELECT shipment_id, score, reasons, scored_at, hold FROM shipment_scores WHERE status = 'queued' ORDER BY hold IS NULL, score DESC, shipment_id LIMIT $1", [limit * 4]);
  const visible = new Set((await asReader(db, me, (tx) => tx.query<{ id: string }>('SELECT id FROM entities WHERE id = ANY($1)', [rows.map((r) => r.shipment_id)]))).map((r) => r.id));
  return rows.filter((r) => visible.has(r.shipment_id)).slice(0, limit).map((r) => ({ shipment: r.shipment_id, score: r.score, hold: r.hold, reasons: r.reasons, scoredAt: r.scored_at }));
}

export async function recordExam(db: Database, me: Principal, shipmentId: string, result: 'hit' | 'no hit' | 'seized', note?: string): Promise<void> {
  assertMay(me, 'write');
  await db.transaction(async (tx) => {
    const [held] = await tx.query<{ hold: string | null }>('SELECT hold FROM shipment_scores WHERE shipment_id = $1', [shipmentId]);
    if (held?.hold && result === 'no hit') throw new TargetingError(`${shipmentId} is held (${held.hold}); it cannot be cleared as "no hit"`, 409);
    const rows = await tx.query("UPDATE shipment_scores SET status = 'examined', exam_result = $2, exam_note = $3, examined_by = $4, examined_at = now() WHERE shipment_id = $1 RETURNING shipment_id", [shipmentId, result, note ?? null, me.username]);
    if (!rows.length) throw new TargetingError(`no scored shipment ${shipmentId}`, 404);
    await appendAudit(tx, { actor: me.username, action: 'targeting.exam', target: shipmentId, details: { result } });
  });
}

/** Each rule's record: how often it fired on examined shipments, and how often those were hits. */
export async function ruleHitRates(db: Sql): Promise<Record<string, unknown>[]> {
  const rules = await db.query<{ code: string; version: number; name: string; kind: string; params: unknown; weight: number; active: boolean }>('SELECT code, version, name, kind, params, weight, active FROM targeting_rules ORDER BY code, version');
  const stats = await db.query<{ rule: string; fired: number; hits: number }>(
    `SELECT r->>'rule' AS rule, count(*)::int AS fired, count(*) FILTER (WHERE s.exam_result IN ('hit', 'seized'))::int AS hits
       FROM shipment_scores s, jsonb_array_elements(s.reasons) r WHERE s.status = 'examined' GROUP BY 1`,
  );
  const byRule = new Map(stats.map((s) => [s.rule, s]));
  return rules.map((r) => {
    const s = r.active ? byRule.get(r.code) : undefined;
    return { ...r, examinedWhenFired: s?.fired ?? 0, hits: s?.hits ?? 0, hitRate: s?.fired ? Math.round((s.hits / s.fired) * 1000) / 1000 : null };
  });
}

/** An administrator edits a rule: a new version replaces the active one (the old is kept). */
export async function editRule(db: Database, me: Principal, code: string, change: { params?: Record<string, unknown>; weight?: number; active?: boolean; name?: string }): Promise<{ code: string; version: number }> {
  assertMay(me, 'manageUsers');
  if (change.weight !== undefined && !(change.weight > 0 && change.weight < 1)) throw new TargetingError('weight: between 0 and 1 (exclusive)');
  return db.transaction(async (tx) => {
    const [cur] = await tx.query<Rule & { active: boolean }>('SELECT * FROM targeting_rules WHERE code = $1 ORDER BY version DESC LIMIT 1 FOR UPDATE', [code]);
    if (!cur) throw new TargetingError(`no rule ${code}`, 404);
    await tx.query('UPDATE targeting_rules SET active = false WHERE code = $1', [code]);
    const version = cur.version + 1;
    await tx.query('INSERT INTO targeting_rules (code, version, name, kind, params, weight, active, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [code, version, change.name ?? cur.name, cur.kind, JSON.stringify(change.params ?? cur.params), change.weight ?? cur.weight, change.active ?? true, me.username]);
    await appendAudit(tx, { actor: me.username, action: 'targeting.rule.edit', target: `${code}@${version}`, details: change });
    return { code, version };
  });
}

/**
 * After a write of shipments (installed by src/capabilities.ts): scored as they arrive; a bulk
 * import (cross-referencing skipped) is scored by `chokepoint targeting rescore`.
 */
export const shipmentScoringReaction = {
  name: 'shipment scoring', order: 50, skipWithoutCrossReference: true,
  concerns: (schemas: ReadonlySet<string>) => [...schemas].some((s) => model.isA(s, 'Shipment')),
  run: (db: Database, entityIds: string[]) => scoreShipments(db, entityIds),
};

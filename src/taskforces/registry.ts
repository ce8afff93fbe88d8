// The registry of task forces, fusion cells and mission centers, and the check for
// likely duplication a steering group asks for: two bodies whose geography
// overlaps (a state lies within its country, a port within its country) and whose
// focus or targets overlap too. Each flagged pair says why.
import { StatusError } from '../domain/errors.js';
import type { Database } from '../store/db.js';
import { appendAudit } from '../store/audit.js';
import { assertMay, type Principal } from '../domain/users.js';
import { expandGeography, GeographyError } from '../domain/geography.js';
import { targetKeys, type TargetInput } from '../deconflict/keys.js';
import { TASK_FORCE_KINDS as KINDS, TASK_FORCE_FOCUS as FOCUS } from '../domain/registry-terms.js';
export { KINDS, FOCUS };

export class TaskForceError extends StatusError {}

export interface TaskForceInput {
  name: string;
  kind: (typeof KINDS)[number];
  purpose: string;
  goals?: string[];
  leadAgency: string;
  memberAgencies: string[];
  geography: string[];
  focus: (typeof FOCUS)[number][];
  targets?: TargetInput[];
}

/** A geography code with what contains it, or a TaskForceError naming the bad code. */
function expand(code: string): string[] {
  try {
    return expandGeography(code);
  } catch (e) {
    if (e instanceof GeographyError) throw new TaskForceError(`geography: ${e.message}`);
    throw e;
  }
}

export async function registerTaskForce(db: Database, me: Principal, t: TaskForceInput): Promise<{ id: number }> {
  assertMay(me, 'manageTaskForces');
  for (const g of t.geography) expand(g);
  const unknownFocus = t.focus.filter((f) => !FOCUS.includes(f));
  if (unknownFocus.length) throw new TaskForceError(`focus: ${unknownFocus.join(', ')} (one of: ${FOCUS.join(', ')})`);
  const keys = (t.targets ?? []).flatMap((x, i) => {
    try {
      return targetKeys(x);
    } catch (e) {
      throw new TaskForceError(`targets[${i}]: ${(e as Error).message}`);
    }
  });
  // A registrant speaks for a body its own agency leads or belongs to, not for others (third review 6).
  if (t.leadAgency !== me.agency && !t.memberAgencies.includes(me.agency))
    throw new TaskForceError(`a task force you register has ${me.agency} as its lead or among its members`, 403);
  return db.transaction(async (tx) => {
    const agencies = new Set((await tx.query<{ code: string }>('SELECT code FROM agencies')).map((a) => a.code));
    const unknown = [t.leadAgency, ...t.memberAgencies].filter((a) => !agencies.has(a));
    if (unknown.length) throw new TaskForceError(`unknown agencies: ${unknown.join(', ')}`);
    const [dup] = await tx.query('SELECT 1 FROM task_forces WHERE name = $1', [t.name]);
    if (dup) throw new TaskForceError(`"${t.name}" is already registered`, 409);
    const [row] = await tx.query<{ id: number }>(
      `INSERT INTO task_forces (name, kind, purpose, goals, lead_agency, member_agencies, geography, focus, target_keys, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [
        t.name,
        t.kind,
        t.purpose,
        t.goals ?? [],
        t.leadAgency,
        [...new Set([t.leadAgency, ...t.memberAgencies])],
        t.geography.map((g) => g.toUpperCase()),
        t.focus,
        [...new Set(keys)],
        me.id,
      ],
    );
    await appendAudit(tx, {
      actor: me.username,
      action: 'taskforce.register',
      target: `task-force:${row!.id}`,
      details: { name: t.name },
    });
    return row!;
  });
}

interface Row {
  id: number;
  name: string;
  kind: string;
  purpose: string;
  goals: string[];
  lead_agency: string;
  member_agencies: string[];
  geography: string[];
  focus: string[];
  target_keys: string[];
}

export interface TaskForceView {
  id: number;
  name: string;
  kind: string;
  purpose: string;
  goals: string[];
  leadAgency: string;
  memberAgencies: string[];
  geography: string[];
  focus: string[];
  /** How many targets it registered (the keys themselves are not listed). */
  targets: number;
}

export async function listTaskForces(db: Database): Promise<TaskForceView[]> {
  const rows = await db.query<Row>('SELECT * FROM task_forces ORDER BY name');
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    kind: r.kind,
    purpose: r.purpose,
    goals: r.goals,
    leadAgency: r.lead_agency,
    memberAgencies: r.member_agencies,
    geography: r.geography,
    focus: r.focus,
    targets: r.target_keys.length,
  }));
}

export interface Duplication {
  a: { id: number; name: string };
  b: { id: number; name: string };
  score: number;
  sharedGeography: string[];
  sharedFocus: string[];
  sharedTargets: number;
  sharedAgencies: string[];
}

const overlap = (a: Set<string>, b: Set<string>): string[] => [...a].filter((x) => b.has(x));

/**
 * Pairs likely to duplicate each other: overlapping geography and either at least
 * half their focus in common (of the smaller focus) or a shared target. The score
 * weighs geography, focus and targets equally; pairs are listed best first.
 */
export function findDuplication(rows: Row[]): Duplication[] {
  const out: Duplication[] = [];
  // g lies within h (or is h): "US-AZ" within "US", "USSAN" within "US".
  const within = (g: string, h: string): boolean => expand(g).includes(h);
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      const a = rows[i]!;
      const b = rows[j]!;
      // The shared ground is the narrower of two codes, one of which contains the other.
      const shared = new Set<string>();
      for (const g of a.geography)
        for (const h of b.geography) {
          if (within(g, h)) shared.add(g);
          else if (within(h, g)) shared.add(h);
        }
      const sharedGeography = [...shared];
      if (!sharedGeography.length) continue;
      const sharedFocus = overlap(new Set(a.focus), new Set(b.focus));
      const sharedTargets = overlap(new Set(a.target_keys), new Set(b.target_keys)).length;
      const focusShare = sharedFocus.length / Math.max(1, Math.min(a.focus.length, b.focus.length));
      if (focusShare < 0.5 && !sharedTargets) continue;
      const geoShare = sharedGeography.length / Math.max(1, Math.min(a.geography.length, b.geography.length));
      const score = (Math.min(1, geoShare) + focusShare + (sharedTargets ? 1 : 0)) / 3;
      out.push({
        a: { id: a.id, name: a.name },
        b: { id: b.id, name: b.name },
        score: Math.round(score * 100) / 100,
        sharedGeography,
        sharedFocus,
        sharedTargets,
        sharedAgencies: overlap(new Set(a.member_agencies), new Set(b.member_agencies)),
      });
    }
  }
  return out.sort((x, y) => y.score - x.score);
}

export async function duplication(db: Database, me: Principal): Promise<Duplication[]> {
  assertMay(me, 'manageTaskForces');
  return findDuplication(await db.query<Row>('SELECT * FROM task_forces ORDER BY id'));
}

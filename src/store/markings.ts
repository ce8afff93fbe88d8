// Markings are interned: each distinct marking is one row, statements carry its id,
// and the RLS policy tests membership in the (small) set of readable ids.
import type { Sql } from './db.js';
import { formatMarking, CLASSIFICATIONS, type Marking, type Caveat } from '../domain/markings.js';

interface MarkingRow {
  id: number;
  level: number;
  caveats: string[];
  rel_to: string[];
  owner: string;
  compartments: string[];
  orcon_to: string[];
}

/** Per-database cache; marking rows are immutable once written. */
export class MarkingCache {
  private byId = new Map<number, Marking>();
  private byCanonical = new Map<string, number>();

  /**
   * The id of a marking, inserting it when new. Ids found or made inside a write
   * transaction are cached only in that batch's `local` map, since the transaction
   * may still roll back.
   */
  async intern(tx: Sql, m: Marking, local?: Map<string, number>): Promise<number> {
    const canonical = formatMarking(m);
    const hit = this.byCanonical.get(canonical) ?? local?.get(canonical);
    if (hit !== undefined) return hit;
    await tx.query(
      `INSERT INTO markings (canonical, level, caveats, rel_to, owner, compartments, orcon_to)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (canonical) DO NOTHING`,
      [canonical, CLASSIFICATIONS.indexOf(m.classification), m.caveats, m.relTo, m.owner, m.compartments, m.orconTo],
    );
    const [row] = await tx.query<{ id: number }>('SELECT id FROM markings WHERE canonical = $1', [canonical]);
    if (!row) throw new Error(`marking ${canonical} could not be stored`);
    local?.set(canonical, row.id);
    return row.id;
  }

  async get(tx: Sql, id: number): Promise<Marking> {
    let m = this.byId.get(id);
    if (!m) {
      await this.load(tx);
      m = this.byId.get(id);
    }
    if (!m) throw new Error(`unknown marking id ${id}`);
    return m;
  }

  async load(tx: Sql): Promise<void> {
    const rows = await tx.query<MarkingRow>(
      'SELECT id, level, caveats, rel_to, owner, compartments, orcon_to FROM markings',
    );
    for (const r of rows) {
      const m: Marking = {
        classification: CLASSIFICATIONS[r.level]!,
        caveats: r.caveats as Caveat[],
        relTo: r.rel_to,
        owner: r.owner,
        compartments: r.compartments,
        orconTo: r.orcon_to,
      };
      this.byId.set(r.id, m);
      this.byCanonical.set(formatMarking(m), r.id);
    }
  }
}

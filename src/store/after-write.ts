// What follows every committed write, on every write path (API, import, demo load):
// cross-referencing against the store (possible links), linking to open
// investigations (case owners notified), the pill-press registry check, the
// emerging-substance check and shipment scoring. None may turn a committed write
// into a reported failure: each logs its own error (`chokepoint xref` and
// `chokepoint targeting rescore` redo the heavy ones).
import type { Database } from './db.js';
import { model } from '../domain/model.js';
import { crossReferenceAfterWrite } from '../resolve/xref.js';
import { linkAfterWrite } from '../deconflict/interdictions.js';
import { checkPressesAfterWrite } from '../registry/presses.js';
import { emergingAfterWrite } from '../chem/emerging.js';
import { scoreShipments } from '../targeting/score.js';

const logged = (what: string) => (e: Error): void => console.error(`${what} failed after the write committed: ${e.message}`);

/** Returns the possible links found, or null when cross-referencing was skipped or failed. */
export async function afterWrite(db: Database, entityIds: string[], actor: string, opts: { crossReference?: boolean } = {}): Promise<number | null> {
  if (!entityIds.length) return opts.crossReference === false ? null : 0;
  const links = opts.crossReference === false ? null : await crossReferenceAfterWrite(db, entityIds, actor);
  await linkAfterWrite(db, entityIds, actor);
  // One look at what was written decides which checks have anything to do.
  const schemas = new Set((await db.query<{ schema: string }>('SELECT DISTINCT schema FROM presence WHERE entity_id = ANY($1)', [entityIds])).map((r) => r.schema));
  if (schemas.has('Equipment')) await checkPressesAfterWrite(db, entityIds).catch(logged('pill-press registry check'));
  if ([...schemas].some((s) => model.get(s)?.event)) await emergingAfterWrite(db, entityIds).catch(logged('emerging-substance check'));
  // Shipments are scored as they arrive; a bulk import (cross-referencing skipped) is scored by `chokepoint targeting rescore`.
  if (schemas.has('Shipment') && opts.crossReference !== false) await scoreShipments(db, entityIds).catch(logged('shipment scoring'));
  return links;
}

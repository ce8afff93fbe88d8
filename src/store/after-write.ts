// What follows every committed write, on every write path (API, import, demo load):
// cross-referencing against the store (possible links), linking to open
// investigations (case owners notified), the pill-press registry check, and the
// emerging-substance check. Neither may turn a committed write into a
// reported failure: each logs its own error, and `chokepoint xref` redoes the first.
import type { Database } from './db.js';
import { crossReferenceAfterWrite } from '../resolve/xref.js';
import { linkAfterWrite } from '../deconflict/interdictions.js';
import { checkPressesAfterWrite } from '../registry/presses.js';
import { emergingAfterWrite } from '../chem/emerging.js';
import { scoreShipments } from '../targeting/score.js';

/** Returns the possible links found, or null when cross-referencing was skipped or failed. */
export async function afterWrite(db: Database, entityIds: string[], actor: string, opts: { crossReference?: boolean } = {}): Promise<number | null> {
  const links = opts.crossReference === false ? null : await crossReferenceAfterWrite(db, entityIds, actor);
  await linkAfterWrite(db, entityIds, actor);
  await checkPressesAfterWrite(db, entityIds).catch((e: Error) => console.error(`pill-press registry check failed after the write committed: ${e.message}`));
  await emergingAfterWrite(db, entityIds).catch((e: Error) => console.error(`emerging-substance check failed after the write committed: ${e.message}`));
  // Shipments are scored as they arrive; a bulk import (cross-referencing skipped) is scored by `chokepoint targeting rescore`.
  if (opts.crossReference !== false) await scoreShipments(db, entityIds).catch((e: Error) => console.error(`shipment scoring failed after the write committed: ${e.message}`));
  return links;
}

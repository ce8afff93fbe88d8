// Emerging substances: when a seizure, interdiction or lab result names a substance
// that is neither on the reference control list (reference/substances.csv) nor in
// any earlier result, drug intelligence and the reporting agency are told at once;
// with a structure (SMILES), the alert says whether it is fentanyl-related.
import type { Database } from '../store/db.js';
import { appendAudit } from '../store/audit.js';
import { model } from '../domain/model.js';
import { notify } from '../notify/notifications.js';
import { latestRecordOf } from '../store/read.js';
import { derivedMarkings, markingOfEntities } from '../store/derived.js';
import { lookupSubstance, substanceKey } from './substances.js';
import { fentanylClass } from './fentanyl-class.js';

export async function emergingAfterWrite(
  db: Database,
  entityIds: string[],
  drugIntelligenceAgency = 'DEA',
): Promise<number> {
  if (!entityIds.length) return 0;
  const events = model.eventSchemas();
  return db.transaction(async (tx) => {
    const named = await tx.query<{ entity_id: string; schema: string; prop: string; value: string }>(
      "SELECT entity_id, schema, prop, value FROM statements WHERE entity_id = ANY($1) AND schema = ANY($2) AND prop IN ('substance', 'drugType')",
      [entityIds, events],
    );
    if (!named.length) return 0;
    let alerts = 0;
    for (const n of named) {
      // A Substance entity: its names, CAS and structure; a drug type: the words.
      let names = [n.value];
      let smiles: string | undefined;
      if (n.prop === 'substance') {
        const props = await tx.query<{ prop: string; value: string }>(
          "SELECT prop, value FROM statements WHERE entity_id = $1 AND prop IN ('name', 'alias', 'casNumber', 'smiles')",
          [n.value],
        );
        names = props.filter((p) => p.prop !== 'smiles').map((p) => p.value);
        smiles = props.find((p) => p.prop === 'smiles')?.value;
        if (!names.length) continue;
      }
      if (names.some((x) => lookupSubstance(x))) continue;
      const keys = names.map(substanceKey);
      const primary = names.find((x) => !/^\d{2,7}-\d{2}-\d$/.test(x)) ?? names[0]!;
      const rec = await latestRecordOf(tx, n.entity_id);
      const inserted = await tx.query(
        'INSERT INTO seen_substances (key, name, first_record, first_entity) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING RETURNING key',
        [keys[0], primary, rec?.ref ?? null, n.entity_id],
      );
      // Seen before under another of its names? Then it is not new.
      if (
        !inserted.length ||
        (await tx.query('SELECT 1 FROM seen_substances WHERE key = ANY($1) AND key <> $2', [keys, keys[0]])).length
      )
        continue;
      for (const k of keys.slice(1))
        await tx.query(
          'INSERT INTO seen_substances (key, name, first_record, first_entity) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
          [k, primary, rec?.ref ?? null, n.entity_id],
        );
      let chem = '';
      if (smiles) {
        try {
          const c = await fentanylClass(smiles);
          chem = c.fentanylRelated
            ? ` Its structure is fentanyl-related (modifications ${c.modifications.join(', ')}).`
            : c.isFentanyl
              ? ' Its structure is fentanyl.'
              : ' Its structure is not fentanyl-related.';
        } catch {
          chem = ' Its structure (SMILES) could not be read.';
        }
      }
      const message = `Emerging substance: "${primary}" named by ${n.schema} ${n.entity_id} (${rec?.ref ?? 'record unknown'}) is on no control list and in no earlier result.${chem}`;
      // Marked as what it quotes (the event, its record and the substance): an agency's reader
      // who may not read that learns only that the holder has something to tell.
      const markingId = await markingOfEntities(
        tx,
        derivedMarkings(db),
        n.prop === 'substance' ? [n.entity_id, n.value] : [n.entity_id],
      );
      const holder = rec?.source && rec.source !== 'SYSTEM' ? rec.source : 'the reporting agency';
      const pointer = `An emerging-substance alert concerns a record held by ${holder} that you may not read; ask ${holder} for access.`;
      for (const agency of new Set(
        [drugIntelligenceAgency, rec?.source].filter((a): a is string => !!a && a !== 'SYSTEM'),
      )) {
        await notify(tx, {
          agency,
          kind: 'substance.emerging',
          message,
          ref: n.entity_id,
          payload: { substance: primary, record: rec?.ref ?? null },
          markingId,
          pointer,
        });
      }
      alerts++;
    }
    if (alerts) await appendAudit(tx, { actor: 'system', action: 'substance.emerging', details: { alerts } });
    return alerts;
  });
}

/** After a write of events (seizures, lab results; installed by src/capabilities.ts). */
export const emergingSubstanceReaction = {
  name: 'emerging-substance check',
  order: 40,
  concerns: (schemas: ReadonlySet<string>) => [...schemas].some((s) => model.isEvent(s)),
  run: (db: Database, entityIds: string[]) => emergingAfterWrite(db, entityIds),
};

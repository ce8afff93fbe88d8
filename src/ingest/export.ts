// FtM export: every entity the reader may see, as FollowTheMoney JSON lines, with
// only the values the reader may see. Exporting intelligence is a dissemination,
// logged per 28 CFR 23.20(g) with the recipient and the purpose.
import type { Store } from '../store/store.js';
import { entityIdPage, getEntities, recordIdsOf, type EntityView } from '../store/read.js';
import { assertMay, type Principal } from '../domain/users.js';
import { csvHeader, csvRow } from '../exchange/csv.js';
import { mispExportPieces } from '../exchange/misp/export.js';
import { exportStatements } from './statements.js';
import { assertExport, logExport, type ExportOptions } from './dissemination.js';

export type { ExportOptions } from './dissemination.js';
import { bundleText, type BundlePage } from '../exchange/stix/bundle.js';
import { stixObjectsOf } from '../exchange/stix/write.js';

export interface FtmEntity {
  id: string;
  schema: string;
  properties: Record<string, string[]>;
}

export function toFtm(e: EntityView): FtmEntity {
  const properties: Record<string, string[]> = {};
  for (const [p, vals] of Object.entries(e.properties)) properties[p] = [...new Set(vals.map((v) => v.value))];
  return { id: e.id, schema: e.schema, properties };
}

/** Streams FtM entities page by page; logs dissemination and audit when done. */
export async function* exportFtm(store: Store, who: Principal, opts: ExportOptions): AsyncGenerator<FtmEntity> {
  for await (const e of exportEntities(store, who, opts, 'export.ftm', true)) yield toFtm(e);
}

/** The columns of the statement CSV export: one row per value, as FollowTheMoney's statement tables have it, with its portion marking. */
export const STATEMENT_CSV_COLUMNS = ['entity_id', 'schema', 'caption', 'prop', 'value', 'marking', 'source'] as const;

/** Streams CSV rows, one per value the reader may see; logged as a dissemination like the FtM export. */
export async function* exportStatementRows(
  store: Store,
  who: Principal,
  opts: ExportOptions,
): AsyncGenerator<string[]> {
  for await (const e of exportEntities(store, who, opts, 'export.csv')) {
    for (const [prop, values] of Object.entries(e.properties)) {
      for (const v of values) yield [e.id, e.schema, e.caption, prop, v.value, v.portion, v.source ?? ''];
    }
  }
}

/** ftm: FtM entities; csv: one row per value for people; statements: FtM statements with markings and provenance, for another instance; misp: MISP events; stix: a STIX 2.1 bundle. */
export const EXPORT_FORMATS = ['ftm', 'csv', 'statements', 'misp', 'stix'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * The export's file, piece by piece: FtM, one entity per line; CSV, the header, then
 * one row per value; or MISP, one JSON document of events (src/exchange/misp).
 * What GET /export answers and `chokepoint export` writes.
 */
export async function* exportFile(
  store: Store,
  who: Principal,
  format: ExportFormat,
  opts: ExportOptions,
): AsyncGenerator<string> {
  assertMay(who, 'export'); // before the CSV's header
  if (format === 'misp') yield* mispExportPieces(store, who, opts);
  else if (format === 'csv') {
    yield csvHeader(STATEMENT_CSV_COLUMNS);
    for await (const row of exportStatementRows(store, who, opts)) yield csvRow(row);
  } else if (format === 'statements') {
    for await (const st of exportStatements(store, who, opts)) yield `${JSON.stringify(st)}\n`;
  } else if (format === 'stix') {
    yield* bundleText(stixPages(store, who, opts));
  } else for await (const e of exportFtm(store, who, opts)) yield `${JSON.stringify(e)}\n`;
}

/** Every entity the reader may see, page by page, with only the values they may see; logs dissemination and audit when done. */
async function* exportEntities(
  store: Store,
  who: Principal,
  opts: ExportOptions,
  channel: 'export.ftm' | 'export.csv',
  withoutStubs = false,
): AsyncGenerator<EntityView> {
  assertExport(who, opts);
  let after = '';
  let count = 0;
  const intelRecords = new Set<number>();
  for (;;) {
    const page = await store.read(who, async (tx) => {
      const ids = await entityIdPage(tx, after, opts.pageSize ?? 1000);
      // An entity the reader knows only as referred to (store/write.ts) has nothing for FtM to write.
      const stubs = withoutStubs
        ? new Set(
            (
              await tx.query<{ entity_id: string }>(
                'SELECT entity_id FROM presence WHERE entity_id = ANY($1) GROUP BY entity_id HAVING bool_and(stub)',
                [ids],
              )
            ).map((r) => r.entity_id),
          )
        : new Set<string>();
      const entities = (await getEntities(tx, store.markings, ids)).filter((e) => !stubs.has(e.id));
      (await recordIdsOf(tx, ids, 'intelligence')).forEach((id) => intelRecords.add(id));
      return { ids, entities };
    });
    if (!page.ids.length) break;
    after = page.ids[page.ids.length - 1]!;
    for (const e of page.entities) {
      count++;
      yield e;
    }
  }
  await logExport(store, who, opts, channel, { entities: count }, intelRecords);
}

/**
 * The STIX objects of everything the reader may see, page by page (src/exchange/stix/write.ts),
 * each page read in the reader's own transaction; logged as a dissemination when done, with
 * the entities STIX could not hold for this reader (a relationship whose end they may not read).
 */
async function* stixPages(store: Store, who: Principal, opts: ExportOptions): AsyncGenerator<BundlePage> {
  assertExport(who, opts);
  let after = '';
  let objects = 0;
  let left = 0;
  const intelRecords = new Set<number>();
  for (;;) {
    const page = await store.read(who, async (tx) => {
      const ids = await entityIdPage(tx, after, opts.pageSize ?? 1000);
      (await recordIdsOf(tx, ids, 'intelligence')).forEach((id) => intelRecords.add(id));
      return { ids, stix: await stixObjectsOf(tx, store.markings, ids) };
    });
    if (!page.ids.length) break;
    after = page.ids[page.ids.length - 1]!;
    objects += page.stix.objects.length;
    left += page.stix.left;
    yield page.stix;
  }
  await logExport(store, who, opts, 'export.stix', { objects, left }, intelRecords);
}

// CBP's public "Nationwide Drug Seizures" statistics (one CSV per fiscal year range):
// columns FY, Month (abbv), Component, Region, Land Filter, Area of Responsibility,
// Drug Type, Count of Event, Sum Qty (lbs). Published aggregate figures: stored as
// public statistics keyed by their dimensions, so re-importing a file (or a newer
// file that revises a month) replaces figures instead of adding them twice. The
// running year is labelled "2026 (FYTD)": read as 2026, and kept as partial.
import { createReadStream } from 'node:fs';
import { parse as parseCsv } from 'csv-parse';
import type { Database, Sql } from '../store/db.js';
import { appendAudit } from '../store/audit.js';
import { ValidationError, type FieldError } from './record-input.js';

export const CBP_COLUMNS = [
  'FY',
  'Month (abbv)',
  'Component',
  'Region',
  'Land Filter',
  'Area of Responsibility',
  'Drug Type',
  'Count of Event',
  'Sum Qty (lbs)',
] as const;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const MONTH_NAMES = [
  'JANUARY',
  'FEBRUARY',
  'MARCH',
  'APRIL',
  'MAY',
  'JUNE',
  'JULY',
  'AUGUST',
  'SEPTEMBER',
  'OCTOBER',
  'NOVEMBER',
  'DECEMBER',
];

export interface CbpRow {
  fy: number;
  /** The fiscal year to date ("FYTD"): the year is still running, its figures partial. */
  partial: boolean;
  month: string;
  component: string;
  region: string;
  landFilter: string;
  aor: string;
  drugType: string;
  events: number;
  lbs: number;
}

function num(v: string): number {
  return Number(v.replace(/,/g, '').trim());
}

export function parseCbpRow(
  row: Record<string, string>,
  file: string,
  line: number,
): { row?: CbpRow; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const bad = (col: string, message: string): void => void errors.push({ file, line, path: col, message });
  // "2025", "FY2025", "FY25", and the running year as "2026 (FYTD)" or "FY26 YTD".
  const fyMatch = /^(?:FY\s*)?(\d{4}|\d{2})\s*(\(\s*FY\s*TD\s*\)|\(\s*YTD\s*\)|FYTD|YTD)?$/i.exec(
    (row.FY ?? '').trim(),
  );
  let fy = fyMatch ? Number(fyMatch[1]) : Number.NaN;
  if (fyMatch?.[1]?.length === 2) fy = 2000 + fy;
  const partial = !!fyMatch?.[2];
  if (!Number.isInteger(fy) || fy < 1990 || fy > 2100)
    bad('FY', `"${row.FY}" is not a fiscal year (e.g. 2025, FY2025, or "2026 (FYTD)" for the running year)`);
  const monthText = (row['Month (abbv)'] ?? '').trim().toUpperCase();
  const month = MONTHS.includes(monthText) ? monthText : (MONTHS[MONTH_NAMES.indexOf(monthText)] ?? '');
  if (!month) bad('Month (abbv)', `"${row['Month (abbv)']}" is not a month abbreviation (JAN..DEC)`);
  const events = num(row['Count of Event'] ?? '');
  if (!Number.isInteger(events) || events < 0)
    bad('Count of Event', `"${row['Count of Event']}" is not a non-negative whole number`);
  const lbs = num(row['Sum Qty (lbs)'] ?? '');
  if (!Number.isFinite(lbs) || lbs < 0)
    bad('Sum Qty (lbs)', `"${row['Sum Qty (lbs)']}" is not a non-negative quantity`);
  const text = (col: string): string => (row[col] ?? '').trim();
  if (!text('Drug Type')) bad('Drug Type', 'is empty');
  if (errors.length) return { errors };
  return {
    row: {
      fy,
      partial,
      month,
      component: text('Component'),
      region: text('Region'),
      landFilter: text('Land Filter'),
      aor: text('Area of Responsibility'),
      drugType: text('Drug Type'),
      events,
      lbs,
    },
    errors,
  };
}

/** Imports a CBP seizure-statistics CSV, all or nothing. */
export async function importCbpCsv(
  db: Database,
  actor: string,
  path: string,
): Promise<{ rows: number; seconds: number; partialYears: number[] }> {
  const started = performance.now();
  const parser = createReadStream(path).pipe(
    parseCsv({ columns: true, bom: true, skip_empty_lines: true, info: true }),
  );
  const rows: CbpRow[] = [];
  const errors: FieldError[] = [];
  let header: string[] | undefined;
  try {
    for await (const item of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      if (!header) {
        header = Object.keys(item.record);
        const missing = CBP_COLUMNS.filter((c) => !header!.includes(c));
        if (missing.length)
          throw new ValidationError([
            {
              file: path,
              line: 1,
              path: 'header',
              message: `missing column(s) ${missing.join(', ')}; expected ${CBP_COLUMNS.join(', ')}`,
            },
          ]);
      }
      const r = parseCbpRow(item.record, path, item.info.lines);
      if (r.row) rows.push(r.row);
      else if (errors.length < 100) errors.push(...r.errors);
    }
  } catch (e) {
    if (e instanceof ValidationError) throw e;
    throw new ValidationError([{ file: path, path: 'csv', message: (e as Error).message }]);
  }
  if (errors.length) throw new ValidationError(errors);
  // Published files may list the same cell twice (e.g. split rows); sum them.
  const merged = new Map<string, CbpRow>();
  for (const r of rows) {
    const k = [r.fy, r.month, r.component, r.region, r.landFilter, r.aor, r.drugType].join('\u0000');
    const prev = merged.get(k);
    if (prev) {
      prev.events += r.events;
      prev.lbs += r.lbs;
      prev.partial ||= r.partial;
    } else merged.set(k, { ...r });
  }
  const all = [...merged.values()];
  const partialYears = [...new Set(all.filter((r) => r.partial).map((r) => r.fy))].sort((a, b) => a - b);
  await db.transaction(async (tx) => {
    const col = <K extends keyof CbpRow>(k: K): CbpRow[K][] => all.map((r) => r[k]);
    await tx.query(
      `INSERT INTO cbp_seizure_stats (fy, month, component, region, land_filter, aor, drug_type, event_count, qty_lbs, partial, source_file)
       SELECT *, $11 FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::float8[], $10::boolean[])
       ON CONFLICT (fy, month, component, region, land_filter, aor, drug_type)
       DO UPDATE SET event_count = excluded.event_count, qty_lbs = excluded.qty_lbs, partial = excluded.partial, source_file = excluded.source_file, imported_at = now()`,
      [
        col('fy'),
        col('month'),
        col('component'),
        col('region'),
        col('landFilter'),
        col('aor'),
        col('drugType'),
        col('events'),
        col('lbs'),
        col('partial'),
        path.split('/').pop(),
      ],
    );
    await appendAudit(tx, {
      actor,
      action: 'cbp.import',
      target: path.split('/').pop(),
      details: { rows: all.length, partialYears },
    });
  });
  return { rows: all.length, seconds: (performance.now() - started) / 1000, partialYears };
}

/** CBP's published seizures by fiscal year and drug: events and pounds, summed over the other dimensions. */
export async function cbpPublished(
  tx: Sql,
): Promise<{ fy: number; drug_type: string; events: number; lbs: number; partial: boolean }[]> {
  // partial: the year was still running when CBP published it ("FYTD"), so its figures will grow.
  return tx.query(
    'SELECT fy, drug_type, sum(event_count)::int AS events, sum(qty_lbs) AS lbs, bool_or(partial) AS partial FROM cbp_seizure_stats GROUP BY 1, 2 ORDER BY 1, 2',
  );
}

// CSV out. Every cell a spreadsheet could take for a formula is neutralised: names,
// aliases and notes come from sources we do not control, and a cell such as
// =HYPERLINK("http://…") or +cmd|'/C calc'!A0 would run when an analyst opens the
// export (OWASP "CSV injection"). Such a cell is prefixed with an apostrophe, which
// spreadsheets show as text and do not display; the value is otherwise unchanged.
// Written here rather than with a CSV library because the neutralising is the point
// and the quoting (RFC 4180) is a few lines.

/** Characters that make a spreadsheet read a cell as a formula, including the full-width forms some locales accept. */
const FORMULA_START = /^[\s]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|^[\t\r\n]/;

/** A value as a cell: numbers as they are; text neutralised if it could be a formula, then quoted if needed. */
export function csvCell(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const text = FORMULA_START.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

type Cell = string | number | boolean | null | undefined;

/** One line, with its CRLF end (RFC 4180). */
export const csvRow = (cells: readonly Cell[]): string => `${cells.map(csvCell).join(',')}\r\n`;

/** The start of a CSV document: a BOM, so spreadsheets read UTF-8, and the header. */
export const csvHeader = (header: readonly string[]): string => `\uFEFF${csvRow(header)}`;

/** A whole CSV document. */
export function toCsv(header: readonly string[], rows: Iterable<readonly Cell[]>): string {
  let out = csvHeader(header);
  for (const r of rows) out += csvRow(r);
  return out;
}

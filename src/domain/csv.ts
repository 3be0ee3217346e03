/**
 * CSV as exports write it (RFC 4180): every cell quoted, quotes doubled, rows ended by CRLF. One
 * implementation for every export (the audit log, the sync history).
 */

/** One row (with its CRLF). */
export function csvRow(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/**
 * A CSV cell: quoted, quotes doubled (RFC 4180). A cell a spreadsheet would read as a formula
 * (starting with `=`, `+`, `-`, `@`, a tab or a carriage return: OWASP's CSV injection list)
 * gets a leading `'`, so a name such as `=HYPERLINK(…)` shows as text and never runs.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}

import {
  AUDIT_CSV_COLUMNS,
  type AuditExportFormat,
  type AuditLogEntry,
} from '#src/domain/contracts/audit.contract.ts';
import { csvRow } from '#src/domain/csv.ts';

/**
 * The audit export's two formats (issue 15): JSON Lines (one entry per line, the API's own
 * shape) and CSV (RFC 4180, one row per entry, safe to open in a spreadsheet).
 */

export const AUDIT_EXPORT_MEDIA_TYPES = {
  jsonl: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
} as const satisfies Record<AuditExportFormat, string>;

/** One entry as a JSON Lines line (with its newline). */
export function auditJsonLine(entry: AuditLogEntry): string {
  return `${JSON.stringify(entry)}\n`;
}

/** The CSV header row (with its CRLF). */
export function auditCsvHeader(): string {
  return csvRow(AUDIT_CSV_COLUMNS);
}

/** One entry as a CSV row (with its CRLF). */
export function auditCsvRow(entry: AuditLogEntry): string {
  const cells = {
    seq: String(entry.seq),
    at: entry.at.toISOString(),
    action: entry.action,
    outcome: entry.outcome,
    categories: entry.categories.join(' '),
    actor_id: entry.actor?.id ?? '',
    actor_name: entry.actor?.name ?? '',
    actor_email: entry.actor?.email ?? '',
    target_id: entry.target?.id ?? '',
    target_name: entry.target?.name ?? '',
    target_email: entry.target?.email ?? '',
    details: JSON.stringify(entry.details),
    request_id: entry.requestId ?? '',
    prev_hash: entry.prevHash,
    hash: entry.hash,
  } satisfies Record<(typeof AUDIT_CSV_COLUMNS)[number], string>;
  return csvRow(AUDIT_CSV_COLUMNS.map((column) => cells[column]));
}

import { z } from 'zod';

/**
 * The audit log's read contract (GET /api/audit-log, /export, /verify, /head; issue 15): the
 * routes declare these as their responses, the service returns their types, and the CLI reads
 * them as `Wire<…>`. Entries hold ids, counts and category names, never secrets (SPEC §7).
 */

export const auditPersonSchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    email: z.string().nullable(),
  })
  .describe('A user of your organization; name and email null if the user no longer exists');

export const auditLogEntrySchema = z.object({
  seq: z
    .number()
    .int()
    .describe("The entry's place in the chain: ascending, the order entries were written"),
  id: z.string().describe("The entry's identifier (its seq as a string)"),
  at: z.date(),
  action: z.string().describe('What was done: `sync_settings_to_user`, `sync_crm`, `revert`, …'),
  outcome: z
    .string()
    .describe(
      '`applied`, `dry_run`, `refused`, `failed`; for a bulk run also `started`, `cancel_requested`, `completed`, `cancelled`',
    ),
  categories: z.array(z.string()),
  actor: auditPersonSchema.nullable().describe('Who acted; null for the system'),
  target: auditPersonSchema.nullable().describe('Whom it was done to; null when nobody'),
  details: z
    .record(z.string(), z.unknown())
    .describe('Counts, ids and category names: never a secret'),
  requestId: z.string().nullable(),
  hash: z.string().describe("SHA-256 (hex) over prevHash and the entry's canonical JSON"),
  prevHash: z.string().describe("The previous entry's hash (64 zeros for the first)"),
});
export type AuditLogEntry = z.infer<typeof auditLogEntrySchema>;

export const auditLogPageSchema = z.object({
  entries: z.array(auditLogEntrySchema).describe('Newest first'),
  nextCursor: z.string().nullable(),
});
export type AuditLogPage = z.infer<typeof auditLogPageSchema>;

export const auditChainHeadSchema = z
  .object({
    seq: z.number().int().describe("The newest entry's seq (0: the chain is empty)"),
    hash: z.string().describe("The newest entry's hash (64 zeros: the chain is empty)"),
    at: z.date().nullable(),
  })
  .describe('The head of the chain: anchor it outside the database (docs/audit.md)');
export type AuditChainHead = z.infer<typeof auditChainHeadSchema>;

export const auditVerificationSchema = z.object({
  intact: z.boolean().describe('Every hash recomputed, each entry pointing at its predecessor'),
  checkedThrough: z.number().int().describe('The seq of the last entry found good (0: none)'),
  count: z.number().int().describe('Entries checked'),
  head: auditChainHeadSchema,
  brokenAt: z.number().int().optional().describe('The seq of the first entry found wrong'),
  reason: z
    .enum(['hash_mismatch', 'chain_broken'])
    .optional()
    .describe(
      '`hash_mismatch`: that entry was changed; `chain_broken`: an entry before it was removed or rewritten',
    ),
});
export type AuditVerification = z.infer<typeof auditVerificationSchema>;

export const AUDIT_EXPORT_FORMATS = ['jsonl', 'csv'] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

/** The columns of the CSV export, in order (JSON Lines has the entry's own fields). */
export const AUDIT_CSV_COLUMNS = [
  'seq',
  'at',
  'action',
  'outcome',
  'categories',
  'actor_id',
  'actor_name',
  'actor_email',
  'target_id',
  'target_name',
  'target_email',
  'details',
  'request_id',
  'prev_hash',
  'hash',
] as const;

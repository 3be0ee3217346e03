import { z } from 'zod';
import { changeCountsSchema } from '#src/domain/contracts/sync.contract.ts';

/**
 * Bulk Sync Settings / Sync CRM and bulk revert (issue 11, SPEC §6 Bulk): the run, its
 * aggregated summary and its per-member results as the routes declare them, the service returns
 * them and the web app and the CLI read them (as `Wire<…>`). Declared once.
 */

/** A bulk run's action; `revert` runs are started by POST /api/bulk-syncs/{id}/revert. */
export const BULK_ACTIONS = ['sync_settings', 'sync_crm', 'revert'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];
export const BULK_RUN_STATUSES = ['queued', 'running', 'completed', 'cancelled'] as const;
export type BulkRunStatus = (typeof BULK_RUN_STATUSES)[number];
/** A member's outcome; `would_change`: in a preview (dry run), a member the real run would change. */
export const BULK_MEMBER_STATUSES = [
  'pending',
  'applied',
  'would_change',
  'unchanged',
  'failed',
  'cancelled',
] as const;
export type BulkMemberStatus = (typeof BULK_MEMBER_STATUSES)[number];

/**
 * A time in a bulk answer. Coerced on the way out because an idempotent replay (the same
 * Idempotency-Key again) answers the stored JSON, where the time is already an ISO string.
 */
const instant = z.coerce.date();

/** The run of POST /api/bulk-syncs (and its retry and revert), its events and GET /api/bulk-syncs/{id}. */
export const bulkRunSchema = z.object({
  id: z.string(),
  action: z.enum(BULK_ACTIONS),
  dryRun: z.boolean().describe('A preview: the same diff per member, nothing written'),
  status: z.enum(BULK_RUN_STATUSES),
  categories: z.array(z.string()),
  total: z.number().int().describe('Members in the run'),
  done: z.number().int().describe('Members settled so far'),
  applied: z.number().int().describe('Members changed (in a preview: that would change)'),
  unchanged: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
  pending: z.number().int(),
  cancelRequested: z.boolean(),
  teamId: z.string().nullable().describe('The team the run was started for; null: a selection'),
  retryOf: z.string().nullable().describe('A retry of failed: the run it retries'),
  revertsRunId: z.string().nullable().describe('A revert run: the run it reverts'),
  trigger: z
    .enum(['manual', 'follow'])
    .describe(
      "`follow`: started by a follow policy (the source admin's change, or a member joining)",
    ),
  actorId: z.string(),
  createdAt: instant,
  startedAt: instant.nullable(),
  finishedAt: instant.nullable(),
  etaSeconds: z
    .number()
    .int()
    .nullable()
    .describe('Seconds left at the pace so far; null before the first member or once finished'),
});
export type BulkRun = z.infer<typeof bulkRunSchema>;

/** GET /api/bulk-syncs: the organization's latest runs, newest first. */
export const bulkRunListSchema = z.object({ items: z.array(bulkRunSchema) });
export type BulkRunList = z.infer<typeof bulkRunListSchema>;

/** One member's outcome in a run. */
export const bulkMemberResultSchema = z.object({
  memberId: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  status: z.enum(BULK_MEMBER_STATUSES),
  errorCode: z.string().nullable().describe('Why the member failed: a problem `code`'),
  syncRunId: z.string().nullable().describe("The member's history entry"),
  counts: z
    .unknown()
    .describe(
      'What changed (or would): Sync Settings, per category `{added, updated, removed, unchanged}`; Sync CRM, `{copied, crms: [{crm, ownerProperty}]}`; null before the member is settled or when nothing was counted',
    ),
  finishedAt: instant.nullable(),
});
export type BulkMemberResult = z.infer<typeof bulkMemberResultSchema>;

/** One row of the aggregated preview: a category's counts summed over the members. */
export const bulkSummaryCategorySchema = changeCountsSchema.extend({
  category: z.string(),
  members: z.number().int().describe('How many members this category changes (or would)'),
});
export type BulkSummaryCategory = z.infer<typeof bulkSummaryCategorySchema>;

export const bulkSummarySchema = z.object({
  membersChanging: z.number().int(),
  categories: z.array(bulkSummaryCategorySchema),
});
export type BulkSummary = z.infer<typeof bulkSummarySchema>;

/** GET /api/bulk-syncs/{id}: the run, its aggregated summary and one page of per-member results. */
export const bulkRunDetailSchema = z.object({
  run: bulkRunSchema,
  summary: bulkSummarySchema.describe(
    "Per category, the sums of the members' counts (the aggregated preview)",
  ),
  results: z.object({
    items: z.array(bulkMemberResultSchema),
    nextCursor: z.string().nullable(),
  }),
});
export type BulkRunDetail = z.infer<typeof bulkRunDetailSchema>;

/** The events of GET /api/bulk-syncs/{id}/events: `progress` as the run moves, then `done`. */
export const BULK_RUN_EVENTS = ['progress', 'done'] as const;
export type BulkRunEvent = (typeof BULK_RUN_EVENTS)[number];

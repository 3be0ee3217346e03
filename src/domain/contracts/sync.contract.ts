import { z } from 'zod';
import { CRM_FAILURE_CODES, CRM_KEYS } from '#src/domain/crm.ts';
import { CATEGORY_KEYS } from '#src/domain/settings/categories.ts';
import {
  DRIFT_STATES,
  SYNC_ACTIONS,
  SYNC_STATUSES,
} from '#src/domain/contracts/members.contract.ts';

/**
 * Sync Settings to User, its preview, drift, revert and history (SPEC §3, §6): the shapes the
 * engine returns, the routes declare and the clients read (as `Wire<…>`). Declared once.
 */

/** The counts of SPEC §3, per category. */
export const changeCountsSchema = z.object({
  added: z.number().int(),
  updated: z.number().int(),
  removed: z.number().int(),
  unchanged: z.number().int(),
});
export type ChangeCounts = z.infer<typeof changeCountsSchema>;

/**
 * One item a sync adds, changes or removes: a property, a stage, a template, a domain, a field.
 * CRM keys: `before`/`after` are masked fingerprints such as `fp:1a2b3c4d`, never keys.
 */
export const itemChangeSchema = z.object({
  key: z.string(),
  change: z.enum(['added', 'updated', 'removed']),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});
export type ItemChange = z.infer<typeof itemChangeSchema>;

export const categoryResultSchema = z.object({
  category: z.enum(CATEGORY_KEYS),
  label: z.string(),
  status: z
    .enum(['applied', 'skipped'])
    .describe('`applied` (or would be, in a preview) or `skipped` with the reason in notes'),
  counts: changeCountsSchema,
  notes: z.array(z.string()),
  changed: z
    .boolean()
    .describe("Whether the sync changes this category's stored value at all (a reorder counts)"),
  changes: z
    .array(itemChangeSchema)
    .describe('The items behind the counts, with before and after (CRM keys: masked fingerprints)'),
});
export type CategoryResult = z.infer<typeof categoryResultSchema>;

export const syncSettingsResultSchema = z.object({
  syncId: z.string().nullable().describe('The history entry; null for a dry run (preview)'),
  dryRun: z.boolean(),
  targetUserId: z.string(),
  changed: z
    .boolean()
    .describe(
      'False when the member already had these settings: nothing was (or would be) written',
    ),
  categories: z.array(categoryResultSchema),
});
export type SyncSettingsResult = z.infer<typeof syncSettingsResultSchema>;

export const revertResultSchema = z.object({
  syncId: z.string(),
  revertedSyncId: z.string(),
  targetUserId: z.string(),
  categories: z.array(z.enum(CATEGORY_KEYS)),
});
export type RevertResult = z.infer<typeof revertResultSchema>;

export const driftSourceSchema = z.object({ id: z.string(), name: z.string() });
export type DriftSource = z.infer<typeof driftSourceSchema>;

/** GET /api/members/{userId}/drift: what Sync Settings from the admin would change, item by item. */
export const memberDriftReportSchema = z.object({
  memberId: z.string(),
  from: driftSourceSchema,
  driftCount: z.number().int(),
  categories: z.array(categoryResultSchema.extend({ state: z.enum(DRIFT_STATES) })),
});
export type MemberDriftReport = z.infer<typeof memberDriftReportSchema>;

/** One entry of the sync history (GET /api/syncs). */
export const syncHistoryItemSchema = z.object({
  id: z.string(),
  action: z.enum(SYNC_ACTIONS),
  status: z.enum(SYNC_STATUSES),
  categories: z.array(z.string()),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  targetId: z.string().nullable(),
  targetName: z.string().nullable(),
  sourceUserId: z.string().nullable(),
  createdAt: z.date(),
  result: z.unknown().describe('Per-category counts and notes (Sync CRM: per CRM); never secrets'),
  revertsSyncId: z.string().nullable(),
  revertedBySyncId: z.string().nullable(),
});
export type SyncHistoryItem = z.infer<typeof syncHistoryItemSchema>;

export const syncHistoryPageSchema = z.object({
  items: z.array(syncHistoryItemSchema),
  nextCursor: z.string().nullable(),
});
export type SyncHistoryPage = z.infer<typeof syncHistoryPageSchema>;

/** What the owner-property step did in one CRM (SPEC §3: idempotent; a second run creates nothing). */
export const OWNER_PROPERTY_OUTCOMES = [
  'created',
  'option_added',
  'option_updated',
  'already_present',
  'not_permitted',
] as const;
export type OwnerPropertyOutcome = (typeof OWNER_PROPERTY_OUTCOMES)[number];

/** A failed step: a stable code (the CRM error's kind) and a sentence a person can act on. */
export const crmStepFailureSchema = z.object({
  status: z.literal('failed'),
  code: z.enum(CRM_FAILURE_CODES),
  reason: z
    .string()
    .describe('In words, naming the CRM ("HubSpot did not answer within 10 seconds…")'),
  detail: z
    .string()
    .optional()
    .describe("The CRM's own answer or the transport error, for support (never secrets)"),
});
export type CrmStepFailure = z.infer<typeof crmStepFailureSchema>;

export const crmOwnerStepResultSchema = z.object({
  crm: z.enum(CRM_KEYS),
  label: z.string(),
  owner: z.union([
    z.object({ status: z.literal('found'), id: z.string(), name: z.string() }),
    z.object({ status: z.literal('not_found') }),
    crmStepFailureSchema,
  ]),
  ownerProperty: z.union([
    z.object({
      status: z.enum([...OWNER_PROPERTY_OUTCOMES, 'skipped']),
      reason: z.string().optional(),
    }),
    crmStepFailureSchema,
  ]),
});
export type CrmOwnerStepResult = z.infer<typeof crmOwnerStepResultSchema>;

/** POST /api/members/{userId}/sync-crm (and its owner-properties retry). */
export const syncCrmResultSchema = z.object({
  syncId: z.string(),
  targetUserId: z.string(),
  status: z
    .enum(['applied', 'partial'])
    .describe(
      "`partial`: the keys were copied but some CRM's owner could not be checked (see `crms`); the history entry says so too",
    ),
  copied: z
    .array(z.enum(CRM_KEYS))
    .describe('CRMs whose keys were copied from the organization admin'),
  message: z.string(),
  crms: z.array(crmOwnerStepResultSchema).describe('The owner-property step, per copied CRM'),
});
export type SyncCrmResult = z.infer<typeof syncCrmResultSchema>;

/**
 * GET /api/members/{userId}/sync-crm/preview: what Sync CRM would do to the member's CRM
 * connections, per CRM and without secrets, so the console can confirm before it overwrites.
 */
export const syncCrmPreviewSchema = z.object({
  targetUserId: z.string(),
  from: z
    .object({ id: z.string(), name: z.string() })
    .nullable()
    .describe(
      'The organization admin whose keys Sync CRM copies (null: the organization has none)',
    ),
  copies: z
    .array(z.enum(CRM_KEYS))
    .describe("The organization admin's CRMs: Sync CRM copies their keys"),
  replaces: z
    .array(z.enum(CRM_KEYS))
    .describe("The member's own connections Sync CRM would overwrite with different keys"),
  unchanged: z
    .array(z.enum(CRM_KEYS))
    .describe('Connections the member already has with the same keys: not written'),
  kept: z
    .array(z.enum(CRM_KEYS))
    .describe("The member's connections the organization admin lacks: left as they are"),
});
export type SyncCrmPreview = z.infer<typeof syncCrmPreviewSchema>;

/**
 * The sync history's filters (GET /api/syncs and its CSV export): the member synced to, the admin
 * who ran it, the action, the status and a time range (`since` inclusive, `until` exclusive).
 */
export interface SyncHistoryFilter {
  memberId?: string;
  actorId?: string;
  action?: (typeof SYNC_ACTIONS)[number];
  status?: (typeof SYNC_STATUSES)[number];
  since?: Date;
  until?: Date;
}

/** The columns of the sync history's CSV export, in order. */
export const SYNC_HISTORY_CSV_COLUMNS = [
  'id',
  'at',
  'action',
  'status',
  'categories',
  'admin_id',
  'admin_name',
  'member_id',
  'member_name',
  'reverts_sync_id',
  'reverted_by_sync_id',
  'result',
] as const;

/**
 * POST /api/members/{userId}/sync-crm with `Accept: application/x-ndjson`: the same run, told
 * as it happens, one JSON event per line: `copied` once the keys are committed, `crm` as each
 * CRM's owner-property step finishes, then `result` (the JSON answer's body) or `problem` (an
 * error after the stream began; one before it is an ordinary problem response).
 */
export const syncCrmEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('copied'),
    syncId: z.string(),
    copied: z.array(z.enum(CRM_KEYS)),
    message: z.string(),
  }),
  z.object({ type: z.literal('crm'), step: crmOwnerStepResultSchema }),
  z.object({ type: z.literal('result'), result: syncCrmResultSchema }),
  z.object({
    type: z.literal('problem'),
    problem: z.object({ status: z.number().int(), code: z.string(), detail: z.string() }),
  }),
]);
export type SyncCrmEvent = z.infer<typeof syncCrmEventSchema>;
/** What the use case reports while it runs (the route adds `result` and `problem`). */
export type SyncCrmProgress = Extract<SyncCrmEvent, { type: 'copied' | 'crm' }>;

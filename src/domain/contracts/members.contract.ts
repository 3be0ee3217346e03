import { z } from 'zod';
import { CRM_KEYS } from '#src/domain/crm.ts';
import { MEMBER_ACTIONS } from '#src/domain/member-actions.ts';
import { ROLES, USER_STATUSES } from '#src/domain/roles.ts';
import { CATEGORY_KEYS } from '#src/domain/settings/categories.ts';

/**
 * The member table's contract (GET /api/teams/{teamId}/members, GET /api/members): the server
 * declares these as its responses, its services return their types, and the web app and the CLI
 * read them as `Wire<…>` (src/domain/contracts/wire.ts). One declaration; no copies.
 */

export const SYNC_ACTIONS = ['sync_crm', 'sync_settings', 'revert'] as const;
export type SyncAction = (typeof SYNC_ACTIONS)[number];
/**
 * `partial`: a Sync CRM whose keys were copied but whose owner-property step failed in some CRM
 * (issue 14); like `applied`, its changes are in place and can be reverted.
 */
export const SYNC_STATUSES = ['applied', 'partial', 'dry_run', 'failed', 'refused'] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];
export const DRIFT_STATES = ['in_sync', 'differs'] as const;
/** Would Sync Settings from the admin change this category of the member's dashboard? */
export type DriftState = (typeof DRIFT_STATES)[number];

export const teamSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  memberCount: z.number().int(),
});
export type TeamSummary = z.infer<typeof teamSummarySchema>;

export const memberConnectionSchema = z.object({
  crm: z.enum(CRM_KEYS),
  status: z.enum(['connected', 'reconnect_needed']),
  via: z.enum(['key', 'oauth']),
});

export const driftByCategorySchema = z.partialRecord(z.enum(CATEGORY_KEYS), z.enum(DRIFT_STATES));

export const memberRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: z.enum(ROLES),
  status: z.enum(USER_STATUSES),
  hasDashboard: z.boolean(),
  teams: z.array(z.object({ id: z.string(), name: z.string() })),
  lastSync: z
    .object({
      at: z.date(),
      byUserId: z.string().nullable(),
      byName: z.string().nullable(),
      action: z.enum(SYNC_ACTIONS),
      categories: z.array(z.string()),
      status: z.enum(SYNC_STATUSES),
    })
    .nullable(),
  actions: z
    .array(z.enum(MEMBER_ACTIONS))
    .describe("What the row's action menu offers you; the server checks again on use"),
  connections: z
    .array(memberConnectionSchema)
    .describe("The member's CRM connections and their health"),
  drift: driftByCategorySchema
    .optional()
    .describe(
      'With `driftFrom`: per category the admin has set, whether their Sync Settings would change it. Absent for rows without a dashboard and for your own row',
    ),
  driftCount: z.number().int().optional().describe('How many of those categories differ'),
  followStates: z
    .partialRecord(z.enum(CATEGORY_KEYS), z.enum(['overridden', 'paused']))
    .optional()
    .describe(
      'Followed categories this member does not follow now: `overridden` (their own edit) or `paused` (after a revert). Absent: none',
    ),
});
/** One row of the Admin member table. */
export type MemberRow = z.infer<typeof memberRowSchema>;

export const memberPageSchema = z.object({
  items: z.array(memberRowSchema),
  nextCursor: z.string().nullable(),
  total: z
    .number()
    .int()
    .optional()
    .describe(
      'All members, first page only (no cursor): how many members match the filters and search',
    ),
});
export type MemberPage = z.infer<typeof memberPageSchema>;

export const teamRemovalHeaders = z.object({
  'ergo-teams-left': z.string(),
  'ergo-warning': z.string().optional(),
});

export const memberUpdateSchema = z.object({
  id: z.string(),
  role: z.enum(ROLES),
  status: z.enum(USER_STATUSES),
});
export type MemberUpdate = z.infer<typeof memberUpdateSchema>;

export const primaryAdminTransferSchema = z.object({
  primaryAdmin: z.object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    role: z.enum(ROLES),
  }),
  previousPrimaryAdmin: z.object({ id: z.string(), role: z.enum(ROLES) }),
});
export type PrimaryAdminTransfer = z.infer<typeof primaryAdminTransferSchema>;

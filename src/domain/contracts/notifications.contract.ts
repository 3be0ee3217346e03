import { z } from 'zod';
import { CATEGORY_KEYS } from '#src/domain/settings/categories.ts';
import { SYNC_ACTIONS } from '#src/domain/contracts/members.contract.ts';
import { changeCountsSchema, itemChangeSchema } from '#src/domain/contracts/sync.contract.ts';

/**
 * In-app notifications (issue 16, ADR 0016): a member is told when a sync changed their
 * dashboard (who, when, which categories, the counts), and may restore their previous settings
 * for 7 days; an admin is told when a bulk run (or a follow push) finished with failures.
 * Notifications carry names, categories and counts, never values or secrets.
 */

export const NOTIFICATION_KINDS = ['dashboard_changed', 'bulk_failed', 'follow_failed'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** How long a member may restore their previous settings from a notification. */
export const RESTORE_WINDOW_DAYS = 7;

export const notificationCategorySchema = z.object({
  key: z.enum(CATEGORY_KEYS),
  label: z.string(),
  counts: changeCountsSchema.nullable().describe('Null for a revert (it restores a snapshot)'),
  notes: z.array(z.string()),
});

export const notificationSchema = z.object({
  id: z.string(),
  kind: z.enum(NOTIFICATION_KINDS),
  title: z.string().describe('One sentence: who did what'),
  createdAt: z.date(),
  readAt: z.date().nullable(),
  actor: z.object({ id: z.string(), name: z.string() }).nullable(),
  syncRunId: z.string().nullable(),
  bulkRunId: z.string().nullable(),
  action: z.enum(SYNC_ACTIONS).nullable(),
  categories: z.array(notificationCategorySchema),
  restore: z
    .object({
      available: z.boolean(),
      until: z.date(),
      reason: z
        .string()
        .nullable()
        .describe('Why "Restore my previous settings" is not offered, when it is not'),
      restoredBySyncId: z.string().nullable(),
    })
    .nullable()
    .describe('Only for a change to your dashboard'),
  bulk: z
    .object({ total: z.number().int(), failed: z.number().int(), teamId: z.string().nullable() })
    .nullable()
    .describe('Only for a bulk run that finished with failures'),
});
export type Notification = z.infer<typeof notificationSchema>;

export const notificationListSchema = z.object({
  unreadCount: z.number().int(),
  notifications: z.array(notificationSchema),
});
export type NotificationList = z.infer<typeof notificationListSchema>;

export const unreadCountSchema = z.object({ unreadCount: z.number().int() });

/**
 * How far "Review changes" can show a category: `current`, the items the sync changed (the
 * member's value is still what the sync left); `changed_since`, the member (or a later sync or
 * revert) changed it since; `not_shown`, never itemised here (CRM keys, a revert).
 */
export const CHANGE_REVIEW_STATUSES = ['current', 'changed_since', 'not_shown'] as const;
export type ChangeReviewStatus = (typeof CHANGE_REVIEW_STATUSES)[number];

export const notificationCategoryChangesSchema = z.object({
  key: z.enum(CATEGORY_KEYS),
  label: z.string(),
  status: z
    .enum(CHANGE_REVIEW_STATUSES)
    .describe(
      '`current`: the items below; `changed_since`: changed since the sync, not shown; `not_shown`: see the note',
    ),
  changes: z
    .array(itemChangeSchema)
    .describe(
      'What the sync added, changed or removed, with before and after (empty unless `current`)',
    ),
  note: z.string().nullable().describe('Why the items are not shown, when they are not'),
});
export type NotificationCategoryChanges = z.infer<typeof notificationCategoryChangesSchema>;

/**
 * GET /api/me/notifications/{notificationId}/changes: "Review changes" of a change to your
 * dashboard, item by item (never secrets: CRM keys are not itemised).
 */
export const notificationChangesSchema = z.object({
  notificationId: z.string(),
  syncRunId: z.string(),
  categories: z.array(notificationCategoryChangesSchema),
});
export type NotificationChanges = z.infer<typeof notificationChangesSchema>;

/** GET and PUT /api/me/notification-preferences: the optional email digest. */
export const notificationPreferencesSchema = z.object({
  emailDigest: z.boolean().describe('Email me a digest of my unread notifications'),
});
export type NotificationPreferences = z.infer<typeof notificationPreferencesSchema>;

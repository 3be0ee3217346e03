import { z } from 'zod';
import { CATEGORY_KEYS } from '#src/domain/settings/categories.ts';
import { SYNC_ACTIONS } from '#src/domain/contracts/members.contract.ts';
import { changeCountsSchema } from '#src/domain/contracts/sync.contract.ts';

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

/** GET and PUT /api/me/notification-preferences: the optional email digest. */
export const notificationPreferencesSchema = z.object({
  emailDigest: z.boolean().describe('Email me a digest of my unread notifications'),
});
export type NotificationPreferences = z.infer<typeof notificationPreferencesSchema>;

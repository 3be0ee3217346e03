import { useQuery } from '@tanstack/react-query';
import type { NotificationChanges as ContractNotificationChanges } from '#src/domain/contracts/notifications.contract.ts';
import type { Wire } from '#src/domain/contracts/wire.ts';
import { notificationsQueryKey } from '#src/web/features/notifications/api/get-notifications.ts';
import { api } from '#src/web/lib/api-client.ts';

/** "Review changes" of one notification (GET /api/me/notifications/{id}/changes), as JSON. */
export type NotificationChanges = Wire<ContractNotificationChanges>;
export type NotificationCategoryChanges = NotificationChanges['categories'][number];

/**
 * Under the list's key: when the list is read again (marked read, restored), an open "Review
 * changes" is too, so a restore shows its categories as changed since.
 */
export function notificationChangesQueryKey(id: string) {
  return [...notificationsQueryKey, id, 'changes'] as const;
}

export async function getNotificationChanges(id: string): Promise<NotificationChanges> {
  return api<NotificationChanges>(`/api/me/notifications/${encodeURIComponent(id)}/changes`);
}

/** The items a sync changed on your dashboard: read when "Review changes" is opened. */
export function useNotificationChanges(id: string, enabled: boolean) {
  return useQuery({
    queryKey: notificationChangesQueryKey(id),
    queryFn: () => getNotificationChanges(id),
    enabled,
    staleTime: 30_000,
  });
}

import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { RevertResult } from '#src/domain/contracts/sync.contract.ts';
import type { Wire } from '#src/domain/contracts/wire.ts';
import { mySettingsQueryKey } from '#src/web/features/settings/api/get-my-settings.ts';
import {
  notificationsQueryKey,
  unreadCountQueryKey,
  type NotificationList,
} from '#src/web/features/notifications/api/get-notifications.ts';
import { api } from '#src/web/lib/api-client.ts';

/** The list and the bell's count (it shares the list's key prefix) read again. */
async function refresh(queryClient: QueryClient): Promise<void> {
  await queryClient.invalidateQueries({ queryKey: notificationsQueryKey });
}

/** Marks one notification read in the list shown now, before the server answers. */
function markReadLocally(queryClient: QueryClient, id: string | null): void {
  const now = new Date().toISOString();
  queryClient.setQueryData<number>(unreadCountQueryKey, (count) =>
    count === undefined ? count : id === null ? 0 : Math.max(0, count - 1),
  );
  queryClient.setQueryData<NotificationList>(notificationsQueryKey, (list) =>
    list
      ? {
          unreadCount: id === null ? 0 : Math.max(0, list.unreadCount - 1),
          notifications: list.notifications.map((n) =>
            (id === null || n.id === id) && n.readAt === null ? { ...n, readAt: now } : n,
          ),
        }
      : list,
  );
}

export async function markNotificationRead(id: string): Promise<void> {
  await api<undefined>(`/api/me/notifications/${encodeURIComponent(id)}/read`, { method: 'POST' });
}

export async function markAllNotificationsRead(): Promise<void> {
  await api<undefined>('/api/me/notifications/read-all', { method: 'POST' });
}

/** "Restore my previous settings": the revert of the sync the notification is about. */
export async function restoreFromNotification(id: string): Promise<Wire<RevertResult>> {
  return api<Wire<RevertResult>>(`/api/me/notifications/${encodeURIComponent(id)}/restore`, {
    method: 'POST',
  });
}

export function useMarkNotificationRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: markNotificationRead,
    onSuccess: (_, id) => {
      markReadLocally(queryClient, id);
    },
    onSettled: () => refresh(queryClient),
  });
}

export function useMarkAllNotificationsRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: markAllNotificationsRead,
    onSuccess: () => {
      markReadLocally(queryClient, null);
    },
    onSettled: () => refresh(queryClient),
  });
}

export function useRestoreFromNotification() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: restoreFromNotification,
    onSettled: async () => {
      await refresh(queryClient);
      // Your settings changed back (or, refused, may have changed meanwhile).
      await queryClient.invalidateQueries({ queryKey: mySettingsQueryKey });
    },
  });
}

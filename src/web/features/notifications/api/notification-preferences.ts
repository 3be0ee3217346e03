import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { NotificationPreferences } from '#src/domain/contracts/notifications.contract.ts';
import { api } from '#src/web/lib/api-client.ts';

export type { NotificationPreferences };

/** Not under the list's key: reading the list again does not read the preference again. */
export const notificationPreferencesQueryKey = ['notification-preferences'] as const;

export async function getNotificationPreferences(): Promise<NotificationPreferences> {
  return api<NotificationPreferences>('/api/me/notification-preferences');
}

export async function putNotificationPreferences(
  preferences: NotificationPreferences,
): Promise<NotificationPreferences> {
  return api<NotificationPreferences>('/api/me/notification-preferences', {
    method: 'PUT',
    body: preferences,
  });
}

/** Whether your unread notifications are also mailed to you as a digest. */
export function useNotificationPreferences() {
  return useQuery({
    queryKey: notificationPreferencesQueryKey,
    queryFn: getNotificationPreferences,
  });
}

/** Saves the preference; the answer (what the server kept) becomes the one shown. */
export function useSaveNotificationPreferences() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: putNotificationPreferences,
    onSuccess: (saved) => {
      queryClient.setQueryData(notificationPreferencesQueryKey, saved);
    },
  });
}

import { useQuery } from '@tanstack/react-query';
import type {
  Notification as ContractNotification,
  NotificationList as ContractNotificationList,
} from '#src/domain/contracts/notifications.contract.ts';
import type { Wire } from '#src/domain/contracts/wire.ts';
import { api, ApiError } from '#src/web/lib/api-client.ts';

/** One of your notifications (GET /api/me/notifications), as JSON. */
export type Notification = Wire<ContractNotification>;
export type NotificationList = Wire<ContractNotificationList>;

export const notificationsQueryKey = ['notifications'] as const;
export const unreadCountQueryKey = ['notifications', 'unread-count'] as const;

/** How often the header's bell asks for the unread count (and whenever the tab gets focus). */
export const UNREAD_POLL_MS = 30_000;

export async function getNotifications(): Promise<NotificationList> {
  return api<NotificationList>('/api/me/notifications');
}

/**
 * The bell's count. A session that ended is not the bell's to report: its background poll must
 * not send the person to Log in from a page with unsaved edits (those are kept only when their
 * Save meets the ended session, category-editor.tsx). The next thing they do says so instead.
 */
export async function getUnreadCount(): Promise<number> {
  try {
    const answer = await api<{ unreadCount: number }>('/api/me/notifications/unread-count');
    return answer.unreadCount;
  } catch (error) {
    if (error instanceof ApiError && error.code === 'unauthenticated') return 0;
    throw error;
  }
}

function newestFirst(list: NotificationList): NotificationList {
  return {
    ...list,
    notifications: [...list.notifications].sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
  };
}

/** Your notifications, newest first (whatever order they arrive in). */
export function useNotifications() {
  return useQuery({
    queryKey: notificationsQueryKey,
    queryFn: getNotifications,
    select: newestFirst,
    refetchOnWindowFocus: true,
  });
}

/** The bell's count: polled, and read again when the window gets focus. */
export function useUnreadCount() {
  return useQuery({
    queryKey: unreadCountQueryKey,
    queryFn: getUnreadCount,
    refetchInterval: UNREAD_POLL_MS,
    refetchOnWindowFocus: true,
    staleTime: 5_000,
  });
}

import { useUnreadCount } from '#src/web/features/notifications/api/get-notifications.ts';
import { Link } from '#src/web/lib/router.tsx';

/** "Notifications, 2 unread": the bell's accessible name says what its badge shows. */
export function bellLabel(unread: number): string {
  return unread > 0 ? `Notifications, ${String(unread)} unread` : 'Notifications';
}

/**
 * The header's bell, for everyone signed in: it opens Notifications, and its badge is the
 * unread count, polled every 30 seconds and read again when the window gets focus.
 */
export function NotificationBell() {
  const unread = useUnreadCount();
  const count = unread.data ?? 0;
  return (
    <Link
      to="/notifications"
      activePrefix="/notifications"
      className="bell"
      aria-label={bellLabel(count)}
      title={bellLabel(count)}
    >
      <svg
        className="bell-icon"
        viewBox="0 0 24 24"
        width="20"
        height="20"
        aria-hidden="true"
        focusable="false"
      >
        <path
          d="M12 3a6 6 0 0 0-6 6v3.6l-1.7 2.9A1 1 0 0 0 5.2 17h13.6a1 1 0 0 0 .9-1.5L18 12.6V9a6 6 0 0 0-6-6Zm-2.6 15.5a2.7 2.7 0 0 0 5.2 0Z"
          fill="currentColor"
        />
      </svg>
      {count > 0 ? (
        <span className="bell-badge" aria-hidden="true">
          {count > 99 ? '99+' : count}
        </span>
      ) : null}
    </Link>
  );
}

import { useRef } from 'react';
import type { Me } from '#src/web/features/auth/api/get-me.ts';
import { NotificationList } from '#src/web/features/notifications/components/notification-list.tsx';
import { isAdminRole } from '#src/web/lib/format.ts';

/** Notifications: what changed your dashboard, newest first (issue 16). */
export function NotificationsRoute({ me }: { me: Me }) {
  const heading = useRef<HTMLHeadingElement>(null);
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1 ref={heading} tabIndex={-1}>
            Notifications
          </h1>
          <p className="page-description">
            Each time a sync changes your dashboard: who changed it, when, and what. For 7 days you
            can restore your previous settings.
          </p>
        </div>
      </div>
      <NotificationList isAdmin={isAdminRole(me.user.role)} headingRef={heading} />
    </div>
  );
}

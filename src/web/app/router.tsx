import { useEffect } from 'react';
import { AdminRoute } from '#src/web/app/routes/admin.tsx';
import { AuditRoute } from '#src/web/app/routes/audit.tsx';
import { AllMembersRoute } from '#src/web/app/routes/all-members.tsx';
import { OrganizationRoute } from '#src/web/app/routes/organization.tsx';
import { TeamsRoute } from '#src/web/app/routes/teams.tsx';
import { HistoryRoute } from '#src/web/app/routes/history.tsx';
import { NotFoundRoute } from '#src/web/app/routes/not-found.tsx';
import { SettingsRoute } from '#src/web/app/routes/settings.tsx';
import { LoadingState } from '#src/web/components/ui/states.tsx';
import type { Me } from '#src/web/features/auth/api/get-me.ts';
import { isAdminRole } from '#src/web/lib/format.ts';
import { navigate, useLocation } from '#src/web/lib/router.tsx';

/**
 * The pages: /admin, /admin/members, /admin/teams, /admin/organization, /admin/history, /admin/audit,
 * /settings, /settings/:category, /settings/crm-connections.
 */
export function AppRoutes({ me }: { me: Me }) {
  const { pathname } = useLocation();
  const isAdmin = isAdminRole(me.user.role);
  const home = isAdmin ? '/admin' : '/settings';

  useEffect(() => {
    if (pathname === '/' || pathname === '/login') navigate(home, { replace: true });
  }, [pathname, home]);

  if (pathname === '/' || pathname === '/login') return <LoadingState label="Opening…" />;
  if (pathname === '/admin' || pathname === '/admin/') {
    return isAdmin ? <AdminRoute me={me} /> : <AdminOnly />;
  }
  if (pathname === '/admin/history') return isAdmin ? <HistoryRoute /> : <AdminOnly />;
  if (pathname === '/admin/audit') return isAdmin ? <AuditRoute /> : <AdminOnly />;
  if (pathname === '/admin/members') return isAdmin ? <AllMembersRoute me={me} /> : <AdminOnly />;
  if (pathname === '/admin/teams') return isAdmin ? <TeamsRoute me={me} /> : <AdminOnly />;
  if (pathname === '/admin/organization') {
    return isAdmin ? <OrganizationRoute me={me} /> : <AdminOnly />;
  }
  const settings = /^\/settings(?:\/([a-z-]+))?\/?$/.exec(pathname);
  if (settings) return <SettingsRoute slug={settings[1]} />;
  return <NotFoundRoute />;
}

function AdminOnly() {
  return (
    <NotFoundRoute
      title="This page is for admins."
      body="Only admins of your organization can open Admin and the sync history."
    />
  );
}

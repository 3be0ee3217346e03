import { useEffect } from 'react';
import { AdminRoute } from '#src/web/app/routes/admin.tsx';
import { AuditRoute } from '#src/web/app/routes/audit.tsx';
import { AllMembersRoute } from '#src/web/app/routes/all-members.tsx';
import { OrganizationRoute } from '#src/web/app/routes/organization.tsx';
import { TeamsRoute } from '#src/web/app/routes/teams.tsx';
import { HistoryRoute } from '#src/web/app/routes/history.tsx';
import { NotFoundRoute } from '#src/web/app/routes/not-found.tsx';
import { NotificationsRoute } from '#src/web/app/routes/notifications.tsx';
import { TeamPoliciesRoute } from '#src/web/app/routes/team-policies.tsx';
import { SettingsRoute } from '#src/web/app/routes/settings.tsx';
import { CATEGORIES } from '#src/domain/settings/categories.ts';
import { LoadingState } from '#src/web/components/ui/states.tsx';
import type { Me } from '#src/web/features/auth/api/get-me.ts';
import { slugOf } from '#src/web/features/settings/components/category-meta.ts';
import { isAdminRole } from '#src/web/lib/format.ts';
import { navigate, useLocation } from '#src/web/lib/router.tsx';

const ADMIN_PAGES: Record<string, string> = {
  '/admin': 'Admin',
  '/admin/members': 'All members',
  '/admin/teams': 'Teams',
  '/admin/history': 'Sync history',
  '/admin/audit': 'Audit log',
  '/admin/organization': 'Organization',
};

/** A team's follow policies: /admin/teams/{teamId}/policies. */
const TEAM_POLICIES = /^\/admin\/teams\/([^/]+)\/policies\/?$/;

const SETTINGS_PAGES: Record<string, string> = {
  ...Object.fromEntries(CATEGORIES.map((c) => [slugOf(c.key), c.label])),
  'crm-connections': 'CRM connections',
  'api-tokens': 'API tokens',
};

/**
 * Each page's title, as its heading names it ("Sync history", "My settings — Company details"):
 * the tab and the browser history say where you are. Never taken from the query string. Set by
 * the session gate (app.tsx), which also titles Log in and the pages open without a session.
 */
export function pageTitle(pathname: string, isAdmin: boolean): string {
  const path = pathname.length > 1 ? pathname.replace(/\/$/, '') : pathname;
  const admin = ADMIN_PAGES[path] ?? (TEAM_POLICIES.test(path) ? 'Follow policies' : undefined);
  if (admin !== undefined) return isAdmin ? admin : 'Admins only';
  if (path === '/notifications') return 'Notifications';
  const settings = /^\/settings(?:\/([a-z-]+))?$/.exec(path);
  if (settings) {
    if (settings[1] === undefined) return 'My settings';
    const label = SETTINGS_PAGES[settings[1]];
    return label === undefined || settings[1] === 'crm-keys'
      ? 'Page not found'
      : `My settings — ${label}`;
  }
  if (path === '/' || path === '/login') return 'Opening';
  return 'Page not found';
}

/**
 * The pages: /admin, /admin/members, /admin/teams, /admin/teams/:teamId/policies,
 * /admin/organization, /admin/history, /admin/audit, /settings, /settings/:category,
 * /settings/crm-connections, /notifications.
 */
export function AppRoutes({ me }: { me: Me }) {
  const { pathname } = useLocation();
  const isAdmin = isAdminRole(me.user.role);
  const home = isAdmin ? '/admin' : '/settings';

  // From /login the session gate (app.tsx) goes on to the page Log in was asked to return to.
  useEffect(() => {
    if (pathname === '/') navigate(home, { replace: true });
  }, [pathname, home]);

  if (pathname === '/' || pathname === '/login') return <LoadingState label="Opening…" />;
  if (pathname === '/admin' || pathname === '/admin/') {
    return isAdmin ? <AdminRoute me={me} /> : <AdminOnly />;
  }
  if (pathname === '/admin/history') return isAdmin ? <HistoryRoute /> : <AdminOnly />;
  if (pathname === '/admin/audit') return isAdmin ? <AuditRoute /> : <AdminOnly />;
  if (pathname === '/admin/members') return isAdmin ? <AllMembersRoute me={me} /> : <AdminOnly />;
  if (pathname === '/admin/teams') return isAdmin ? <TeamsRoute me={me} /> : <AdminOnly />;
  const policies = TEAM_POLICIES.exec(pathname);
  if (policies?.[1] !== undefined) {
    return isAdmin ? <TeamPoliciesRoute teamId={safeDecode(policies[1])} /> : <AdminOnly />;
  }
  if (pathname === '/notifications' || pathname === '/notifications/') {
    return <NotificationsRoute me={me} />;
  }
  if (pathname === '/admin/organization') {
    return isAdmin ? <OrganizationRoute me={me} /> : <AdminOnly />;
  }
  const settings = /^\/settings(?:\/([a-z-]+))?\/?$/.exec(pathname);
  if (settings) return <SettingsRoute slug={settings[1]} />;
  return <NotFoundRoute />;
}

/** A path segment as written when it is not valid percent-encoding (the server then says 404). */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function AdminOnly() {
  return (
    <NotFoundRoute
      title="This page is for admins."
      body="Only admins of your organization can open Admin and the sync history."
    />
  );
}

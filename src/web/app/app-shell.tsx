import type { ReactNode } from 'react';
import { Avatar } from '#src/web/components/ui/avatar.tsx';
import { Button } from '#src/web/components/ui/button.tsx';
import { useToast } from '#src/web/components/ui/toast.tsx';
import type { Me } from '#src/web/features/auth/api/get-me.ts';
import { useLogout } from '#src/web/features/auth/api/logout.ts';
import { NotificationBell } from '#src/web/features/notifications/components/notification-bell.tsx';
import { errorSummary } from '#src/web/lib/errors.ts';
import { isAdminRole, ROLE_LABELS } from '#src/web/lib/format.ts';
import { Link, navigate } from '#src/web/lib/router.tsx';

export function AppShell({ me, children }: { me: Me; children: ReactNode }) {
  const logout = useLogout();
  const toast = useToast();
  const isAdmin = isAdminRole(me.user.role);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <Link to="/" className="brand">
            <span className="brand-mark" aria-hidden="true">
              E
            </span>
            <span>Ergo Admin</span>
          </Link>
          {me.organization ? <span className="org-name">{me.organization.name}</span> : null}
          <nav className="main-nav" aria-label="Main">
            {isAdmin ? (
              <>
                <Link to="/admin">Admin</Link>
                <Link to="/admin/members" activePrefix="/admin/members">
                  All members
                </Link>
                <Link to="/admin/teams" activePrefix="/admin/teams">
                  Teams
                </Link>
                <Link to="/admin/history" activePrefix="/admin/history">
                  Sync history
                </Link>
                <Link to="/admin/audit" activePrefix="/admin/audit">
                  Audit log
                </Link>
                <Link to="/admin/organization" activePrefix="/admin/organization">
                  Organization
                </Link>
              </>
            ) : null}
            <Link to="/settings" activePrefix="/settings">
              My settings
            </Link>
          </nav>
          <div className="user-menu">
            <NotificationBell />
            <Avatar name={me.user.name} />
            <div className="user-text" title={`${me.user.email} · ${ROLE_LABELS[me.user.role]}`}>
              <span className="user-name">{me.user.name}</span>
              <span className="muted small">
                {me.user.email} · {ROLE_LABELS[me.user.role]}
              </span>
            </div>
            <Button
              size="sm"
              variant="ghost"
              busy={logout.isPending}
              onClick={() => {
                logout.mutate(undefined, {
                  onSuccess: () => {
                    navigate('/login');
                  },
                  onError: (error) => {
                    toast.show({
                      tone: 'error',
                      title: 'Log out failed',
                      body: errorSummary(error),
                    });
                  },
                });
              }}
            >
              Log out
            </Button>
          </div>
        </div>
      </header>
      <main id="main" className="content">
        {children}
      </main>
    </div>
  );
}

import { useEffect, useRef } from 'react';
import { AppShell } from '#src/web/app/app-shell.tsx';
import { AppProvider } from '#src/web/app/provider.tsx';
import { AppRoutes, pageTitle } from '#src/web/app/router.tsx';
import { Button } from '#src/web/components/ui/button.tsx';
import { ErrorCallout, LoadingState } from '#src/web/components/ui/states.tsx';
import { useMe } from '#src/web/features/auth/api/get-me.ts';
import { LoginForm } from '#src/web/features/auth/components/login-form.tsx';
import {
  loginPath,
  safeReturnPath,
  SESSION_EXPIRED_MESSAGE,
  takeLoggedOut,
} from '#src/web/features/auth/session-return.ts';
import { FinishSetup } from '#src/web/features/invitations/components/finish-setup.tsx';
import { AcceptInvitePage } from '#src/web/features/invitations/pages/accept-invite-page.tsx';
import { OutboxPage } from '#src/web/features/invitations/pages/outbox-page.tsx';
import { isAdminRole } from '#src/web/lib/format.ts';
import { navigate, useLocation } from '#src/web/lib/router.tsx';
import { useDocumentTitle } from '#src/web/lib/use-document-title.ts';

export function App() {
  return (
    <AppProvider>
      <SessionGate />
    </AppProvider>
  );
}

/**
 * Log in first; then the console. Without a session, any page of the console sends you to Log
 * in, which brings you back to that page (path and query string) afterwards; a session that
 * ended while the console was open says so there (issue 14 §4).
 */
function SessionGate() {
  const me = useMe();
  const { pathname, search, href } = useLocation();
  // Whether the console was shown to someone since the last visit to Log in.
  const signedIn = useRef(false);

  // Pages open without a session: accepting an invitation, and the demo's mail outbox.
  const publicPage = pathname === '/invite' || pathname === '/dev/outbox';
  const next = search.get('next');

  useEffect(() => {
    if (publicPage) return;
    if (me.data === null && pathname !== '/login') {
      const loggedOut = takeLoggedOut();
      navigate(loggedOut ? '/login' : loginPath({ from: href, expired: signedIn.current }), {
        replace: true,
        force: true,
      });
    }
    if (me.data && pathname === '/login') {
      navigate(safeReturnPath(next) ?? '/', { replace: true, force: true });
    }
    if (me.data) signedIn.current = true;
    else if (pathname === '/login') signedIn.current = false;
  }, [me.data, pathname, href, next, publicPage]);

  useDocumentTitle(
    pathname === '/invite'
      ? 'Accept your invitation'
      : pathname === '/dev/outbox'
        ? 'Outbox'
        : me.data === null
          ? 'Log in'
          : me.data === undefined
            ? 'Loading'
            : me.data.user.status === 'invited'
              ? 'Finish setting up'
              : pageTitle(pathname, isAdminRole(me.data.user.role)),
  );

  if (pathname === '/invite') return <AcceptInvitePage />;
  if (pathname === '/dev/outbox') return <OutboxPage />;

  if (me.isLoading) {
    return (
      <div className="center-screen">
        <LoadingState label="Loading Ergo Admin…" />
      </div>
    );
  }
  if (me.isError) {
    return (
      <div className="center-screen">
        <ErrorCallout
          error={me.error}
          action={<Button onClick={() => void me.refetch()}>Try again</Button>}
        />
      </div>
    );
  }
  if (!me.data) {
    return (
      <LoginForm notice={search.get('expired') === '1' ? SESSION_EXPIRED_MESSAGE : undefined} />
    );
  }
  // Invited, setup not finished: the one thing to do is finish it.
  if (me.data.user.status === 'invited') return <FinishSetup me={me.data} />;
  return (
    <AppShell me={me.data}>
      <AppRoutes me={me.data} />
    </AppShell>
  );
}

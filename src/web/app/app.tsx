import { useEffect } from 'react';
import { AppShell } from '#src/web/app/app-shell.tsx';
import { AppProvider } from '#src/web/app/provider.tsx';
import { AppRoutes } from '#src/web/app/router.tsx';
import { Button } from '#src/web/components/ui/button.tsx';
import { ErrorCallout, LoadingState } from '#src/web/components/ui/states.tsx';
import { useMe } from '#src/web/features/auth/api/get-me.ts';
import { LoginForm } from '#src/web/features/auth/components/login-form.tsx';
import { FinishSetup } from '#src/web/features/invitations/components/finish-setup.tsx';
import { AcceptInvitePage } from '#src/web/features/invitations/pages/accept-invite-page.tsx';
import { OutboxPage } from '#src/web/features/invitations/pages/outbox-page.tsx';
import { navigate, useLocation } from '#src/web/lib/router.tsx';

export function App() {
  return (
    <AppProvider>
      <SessionGate />
    </AppProvider>
  );
}

/** Log in first; then the console. */
function SessionGate() {
  const me = useMe();
  const { pathname } = useLocation();

  // Pages open without a session: accepting an invitation, and the demo's mail outbox.
  const publicPage = pathname === '/invite' || pathname === '/dev/outbox';

  useEffect(() => {
    if (publicPage) return;
    if (me.data === null && pathname !== '/login') navigate('/login', { replace: true });
    if (me.data && pathname === '/login') navigate('/', { replace: true });
  }, [me.data, pathname, publicPage]);

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
  if (!me.data) return <LoginForm />;
  // Invited, setup not finished: the one thing to do is finish it.
  if (me.data.user.status === 'invited') return <FinishSetup me={me.data} />;
  return (
    <AppShell me={me.data}>
      <AppRoutes me={me.data} />
    </AppShell>
  );
}

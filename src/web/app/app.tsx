import { useEffect } from 'react';
import { AppShell } from '#src/web/app/app-shell.tsx';
import { AppProvider } from '#src/web/app/provider.tsx';
import { AppRoutes } from '#src/web/app/router.tsx';
import { Button } from '#src/web/components/ui/button.tsx';
import { ErrorCallout, LoadingState } from '#src/web/components/ui/states.tsx';
import { useMe } from '#src/web/features/auth/api/get-me.ts';
import { LoginForm } from '#src/web/features/auth/components/login-form.tsx';
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

  useEffect(() => {
    if (me.data === null && pathname !== '/login') navigate('/login', { replace: true });
    if (me.data && pathname === '/login') navigate('/', { replace: true });
  }, [me.data, pathname]);

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
  return (
    <AppShell me={me.data}>
      <AppRoutes me={me.data} />
    </AppShell>
  );
}

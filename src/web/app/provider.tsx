import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { ConfirmDialog } from '#src/web/components/ui/confirm-dialog.tsx';
import { ToastProvider, useToast } from '#src/web/components/ui/toast.tsx';
import { getMe, meQueryKey, type Me } from '#src/web/features/auth/api/get-me.ts';
import { ApiError, setCsrfToken } from '#src/web/lib/api-client.ts';
import { isAdminRole } from '#src/web/lib/format.ts';
import { ActivePathProvider, navigate } from '#src/web/lib/router.tsx';
import { usePendingLeave } from '#src/web/lib/use-unsaved-changes.ts';

/** Every refused call of any query or mutation, for SessionWatch. */
const problemListeners = new Set<(error: ApiError) => void>();

function createQueryClient(): QueryClient {
  const onError = (error: unknown) => {
    if (error instanceof ApiError) for (const listener of problemListeners) listener(error);
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        refetchOnWindowFocus: false,
        retry: (failureCount, error) =>
          !(error instanceof ApiError && error.status >= 400 && error.status < 500) &&
          failureCount < 2,
      },
    },
  });
}

export const NO_LONGER_ADMIN = 'You are no longer an admin of this organization.';

/**
 * What a refused call says about the session (issue 14 §4, §8):
 * - 401 `unauthenticated` while signed in: the session ended (expired, logged out elsewhere,
 *   access turned off). The signed-in user is forgotten, and the session gate sends the person
 *   to Log in with "Your session expired", returning to this page afterwards (app.tsx).
 * - 403 `forbidden` to an admin: perhaps their role changed while the page was open. /api/me is
 *   read again; if they are no longer an admin, they are told so, the header loses the admin
 *   pages and they go to My settings. A 403 for any other reason changes nothing.
 */
function SessionWatch({ client }: { client: QueryClient }) {
  const toast = useToast();
  useEffect(() => {
    let checkingRole: Promise<void> | null = null;
    const listener = (error: ApiError) => {
      const me = client.getQueryData<Me | null>(meQueryKey);
      if (!me) return;
      if (error.code === 'unauthenticated') {
        setCsrfToken(undefined);
        client.setQueryData(meQueryKey, null);
        return;
      }
      if (error.code !== 'forbidden' || !isAdminRole(me.user.role) || checkingRole) return;
      checkingRole = client
        .query({ queryKey: meQueryKey, queryFn: getMe, staleTime: 0 })
        .then((fresh) => {
          if (!fresh || isAdminRole(fresh.user.role)) return;
          // Nothing read as an admin stays on screen.
          client.removeQueries({ predicate: (query) => query.queryKey[0] !== meQueryKey[0] });
          toast.show({
            tone: 'info',
            title: NO_LONGER_ADMIN,
            body: 'Your role is now Member, so Admin and the sync history are closed to you. Here are your own settings.',
            persistent: true,
          });
          navigate('/settings', { replace: true, force: true });
        })
        .catch(() => undefined)
        .finally(() => {
          checkingRole = null;
        });
    };
    problemListeners.add(listener);
    return () => {
      problemListeners.delete(listener);
    };
  }, [client, toast]);
  return null;
}

/** "Leave without saving?" when a page with unsaved edits would be left (use-unsaved-changes.ts). */
function UnsavedChangesPrompt() {
  const { pending, stay, leave } = usePendingLeave();
  return (
    <ConfirmDialog
      open={pending}
      onOpenChange={(open) => {
        if (!open) stay();
      }}
      title="Leave without saving?"
      description="You have unsaved changes on this page. If you leave now, they are lost."
      confirmLabel="Leave without saving"
      onConfirm={leave}
    />
  );
}

export function AppProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <SessionWatch client={queryClient} />
        <UnsavedChangesPrompt />
        <ActivePathProvider>{children}</ActivePathProvider>
      </ToastProvider>
    </QueryClientProvider>
  );
}

import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { ToastProvider } from '#src/web/components/ui/toast.tsx';
import { meQueryKey } from '#src/web/features/auth/api/get-me.ts';
import { ApiError } from '#src/web/lib/api-client.ts';
import { ActivePathProvider } from '#src/web/lib/router.tsx';

function createQueryClient(): QueryClient {
  // A session that ended (expired, logged out elsewhere, access turned off) sends the user to
  // Log in from wherever they are: re-reading /api/me answers null.
  const onError = (error: unknown) => {
    if (error instanceof ApiError && error.code === 'unauthenticated') {
      void client.invalidateQueries({ queryKey: meQueryKey });
    }
  };
  const client: QueryClient = new QueryClient({
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
  return client;
}

export function AppProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <ActivePathProvider>{children}</ActivePathProvider>
      </ToastProvider>
    </QueryClientProvider>
  );
}

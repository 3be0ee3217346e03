import { useMutation, useQueryClient } from '@tanstack/react-query';
import { meQueryKey } from '#src/web/features/auth/api/get-me.ts';
import { noteLoggedOut } from '#src/web/features/auth/session-return.ts';
import { api, setCsrfToken } from '#src/web/lib/api-client.ts';

export async function logout(): Promise<void> {
  await api<undefined>('/api/auth/logout', { method: 'POST' });
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: logout,
    onSettled: () => {
      noteLoggedOut();
      setCsrfToken(undefined);
      queryClient.clear();
      queryClient.setQueryData(meQueryKey, null);
    },
  });
}

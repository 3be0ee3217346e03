import { useMutation, useQueryClient } from '@tanstack/react-query';
import { meQueryKey } from '#src/web/features/auth/api/get-me.ts';
import { api, setCsrfToken } from '#src/web/lib/api-client.ts';

export interface LoginInput {
  email: string;
  password: string;
}

export async function login(input: LoginInput): Promise<{ csrfToken: string }> {
  const session = await api<{ csrfToken: string }>('/api/auth/login', {
    method: 'POST',
    body: input,
  });
  setCsrfToken(session.csrfToken);
  return session;
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: login,
    onSuccess: async () => {
      // Nothing cached from a previous user may survive a new session.
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== meQueryKey[0] });
      await queryClient.invalidateQueries({ queryKey: meQueryKey });
    },
  });
}

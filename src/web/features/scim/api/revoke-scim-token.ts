import { useMutation, useQueryClient } from '@tanstack/react-query';
import { scimTokensQueryKey } from '#src/web/features/scim/api/get-scim-tokens.ts';
import { api } from '#src/web/lib/api-client.ts';

export async function revokeScimToken(id: string): Promise<void> {
  await api<undefined>(`/api/scim-tokens/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function useRevokeScimToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revokeScimToken,
    onSettled: () => queryClient.invalidateQueries({ queryKey: scimTokensQueryKey }),
  });
}

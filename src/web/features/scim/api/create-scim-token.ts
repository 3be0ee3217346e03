import { useMutation, useQueryClient } from '@tanstack/react-query';
import { scimTokensQueryKey } from '#src/web/features/scim/api/get-scim-tokens.ts';
import { api } from '#src/web/lib/api-client.ts';

/** The created token: `token` is in this response only (it is stored hashed). */
export interface CreatedScimToken {
  id: string;
  name: string;
  token: string;
  createdAt: string;
}

export async function createScimToken(input: { name: string }): Promise<CreatedScimToken> {
  return api<CreatedScimToken>('/api/scim-tokens', { method: 'POST', body: input });
}

export function useCreateScimToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createScimToken,
    onSettled: () => queryClient.invalidateQueries({ queryKey: scimTokensQueryKey }),
  });
}

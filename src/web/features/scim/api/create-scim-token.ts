import { useMutation, useQueryClient } from '@tanstack/react-query';
import { scimTokensQueryKey } from '#src/web/features/scim/api/get-scim-tokens.ts';
import type {
  CreatedScimToken as CreatedScimTokenContract,
  CreateScimTokenBody,
} from '#src/domain/contracts/scim.contract.ts';
import type { Wire } from '#src/domain/contracts/wire.ts';
import { api } from '#src/web/lib/api-client.ts';

/** The created token: `token` is in this response only (it is stored hashed). */
export type CreatedScimToken = Wire<CreatedScimTokenContract>;

export async function createScimToken(input: CreateScimTokenBody): Promise<CreatedScimToken> {
  return api<CreatedScimToken>('/api/scim-tokens', { method: 'POST', body: input });
}

export function useCreateScimToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createScimToken,
    onSettled: () => queryClient.invalidateQueries({ queryKey: scimTokensQueryKey }),
  });
}

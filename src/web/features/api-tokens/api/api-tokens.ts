import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  ApiToken as ApiTokenContract,
  ApiTokenList,
  CreateApiTokenBody,
  CreatedApiToken as CreatedApiTokenContract,
} from '#src/domain/contracts/api-tokens.contract.ts';
import type { Wire } from '#src/domain/contracts/wire.ts';
import { api } from '#src/web/lib/api-client.ts';

/** Personal API tokens (GET/POST /api/me/api-tokens, DELETE …/:tokenId), typed by the contract. */
export type ApiToken = Wire<ApiTokenContract>;
export type CreatedApiToken = Wire<CreatedApiTokenContract>;

export const apiTokensQueryKey = ['me', 'api-tokens'] as const;

export function useApiTokens() {
  return useQuery({
    queryKey: apiTokensQueryKey,
    queryFn: () => api<Wire<ApiTokenList>>('/api/me/api-tokens'),
  });
}

export function useCreateApiToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateApiTokenBody) =>
      api<CreatedApiToken>('/api/me/api-tokens', { method: 'POST', body: input }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: apiTokensQueryKey }),
  });
}

export function useRevokeApiToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      api<undefined>(`/api/me/api-tokens/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: apiTokensQueryKey }),
  });
}

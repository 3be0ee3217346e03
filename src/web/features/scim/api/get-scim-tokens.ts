import { useQuery } from '@tanstack/react-query';
import type { ScimTokenSummary } from '#src/domain/contracts/scim.contract.ts';
import type { Wire } from '#src/domain/contracts/wire.ts';
import { api } from '#src/web/lib/api-client.ts';

/** One SCIM token as GET /api/scim-tokens lists it: never the token, its last 4 characters. */
export type ScimToken = Wire<ScimTokenSummary>;

export const scimTokensQueryKey = ['scim-tokens'] as const;

export async function getScimTokens(): Promise<ScimToken[]> {
  return api<ScimToken[]>('/api/scim-tokens');
}

export function useScimTokens() {
  return useQuery({ queryKey: scimTokensQueryKey, queryFn: getScimTokens });
}

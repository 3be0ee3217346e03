import { useQuery } from '@tanstack/react-query';
import { api } from '#src/web/lib/api-client.ts';

/** One SCIM token as GET /api/scim-tokens lists it: never the token, its last 4 characters. */
export interface ScimToken {
  id: string;
  name: string;
  hint: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export const scimTokensQueryKey = ['scim-tokens'] as const;

export async function getScimTokens(): Promise<ScimToken[]> {
  return api<ScimToken[]>('/api/scim-tokens');
}

export function useScimTokens() {
  return useQuery({ queryKey: scimTokensQueryKey, queryFn: getScimTokens });
}

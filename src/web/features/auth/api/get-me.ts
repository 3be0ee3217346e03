import { useQuery } from '@tanstack/react-query';
import { api, ApiError, setCsrfToken } from '#src/web/lib/api-client.ts';
import type { Me } from '#src/domain/contracts/auth.contract.ts';

export type { Me };

export const meQueryKey = ['me'] as const;

/** The signed-in user, or null when there is no session (the app then shows Log in). */
export async function getMe(): Promise<Me | null> {
  try {
    const me = await api<Me>('/api/me');
    setCsrfToken(me.csrfToken);
    return me;
  } catch (error) {
    if (error instanceof ApiError && error.code === 'unauthenticated') {
      setCsrfToken(undefined);
      return null;
    }
    throw error;
  }
}

export function useMe() {
  return useQuery({ queryKey: meQueryKey, queryFn: getMe, staleTime: 5 * 60_000 });
}

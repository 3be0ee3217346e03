import { useQuery } from '@tanstack/react-query';
import { api, ApiError, setCsrfToken } from '#src/web/lib/api-client.ts';
import type { Role, UserStatus } from '#src/web/lib/format.ts';

export interface Me {
  user: {
    id: string;
    organizationId: string;
    email: string;
    name: string;
    role: Role;
    status: UserStatus;
    hasDashboard: boolean;
  };
  organization: { id: string; name: string } | null;
  csrfToken: string;
}

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

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { MemberPage } from '#src/web/features/members/api/get-team-members.ts';
import { api } from '#src/web/lib/api-client.ts';
import type { UserStatus } from '#src/web/lib/format.ts';

/** "All members": the whole organization's member rows (GET /api/members). */
export interface OrganizationMemberQuery {
  q: string;
  cursor: string | undefined;
  /** A team id, `none` (members on no team), or undefined for everyone. */
  team: string | undefined;
  status: UserStatus | undefined;
  limit?: number;
}

export const organizationMembersQueryKey = (query?: OrganizationMemberQuery) =>
  query ? (['organization-members', query] as const) : (['organization-members'] as const);

export async function getOrganizationMembers(query: OrganizationMemberQuery): Promise<MemberPage> {
  return api<MemberPage>('/api/members', {
    query: {
      q: query.q.trim() || undefined,
      cursor: query.cursor,
      limit: query.limit ?? 25,
      team: query.team,
      status: query.status,
    },
  });
}

export function useOrganizationMembers(query: OrganizationMemberQuery) {
  return useQuery({
    queryKey: organizationMembersQueryKey(query),
    queryFn: () => getOrganizationMembers(query),
    placeholderData: keepPreviousData,
  });
}

import type { QueryClient } from '@tanstack/react-query';
import { organizationMembersQueryKey } from '#src/web/features/members/api/get-organization-members.ts';
import { teamMembersQueryKey } from '#src/web/features/members/api/get-team-members.ts';
import { teamsQueryKey } from '#src/web/features/members/api/get-teams.ts';

/** After a change to members or teams: every member list and the team counts read again. */
export async function invalidateMemberLists(queryClient: QueryClient): Promise<void> {
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: teamMembersQueryKey() }),
    queryClient.invalidateQueries({ queryKey: organizationMembersQueryKey() }),
    queryClient.invalidateQueries({ queryKey: teamsQueryKey }),
    queryClient.invalidateQueries({ queryKey: ['member-directory'] }),
  ]);
}

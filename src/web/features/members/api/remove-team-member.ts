import { useMutation, useQueryClient } from '@tanstack/react-query';
import { teamMembersQueryKey } from '#src/web/features/members/api/get-team-members.ts';
import { teamsQueryKey } from '#src/web/features/members/api/get-teams.ts';
import { api } from '#src/web/lib/api-client.ts';

export async function removeTeamMember(input: { teamId: string; userId: string }): Promise<void> {
  await api<undefined>(
    `/api/teams/${encodeURIComponent(input.teamId)}/members/${encodeURIComponent(input.userId)}`,
    { method: 'DELETE' },
  );
}

export function useRemoveTeamMember() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: removeTeamMember,
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: teamMembersQueryKey() });
      await queryClient.invalidateQueries({ queryKey: teamsQueryKey });
    },
  });
}

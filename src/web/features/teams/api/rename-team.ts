import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Team } from '#src/web/features/members/api/get-teams.ts';
import { invalidateMemberLists } from '#src/web/features/members/api/invalidate-members.ts';
import { api } from '#src/web/lib/api-client.ts';

export async function renameTeam(input: { teamId: string; name: string }): Promise<Team> {
  return api<Team>(`/api/teams/${encodeURIComponent(input.teamId)}`, {
    method: 'PATCH',
    body: { name: input.name },
  });
}

export function useRenameTeam() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: renameTeam,
    onSettled: () => invalidateMemberLists(queryClient),
  });
}

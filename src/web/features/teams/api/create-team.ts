import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Team } from '#src/web/features/members/api/get-teams.ts';
import { invalidateMemberLists } from '#src/web/features/members/api/invalidate-members.ts';
import { api } from '#src/web/lib/api-client.ts';

export async function createTeam(input: { name: string }): Promise<Team> {
  return api<Team>('/api/teams', { method: 'POST', body: { name: input.name } });
}

export function useCreateTeam() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createTeam,
    onSettled: () => invalidateMemberLists(queryClient),
  });
}

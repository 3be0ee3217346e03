import { useMutation, useQueryClient } from '@tanstack/react-query';
import { invalidateMemberLists } from '#src/web/features/members/api/invalidate-members.ts';
import { api } from '#src/web/lib/api-client.ts';

/** Deletes a team; its members stay in the organization. */
export async function deleteTeam(input: { teamId: string }): Promise<void> {
  await api<undefined>(`/api/teams/${encodeURIComponent(input.teamId)}`, { method: 'DELETE' });
}

export function useDeleteTeam() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteTeam,
    onSettled: () => invalidateMemberLists(queryClient),
  });
}

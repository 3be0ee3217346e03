import { useMutation, useQueryClient } from '@tanstack/react-query';
import { invalidateMemberLists } from '#src/web/features/members/api/invalidate-members.ts';
import { api } from '#src/web/lib/api-client.ts';

export async function addTeamMember(input: { teamId: string; userId: string }): Promise<void> {
  await api<undefined>(
    `/api/teams/${encodeURIComponent(input.teamId)}/members/${encodeURIComponent(input.userId)}`,
    { method: 'POST' },
  );
}

export function useAddTeamMember() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: addTeamMember,
    onSettled: () => invalidateMemberLists(queryClient),
  });
}

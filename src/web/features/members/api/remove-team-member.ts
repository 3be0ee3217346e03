import { useMutation, useQueryClient } from '@tanstack/react-query';
import { invalidateMemberLists } from '#src/web/features/members/api/invalidate-members.ts';
import { api } from '#src/web/lib/api-client.ts';

/**
 * Removes a member from a team (204). Removing their last team is allowed: they stay in the
 * organization, under "No team" (the server also says so in its `Ergo-Warning` header; the UI
 * warns before, from the row's teams).
 */
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
    onSettled: () => invalidateMemberLists(queryClient),
  });
}

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { invalidateMemberLists } from '#src/web/features/members/api/invalidate-members.ts';
import { api } from '#src/web/lib/api-client.ts';

/** Sends an invited member a new invitation link (the invitations routes; the old link stops). */
export async function resendInvitation(input: { userId: string }): Promise<unknown> {
  return api<unknown>(`/api/members/${encodeURIComponent(input.userId)}/invitation/resend`, {
    method: 'POST',
  });
}

export function useResendInvitation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: resendInvitation,
    onSettled: () => invalidateMemberLists(queryClient),
  });
}

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { invalidateMemberLists } from '#src/web/features/members/api/invalidate-members.ts';
import { api } from '#src/web/lib/api-client.ts';
import type { MemberUpdate } from '#src/domain/contracts/members.contract.ts';

export interface MemberPatch {
  userId: string;
  role?: 'admin' | 'member';
  status?: 'active' | 'deactivated';
}

export async function updateMember({ userId, ...patch }: MemberPatch): Promise<MemberUpdate> {
  return api(`/api/members/${encodeURIComponent(userId)}`, { method: 'PATCH', body: patch });
}

export function useUpdateMember() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateMember,
    onSettled: () => invalidateMemberLists(queryClient),
  });
}

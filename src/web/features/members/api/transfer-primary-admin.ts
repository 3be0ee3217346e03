import { useMutation, useQueryClient } from '@tanstack/react-query';
import { meQueryKey } from '#src/web/features/auth/api/get-me.ts';
import { invalidateMemberLists } from '#src/web/features/members/api/invalidate-members.ts';
import { api } from '#src/web/lib/api-client.ts';
import type { PrimaryAdminTransfer } from '#src/domain/contracts/members.contract.ts';

/** Hands the primary admin role to `userId` (primary admin only); you become an admin. */
export async function transferPrimaryAdmin(input: {
  userId: string;
}): Promise<PrimaryAdminTransfer> {
  return api<PrimaryAdminTransfer>('/api/organization/primary-admin', {
    method: 'POST',
    body: { userId: input.userId },
  });
}

export function useTransferPrimaryAdmin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: transferPrimaryAdmin,
    onSettled: async () => {
      await invalidateMemberLists(queryClient);
      // Your own role changed: the navigation and pages follow it.
      await queryClient.invalidateQueries({ queryKey: meQueryKey });
    },
  });
}

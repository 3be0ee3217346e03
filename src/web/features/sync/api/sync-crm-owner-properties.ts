import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { SyncCrmResult, SyncRequest } from '#src/web/features/sync/api/sync-crm.ts';
import { api } from '#src/web/lib/api-client.ts';

/** Re-runs only the owner-property step of Sync CRM (after a CRM-side failure). */
export async function syncCrmOwnerProperties({
  userId,
  idempotencyKey,
}: SyncRequest): Promise<SyncCrmResult> {
  return api<SyncCrmResult>(
    `/api/members/${encodeURIComponent(userId)}/sync-crm/owner-properties`,
    { method: 'POST', idempotencyKey },
  );
}

export function useSyncCrmOwnerProperties() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: syncCrmOwnerProperties,
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: ['team-members'] });
      await queryClient.invalidateQueries({ queryKey: ['sync-history'] });
    },
  });
}

import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { RevertResult } from '#src/domain/contracts/sync.contract.ts';
import { api } from '#src/web/lib/api-client.ts';

export type { RevertResult };

/** Undo: restores the member's values from before the sync (refused if they changed since). */
export async function revertSync(syncId: string): Promise<RevertResult> {
  return api<RevertResult>(`/api/syncs/${encodeURIComponent(syncId)}/revert`, { method: 'POST' });
}

export function useRevertSync() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revertSync,
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: ['sync-history'] });
      await queryClient.invalidateQueries({ queryKey: ['team-members'] });
      await queryClient.invalidateQueries({ queryKey: ['member-drift'] });
    },
  });
}

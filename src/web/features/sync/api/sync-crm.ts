import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { OwnerPropertyOutcome, SyncCrmResult } from '#src/domain/contracts/sync.contract.ts';
import { api } from '#src/web/lib/api-client.ts';

export type OwnerPropertyStatus = OwnerPropertyOutcome | 'failed' | 'skipped';

export type {
  CrmOwnerStepResult,
  CrmStepFailure,
  SyncCrmResult,
} from '#src/domain/contracts/sync.contract.ts';
export interface SyncRequest {
  userId: string;
  idempotencyKey: string;
}

/** Sync CRM: copies the organization admin's CRM keys, then ensures the CRM owner properties. */
export async function syncCrm({ userId, idempotencyKey }: SyncRequest): Promise<SyncCrmResult> {
  return api<SyncCrmResult>(`/api/members/${encodeURIComponent(userId)}/sync-crm`, {
    method: 'POST',
    idempotencyKey,
  });
}

export function useSyncCrm() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: syncCrm,
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: ['team-members'] });
      await queryClient.invalidateQueries({ queryKey: ['member-drift'] });
      await queryClient.invalidateQueries({ queryKey: ['sync-history'] });
    },
  });
}

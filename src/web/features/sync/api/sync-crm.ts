import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { CrmFailureCode, CrmKey } from '#src/domain/crm.ts';
import { api } from '#src/web/lib/api-client.ts';

export type OwnerPropertyStatus =
  | 'created'
  | 'option_added'
  | 'option_updated'
  | 'already_present'
  | 'not_permitted'
  | 'failed'
  | 'skipped';

/** A failed step: a stable code (rate_limited, quota_exhausted…) and a sentence for a person. */
export interface CrmStepFailure {
  status: 'failed';
  code: CrmFailureCode;
  reason: string;
}

/** The owner-property step of one CRM (SyncCrmResult.crms in sync-crm.service.ts). */
export interface CrmOwnerStepResult {
  crm: CrmKey;
  label: string;
  owner: { status: 'found'; id: string; name: string } | { status: 'not_found' } | CrmStepFailure;
  ownerProperty:
    { status: Exclude<OwnerPropertyStatus, 'failed'>; reason?: string } | CrmStepFailure;
}

export interface SyncCrmResult {
  syncId: string;
  targetUserId: string;
  /** CRMs whose keys were copied from the organization admin. */
  copied: CrmKey[];
  message: string;
  crms: CrmOwnerStepResult[];
}

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

import { useMutation } from '@tanstack/react-query';
import type { SyncCrmPreview } from '#src/domain/contracts/sync.contract.ts';
import { api } from '#src/web/lib/api-client.ts';

export type { SyncCrmPreview };

/**
 * What Sync CRM would do to the member's CRM connections: asked each time Sync CRM is selected
 * (never cached), so the confirmation names what would be replaced now.
 */
export async function getSyncCrmPreview(userId: string): Promise<SyncCrmPreview> {
  return api<SyncCrmPreview>(`/api/members/${encodeURIComponent(userId)}/sync-crm/preview`);
}

/** A step of the Sync CRM action rather than a view: a mutation, so each selection asks afresh. */
export function useSyncCrmPreview() {
  return useMutation({ mutationFn: getSyncCrmPreview });
}

import { useMutation } from '@tanstack/react-query';
import type { CategoryKey } from '#src/domain/settings/categories.ts';
import type { BulkRun } from '#src/web/features/bulk/api/get-bulk-sync.ts';
import { api, newIdempotencyKey } from '#src/web/lib/api-client.ts';

/** Who a bulk run is for: a selection of members, or a whole team (the server resolves it). */
/** A selection, or a team (`outOfSync`: only its members whose settings differ from yours). */
export type BulkTarget = { memberIds: string[] } | { teamId: string; outOfSync?: boolean };

export interface StartBulkSyncRequest {
  action: 'sync_settings' | 'sync_crm';
  target: BulkTarget;
  /** Sync Settings only. */
  categories?: CategoryKey[];
  /** A preview: the same diff per member, nothing written. Sync Settings only. */
  dryRun?: boolean;
}

/**
 * Starts a bulk Sync Settings or Sync CRM run (202 with the run). A team leaves out the primary
 * admin and you; the work happens in the background, one batch at a time.
 */
export async function startBulkSync({
  action,
  target,
  categories,
  dryRun,
}: StartBulkSyncRequest): Promise<BulkRun> {
  return api<BulkRun>('/api/bulk-syncs', {
    method: 'POST',
    body: {
      action,
      ...target,
      ...(categories ? { categories } : {}),
      ...(dryRun ? { dryRun } : {}),
    },
    idempotencyKey: newIdempotencyKey(),
  });
}

export function useStartBulkSync() {
  return useMutation({ mutationFn: startBulkSync });
}

import { useMutation } from '@tanstack/react-query';
import type { BulkRun } from '#src/web/features/bulk/api/get-bulk-sync.ts';
import { api, newIdempotencyKey } from '#src/web/lib/api-client.ts';

/** "Retry failed": a new run for the members that failed (409 `nothing_to_retry` if none). */
export async function retryBulkSync(runId: string): Promise<BulkRun> {
  return api<BulkRun>(`/api/bulk-syncs/${encodeURIComponent(runId)}/retry`, {
    method: 'POST',
    idempotencyKey: newIdempotencyKey(),
  });
}

export function useRetryBulkSync() {
  return useMutation({ mutationFn: retryBulkSync });
}

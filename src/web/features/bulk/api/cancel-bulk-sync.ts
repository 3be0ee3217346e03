import { useMutation } from '@tanstack/react-query';
import type { BulkRun } from '#src/web/features/bulk/api/get-bulk-sync.ts';
import { api } from '#src/web/lib/api-client.ts';

/** Asks a run to stop after the batches in progress (409 `bulk_run_finished` once it ended). */
export async function cancelBulkSync(runId: string): Promise<BulkRun> {
  return api<BulkRun>(`/api/bulk-syncs/${encodeURIComponent(runId)}/cancel`, { method: 'POST' });
}

export function useCancelBulkSync() {
  return useMutation({ mutationFn: cancelBulkSync });
}

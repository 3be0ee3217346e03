import { useMutation, useQueryClient } from '@tanstack/react-query';
import type {
  OwnerPropertyOutcome,
  SyncCrmEvent,
  SyncCrmProgress,
  SyncCrmResult,
} from '#src/domain/contracts/sync.contract.ts';
import { ERROR_CODES, type ErrorCode } from '#src/domain/errors.ts';
import { ApiError, apiEvents } from '#src/web/lib/api-client.ts';

export type OwnerPropertyStatus = OwnerPropertyOutcome | 'failed' | 'skipped';

export type {
  CrmOwnerStepResult,
  CrmStepFailure,
  SyncCrmProgress,
  SyncCrmResult,
} from '#src/domain/contracts/sync.contract.ts';
export interface SyncRequest {
  userId: string;
  idempotencyKey: string;
}

function isErrorCode(value: string): value is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * Sync CRM: copies the organization admin's CRM keys, then ensures the CRM owner properties.
 * Asked as events, so `onProgress` hears the copy and then each CRM as it finishes.
 */
export async function syncCrm({
  userId,
  idempotencyKey,
  onProgress,
}: SyncRequest & { onProgress?: (event: SyncCrmProgress) => void }): Promise<SyncCrmResult> {
  let result: SyncCrmResult | undefined;
  await apiEvents(
    `/api/members/${encodeURIComponent(userId)}/sync-crm`,
    { method: 'POST', idempotencyKey },
    (raw) => {
      // A server that answers plain JSON sends the result itself.
      if (raw !== null && typeof raw === 'object' && !('type' in raw)) {
        result = raw as SyncCrmResult;
        return;
      }
      const event = raw as SyncCrmEvent;
      switch (event.type) {
        case 'result':
          result = event.result;
          return;
        case 'problem': {
          const { status, code, detail } = event.problem;
          throw new ApiError(status, isErrorCode(code) ? code : 'internal', detail);
        }
        case 'copied':
        case 'crm':
          onProgress?.(event);
          return;
      }
    },
  );
  if (!result) {
    throw new ApiError(
      0,
      'internal',
      'The answer ended before Sync CRM did. Its entry in the sync history says how it ended.',
    );
  }
  return result;
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

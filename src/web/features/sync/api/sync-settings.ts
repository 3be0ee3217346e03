import { useMutation, useQueryClient } from '@tanstack/react-query';
import type {
  CategoryResult as ContractCategoryResult,
  SyncSettingsResult as ContractSyncSettingsResult,
} from '#src/domain/contracts/sync.contract.ts';
import type { Wire } from '#src/domain/contracts/wire.ts';
import type { CategoryKey } from '#src/domain/settings/categories.ts';
import { api } from '#src/web/lib/api-client.ts';

export type { ChangeCounts, ItemChange } from '#src/domain/contracts/sync.contract.ts';
export type CategoryResult = Wire<ContractCategoryResult>;
export type SyncSettingsResult = Wire<ContractSyncSettingsResult>;

export interface SyncSettingsRequest {
  userId: string;
  categories: CategoryKey[];
  dryRun: boolean;
  idempotencyKey: string;
}

/** Sync Settings to User; with `dryRun` it is the preview: the same diff, nothing written. */
export async function syncSettings({
  userId,
  categories,
  dryRun,
  idempotencyKey,
}: SyncSettingsRequest): Promise<SyncSettingsResult> {
  return api<SyncSettingsResult>(`/api/members/${encodeURIComponent(userId)}/sync-settings`, {
    method: 'POST',
    body: { categories, dryRun },
    idempotencyKey,
  });
}

export function useSyncSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: syncSettings,
    onSettled: async (_data, _error, variables) => {
      if (variables.dryRun) return;
      await queryClient.invalidateQueries({ queryKey: ['team-members'] });
      await queryClient.invalidateQueries({ queryKey: ['member-drift'] });
      await queryClient.invalidateQueries({ queryKey: ['sync-history'] });
    },
  });
}

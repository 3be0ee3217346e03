import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { CategoryKey } from '#src/domain/settings/categories.ts';
import { api } from '#src/web/lib/api-client.ts';

export interface ChangeCounts {
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
}

export interface CategoryResult {
  category: CategoryKey;
  label: string;
  status: 'applied' | 'skipped';
  counts: ChangeCounts;
  notes: string[];
}

export interface SyncSettingsResult {
  /** null for a preview (dry run), which writes nothing. */
  syncId: string | null;
  dryRun: boolean;
  targetUserId: string;
  categories: CategoryResult[];
}

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
      await queryClient.invalidateQueries({ queryKey: ['sync-history'] });
    },
  });
}

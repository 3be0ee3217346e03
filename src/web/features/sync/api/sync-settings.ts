import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { CategoryKey } from '#src/domain/settings/categories.ts';
import { api } from '#src/web/lib/api-client.ts';

export interface ChangeCounts {
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
}

/**
 * One item a sync adds, changes or removes: a property, a stage, a template, a domain, a field.
 * CRM keys: `before`/`after` are masked fingerprints such as `fp:1a2b3c4d`, never keys.
 */
export interface ItemChange {
  key: string;
  change: 'added' | 'updated' | 'removed';
  before?: unknown;
  after?: unknown;
}

export interface CategoryResult {
  category: CategoryKey;
  label: string;
  status: 'applied' | 'skipped';
  counts: ChangeCounts;
  notes: string[];
  /** Whether the sync changes (or changed) this category at all; older history entries lack it. */
  changed?: boolean;
  /** The items behind the counts; the history keeps only the counts. */
  changes?: ItemChange[];
}

export interface SyncSettingsResult {
  /** null for a preview (dry run), which writes nothing. */
  syncId: string | null;
  dryRun: boolean;
  targetUserId: string;
  /** False when the member already has these settings: nothing is (or would be) written. */
  changed: boolean;
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
      await queryClient.invalidateQueries({ queryKey: ['member-drift'] });
      await queryClient.invalidateQueries({ queryKey: ['sync-history'] });
    },
  });
}

import { useQuery } from '@tanstack/react-query';
import type { CategoryKey } from '#src/domain/settings/categories.ts';
import { api } from '#src/web/lib/api-client.ts';

/** One checkbox of the Sync Settings to User modal, in the guide's order. */
export interface SyncCategory {
  key: CategoryKey;
  label: string;
  defaultSelected: boolean;
  /** The one-line rule shown under the checkbox. */
  rule: string;
}

export async function getSyncCategories(): Promise<SyncCategory[]> {
  return api<SyncCategory[]>('/api/sync/categories');
}

export function useSyncCategories() {
  return useQuery({
    queryKey: ['sync-categories'],
    queryFn: getSyncCategories,
    staleTime: Infinity,
  });
}

import { useQuery } from '@tanstack/react-query';
import type { SyncCategory } from '#src/domain/contracts/meta.contract.ts';
import { api } from '#src/web/lib/api-client.ts';

/** One checkbox of the Sync Settings to User modal, in the guide's order. */
export type { SyncCategory };

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

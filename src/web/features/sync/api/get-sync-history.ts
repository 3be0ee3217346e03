import { useInfiniteQuery } from '@tanstack/react-query';
import type {
  SyncHistoryItem as ContractSyncHistoryItem,
  SyncHistoryPage as ContractSyncHistoryPage,
} from '#src/domain/contracts/sync.contract.ts';
import type { Wire } from '#src/domain/contracts/wire.ts';
import { api } from '#src/web/lib/api-client.ts';

export type SyncHistoryItem = Wire<ContractSyncHistoryItem>;
export type SyncHistoryPage = Wire<ContractSyncHistoryPage>;

export async function getSyncHistory(params: {
  memberId?: string | undefined;
  cursor?: string | undefined;
}): Promise<SyncHistoryPage> {
  return api<SyncHistoryPage>('/api/syncs', {
    query: { memberId: params.memberId, cursor: params.cursor, limit: 25 },
  });
}

/** The organization's sync history (or one member's), newest first, page by page. */
export function useSyncHistory(memberId: string | undefined) {
  return useInfiniteQuery({
    queryKey: ['sync-history', memberId ?? 'all'],
    queryFn: ({ pageParam }) => getSyncHistory({ memberId, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

import { useInfiniteQuery } from '@tanstack/react-query';
import type { CategoryKey } from '#src/domain/settings/categories.ts';
import { api } from '#src/web/lib/api-client.ts';

export interface SyncHistoryItem {
  id: string;
  action: 'sync_crm' | 'sync_settings' | 'revert';
  status: 'applied' | 'dry_run' | 'failed' | 'refused';
  categories: CategoryKey[];
  actorId: string | null;
  targetId: string | null;
  sourceUserId: string | null;
  createdAt: string;
  /** Per-category counts and notes; its shape depends on the action. */
  result: unknown;
  revertsSyncId: string | null;
  revertedBySyncId: string | null;
  /** Not sent by the server yet; used when present. */
  actorName?: string | null;
  targetName?: string | null;
}

export interface SyncHistoryPage {
  items: SyncHistoryItem[];
  nextCursor: string | null;
}

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

import { useInfiniteQuery } from '@tanstack/react-query';
import type { SyncAction, SyncStatus } from '#src/domain/contracts/members.contract.ts';
import type {
  SyncHistoryItem as ContractSyncHistoryItem,
  SyncHistoryPage as ContractSyncHistoryPage,
} from '#src/domain/contracts/sync.contract.ts';
import type { Wire } from '#src/domain/contracts/wire.ts';
import { api } from '#src/web/lib/api-client.ts';

export type SyncHistoryItem = Wire<ContractSyncHistoryItem>;
export type SyncHistoryPage = Wire<ContractSyncHistoryPage>;

/** The history page's filters: user ids, an action, a status, and dates (`to` inclusive). */
export interface HistoryFilter {
  memberId?: string | undefined;
  actorId?: string | undefined;
  action?: SyncAction | undefined;
  status?: SyncStatus | undefined;
  /** yyyy-mm-dd: syncs from the start of that day (UTC). */
  from?: string | undefined;
  /** yyyy-mm-dd: syncs up to the end of that day (UTC). */
  to?: string | undefined;
}

/** The API's query for a filter (GET /api/syncs and its export): `until` is the day after `to`. */
export function historyQuery(filter: HistoryFilter): Record<string, string | undefined> {
  return {
    memberId: filter.memberId || undefined,
    actorId: filter.actorId || undefined,
    action: filter.action,
    status: filter.status,
    since: filter.from || undefined,
    until: filter.to ? dayAfter(filter.to) : undefined,
  };
}

function dayAfter(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

export async function getSyncHistory(
  filter: HistoryFilter,
  cursor: string | undefined,
): Promise<SyncHistoryPage> {
  return api<SyncHistoryPage>('/api/syncs', {
    query: { ...historyQuery(filter), cursor, limit: 25 },
  });
}

/** The organization's sync history, filtered, newest first, page by page. */
export function useSyncHistory(filter: HistoryFilter) {
  const query = historyQuery(filter);
  return useInfiniteQuery({
    queryKey: ['sync-history', query],
    queryFn: ({ pageParam }) => getSyncHistory(filter, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** The CSV download of the filtered history (the browser sends the session cookie). */
export function historyExportUrl(filter: HistoryFilter): string {
  const params = new URLSearchParams({ format: 'csv' });
  for (const [key, value] of Object.entries(historyQuery(filter))) {
    if (value) params.set(key, value);
  }
  return `/api/syncs/export?${params.toString()}`;
}

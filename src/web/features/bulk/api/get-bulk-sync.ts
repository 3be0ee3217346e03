import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type {
  BulkMemberStatus,
  BulkRun as BulkRunContract,
  BulkRunDetail as BulkRunDetailContract,
} from '#src/domain/contracts/bulk.contract.ts';
import type { ChangeCounts } from '#src/domain/contracts/sync.contract.ts';
import type { Wire } from '#src/domain/contracts/wire.ts';
import { api } from '#src/web/lib/api-client.ts';

/*
 * The server's contract (src/domain/contracts/bulk.contract.ts) as the web app receives it:
 * `Wire<…>` turns its times into ISO strings. Nothing here is declared twice.
 */
export type { BulkMemberStatus };
/** The run of `POST /api/bulk-syncs`, its events stream and `GET /api/bulk-syncs/:id`. */
export type BulkRun = Wire<BulkRunContract>;
/** The run, its aggregated summary and one page of per-member results. */
export type BulkRunDetail = Wire<BulkRunDetailContract>;
export type BulkCounts = ChangeCounts;

export interface BulkResultsQuery {
  status?: BulkMemberStatus | undefined;
  cursor?: string | undefined;
  limit?: number;
}

export const bulkSyncQueryKey = (runId?: string, query?: BulkResultsQuery) =>
  runId === undefined
    ? (['bulk-sync'] as const)
    : query === undefined
      ? (['bulk-sync', runId] as const)
      : (['bulk-sync', runId, query] as const);

export async function getBulkSync(
  runId: string,
  query: BulkResultsQuery = {},
): Promise<BulkRunDetail> {
  return api<BulkRunDetail>(`/api/bulk-syncs/${encodeURIComponent(runId)}`, {
    query: { status: query.status, cursor: query.cursor, limit: query.limit },
  });
}

/** The run with its summary (one small page of results), e.g. for the aggregated preview. */
export function useBulkSync(runId: string | undefined, options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: bulkSyncQueryKey(runId, { limit: 1 }),
    queryFn: () => getBulkSync(runId ?? '', { limit: 1 }),
    enabled: runId !== undefined && (options.enabled ?? true),
  });
}

/** The per-member results of a run, page after page ("Show more"), optionally of one status. */
export function useBulkSyncResults(
  runId: string,
  options: { status?: BulkMemberStatus | undefined; enabled?: boolean; limit?: number } = {},
) {
  const limit = options.limit ?? 50;
  return useInfiniteQuery({
    queryKey: [...bulkSyncQueryKey(runId), 'results', options.status ?? 'all', limit] as const,
    queryFn: ({ pageParam }) =>
      getBulkSync(runId, { status: options.status, cursor: pageParam, limit }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.results.nextCursor ?? undefined,
    enabled: options.enabled ?? true,
    placeholderData: keepPreviousData,
  });
}

import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api } from '#src/web/lib/api-client.ts';

/** A bulk run's action; `revert` runs are started from elsewhere but read the same. */
export type BulkAction = 'sync_settings' | 'sync_crm' | 'revert';
export type BulkRunStatus = 'queued' | 'running' | 'completed' | 'cancelled';
/** `would_change`: in a preview (dry run), a member the real run would change. */
export type BulkMemberStatus =
  'pending' | 'applied' | 'would_change' | 'unchanged' | 'failed' | 'cancelled';

/** The run view of `POST /api/bulk-syncs`, its events stream and `GET /api/bulk-syncs/:id`. */
export interface BulkRun {
  id: string;
  action: BulkAction;
  dryRun: boolean;
  status: BulkRunStatus;
  categories: string[];
  total: number;
  done: number;
  /** Members changed (in a preview: that would change). */
  applied: number;
  unchanged: number;
  failed: number;
  cancelled: number;
  pending: number;
  cancelRequested: boolean;
  teamId: string | null;
  retryOf: string | null;
  actorId: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  etaSeconds: number | null;
}

export interface BulkCounts {
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
}

/** One member's outcome in a run. `counts`: per category, what changed (or would). */
export interface BulkMemberResult {
  memberId: string;
  name: string | null;
  email: string | null;
  status: BulkMemberStatus;
  errorCode: string | null;
  syncRunId: string | null;
  counts: unknown;
  finishedAt: string | null;
}

export interface BulkSummaryCategory extends BulkCounts {
  category: string;
  /** How many members this category changes (or would). */
  members: number;
}

export interface BulkRunDetail {
  run: BulkRun;
  /** The aggregated preview: summed over the members' stored counts. */
  summary: { membersChanging: number; categories: BulkSummaryCategory[] };
  results: { items: BulkMemberResult[]; nextCursor: string | null };
}

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

import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import type {
  AuditChainHead,
  AuditLogEntry as AuditLogEntryContract,
  AuditLogPage,
  AuditVerification,
} from '#src/domain/contracts/audit.contract.ts';
import type { Wire } from '#src/domain/contracts/wire.ts';
import { api } from '#src/web/lib/api-client.ts';

/** The audit log's read API (GET /api/audit-log, /verify, /head, /export), typed by the contract. */
export type AuditLogEntry = Wire<AuditLogEntryContract>;
export type ChainHead = Wire<AuditChainHead>;
export type ChainVerification = Wire<AuditVerification>;

/** The console's filters: user ids, an action, and a date range (dates, `until` inclusive). */
export interface AuditFilter {
  actor?: string | undefined;
  target?: string | undefined;
  action?: string | undefined;
  /** yyyy-mm-dd: entries from the start of that day (UTC). */
  from?: string | undefined;
  /** yyyy-mm-dd: entries up to the end of that day (UTC). */
  to?: string | undefined;
}

/** The API's query for a filter: `until` is exclusive, so the day after `to`. */
export function auditQuery(filter: AuditFilter): Record<string, string | undefined> {
  return {
    actor: filter.actor || undefined,
    target: filter.target || undefined,
    action: filter.action?.trim() || undefined,
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

export function useAuditLog(filter: AuditFilter) {
  const query = auditQuery(filter);
  return useInfiniteQuery({
    queryKey: ['audit-log', query],
    queryFn: ({ pageParam }) =>
      api<Wire<AuditLogPage>>('/api/audit-log', {
        query: { ...query, cursor: pageParam, limit: 50 },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useChainHead() {
  return useQuery({
    queryKey: ['audit-log', 'head'],
    queryFn: () => api<ChainHead>('/api/audit-log/head'),
  });
}

/** Recomputes the chain on the server (every hash): on demand, it reads every entry. */
export function useVerifyChain() {
  return useMutation({
    mutationFn: () => api<ChainVerification>('/api/audit-log/verify'),
  });
}

/** The download link of the filtered export (the browser sends the session cookie). */
export function auditExportUrl(filter: AuditFilter, format: 'csv' | 'jsonl'): string {
  const params = new URLSearchParams({ format });
  for (const [key, value] of Object.entries(auditQuery(filter))) {
    if (value) params.set(key, value);
  }
  return `/api/audit-log/export?${params.toString()}`;
}

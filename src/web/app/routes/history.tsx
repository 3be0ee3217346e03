import { useMemo } from 'react';
import { SYNC_ACTIONS, SYNC_STATUSES } from '#src/domain/contracts/members.contract.ts';
import { buttonClass } from '#src/web/components/ui/button.tsx';
import { FilterBar, FilterDate, FilterSelect } from '#src/web/components/ui/filter-bar.tsx';
import { PageHeader } from '#src/web/components/ui/page-header.tsx';
import { useMemberDirectory } from '#src/web/features/members/api/get-member-directory.ts';
import {
  historyExportUrl,
  type HistoryFilter,
} from '#src/web/features/sync/api/get-sync-history.ts';
import { SyncHistoryTable } from '#src/web/features/sync/components/sync-history-table.tsx';
import { Link, navigate, useLocation } from '#src/web/lib/router.tsx';

const ACTION_LABELS: Record<(typeof SYNC_ACTIONS)[number], string> = {
  sync_settings: 'Sync Settings to User',
  sync_crm: 'Sync CRM',
  revert: 'Revert',
};
const STATUS_LABELS: Record<(typeof SYNC_STATUSES)[number], string> = {
  applied: 'Applied',
  partial: 'Partial',
  dry_run: 'Preview',
  failed: 'Failed',
  refused: 'Refused',
};

/** The URL parameter of each filter (`member` as the member table's links write it). */
const PARAMS = {
  memberId: 'member',
  actorId: 'admin',
  action: 'action',
  status: 'status',
  from: 'from',
  to: 'to',
} as const satisfies Record<keyof HistoryFilter, string>;

function isOneOf<T extends string>(values: readonly T[], value: string | null): value is T {
  return value !== null && (values as readonly string[]).includes(value);
}

/**
 * Sync history for the organization, filtered by member, admin, action, status and date (kept
 * in the URL, e.g. ?member=<id> from a member's row), with the filtered view as CSV. The heading
 * names the member from the organization's data, never from the URL.
 */
export function HistoryRoute() {
  const { search } = useLocation();
  const directory = useMemberDirectory();
  const filter = useMemo<HistoryFilter>(() => {
    const action = search.get(PARAMS.action);
    const status = search.get(PARAMS.status);
    return {
      memberId: search.get(PARAMS.memberId) ?? undefined,
      actorId: search.get(PARAMS.actorId) ?? undefined,
      action: isOneOf(SYNC_ACTIONS, action) ? action : undefined,
      status: isOneOf(SYNC_STATUSES, status) ? status : undefined,
      from: search.get(PARAMS.from) ?? undefined,
      to: search.get(PARAMS.to) ?? undefined,
    };
  }, [search]);
  const setFilter = (next: HistoryFilter) => {
    const params = new URLSearchParams();
    for (const [key, param] of Object.entries(PARAMS) as [keyof HistoryFilter, string][]) {
      const value = next[key];
      if (value) params.set(param, value);
    }
    const query = params.toString();
    navigate(`/admin/history${query ? `?${query}` : ''}`, { replace: true });
  };
  const set = (patch: Partial<HistoryFilter>) => {
    setFilter({ ...filter, ...patch });
  };

  const people = useMemo(
    () =>
      [...(directory.data?.entries() ?? [])]
        .map(([id, name]) => ({ id, name }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    [directory.data],
  );
  const memberName = filter.memberId ? directory.data?.get(filter.memberId) : undefined;

  const nameOf = (userId: string | null, fallback?: string | null): string => {
    if (fallback) return fallback;
    if (userId === null) return 'Unknown user';
    return directory.data?.get(userId) ?? (directory.isLoading ? '…' : 'A former member');
  };
  const options = people.map((p) => ({ value: p.id, label: p.name }));

  return (
    <div className="page">
      <PageHeader
        title={filter.memberId ? `Sync history: ${memberName ?? 'one member'}` : 'Sync history'}
        description={
          filter.memberId ? (
            <>
              Every sync to {memberName ?? 'this member'}, newest first.{' '}
              <Link to="/admin/history">Show the whole organization</Link>
            </>
          ) : (
            'Who synced what to whom, and when, across your organization. Revert a sync to restore the member’s previous values.'
          )
        }
        actions={
          <a className={buttonClass('secondary', 'sm')} href={historyExportUrl(filter)} download>
            Export CSV
          </a>
        }
      />
      <FilterBar
        label="Filter the sync history"
        className="history-filters"
        onClear={() => {
          setFilter({});
        }}
      >
        <FilterSelect
          label="Member"
          anyLabel="Everyone"
          value={filter.memberId}
          options={
            filter.memberId && !directory.data?.has(filter.memberId)
              ? [{ value: filter.memberId, label: 'This member' }, ...options]
              : options
          }
          onChange={(memberId) => {
            set({ memberId });
          }}
        />
        <FilterSelect
          label="Admin"
          anyLabel="Any admin"
          value={filter.actorId}
          options={options}
          onChange={(actorId) => {
            set({ actorId });
          }}
        />
        <FilterSelect
          label="Action"
          anyLabel="Any action"
          value={filter.action}
          options={SYNC_ACTIONS.map((action) => ({ value: action, label: ACTION_LABELS[action] }))}
          onChange={(picked) => {
            const action = picked ?? null;
            set({ action: isOneOf(SYNC_ACTIONS, action) ? action : undefined });
          }}
        />
        <FilterSelect
          label="Status"
          anyLabel="Any status"
          value={filter.status}
          options={SYNC_STATUSES.map((status) => ({ value: status, label: STATUS_LABELS[status] }))}
          onChange={(picked) => {
            const status = picked ?? null;
            set({ status: isOneOf(SYNC_STATUSES, status) ? status : undefined });
          }}
        />
        <FilterDate
          label="From"
          value={filter.from}
          onChange={(from) => {
            set({ from });
          }}
        />
        <FilterDate
          label="To"
          value={filter.to}
          onChange={(to) => {
            set({ to });
          }}
        />
      </FilterBar>
      <SyncHistoryTable filter={filter} nameOf={nameOf} showTarget={!filter.memberId} />
    </div>
  );
}

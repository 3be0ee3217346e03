import { useMemo } from 'react';
import { SYNC_ACTIONS, SYNC_STATUSES } from '#src/domain/contracts/members.contract.ts';
import { buttonClass, Button } from '#src/web/components/ui/button.tsx';
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
  const personOptions = people.map((p) => (
    <option key={p.id} value={p.id}>
      {p.name}
    </option>
  ));

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
      <form
        className="audit-filters history-filters"
        aria-label="Filter the sync history"
        onSubmit={(event) => {
          event.preventDefault();
        }}
      >
        <label className="field">
          <span className="field-label">Member</span>
          <select
            value={filter.memberId ?? ''}
            onChange={(event) => {
              set({ memberId: event.target.value || undefined });
            }}
          >
            <option value="">Everyone</option>
            {filter.memberId && !directory.data?.has(filter.memberId) ? (
              <option value={filter.memberId}>This member</option>
            ) : null}
            {personOptions}
          </select>
        </label>
        <label className="field">
          <span className="field-label">Admin</span>
          <select
            value={filter.actorId ?? ''}
            onChange={(event) => {
              set({ actorId: event.target.value || undefined });
            }}
          >
            <option value="">Any admin</option>
            {personOptions}
          </select>
        </label>
        <label className="field">
          <span className="field-label">Action</span>
          <select
            value={filter.action ?? ''}
            onChange={(event) => {
              const value = event.target.value;
              set({ action: isOneOf(SYNC_ACTIONS, value) ? value : undefined });
            }}
          >
            <option value="">Any action</option>
            {SYNC_ACTIONS.map((action) => (
              <option key={action} value={action}>
                {ACTION_LABELS[action]}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-label">Status</span>
          <select
            value={filter.status ?? ''}
            onChange={(event) => {
              const value = event.target.value;
              set({ status: isOneOf(SYNC_STATUSES, value) ? value : undefined });
            }}
          >
            <option value="">Any status</option>
            {SYNC_STATUSES.map((status) => (
              <option key={status} value={status}>
                {STATUS_LABELS[status]}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-label">From</span>
          <input
            type="date"
            value={filter.from ?? ''}
            onChange={(event) => {
              set({ from: event.target.value || undefined });
            }}
          />
        </label>
        <label className="field">
          <span className="field-label">To</span>
          <input
            type="date"
            value={filter.to ?? ''}
            onChange={(event) => {
              set({ to: event.target.value || undefined });
            }}
          />
        </label>
        <Button
          size="sm"
          onClick={() => {
            setFilter({});
          }}
        >
          Clear filters
        </Button>
      </form>
      <SyncHistoryTable filter={filter} nameOf={nameOf} showTarget={!filter.memberId} />
    </div>
  );
}

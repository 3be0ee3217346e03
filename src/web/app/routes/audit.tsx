import { useMemo } from 'react';
import { PageHeader } from '#src/web/components/ui/page-header.tsx';
import type { AuditFilter } from '#src/web/features/audit/api/audit-log.ts';
import {
  AuditChainStatus,
  AuditFilters,
  AuditLogTable,
} from '#src/web/features/audit/components/audit-log-view.tsx';
import { useMemberDirectory } from '#src/web/features/members/api/get-member-directory.ts';
import { navigate, useLocation } from '#src/web/lib/router.tsx';

const FILTER_KEYS = ['actor', 'target', 'action', 'from', 'to'] as const;

/**
 * The audit log (admins): every recorded attempt in the organization, filtered by who, whom,
 * action and date, each entry's detail, export as CSV or JSON Lines, and chain verification.
 * The filters live in the URL, so a filtered view can be bookmarked or shared.
 */
export function AuditRoute() {
  const { search } = useLocation();
  const directory = useMemberDirectory();
  const filter = useMemo<AuditFilter>(() => {
    const result: AuditFilter = {};
    for (const key of FILTER_KEYS) {
      const value = search.get(key);
      if (value) result[key] = value;
    }
    return result;
  }, [search]);
  const people = useMemo(
    () =>
      [...(directory.data?.entries() ?? [])]
        .map(([id, name]) => ({ id, name }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    [directory.data],
  );
  const setFilter = (next: AuditFilter) => {
    const params = new URLSearchParams();
    for (const key of FILTER_KEYS) {
      const value = next[key];
      if (value) params.set(key, value);
    }
    const query = params.toString();
    navigate(`/admin/audit${query ? `?${query}` : ''}`, { replace: true });
  };

  return (
    <div className="page stack">
      <PageHeader
        title="Audit log"
        description="Every sync, preview, revert, member change, invitation and token event in your organization, as it was recorded: who did what, to whom, and how it ended. Entries cannot be edited or deleted."
      />
      <AuditChainStatus />
      <AuditFilters filter={filter} people={people} onChange={setFilter} />
      <AuditLogTable filter={filter} />
    </div>
  );
}

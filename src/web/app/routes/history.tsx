import { PageHeader } from '#src/web/components/ui/page-header.tsx';
import { useMemberDirectory } from '#src/web/features/members/api/get-member-directory.ts';
import { SyncHistoryTable } from '#src/web/features/sync/components/sync-history-table.tsx';
import { Link, useLocation } from '#src/web/lib/router.tsx';

/** Sync history for the organization, or for one member (?member=<id>&name=<name>). */
export function HistoryRoute() {
  const { search } = useLocation();
  const memberId = search.get('member') ?? undefined;
  const memberName = search.get('name') ?? undefined;
  const directory = useMemberDirectory();

  const nameOf = (userId: string | null, fallback?: string | null): string => {
    if (fallback) return fallback;
    if (userId === null) return 'Unknown user';
    if (userId === memberId && memberName) return memberName;
    return directory.data?.get(userId) ?? (directory.isLoading ? '…' : 'A former member');
  };

  return (
    <div className="page">
      <PageHeader
        title={memberId ? `Sync history: ${memberName ?? 'one member'}` : 'Sync history'}
        description={
          memberId ? (
            <>
              Every sync to {memberName ?? 'this member'}, newest first.{' '}
              <Link to="/admin/history">Show the whole organization</Link>
            </>
          ) : (
            'Who synced what to whom, and when, across your organization. Revert a sync to restore the member’s previous values.'
          )
        }
      />
      <SyncHistoryTable
        key={memberId ?? 'all'}
        memberId={memberId}
        nameOf={nameOf}
        showTarget={!memberId}
      />
    </div>
  );
}

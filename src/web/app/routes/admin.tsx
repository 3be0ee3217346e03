import { useCallback, useEffect, useState } from 'react';
import { PageHeader } from '#src/web/components/ui/page-header.tsx';
import { EmptyState, ErrorCallout, LoadingState } from '#src/web/components/ui/states.tsx';
import type { Me } from '#src/web/features/auth/api/get-me.ts';
import { useTeams } from '#src/web/features/members/api/get-teams.ts';
import { MemberTable } from '#src/web/features/members/components/member-table.tsx';
import { TeamChooser } from '#src/web/features/members/components/team-chooser.tsx';
import {
  MemberDriftDialog,
  type DriftTarget,
} from '#src/web/features/sync/components/member-drift-dialog.tsx';
import { SyncCrmDialog } from '#src/web/features/sync/components/sync-crm-dialog.tsx';
import { SyncSettingsDialog } from '#src/web/features/sync/components/sync-settings-dialog.tsx';
import { useSyncCrmFlow, type SyncTarget } from '#src/web/features/sync/hooks/use-sync-crm-flow.ts';
import { plural } from '#src/web/lib/format.ts';
import { navigate, setSearchParams, useLocation } from '#src/web/lib/router.tsx';

function historyUrl(member: SyncTarget): string {
  return `/admin/history?${new URLSearchParams({ member: member.id, name: member.name }).toString()}`;
}

/**
 * Admin: choose the team, then act on a member from their row's action menu (the guide's steps).
 * This page composes the members and sync features.
 */
export function AdminRoute({ me }: { me: Me }) {
  const teams = useTeams();
  // The team, and the table's search and page (use-url-paging.ts), live in the address.
  const teamId = useLocation().search.get('team');
  const setTeamId = useCallback((id: string | null) => {
    // Another team starts with no search, at its first page.
    setSearchParams({ team: id, q: null, page: null, after: null });
  }, []);
  const syncCrm = useSyncCrmFlow();
  const [settingsTarget, setSettingsTarget] = useState<SyncTarget | null>(null);
  const [driftTarget, setDriftTarget] = useState<DriftTarget | null>(null);

  const team = teams.data?.find((t) => t.id === teamId);
  // A stale or foreign team id in the address: back to choosing.
  useEffect(() => {
    if (teams.data && teamId && !team) setTeamId(null);
  }, [teams.data, teamId, team, setTeamId]);

  return (
    <div className="page">
      <PageHeader
        title="Admin"
        description={
          <>
            Choose a team, then open a member’s action menu to <strong>Sync CRM</strong> or{' '}
            <strong>Sync Settings to User</strong>.
          </>
        }
        actions={
          teams.data ? (
            <TeamChooser teams={teams.data} value={team ? team.id : null} onChange={setTeamId} />
          ) : null
        }
      />
      {teams.isLoading ? <LoadingState label="Loading teams…" /> : null}
      {teams.isError ? <ErrorCallout error={teams.error} /> : null}
      {teams.data && teams.data.length === 0 ? (
        <EmptyState title="Your organization has no teams yet." />
      ) : null}
      {teams.data && teams.data.length > 0 && !team ? (
        <EmptyState title="Choose a team to see its members.">
          <ul className="team-cards">
            {teams.data.map((t) => (
              <li key={t.id}>
                <button
                  type="button"
                  className="team-card"
                  onClick={() => {
                    setTeamId(t.id);
                  }}
                >
                  <span className="team-card-name">{t.name}</span>
                  <span className="muted small">{plural(t.memberCount, 'member')}</span>
                </button>
              </li>
            ))}
          </ul>
        </EmptyState>
      ) : null}
      {team ? (
        <>
          <p className="section-meta muted">
            {team.name} · {plural(team.memberCount, 'member')}
          </p>
          <MemberTable
            key={team.id}
            teamId={team.id}
            teamName={team.name}
            currentUserId={me.user.id}
            compareWithMe={me.user.hasDashboard}
            handlers={{
              onSyncCrm: syncCrm.start,
              onSyncSettings: setSettingsTarget,
              onViewHistory: (member) => {
                navigate(historyUrl(member));
              },
              onViewDrift: (member) => {
                setDriftTarget({
                  id: member.id,
                  name: member.name,
                  email: member.email,
                  hasDashboard: member.hasDashboard,
                  canSyncSettings: member.actions.includes('sync_settings'),
                });
              },
            }}
          />
        </>
      ) : null}
      <SyncCrmDialog flow={syncCrm} />
      <MemberDriftDialog
        target={driftTarget}
        onClose={() => {
          setDriftTarget(null);
        }}
        onSyncSettings={(member) => {
          setDriftTarget(null);
          setSettingsTarget(member);
        }}
      />
      <SyncSettingsDialog
        target={settingsTarget}
        onClose={() => {
          setSettingsTarget(null);
        }}
        onViewHistory={(member) => {
          setSettingsTarget(null);
          navigate(historyUrl(member));
        }}
      />
    </div>
  );
}

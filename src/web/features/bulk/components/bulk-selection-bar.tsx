import { Button } from '#src/web/components/ui/button.tsx';
import type { BulkRun } from '#src/web/features/bulk/api/get-bulk-sync.ts';
import { members } from '#src/web/features/bulk/components/bulk-labels.ts';
import type {
  MemberSelectionState,
  SelectedMember,
} from '#src/web/features/bulk/hooks/use-member-selection.ts';
import '#src/web/features/bulk/components/bulk.css';

/**
 * Above the member table: how many members are selected, the shortcuts "Select all N in this
 * team" and "Select all out of sync" (the loaded page only), and the bulk actions.
 */
export function BulkSelectionBar({
  state,
  teamCount,
  outOfSync,
  paged,
  driftShown,
  lastRun,
  onSync,
  onShowLastRun,
}: {
  state: MemberSelectionState;
  /** The team's members a team run covers (all but the primary admin and you). */
  teamCount: number;
  /** The rows of the loaded page that differ from your settings. */
  outOfSync: readonly SelectedMember[];
  /** The team has more than one page: the out-of-sync shortcut sees only this one. */
  paged: boolean;
  /** The table shows drift from you: "everyone out of sync in this team" can be offered. */
  driftShown: boolean;
  lastRun: BulkRun | null;
  onSync: (action: 'sync_settings' | 'sync_crm', count: number) => void;
  onShowLastRun: () => void;
}) {
  const { selection } = state;
  const team = selection.kind === 'team';
  const teamOutOfSync = selection.kind === 'team_out_of_sync';
  const count =
    selection.kind === 'team'
      ? teamCount
      : selection.kind === 'members'
        ? selection.members.size
        : 0;

  return (
    <div className="bulk-selection" role="group" aria-label="Bulk actions">
      <p className="bulk-selection-count" aria-live="polite">
        {team
          ? `All ${members(teamCount)} in this team selected (everyone but the primary admin and you).`
          : teamOutOfSync
            ? 'Everyone in this team out of sync with you is selected, on every page. Preview to see who.'
            : count > 0
              ? `${members(count)} selected.`
              : 'Select members to sync them together.'}
      </p>
      <div className="bulk-selection-actions">
        {!team && teamCount > 0 ? (
          <Button size="sm" variant="ghost" onClick={state.selectTeam}>
            Select all {teamCount} in this team
          </Button>
        ) : null}
        {outOfSync.length > 0 && !teamOutOfSync ? (
          <Button
            size="sm"
            variant="ghost"
            onClick={() => {
              state.selectOnly(outOfSync);
            }}
          >
            {paged
              ? `Select all ${outOfSync.length} out of sync on this page`
              : `Select all ${outOfSync.length} out of sync`}
          </Button>
        ) : null}
        {paged && driftShown && !teamOutOfSync ? (
          <Button size="sm" variant="ghost" onClick={state.selectTeamOutOfSync}>
            Select everyone out of sync in this team
          </Button>
        ) : null}
        {teamOutOfSync ? (
          <>
            <Button
              size="sm"
              variant="primary"
              onClick={() => {
                onSync('sync_settings', 0);
              }}
            >
              Sync Settings to everyone out of sync
            </Button>
            <Button size="sm" variant="ghost" onClick={state.clear}>
              Clear selection
            </Button>
          </>
        ) : null}
        {count > 0 ? (
          <>
            <Button
              size="sm"
              variant="primary"
              onClick={() => {
                onSync('sync_settings', count);
              }}
            >
              Sync Settings to {members(count)}
            </Button>
            <Button
              size="sm"
              onClick={() => {
                onSync('sync_crm', count);
              }}
            >
              Sync CRM for {members(count)}
            </Button>
            <Button size="sm" variant="ghost" onClick={state.clear}>
              Clear selection
            </Button>
          </>
        ) : null}
        {lastRun ? (
          <Button size="sm" variant="ghost" onClick={onShowLastRun}>
            Show the last bulk run
          </Button>
        ) : null}
      </div>
    </div>
  );
}

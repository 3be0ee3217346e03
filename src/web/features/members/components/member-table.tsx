import { CRM_LABELS } from '#src/domain/crm.ts';
import { memberChangeCopy } from '#src/web/features/members/components/member-change-copy.ts';
import { CursorPagination } from '#src/web/components/ui/pagination.tsx';
import { useEffect, useRef, useState } from 'react';
import { Avatar } from '#src/web/components/ui/avatar.tsx';
import { Badge, type Tone } from '#src/web/components/ui/badge.tsx';
import { Button } from '#src/web/components/ui/button.tsx';
import { ConfirmDialog } from '#src/web/components/ui/confirm-dialog.tsx';
import {
  DropdownMenu,
  MenuItem,
  MenuLabel,
  MenuSeparator,
} from '#src/web/components/ui/dropdown-menu.tsx';
import { EmptyState, ErrorCallout } from '#src/web/components/ui/states.tsx';
import { useToast } from '#src/web/components/ui/toast.tsx';
import type { BulkRun } from '#src/web/features/bulk/api/get-bulk-sync.ts';
import { members as membersWord } from '#src/web/features/bulk/components/bulk-labels.ts';
import { BulkSelectionBar } from '#src/web/features/bulk/components/bulk-selection-bar.tsx';
import {
  BulkSyncDialog,
  type BulkSyncRequest,
} from '#src/web/features/bulk/components/bulk-sync-dialog.tsx';
import {
  useMemberSelection,
  type SelectedMember,
} from '#src/web/features/bulk/hooks/use-member-selection.ts';
import { useTeams } from '#src/web/features/members/api/get-teams.ts';
import { useTeamMembers, type MemberRow } from '#src/web/features/members/api/get-team-members.ts';
import { DriftBadge } from '#src/web/features/members/components/drift-badge.tsx';
import { FollowStatesNote } from '#src/web/features/members/components/follow-states.tsx';
import { useRemoveTeamMember } from '#src/web/features/members/api/remove-team-member.ts';
import { useUpdateMember } from '#src/web/features/members/api/update-member.ts';
import { errorSummary } from '#src/web/lib/errors.ts';
import {
  formatDateTime,
  formatRelative,
  plural,
  ROLE_LABELS,
  STATUS_LABELS,
  SYNC_ACTION_LABELS,
} from '#src/web/lib/format.ts';
import { useUrlPaging } from '#src/web/lib/use-url-paging.ts';

export interface MemberTableHandlers {
  onSyncCrm: (member: MemberRow) => void;
  onSyncSettings: (member: MemberRow) => void;
  onViewHistory: (member: MemberRow) => void;
  /** The member's drift panel: how their dashboard differs from yours. */
  onViewDrift: (member: MemberRow) => void;
}

const PAGE_SIZE = 25;

const STATUS_TONES: Record<MemberRow['status'], Tone> = {
  active: 'success',
  invited: 'info',
  deactivated: 'neutral',
};

type Confirmation =
  | { kind: 'deactivate'; member: MemberRow }
  | { kind: 'remove'; member: MemberRow }
  | { kind: 'demote'; member: MemberRow }
  | { kind: 'promote'; member: MemberRow };

/**
 * The Admin member table of one team: searchable, paginated (cursor), with role and access
 * controls and the per-row action menu (SPEC §3: sync actions for secondary admins and members,
 * never the primary admin's row; the server decides what each row offers in `actions`). With
 * `compareWithMe`, each row says whether it drifted from your settings (SPEC §6), and "Out of
 * sync only" narrows the loaded page to the rows that did. A checkbox per row (and one for the
 * page) selects members for bulk Sync Settings / Sync CRM; the selection bar above the table
 * can also select the whole team or the loaded rows out of sync.
 */
export function MemberTable({
  teamId,
  teamName,
  currentUserId,
  compareWithMe,
  handlers,
}: {
  teamId: string;
  teamName: string;
  currentUserId: string;
  /** Drift is measured from your dashboard: false when you have none. */
  compareWithMe: boolean;
  handlers: MemberTableHandlers;
}) {
  const [outOfSyncOnly, setOutOfSyncOnly] = useState(false);
  // Search and page live in the address (issue 14 §8): a reload or Back shows the same page.
  const { search, setSearch, q, pageIndex, cursor, next, previous } = useUrlPaging(teamId);
  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);
  const toast = useToast();
  const updateMember = useUpdateMember();
  const removeMember = useRemoveTeamMember();
  const teams = useTeams();
  const selection = useMemberSelection();
  const [bulkRequest, setBulkRequest] = useState<BulkSyncRequest | null>(null);
  const [lastRun, setLastRun] = useState<{ run: BulkRun; request: BulkSyncRequest } | null>(null);
  const headerBox = useRef<HTMLInputElement>(null);

  const members = useTeamMembers({
    teamId,
    q,
    cursor,
    limit: PAGE_SIZE,
    driftFrom: compareWithMe ? 'me' : undefined,
  });
  const page = members.data;
  const filtering = compareWithMe && outOfSyncOnly;
  const rows = filtering
    ? (page?.items ?? []).filter((member) => (member.driftCount ?? 0) > 0)
    : (page?.items ?? []);
  // The filter sees only the rows of this page: say so whenever there is more than one page.
  const paged = pageIndex > 0 || Boolean(page?.nextCursor);
  const columns = compareWithMe ? 9 : 8;

  // Bulk selection: only rows with a sync action (never the primary admin's row or yours).
  const selectable = (member: MemberRow) =>
    member.actions.includes('sync_settings') || member.actions.includes('sync_crm');
  const pageSelectable: SelectedMember[] = (page?.items ?? [])
    .filter(selectable)
    .map((m) => ({ id: m.id, name: m.name }));
  const visibleSelectable: SelectedMember[] = rows
    .filter(selectable)
    .map((m) => ({ id: m.id, name: m.name }));
  const outOfSync: SelectedMember[] = compareWithMe
    ? (page?.items ?? [])
        .filter((m) => selectable(m) && (m.driftCount ?? 0) > 0)
        .map((m) => ({ id: m.id, name: m.name }))
    : [];
  const selectedOnPage = visibleSelectable.filter((m) => selection.isSelected(m.id)).length;
  const allOnPage = visibleSelectable.length > 0 && selectedOnPage === visibleSelectable.length;
  useEffect(() => {
    if (headerBox.current) {
      headerBox.current.indeterminate = selectedOnPage > 0 && !allOnPage;
    }
  }, [selectedOnPage, allOnPage]);
  // A team run leaves out the primary admin and you (SPEC §6 Bulk): when the whole team is on
  // screen the rows say exactly who is left; otherwise subtract the ones this page shows.
  const memberCount = teams.data?.find((t) => t.id === teamId)?.memberCount ?? 0;
  const excluded = (page?.items ?? []).filter(
    (m) => m.role === 'primary_admin' || m.id === currentUserId,
  ).length;
  const wholeTeamOnScreen = !paged && !q && page !== undefined;
  const teamCount = wholeTeamOnScreen
    ? page.items.length - excluded
    : Math.max(0, memberCount - excluded);

  const openBulk = (action: BulkSyncRequest['action'], count: number) => {
    const current = selection.selection;
    setBulkRequest(
      current.kind === 'team'
        ? {
            action,
            count,
            target: { teamId },
            who: `everyone in ${teamName} but the primary admin and you (${membersWord(count)})`,
          }
        : current.kind === 'team_out_of_sync'
          ? {
              action,
              count: null,
              target: { teamId, outOfSync: true },
              who: `everyone in ${teamName} whose settings differ from yours in a chosen category`,
            }
          : {
              action,
              count,
              target: { memberIds: [...current.members.keys()] },
              who:
                count === 1
                  ? ([...current.members.values()][0]?.name ?? 'the selected member')
                  : `the ${membersWord(count)} you selected`,
            },
    );
  };

  const changeRole = (member: MemberRow, role: 'admin' | 'member') => {
    updateMember.mutate(
      { userId: member.id, role },
      {
        onSuccess: () => {
          toast.show({
            tone: 'success',
            title:
              role === 'admin'
                ? `${member.name} is now an admin.`
                : `${member.name} is now a member.`,
          });
        },
        onError: (error) => {
          toast.show({
            tone: 'error',
            title: "The role wasn't changed.",
            body: errorSummary(error),
          });
        },
      },
    );
  };

  const changeAccess = (member: MemberRow, status: 'active' | 'deactivated') => {
    updateMember.mutate(
      { userId: member.id, status },
      {
        onSuccess: () => {
          setConfirmation(null);
          toast.show({
            tone: 'success',
            title:
              status === 'active'
                ? `${member.name}'s access is back on.`
                : `${member.name}'s access is turned off.`,
            ...(status === 'deactivated' ? { body: 'Their sessions were ended.' } : {}),
          });
        },
        onError: (error) => {
          setConfirmation(null);
          toast.show({ tone: 'error', title: "Access wasn't changed.", body: errorSummary(error) });
        },
      },
    );
  };

  const remove = (member: MemberRow) => {
    removeMember.mutate(
      { teamId, userId: member.id },
      {
        onSuccess: () => {
          setConfirmation(null);
          toast.show({ tone: 'success', title: `${member.name} was removed from ${teamName}.` });
        },
        onError: (error) => {
          setConfirmation(null);
          toast.show({
            tone: 'error',
            title: `${member.name} wasn't removed.`,
            body: errorSummary(error),
          });
        },
      },
    );
  };

  return (
    <section className="card" aria-label={`Members of ${teamName}`}>
      <div className="toolbar">
        <div className="search">
          <label htmlFor="member-search" className="sr-only">
            Search members
          </label>
          <input
            id="member-search"
            type="search"
            placeholder="Search by name or email"
            value={search}
            onChange={(event) => {
              setSearch(event.target.value);
            }}
          />
        </div>
        {compareWithMe ? (
          <div className="toolbar-filter">
            <label className="toggle">
              <input
                type="checkbox"
                checked={outOfSyncOnly}
                aria-describedby={paged ? 'drift-filter-scope' : undefined}
                onChange={(event) => {
                  setOutOfSyncOnly(event.target.checked);
                }}
              />
              Out of sync only
            </label>
            {paged ? (
              <span id="drift-filter-scope" className="muted small">
                (on this page)
              </span>
            ) : null}
          </div>
        ) : null}
        <div className="toolbar-meta muted" aria-live="polite">
          {members.isFetching && !members.isLoading
            ? 'Updating…'
            : filtering && page
              ? `Showing ${rows.length} of ${plural(page.items.length, 'member')}${paged ? ' on this page' : ''}`
              : null}
        </div>
      </div>

      <BulkSelectionBar
        state={selection}
        teamCount={teamCount}
        outOfSync={outOfSync}
        paged={paged}
        driftShown={compareWithMe}
        lastRun={lastRun?.run ?? null}
        onSync={openBulk}
        onShowLastRun={() => {
          if (lastRun) setBulkRequest({ ...lastRun.request, run: lastRun.run });
        }}
      />

      {members.isError ? (
        <div className="card-body">
          <ErrorCallout
            error={members.error}
            action={
              <Button size="sm" onClick={() => void members.refetch()}>
                Try again
              </Button>
            }
          />
        </div>
      ) : (
        <div className="table-wrap cards-wrap">
          {/* On narrow screens each row is a card and each cell a labelled line (app.css). */}
          <table className="table member-cards">
            <thead>
              <tr>
                <th scope="col" className="col-select" data-label="Select all on this page">
                  <input
                    ref={headerBox}
                    type="checkbox"
                    aria-label="Select all members on this page"
                    checked={allOnPage}
                    disabled={visibleSelectable.length === 0}
                    onChange={(event) => {
                      selection.setMany(visibleSelectable, event.target.checked);
                    }}
                  />
                </th>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Access</th>
                <th scope="col">Teams</th>
                <th scope="col">Last sync</th>
                {compareWithMe ? <th scope="col">Drift from you</th> : null}
                <th scope="col" className="col-actions">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.isLoading
                ? Array.from({ length: 6 }, (_, index) => (
                    <tr key={index} className="skeleton-row" aria-hidden="true">
                      {Array.from({ length: columns }, (__, cell) => (
                        <td key={cell}>
                          <span className="skeleton" />
                        </td>
                      ))}
                    </tr>
                  ))
                : rows.map((member) => (
                    <MemberTableRow
                      key={member.id}
                      member={member}
                      isSelf={member.id === currentUserId}
                      selectable={selectable(member)}
                      selected={selectable(member) && selection.isSelected(member.id)}
                      onSelect={(checked) => {
                        selection.toggle(
                          { id: member.id, name: member.name },
                          checked,
                          pageSelectable,
                        );
                      }}
                      showDrift={compareWithMe}
                      roleBusy={
                        updateMember.isPending && updateMember.variables.userId === member.id
                      }
                      onRoleChange={(role) => {
                        // Both directions are confirmed: a role change is not undone by a click.
                        if (role === 'member' && member.role === 'admin') {
                          setConfirmation({ kind: 'demote', member });
                        } else if (role === 'admin' && member.role === 'member') {
                          setConfirmation({ kind: 'promote', member });
                        }
                      }}
                      onConfirm={setConfirmation}
                      onReactivate={() => {
                        changeAccess(member, 'active');
                      }}
                      handlers={handlers}
                    />
                  ))}
            </tbody>
          </table>
          {!members.isLoading && page?.items.length === 0 ? (
            <EmptyState title={q ? `No members match “${q}”.` : `${teamName} has no members yet.`}>
              {q ? 'Check the spelling, or search by email instead.' : null}
            </EmptyState>
          ) : !members.isLoading && page && rows.length === 0 ? (
            <EmptyState
              title={
                paged
                  ? 'No one on this page differs from your settings.'
                  : 'No one here differs from your settings.'
              }
            >
              Members without a dashboard are not compared.{' '}
              {paged ? 'Other pages may still have members out of sync.' : null}
            </EmptyState>
          ) : null}
        </div>
      )}

      <CursorPagination
        pageIndex={pageIndex}
        hasNext={Boolean(page?.nextCursor)}
        onPrevious={previous}
        onNext={() => {
          if (page?.nextCursor) next(page.nextCursor);
        }}
        // The team's member count is the total only when no search narrows it.
        total={
          q || !teams.data ? undefined : { count: memberCount, pageSize: PAGE_SIZE, noun: 'member' }
        }
      />

      <BulkSyncDialog
        request={bulkRequest}
        onClose={() => {
          setBulkRequest(null);
        }}
        onRun={(run) => {
          if (bulkRequest) setLastRun({ run, request: bulkRequest });
        }}
      />

      <ConfirmDialog
        open={confirmation !== null}
        onOpenChange={(open) => {
          if (!open) setConfirmation(null);
        }}
        busy={updateMember.isPending || removeMember.isPending}
        {...memberChangeCopy(
          confirmation?.kind === 'remove'
            ? { ...confirmation, team: { name: teamName } }
            : confirmation,
          'team_table',
        )}
        onConfirm={() => {
          if (!confirmation) return;
          if (confirmation.kind === 'deactivate') changeAccess(confirmation.member, 'deactivated');
          else if (confirmation.kind === 'remove') remove(confirmation.member);
          else {
            changeRole(confirmation.member, confirmation.kind === 'promote' ? 'admin' : 'member');
            setConfirmation(null);
          }
        }}
      />
    </section>
  );
}

function MemberTableRow({
  member,
  isSelf,
  selectable,
  selected,
  onSelect,
  showDrift,
  roleBusy,
  onRoleChange,
  onConfirm,
  onReactivate,
  handlers,
}: {
  member: MemberRow;
  isSelf: boolean;
  selectable: boolean;
  selected: boolean;
  onSelect: (checked: boolean) => void;
  showDrift: boolean;
  roleBusy: boolean;
  onRoleChange: (role: 'admin' | 'member') => void;
  onConfirm: (confirmation: Confirmation) => void;
  onReactivate: () => void;
  handlers: MemberTableHandlers;
}) {
  const can = (action: MemberRow['actions'][number]) => member.actions.includes(action);
  const roleEditable = can('promote_to_admin') || can('demote_to_member');
  const hasSync = can('sync_crm') || can('sync_settings');
  const hasManage =
    roleEditable || can('deactivate') || can('reactivate') || can('remove_from_team');

  return (
    <tr>
      <td className="col-select">
        <input
          type="checkbox"
          aria-label={`Select ${member.name}`}
          checked={selected}
          disabled={!selectable}
          title={
            selectable
              ? undefined
              : member.role === 'primary_admin'
                ? 'The primary admin is never synced.'
                : isSelf
                  ? 'You cannot sync your own row.'
                  : 'This member cannot be synced.'
          }
          onChange={(event) => {
            onSelect(event.target.checked);
          }}
        />
      </td>
      <td className="cell-person">
        <div className="person">
          <Avatar name={member.name} />
          <div className="person-text">
            <span className="person-name">
              {member.name}
              {isSelf ? <span className="muted"> (you)</span> : null}
            </span>
            {!member.hasDashboard ? (
              <Badge
                tone="warning"
                title="No dashboard yet: settings can't be pushed until setup is complete."
              >
                Needs setup
              </Badge>
            ) : null}
            {member.connections
              .filter((c) => c.status === 'reconnect_needed')
              .map((c) => (
                <Badge
                  key={c.crm}
                  tone="warning"
                  title={`${CRM_LABELS[c.crm]} refused this connection: it must be reconnected (the admin reconnects, then runs Sync CRM).`}
                >
                  {CRM_LABELS[c.crm]}: reconnect needed
                </Badge>
              ))}
          </div>
        </div>
      </td>
      <td className="cell-email" data-label="Email">
        {member.email}
      </td>
      <td data-label="Role">
        {roleEditable ? (
          <select
            className="select-compact"
            aria-label={`Role of ${member.name}`}
            value={member.role}
            disabled={roleBusy}
            onChange={(event) => {
              onRoleChange(event.target.value === 'admin' ? 'admin' : 'member');
            }}
          >
            <option value="admin">Admin</option>
            <option value="member">Member</option>
          </select>
        ) : (
          <Badge tone={member.role === 'member' ? 'neutral' : 'accent'}>
            {ROLE_LABELS[member.role]}
          </Badge>
        )}
      </td>
      <td data-label="Access">
        <Badge tone={STATUS_TONES[member.status]}>{STATUS_LABELS[member.status]}</Badge>
      </td>
      <td data-label="Teams">
        <div className="chips">
          {member.teams.map((team) => (
            <span key={team.id} className="chip">
              {team.name}
            </span>
          ))}
        </div>
      </td>
      <td data-label="Last sync">
        {member.lastSync ? (
          <div className="last-sync" title={formatDateTime(member.lastSync.at)}>
            <span>
              {SYNC_ACTION_LABELS[member.lastSync.action]}
              {member.lastSync.status === 'failed' ? (
                <>
                  {' '}
                  <Badge tone="danger">Failed</Badge>
                </>
              ) : null}
            </span>
            <span className="muted">
              {formatRelative(member.lastSync.at)}
              {member.lastSync.byName ? ` · by ${member.lastSync.byName}` : ''}
            </span>
          </div>
        ) : (
          <span className="muted">Never</span>
        )}
      </td>
      {showDrift ? (
        <td className="cell-drift" data-label="Drift from you">
          <DriftBadge member={member} onOpen={handlers.onViewDrift} />
          <FollowStatesNote member={member} />
        </td>
      ) : null}
      <td className="col-actions">
        {hasSync || hasManage ? (
          <DropdownMenu
            triggerLabel={`Actions for ${member.name}`}
            trigger={<span aria-hidden="true">⋯</span>}
          >
            {hasSync ? <MenuLabel>Sync</MenuLabel> : null}
            {can('sync_crm') ? (
              <MenuItem
                onSelect={() => {
                  handlers.onSyncCrm(member);
                }}
              >
                Sync CRM
              </MenuItem>
            ) : null}
            {can('sync_settings') ? (
              <MenuItem
                onSelect={() => {
                  handlers.onSyncSettings(member);
                }}
              >
                Sync Settings to User
              </MenuItem>
            ) : null}
            {showDrift && member.drift !== undefined ? (
              <MenuItem
                onSelect={() => {
                  handlers.onViewDrift(member);
                }}
              >
                View drift
              </MenuItem>
            ) : null}
            <MenuItem
              onSelect={() => {
                handlers.onViewHistory(member);
              }}
            >
              View sync history
            </MenuItem>
            {hasManage ? (
              <>
                <MenuSeparator />
                <MenuLabel>Role and access</MenuLabel>
              </>
            ) : null}
            {can('promote_to_admin') ? (
              <MenuItem
                onSelect={() => {
                  onConfirm({ kind: 'promote', member });
                }}
              >
                Make admin
              </MenuItem>
            ) : null}
            {can('demote_to_member') ? (
              <MenuItem
                onSelect={() => {
                  onConfirm({ kind: 'demote', member });
                }}
              >
                Make member
              </MenuItem>
            ) : null}
            {can('reactivate') ? (
              <MenuItem onSelect={onReactivate}>Reactivate access</MenuItem>
            ) : null}
            {can('deactivate') ? (
              <MenuItem
                tone="danger"
                onSelect={() => {
                  onConfirm({ kind: 'deactivate', member });
                }}
              >
                Deactivate access
              </MenuItem>
            ) : null}
            {can('remove_from_team') ? (
              <MenuItem
                tone="danger"
                onSelect={() => {
                  onConfirm({ kind: 'remove', member });
                }}
              >
                Remove from team
              </MenuItem>
            ) : null}
          </DropdownMenu>
        ) : (
          <span
            className="muted no-actions"
            title={
              member.role === 'primary_admin'
                ? "The primary admin's row has no actions: their dashboard is the organization's source of CRM keys."
                : 'You cannot run actions on your own row.'
            }
          >
            —<span className="sr-only">No actions</span>
          </span>
        )}
      </td>
    </tr>
  );
}

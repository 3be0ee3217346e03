import { CRM_LABELS } from '#src/domain/crm.ts';
import {
  memberChangeCopy,
  type MemberChange,
} from '#src/web/features/members/components/member-change-copy.ts';
import { CursorPagination } from '#src/web/components/ui/pagination.tsx';
import { useEffect, useState, type CSSProperties } from 'react';
import { Avatar } from '#src/web/components/ui/avatar.tsx';
import { Badge, type Tone } from '#src/web/components/ui/badge.tsx';
import { Button } from '#src/web/components/ui/button.tsx';
import { ConfirmDialog } from '#src/web/components/ui/confirm-dialog.tsx';
import { Dialog } from '#src/web/components/ui/dialog.tsx';
import {
  DropdownMenu,
  MenuItem,
  MenuLabel,
  MenuSeparator,
} from '#src/web/components/ui/dropdown-menu.tsx';
import { Field } from '#src/web/components/ui/field.tsx';
import { EmptyState, ErrorCallout } from '#src/web/components/ui/states.tsx';
import { useToast } from '#src/web/components/ui/toast.tsx';
import { useAddTeamMember } from '#src/web/features/members/api/add-team-member.ts';
import { useOrganizationMembers } from '#src/web/features/members/api/get-organization-members.ts';
import type { MemberRow } from '#src/web/features/members/api/get-team-members.ts';
import { useTeams, type Team } from '#src/web/features/members/api/get-teams.ts';
import { useRemoveTeamMember } from '#src/web/features/members/api/remove-team-member.ts';
import { useResendInvitation } from '#src/web/features/members/api/resend-invitation.ts';
import { useUpdateMember } from '#src/web/features/members/api/update-member.ts';
import { errorSummary } from '#src/web/lib/errors.ts';
import { ROLE_LABELS, STATUS_LABELS, type UserStatus } from '#src/web/lib/format.ts';
import { useSearchParam } from '#src/web/lib/router.tsx';

const PAGE_SIZE = 25;

const STATUS_TONES: Record<MemberRow['status'], Tone> = {
  active: 'success',
  invited: 'info',
  deactivated: 'neutral',
};

const STATUSES: readonly UserStatus[] = ['active', 'invited', 'deactivated'];

/** The cards wrap instead of scrolling sideways: a phone (390 px) shows them stacked. */
const styles = {
  list: { listStyle: 'none', margin: 0, padding: 0 },
  card: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'flex-start',
    gap: 'var(--space-3)',
    padding: 'var(--space-4) var(--space-5)',
    borderTop: '1px solid var(--border)',
  },
  who: { flex: '1 1 220px', minWidth: 0 },
  email: { overflowWrap: 'anywhere' },
  meta: { display: 'flex', flexWrap: 'wrap', gap: 'var(--space-2)', flex: '1 1 200px' },
  toolbar: { flexWrap: 'wrap' },
  filter: { flex: '1 1 160px', minWidth: 0 },
} satisfies Record<string, CSSProperties>;

type Confirmation =
  | Exclude<MemberChange, { kind: 'remove' }>
  | { kind: 'remove'; member: MemberRow; team: { id: string; name: string } };

/**
 * "All members": everyone in the organization, searchable, filtered by team or "No team" (members
 * on no team, e.g. after removal from their last team) and by status, with the row actions of
 * the Admin member table that manage people: add to / remove from a team, role (promotion and
 * demotion confirmed), access (deactivate / reactivate, confirmed) and resend invite. What each
 * card offers comes from the server's `actions` (never the primary admin's card, nor yours).
 */
export function AllMembers({ currentUserId }: { currentUserId: string }) {
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const [teamFilter, setTeamFilter] = useSearchParam('team');
  const [statusFilter, setStatusFilter] = useSearchParam('status');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);
  const [addingTo, setAddingTo] = useState<MemberRow | null>(null);
  const teams = useTeams();
  const toast = useToast();
  const updateMember = useUpdateMember();
  const removeMember = useRemoveTeamMember();
  const resend = useResendInvitation();

  const status = STATUSES.find((s) => s === statusFilter);
  // A stale or foreign team id in the address: everyone (the server would answer not found).
  const team =
    teamFilter === 'none' || teams.data?.some((t) => t.id === teamFilter)
      ? (teamFilter ?? undefined)
      : undefined;

  useEffect(() => {
    setCursors([undefined]);
  }, [q, team, status]);
  useEffect(() => {
    const timer = window.setTimeout(() => {
      setQ(search.trim());
    }, 250);
    return () => {
      window.clearTimeout(timer);
    };
  }, [search]);

  const pageIndex = cursors.length - 1;
  const members = useOrganizationMembers({
    q,
    cursor: cursors[pageIndex],
    team: teams.data || team === 'none' ? team : undefined,
    status,
    limit: PAGE_SIZE,
  });
  const page = members.data;
  // The total comes with the first page (already fetched, so read from the cache on later pages).
  const firstPage = useOrganizationMembers({
    q,
    cursor: undefined,
    team: teams.data || team === 'none' ? team : undefined,
    status,
    limit: PAGE_SIZE,
  });
  const total = firstPage.data?.total;

  const done = (title: string, body?: string) => {
    setConfirmation(null);
    toast.show({ tone: 'success', title, ...(body ? { body } : {}) });
  };
  const failed = (title: string, error: unknown) => {
    setConfirmation(null);
    toast.show({ tone: 'error', title, body: errorSummary(error) });
  };

  const confirm = (c: Confirmation) => {
    const name = c.member.name;
    if (c.kind === 'remove') {
      removeMember.mutate(
        { teamId: c.team.id, userId: c.member.id },
        {
          onSuccess: () => {
            done(
              `${name} was removed from ${c.team.name}.`,
              c.member.teams.length <= 1
                ? `${name} is on no team now and is listed under "No team".`
                : undefined,
            );
          },
          onError: (error) => {
            failed(`${name} wasn't removed.`, error);
          },
        },
      );
      return;
    }
    const patch =
      c.kind === 'promote'
        ? { role: 'admin' as const }
        : c.kind === 'demote'
          ? { role: 'member' as const }
          : { status: c.kind === 'deactivate' ? ('deactivated' as const) : ('active' as const) };
    updateMember.mutate(
      { userId: c.member.id, ...patch },
      {
        onSuccess: () => {
          if (c.kind === 'promote') done(`${name} is now an admin.`);
          else if (c.kind === 'demote') done(`${name} is now a member.`);
          else if (c.kind === 'deactivate')
            done(`${name}'s access is turned off.`, 'Their sessions were ended.');
          else done(`${name}'s access is back on.`);
        },
        onError: (error) => {
          failed(
            c.kind === 'promote' || c.kind === 'demote'
              ? "The role wasn't changed."
              : "Access wasn't changed.",
            error,
          );
        },
      },
    );
  };

  const resendInvite = (member: MemberRow) => {
    resend.mutate(
      { userId: member.id },
      {
        onSuccess: () => {
          toast.show({ tone: 'success', title: `A new invitation was sent to ${member.email}.` });
        },
        onError: (error) => {
          toast.show({
            tone: 'error',
            title: "The invitation wasn't sent.",
            body: errorSummary(error),
          });
        },
      },
    );
  };

  const filtered = Boolean(q || team || status);

  return (
    <section className="card" aria-label="All members">
      <div className="toolbar" style={styles.toolbar}>
        <div className="search" style={styles.filter}>
          <label htmlFor="all-members-search" className="sr-only">
            Search members
          </label>
          <input
            id="all-members-search"
            type="search"
            placeholder="Search by name or email"
            value={search}
            onChange={(event) => {
              setSearch(event.target.value);
            }}
          />
        </div>
        <div style={styles.filter}>
          <label htmlFor="all-members-team" className="sr-only">
            Filter by team
          </label>
          <select
            id="all-members-team"
            value={team ?? ''}
            onChange={(event) => {
              setTeamFilter(event.target.value || null);
            }}
          >
            <option value="">All teams</option>
            <option value="none">No team</option>
            {(teams.data ?? []).map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
        <div style={styles.filter}>
          <label htmlFor="all-members-status" className="sr-only">
            Filter by status
          </label>
          <select
            id="all-members-status"
            value={status ?? ''}
            onChange={(event) => {
              setStatusFilter(event.target.value || null);
            }}
          >
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
        <div className="toolbar-meta muted" aria-live="polite">
          {members.isFetching && !members.isLoading ? 'Updating…' : null}
        </div>
      </div>

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
      ) : members.isLoading ? (
        <div className="card-body muted" role="status">
          Loading members…
        </div>
      ) : page && page.items.length === 0 ? (
        <EmptyState
          title={
            team === 'none' && !q && !status
              ? 'Everyone is on a team.'
              : filtered
                ? 'No members match these filters.'
                : 'Your organization has no members yet.'
          }
        >
          {q ? 'Check the spelling, or search by email instead.' : null}
        </EmptyState>
      ) : (
        <ul style={styles.list} aria-label="Members">
          {(page?.items ?? []).map((member) => (
            <MemberCard
              key={member.id}
              member={member}
              isSelf={member.id === currentUserId}
              onConfirm={setConfirmation}
              onAddToTeam={setAddingTo}
              onResendInvite={resendInvite}
            />
          ))}
        </ul>
      )}

      <CursorPagination
        pageIndex={pageIndex}
        hasNext={Boolean(page?.nextCursor)}
        onPrevious={() => {
          setCursors((current) => current.slice(0, -1));
        }}
        onNext={() => {
          const next = page?.nextCursor ?? undefined;
          if (next) setCursors((current) => [...current, next]);
        }}
        total={
          total === undefined ? undefined : { count: total, pageSize: PAGE_SIZE, noun: 'member' }
        }
      />

      <AddToTeamDialog
        member={addingTo}
        teams={teams.data ?? []}
        onClose={() => {
          setAddingTo(null);
        }}
      />

      <ConfirmDialog
        open={confirmation !== null}
        onOpenChange={(open) => {
          if (!open) setConfirmation(null);
        }}
        busy={updateMember.isPending || removeMember.isPending}
        {...memberChangeCopy(confirmation, 'all_members')}
        onConfirm={() => {
          if (confirmation) confirm(confirmation);
        }}
      />
    </section>
  );
}

function MemberCard({
  member,
  isSelf,
  onConfirm,
  onAddToTeam,
  onResendInvite,
}: {
  member: MemberRow;
  isSelf: boolean;
  onConfirm: (confirmation: Confirmation) => void;
  onAddToTeam: (member: MemberRow) => void;
  onResendInvite: (member: MemberRow) => void;
}) {
  const can = (action: MemberRow['actions'][number]) => member.actions.includes(action);
  // Team membership follows the rules of role and access (the server checks again on use).
  const manageTeams = can('remove_from_team');
  const manage = can('deactivate') || can('reactivate');
  const hasActions = manageTeams || manage || can('promote_to_admin') || can('demote_to_member');

  return (
    <li style={styles.card} aria-label={member.name}>
      <div className="person" style={styles.who}>
        <Avatar name={member.name} />
        <div className="person-text" style={{ minWidth: 0 }}>
          <span className="person-name">
            {member.name}
            {isSelf ? <span className="muted"> (you)</span> : null}
          </span>
          <span className="muted small" style={styles.email}>
            {member.email}
          </span>
        </div>
      </div>
      <div style={styles.meta}>
        <Badge tone={member.role === 'member' ? 'neutral' : 'accent'}>
          {ROLE_LABELS[member.role]}
        </Badge>
        <Badge tone={STATUS_TONES[member.status]}>{STATUS_LABELS[member.status]}</Badge>
        {!member.hasDashboard && member.status !== 'invited' ? (
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
            <Badge key={c.crm} tone="warning">
              {CRM_LABELS[c.crm]}: reconnect needed
            </Badge>
          ))}
        <div className="chips" aria-label={`Teams of ${member.name}`}>
          {member.teams.length === 0 ? (
            <span className="muted small">No team</span>
          ) : (
            member.teams.map((t) => (
              <span key={t.id} className="chip">
                {t.name}
              </span>
            ))
          )}
        </div>
      </div>
      <div>
        {hasActions ? (
          <DropdownMenu
            triggerLabel={`Actions for ${member.name}`}
            trigger={<span aria-hidden="true">⋯</span>}
          >
            {manageTeams ? (
              <>
                <MenuLabel>Teams</MenuLabel>
                <MenuItem
                  onSelect={() => {
                    onAddToTeam(member);
                  }}
                >
                  Add to team…
                </MenuItem>
                {member.teams.map((t) => (
                  <MenuItem
                    key={t.id}
                    tone="danger"
                    onSelect={() => {
                      onConfirm({ kind: 'remove', member, team: t });
                    }}
                  >
                    Remove from {t.name}
                  </MenuItem>
                ))}
                <MenuSeparator />
              </>
            ) : null}
            <MenuLabel>Role and access</MenuLabel>
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
            {member.status === 'invited' && manage ? (
              <MenuItem
                onSelect={() => {
                  onResendInvite(member);
                }}
              >
                Resend invite
              </MenuItem>
            ) : null}
            {can('reactivate') && member.hasDashboard ? (
              <MenuItem
                onSelect={() => {
                  onConfirm({ kind: 'reactivate', member });
                }}
              >
                Reactivate access
              </MenuItem>
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
          </DropdownMenu>
        ) : (
          <span
            className="muted no-actions"
            title={
              member.role === 'primary_admin'
                ? "The primary admin's role, access and teams can't be changed here."
                : "You can't change your own role, access or teams."
            }
          >
            —<span className="sr-only">No actions</span>
          </span>
        )}
      </div>
    </li>
  );
}

/** "Add to team": a team of the organization the member is not on yet. */
function AddToTeamDialog({
  member,
  teams,
  onClose,
}: {
  member: MemberRow | null;
  teams: Team[];
  onClose: () => void;
}) {
  const [teamId, setTeamId] = useState('');
  const add = useAddTeamMember();
  const toast = useToast();
  const choices = teams.filter((t) => !member?.teams.some((mt) => mt.id === t.id));
  useEffect(() => {
    setTeamId('');
    add.reset();
  }, [member?.id]);

  const submit = () => {
    if (!member || !teamId) return;
    const teamName = teams.find((t) => t.id === teamId)?.name ?? 'the team';
    add.mutate(
      { teamId, userId: member.id },
      {
        onSuccess: () => {
          toast.show({ tone: 'success', title: `${member.name} was added to ${teamName}.` });
          onClose();
        },
      },
    );
  };

  return (
    <Dialog
      open={member !== null}
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={member ? `Add ${member.name} to a team` : 'Add to team'}
      description="They keep the teams they are on already."
      preventClose={add.isPending}
      status={add.isError ? <ErrorCallout error={add.error} /> : null}
      footer={
        <>
          <Button onClick={onClose} disabled={add.isPending}>
            Cancel
          </Button>
          <Button variant="primary" busy={add.isPending} disabled={!teamId} onClick={submit}>
            Add to team
          </Button>
        </>
      }
    >
      {choices.length === 0 ? (
        <p className="muted">
          {teams.length === 0
            ? 'Your organization has no teams yet: create one on the Teams page.'
            : 'They are on every team already.'}
        </p>
      ) : (
        <Field label="Team">
          {(props) => (
            <select
              {...props}
              value={teamId}
              onChange={(event) => {
                setTeamId(event.target.value);
              }}
            >
              <option value="">Choose a team…</option>
              {choices.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
    </Dialog>
  );
}

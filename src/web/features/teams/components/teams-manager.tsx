import { useEffect, useState, type CSSProperties, type SubmitEvent } from 'react';
import { Button, buttonClass } from '#src/web/components/ui/button.tsx';
import { ConfirmDialog } from '#src/web/components/ui/confirm-dialog.tsx';
import { Dialog } from '#src/web/components/ui/dialog.tsx';
import { Field } from '#src/web/components/ui/field.tsx';
import { EmptyState, ErrorCallout, LoadingState } from '#src/web/components/ui/states.tsx';
import { useToast } from '#src/web/components/ui/toast.tsx';
import { useTeams, type Team } from '#src/web/features/members/api/get-teams.ts';
import { useCreateTeam } from '#src/web/features/teams/api/create-team.ts';
import { useDeleteTeam } from '#src/web/features/teams/api/delete-team.ts';
import { useRenameTeam } from '#src/web/features/teams/api/rename-team.ts';
import { errorSummary } from '#src/web/lib/errors.ts';
import { plural } from '#src/web/lib/format.ts';
import { Link } from '#src/web/lib/router.tsx';

/** The teams' own limit (the server says so too). */
const MAX_NAME = 120;

const styles = {
  form: { display: 'flex', flexWrap: 'wrap', alignItems: 'flex-end', gap: 'var(--space-3)' },
  formField: { flex: '1 1 220px', minWidth: 0 },
  list: { listStyle: 'none', margin: 0, padding: 0 },
  row: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: 'var(--space-3)',
    padding: 'var(--space-4) var(--space-5)',
    borderTop: '1px solid var(--border)',
  },
  name: { flex: '1 1 180px', minWidth: 0, overflowWrap: 'anywhere' },
  buttons: { display: 'flex', flexWrap: 'wrap', gap: 'var(--space-2)' },
} satisfies Record<string, CSSProperties>;

/**
 * Teams: the list with member counts; create, rename and delete (members stay); each team's
 * follow policies (issue 16) on their own page.
 */
export function TeamsManager() {
  const teams = useTeams();
  const [renaming, setRenaming] = useState<Team | null>(null);
  const [deleting, setDeleting] = useState<Team | null>(null);
  const remove = useDeleteTeam();
  const toast = useToast();

  return (
    <div className="stack">
      <CreateTeamForm />
      <section className="card" aria-label="Teams">
        {teams.isLoading ? <LoadingState label="Loading teams…" /> : null}
        {teams.isError ? (
          <div className="card-body">
            <ErrorCallout error={teams.error} />
          </div>
        ) : null}
        {teams.data && teams.data.length === 0 ? (
          <EmptyState title="Your organization has no teams yet.">
            Create the first one above.
          </EmptyState>
        ) : null}
        {teams.data && teams.data.length > 0 ? (
          <ul style={styles.list}>
            {teams.data.map((team) => (
              <li key={team.id} style={styles.row} aria-label={team.name}>
                <div style={styles.name}>
                  <div className="team-card-name">{team.name}</div>
                  <Link
                    to={`/admin/members?team=${encodeURIComponent(team.id)}`}
                    className="muted small"
                  >
                    {plural(team.memberCount, 'member')}
                  </Link>
                </div>
                <div style={styles.buttons}>
                  <Link
                    to={`/admin/teams/${encodeURIComponent(team.id)}/policies`}
                    className={buttonClass('secondary', 'sm')}
                    aria-label={`Follow policies of ${team.name}`}
                  >
                    Follow policies
                  </Link>
                  <Button
                    size="sm"
                    aria-label={`Rename ${team.name}`}
                    onClick={() => {
                      setRenaming(team);
                    }}
                  >
                    Rename
                  </Button>
                  <Button
                    size="sm"
                    variant="danger"
                    aria-label={`Delete ${team.name}`}
                    onClick={() => {
                      setDeleting(team);
                    }}
                  >
                    Delete
                  </Button>
                </div>
              </li>
            ))}
          </ul>
        ) : null}
      </section>

      <RenameTeamDialog
        team={renaming}
        onClose={() => {
          setRenaming(null);
        }}
      />

      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => {
          if (!open) setDeleting(null);
        }}
        busy={remove.isPending}
        title={deleting ? `Delete ${deleting.name}?` : ''}
        description={
          deleting
            ? `Members stay in the organization: the ${plural(deleting.memberCount, 'member')} of ${deleting.name} keep their accounts and dashboards; those on no other team are listed under "No team".`
            : ''
        }
        confirmLabel="Delete team"
        onConfirm={() => {
          if (!deleting) return;
          const team = deleting;
          remove.mutate(
            { teamId: team.id },
            {
              onSuccess: () => {
                setDeleting(null);
                toast.show({
                  tone: 'success',
                  title: `${team.name} was deleted.`,
                  body: 'Its members stay in the organization.',
                });
              },
              onError: (error) => {
                setDeleting(null);
                toast.show({
                  tone: 'error',
                  title: `${team.name} wasn't deleted.`,
                  body: errorSummary(error),
                });
              },
            },
          );
        }}
      />
    </div>
  );
}

function nameError(name: string): string | undefined {
  const trimmed = name.trim();
  if (!trimmed) return 'Give the team a name.';
  if (trimmed.length > MAX_NAME) return `A team name can be at most ${MAX_NAME} characters.`;
  return undefined;
}

function CreateTeamForm() {
  const [name, setName] = useState('');
  const [touched, setTouched] = useState(false);
  const create = useCreateTeam();
  const toast = useToast();
  const error = touched ? nameError(name) : undefined;
  const serverError = create.isError ? errorSummary(create.error) : undefined;

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    setTouched(true);
    if (nameError(name)) return;
    create.mutate(
      { name: name.trim() },
      {
        onSuccess: (team) => {
          setName('');
          setTouched(false);
          toast.show({ tone: 'success', title: `${team.name} was created.` });
        },
      },
    );
  };

  return (
    <form className="card card-padded" aria-label="Create a team" onSubmit={submit} noValidate>
      <div style={styles.form}>
        <div style={styles.formField}>
          <Field label="New team name" error={error ?? serverError}>
            {(props) => (
              <input
                {...props}
                type="text"
                value={name}
                maxLength={MAX_NAME + 20}
                onChange={(event) => {
                  setName(event.target.value);
                  if (create.isError) create.reset();
                }}
              />
            )}
          </Field>
        </div>
        <Button type="submit" variant="primary" busy={create.isPending}>
          Create team
        </Button>
      </div>
    </form>
  );
}

function RenameTeamDialog({ team, onClose }: { team: Team | null; onClose: () => void }) {
  const [name, setName] = useState('');
  const rename = useRenameTeam();
  const toast = useToast();
  useEffect(() => {
    setName(team?.name ?? '');
    rename.reset();
  }, [team?.id]);
  const error = nameError(name);

  const submit = (event?: SubmitEvent) => {
    event?.preventDefault();
    if (!team || error) return;
    rename.mutate(
      { teamId: team.id, name: name.trim() },
      {
        onSuccess: (renamed) => {
          toast.show({ tone: 'success', title: `${team.name} is now ${renamed.name}.` });
          onClose();
        },
      },
    );
  };

  return (
    <Dialog
      open={team !== null}
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={team ? `Rename ${team.name}` : 'Rename team'}
      description="Its members and their settings are not affected."
      preventClose={rename.isPending}
      status={rename.isError ? <ErrorCallout error={rename.error} /> : null}
      footer={
        <>
          <Button onClick={onClose} disabled={rename.isPending}>
            Cancel
          </Button>
          <Button
            variant="primary"
            busy={rename.isPending}
            disabled={Boolean(error)}
            onClick={() => {
              submit();
            }}
          >
            Save name
          </Button>
        </>
      }
    >
      <form onSubmit={submit} noValidate>
        <Field label="Team name" error={name ? error : undefined}>
          {(props) => (
            <input
              {...props}
              type="text"
              value={name}
              onChange={(event) => {
                setName(event.target.value);
                if (rename.isError) rename.reset();
              }}
            />
          )}
        </Field>
      </form>
    </Dialog>
  );
}

import { useState, type SubmitEvent } from 'react';
import { Button } from '#src/web/components/ui/button.tsx';
import { Dialog } from '#src/web/components/ui/dialog.tsx';
import { CheckboxField, Field } from '#src/web/components/ui/field.tsx';
import { ErrorCallout } from '#src/web/components/ui/states.tsx';
import { useToast } from '#src/web/components/ui/toast.tsx';
import { useCreateInvitation } from '#src/web/features/invitations/api/create-invitation.ts';
import { ApiError } from '#src/web/lib/api-client.ts';

const FORM_ID = 'invite-member-form';

/** Which field a refusal belongs to, so it is shown beside it. */
function fieldOf(error: unknown): 'email' | 'teams' | 'form' {
  if (!(error instanceof ApiError)) return 'form';
  if (error.code === 'email_taken') return 'email';
  if (error.code === 'invalid_request' && /email/i.test(error.detail)) return 'email';
  if (error.code === 'not_found') return 'teams';
  return 'form';
}

/**
 * "Invite member" (issue 13): email, name, role (member or admin) and teams. The invitee gets an
 * email with a link valid 7 days and shows in the member table as invited until they finish
 * setup. Refusals (an email that already has an account, a malformed one) show in the form.
 */
export function InviteMemberDialog({
  open,
  onOpenChange,
  teams,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  teams: { id: string; name: string }[];
}) {
  const invite = useCreateInvitation();
  const toast = useToast();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<'member' | 'admin'>('member');
  const [teamIds, setTeamIds] = useState<string[]>([]);

  const reset = () => {
    setEmail('');
    setName('');
    setRole('member');
    setTeamIds([]);
    invite.reset();
  };
  const close = (next: boolean) => {
    if (!next) reset();
    onOpenChange(next);
  };

  const errorField = invite.isError ? fieldOf(invite.error) : undefined;
  const errorText =
    invite.error instanceof ApiError
      ? invite.error.code === 'email_taken'
        ? 'That email already has an Ergo account.'
        : invite.error.detail
      : undefined;

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    invite.mutate(
      { email: email.trim(), name: name.trim(), role, teamIds },
      {
        onSuccess: (sent) => {
          toast.show(
            sent.mailSent
              ? {
                  tone: 'success',
                  title: `Invitation sent to ${sent.email}`,
                  body: 'They appear as invited until they finish setting up their account.',
                }
              : {
                  tone: 'error',
                  title: `${sent.email} was invited, but the email could not be sent`,
                  body: 'The mail server did not take it. Use “Resend invite” on their row to try again.',
                },
          );
          close(false);
        },
      },
    );
  };

  return (
    <Dialog
      open={open}
      onOpenChange={close}
      preventClose={invite.isPending}
      title="Invite member"
      description="They get an email with a link to set their password. The link works once and expires in 7 days."
      status={
        invite.isError && errorField === 'form' ? <ErrorCallout error={invite.error} /> : null
      }
      footer={
        <>
          <Button
            onClick={() => {
              close(false);
            }}
            disabled={invite.isPending}
          >
            Cancel
          </Button>
          <Button
            type="submit"
            form={FORM_ID}
            variant="primary"
            busy={invite.isPending}
            disabled={email.trim() === '' || name.trim() === ''}
          >
            Send invitation
          </Button>
        </>
      }
    >
      <form id={FORM_ID} className="stack" onSubmit={submit} noValidate>
        <Field label="Email" error={errorField === 'email' ? errorText : undefined}>
          {(props) => (
            <input
              {...props}
              type="email"
              autoComplete="off"
              required
              value={email}
              onChange={(event) => {
                setEmail(event.target.value);
                if (errorField === 'email') invite.reset();
              }}
            />
          )}
        </Field>
        <Field label="Name">
          {(props) => (
            <input
              {...props}
              type="text"
              autoComplete="off"
              required
              maxLength={200}
              value={name}
              onChange={(event) => {
                setName(event.target.value);
              }}
            />
          )}
        </Field>
        <fieldset className="form-section">
          <legend>Role</legend>
          <div className="check">
            <input
              id="invite-role-member"
              type="radio"
              name="invite-role"
              checked={role === 'member'}
              onChange={() => {
                setRole('member');
              }}
            />
            <label htmlFor="invite-role-member" className="check-label">
              Member
            </label>
          </div>
          <div className="check">
            <input
              id="invite-role-admin"
              type="radio"
              name="invite-role"
              checked={role === 'admin'}
              onChange={() => {
                setRole('admin');
              }}
            />
            <label htmlFor="invite-role-admin" className="check-label">
              Admin
            </label>
          </div>
          <p className="field-hint">
            Admins can run Sync CRM and Sync Settings to User and manage members. The primary admin
            role can only be transferred, not given by invitation.
          </p>
        </fieldset>
        <fieldset className="form-section">
          <legend>Teams</legend>
          {teams.length === 0 ? (
            <p className="muted">No teams yet: the member joins the organization without a team.</p>
          ) : (
            teams.map((team) => (
              <CheckboxField
                key={team.id}
                label={team.name}
                checked={teamIds.includes(team.id)}
                onChange={(checked) => {
                  setTeamIds((current) =>
                    checked ? [...current, team.id] : current.filter((id) => id !== team.id),
                  );
                }}
              />
            ))
          )}
          {errorField === 'teams' ? (
            <p className="field-error" role="alert">
              {errorText}
            </p>
          ) : null}
        </fieldset>
      </form>
    </Dialog>
  );
}

import { useEffect, useId, useState, type ReactNode, type SubmitEvent } from 'react';
import { Button } from '#src/web/components/ui/button.tsx';
import { ErrorCallout, LoadingState } from '#src/web/components/ui/states.tsx';
import { useAcceptInvitation } from '#src/web/features/invitations/api/accept-invitation.ts';
import { useInvitation } from '#src/web/features/invitations/api/get-invitation.ts';
import {
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  PasswordRules,
} from '#src/web/features/invitations/components/password-rules.tsx';
import { ApiError } from '#src/web/lib/api-client.ts';
import { navigate } from '#src/web/lib/router.tsx';

/** The token of `/invite?token=…`, read once: the page then drops it from the address bar. */
function useInviteToken(): string | null {
  const [token] = useState(() => new URLSearchParams(window.location.search).get('token'));
  useEffect(() => {
    // Keep the single-use token out of the browser history and of shared screenshots.
    if (token) window.history.replaceState(window.history.state, '', '/invite');
  }, [token]);
  return token;
}

function Layout({ children }: { children: ReactNode }) {
  return (
    <div className="login-layout">
      <main className="login-card">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">
            E
          </span>
          <span>Ergo Admin</span>
        </div>
        {children}
      </main>
    </div>
  );
}

/**
 * `/invite?token=…`: the invitee sees their name, email and organization, sets a password (the
 * rules shown), and lands in the console, logged in, with their dashboard created.
 */
export function AcceptInvitePage() {
  const token = useInviteToken();
  const invitation = useInvitation(token);
  const accept = useAcceptInvitation();
  const [password, setPassword] = useState('');
  const [tooShort, setTooShort] = useState(false);
  const fieldId = useId();
  const rulesId = `${fieldId}-rules`;
  const errorId = `${fieldId}-error`;

  if (!token) {
    return (
      <Layout>
        <h1>Finish setting up your account</h1>
        <div className="callout callout-danger" role="alert">
          <p className="callout-title">This invitation link is incomplete.</p>
          <p>Open the link from your invitation email again, or ask an admin to resend it.</p>
        </div>
      </Layout>
    );
  }
  if (invitation.isLoading) {
    return (
      <Layout>
        <LoadingState label="Opening your invitation…" />
      </Layout>
    );
  }
  if (invitation.isError || !invitation.data) {
    return (
      <Layout>
        <h1>Finish setting up your account</h1>
        <ErrorCallout error={invitation.error} />
      </Layout>
    );
  }

  const { email, name, organizationName } = invitation.data;
  const length = codePointLength(password);
  const serverError =
    accept.error instanceof ApiError && accept.error.code === 'invalid_request'
      ? accept.error.detail
      : undefined;
  const fieldError = tooShort
    ? `Use at least ${PASSWORD_MIN_LENGTH} characters.`
    : length > PASSWORD_MAX_LENGTH
      ? `Use at most ${PASSWORD_MAX_LENGTH} characters.`
      : serverError;

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    if (length < PASSWORD_MIN_LENGTH) {
      setTooShort(true);
      return;
    }
    accept.mutate(
      { token, password },
      {
        onSuccess: () => {
          navigate('/', { replace: true });
        },
      },
    );
  };

  return (
    <Layout>
      <h1>Finish setting up your account</h1>
      <p className="muted">
        Welcome, {name}. You’re joining <strong>{organizationName}</strong> on Ergo.
      </p>
      <ul className="summary-list" aria-label="Your invitation">
        <li>
          <span className="summary-label">Name:</span> {name}
        </li>
        <li>
          <span className="summary-label">Email:</span> {email}
        </li>
        <li>
          <span className="summary-label">Organization:</span> {organizationName}
        </li>
      </ul>
      <form onSubmit={submit} noValidate>
        {accept.isError && !serverError ? <ErrorCallout error={accept.error} /> : null}
        {/* The username field lets password managers save the new login under the right email. */}
        <input type="email" autoComplete="username" value={email} readOnly hidden />
        <div className={`field${fieldError ? ' field-invalid' : ''}`}>
          <label htmlFor={fieldId} className="field-label">
            Choose a password
          </label>
          <input
            id={fieldId}
            type="password"
            autoComplete="new-password"
            required
            minLength={PASSWORD_MIN_LENGTH}
            maxLength={PASSWORD_MAX_LENGTH}
            value={password}
            aria-describedby={fieldError ? `${rulesId} ${errorId}` : rulesId}
            aria-invalid={fieldError ? true : undefined}
            onChange={(event) => {
              setPassword(event.target.value);
              setTooShort(false);
              accept.reset();
            }}
          />
          <PasswordRules id={rulesId} />
          {fieldError ? (
            <p id={errorId} className="field-error" role="alert">
              {fieldError}
            </p>
          ) : null}
        </div>
        <Button type="submit" variant="primary" className="btn-block" busy={accept.isPending}>
          Set password and continue
        </Button>
      </form>
    </Layout>
  );
}

/** Characters as the server counts them (Unicode code points, not UTF-16 units). */
function codePointLength(value: string): number {
  return Array.from(value).length;
}

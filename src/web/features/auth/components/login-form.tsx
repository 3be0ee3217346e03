import { useState, type SubmitEvent } from 'react';
import { Button } from '#src/web/components/ui/button.tsx';
import { Field } from '#src/web/components/ui/field.tsx';
import { useLogin } from '#src/web/features/auth/api/login.ts';
import { DemoLogins } from '#src/web/features/auth/components/demo-logins.tsx';
import { ApiError } from '#src/web/lib/api-client.ts';
import { describeError } from '#src/web/lib/errors.ts';

function loginErrorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'unauthenticated' || error.status === 401) {
      return 'Email or password is incorrect. Check both and try again.';
    }
    if (error.code === 'rate_limited') return error.detail;
    if (error.code === 'invalid_request') return 'Enter your email and your password.';
    if (error.code === 'forbidden') return error.detail;
    // An invited user who has not set a password yet: "Finish setting up your account: …".
    if (error.code === 'setup_incomplete') return error.detail;
  }
  const plain = describeError(error);
  return [plain.title, plain.advice].filter(Boolean).join(' ');
}

/** `notice`: why you are here, e.g. "Your session expired. Log in again to continue." */
export function LoginForm({ notice }: { notice?: string | undefined } = {}) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const login = useLogin();

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    login.mutate({ email: email.trim(), password });
  };

  return (
    <div className="login-layout">
      <div className="login-card">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">
            E
          </span>
          <span>Ergo Admin</span>
        </div>
        <h1>Log in</h1>
        <p className="muted">Manage your team’s Ergo dashboards.</p>
        <form onSubmit={submit} noValidate>
          {notice && !login.isError ? (
            <div className="callout callout-warning" role="status">
              <p className="callout-title">{notice}</p>
            </div>
          ) : null}
          {login.isError ? (
            <div className="callout callout-danger" role="alert">
              <p className="callout-title">{loginErrorMessage(login.error)}</p>
            </div>
          ) : null}
          <Field label="Email">
            {(props) => (
              <input
                {...props}
                type="email"
                autoComplete="username"
                // The page exists to log in: the first field is where typing goes.
                autoFocus
                required
                value={email}
                onChange={(event) => {
                  setEmail(event.target.value);
                }}
              />
            )}
          </Field>
          <Field label="Password">
            {(props) => (
              <input
                {...props}
                type="password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(event) => {
                  setPassword(event.target.value);
                }}
              />
            )}
          </Field>
          <Button
            type="submit"
            variant="primary"
            className="btn-block"
            busy={login.isPending}
            disabled={email.trim() === '' || password === ''}
          >
            Log in
          </Button>
        </form>
      </div>
      <DemoLogins
        onPick={(pickedEmail, pickedPassword) => {
          setEmail(pickedEmail);
          setPassword(pickedPassword);
          login.reset();
        }}
      />
    </div>
  );
}

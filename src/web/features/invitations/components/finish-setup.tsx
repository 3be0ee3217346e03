import { Button } from '#src/web/components/ui/button.tsx';
import { useToast } from '#src/web/components/ui/toast.tsx';
import type { Me } from '#src/web/features/auth/api/get-me.ts';
import { useLogout } from '#src/web/features/auth/api/logout.ts';
import { errorSummary } from '#src/web/lib/errors.ts';
import { navigate } from '#src/web/lib/router.tsx';

/**
 * What an `invited` user sees after logging in (SPEC §1: setup not complete): the one thing to
 * do is finish setup from the invitation email; nothing else of the console is open to them.
 */
export function FinishSetup({ me }: { me: Me }) {
  const logout = useLogout();
  const toast = useToast();
  return (
    <div className="login-layout">
      <main className="login-card">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">
            E
          </span>
          <span>Ergo Admin</span>
        </div>
        <h1>Finish setting up your account</h1>
        <p>
          Hi {me.user.name}, your account{me.organization ? ` at ${me.organization.name}` : ''}{' '}
          isn’t set up yet.
        </p>
        <p>
          Open the invitation email we sent to <strong>{me.user.email}</strong> and follow its link
          to set your password and finish setup. If you can’t find it, or the link has expired, ask
          an admin of your organization to resend the invitation.
        </p>
        <Button
          variant="secondary"
          busy={logout.isPending}
          onClick={() => {
            logout.mutate(undefined, {
              onSuccess: () => {
                navigate('/login');
              },
              onError: (error) => {
                toast.show({ tone: 'error', title: 'Log out failed', body: errorSummary(error) });
              },
            });
          }}
        >
          Log out
        </Button>
      </main>
    </div>
  );
}

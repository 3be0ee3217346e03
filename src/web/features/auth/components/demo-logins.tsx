import { useHealth } from '#src/web/features/auth/api/get-health.ts';

const DEMO_PASSWORD = 'demo-password';

const DEMO_ACCOUNTS = [
  { email: 'owner@acme.test', who: 'Acme, primary admin (has all 5 CRM keys)' },
  { email: 'admin@acme.test', who: 'Acme, admin' },
  { email: 'rep1@acme.test', who: 'Acme, member (rep1 … rep10)' },
  { email: 'pending@acme.test', who: 'Acme, invited: setup not finished' },
  { email: 'admin@globex.test', who: 'Globex, primary admin (no CRM keys)' },
] as const;

/**
 * The demo accounts of the seeded data. The server has no demo flag yet, so this box is shown
 * unless /api/health says `demo: false`.
 */
export function DemoLogins({ onPick }: { onPick: (email: string, password: string) => void }) {
  const health = useHealth();
  if (health.data?.demo === false) return null;
  return (
    <aside className="demo-logins" aria-labelledby="demo-logins-title">
      <h2 id="demo-logins-title">Demo logins</h2>
      <p>
        Password for every account: <code>{DEMO_PASSWORD}</code>. Pick one to fill in the form.
      </p>
      <ul>
        {DEMO_ACCOUNTS.map((account) => (
          <li key={account.email}>
            <button
              type="button"
              className="link-button"
              onClick={() => {
                onPick(account.email, DEMO_PASSWORD);
              }}
            >
              {account.email}
            </button>
            <span className="muted">{account.who}</span>
          </li>
        ))}
      </ul>
    </aside>
  );
}

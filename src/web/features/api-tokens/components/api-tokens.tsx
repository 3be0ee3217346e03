import { useState } from 'react';
import type { ApiTokenScope } from '#src/domain/contracts/api-tokens.contract.ts';
import { Button } from '#src/web/components/ui/button.tsx';
import { CopyValue } from '#src/web/components/ui/copy-value.tsx';
import { Field } from '#src/web/components/ui/field.tsx';
import { EmptyState, ErrorCallout, LoadingState } from '#src/web/components/ui/states.tsx';
import {
  CreateTokenDialog,
  RevokeTokenDialog,
  TokenCreatedDialog,
  TokenStatus,
} from '#src/web/components/ui/token-dialogs.tsx';
import {
  useApiTokens,
  useCreateApiToken,
  useRevokeApiToken,
  type ApiToken,
  type CreatedApiToken,
} from '#src/web/features/api-tokens/api/api-tokens.ts';
import { formatDateTime, formatRelative } from '#src/web/lib/format.ts';

/** The three access levels a token can have (each includes the ones before it). */
export const SCOPE_CHOICES: { scope: ApiTokenScope; label: string; description: string }[] = [
  {
    scope: 'read',
    label: 'Read only',
    description: 'See members, teams, drift, history and the audit log; change nothing.',
  },
  {
    scope: 'sync',
    label: 'Read and sync',
    description:
      'Also run Sync Settings and Sync CRM (one member or a team), revert syncs, and change your own settings.',
  },
  {
    scope: 'admin',
    label: 'Full access',
    description: 'Also manage members, teams, invitations and SCIM tokens, as you can.',
  },
];

const EXPIRY_CHOICES = [
  { days: 7, label: '7 days' },
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
  { days: 365, label: '1 year' },
  { days: null, label: 'Never' },
] as const;

function scopeLabel(token: ApiToken): string {
  const best = [...SCOPE_CHOICES].reverse().find((c) => token.scopes.includes(c.scope));
  return best?.label ?? token.scopes.join(', ');
}

function isExpired(token: ApiToken): boolean {
  return token.expiresAt !== null && new Date(token.expiresAt).getTime() <= Date.now();
}

/**
 * My settings → API tokens: the signed-in user's personal API tokens for the `ergo` CLI and
 * scripts. Create (name, access, expiry; the token is shown once), list with last use, revoke
 * with confirmation. A token acts as you and never does more than you may.
 */
export function ApiTokens() {
  const tokens = useApiTokens();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiToken | undefined>(undefined);
  const revoke = useRevokeApiToken();

  return (
    <section className="stack" aria-labelledby="api-tokens-title">
      <div
        style={{
          display: 'flex',
          justifyContent: 'space-between',
          alignItems: 'flex-start',
          gap: 'var(--space-4)',
          flexWrap: 'wrap',
        }}
      >
        <div>
          <h2 id="api-tokens-title" className="section-title">
            Personal API tokens
          </h2>
          <p className="muted">
            For the <code>ergo</code> command-line tool and your scripts: send a token as{' '}
            <code>Authorization: Bearer …</code>. A token acts as you and never does more than you
            may; if your role changes, so does what it can do.
          </p>
        </div>
        <Button
          variant="primary"
          onClick={() => {
            setCreating(true);
          }}
        >
          Create API token
        </Button>
      </div>

      {tokens.isPending ? (
        <LoadingState label="Loading your API tokens…" />
      ) : tokens.isError ? (
        <ErrorCallout error={tokens.error} />
      ) : tokens.data.items.length === 0 ? (
        <EmptyState title="No API tokens yet">
          Create one for each tool or script, so you can revoke one without breaking the others.
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table table-compact" aria-labelledby="api-tokens-title">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Token</th>
                <th scope="col">Access</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.items.map((token) => (
                <tr key={token.id}>
                  <td>{token.name}</td>
                  <td>
                    <span className="masked-key">••••{token.hint}</span>
                  </td>
                  <td>{scopeLabel(token)}</td>
                  <td>{formatDateTime(token.createdAt)}</td>
                  <td>{token.expiresAt ? formatDateTime(token.expiresAt) : 'Never'}</td>
                  <td>{token.lastUsedAt ? formatRelative(token.lastUsedAt) : 'Never'}</td>
                  <td>
                    <TokenStatus revokedAt={token.revokedAt} expired={isExpired(token)} />
                  </td>
                  <td>
                    {token.revokedAt ? null : (
                      <Button
                        size="sm"
                        variant="danger"
                        aria-label={`Revoke the API token ${token.name}`}
                        onClick={() => {
                          setRevoking(token);
                        }}
                      >
                        Revoke
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {creating ? (
        <CreateApiTokenDialog
          onClose={() => {
            setCreating(false);
          }}
        />
      ) : null}
      {revoking ? (
        <RevokeTokenDialog
          token={revoking}
          consequence="tools and scripts using it will be refused."
          revoke={revoke}
          onClose={() => {
            setRevoking(undefined);
          }}
        />
      ) : null}
    </section>
  );
}

function CreateApiTokenDialog({ onClose }: { onClose: () => void }) {
  const create = useCreateApiToken();
  const [scope, setScope] = useState<ApiTokenScope>('read');
  const [expiry, setExpiry] = useState<string>('30');
  const [created, setCreated] = useState<CreatedApiToken | undefined>(undefined);

  if (created) {
    return (
      <TokenCreatedDialog title="API token created" onClose={onClose}>
        <CopyValue label="API token" value={created.token} />
        <p className="muted">
          With the CLI: <code>ergo login --server {window.location.origin}</code> makes a token for
          you; or set <code>ERGO_SERVER</code> and <code>ERGO_TOKEN</code>.
        </p>
      </TokenCreatedDialog>
    );
  }

  return (
    <CreateTokenDialog
      title="Create API token"
      description="The token acts as you, within the access you choose here."
      nameHint='Where you use it, e.g. "Laptop CLI".'
      example="Laptop CLI"
      pending={create.isPending}
      error={create.isError ? create.error : null}
      onClose={onClose}
      onCreate={(name) => {
        create.mutate(
          { name, scopes: [scope], expiresInDays: expiry === 'never' ? null : Number(expiry) },
          { onSuccess: setCreated },
        );
      }}
    >
      <fieldset className="radio-group">
        <legend>Access</legend>
        {SCOPE_CHOICES.map((choice) => (
          <label key={choice.scope} className="radio">
            <input
              type="radio"
              name="api-token-scope"
              value={choice.scope}
              checked={scope === choice.scope}
              onChange={() => {
                setScope(choice.scope);
              }}
            />
            <span>
              <strong>{choice.label}</strong>
              <span className="field-hint"> {choice.description}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <Field label="Expires after">
        {(props) => (
          <select
            {...props}
            value={expiry}
            onChange={(event) => {
              setExpiry(event.target.value);
            }}
          >
            {EXPIRY_CHOICES.map((choice) => (
              <option key={choice.label} value={choice.days === null ? 'never' : choice.days}>
                {choice.label}
              </option>
            ))}
          </select>
        )}
      </Field>
    </CreateTokenDialog>
  );
}

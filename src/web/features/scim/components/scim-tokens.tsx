import { useState } from 'react';
import { Button } from '#src/web/components/ui/button.tsx';
import { CopyValue } from '#src/web/components/ui/copy-value.tsx';
import { EmptyState, ErrorCallout, LoadingState } from '#src/web/components/ui/states.tsx';
import {
  CreateTokenDialog,
  RevokeTokenDialog,
  TokenCreatedDialog,
  TokenStatus,
} from '#src/web/components/ui/token-dialogs.tsx';
import {
  useCreateScimToken,
  type CreatedScimToken,
} from '#src/web/features/scim/api/create-scim-token.ts';
import { useScimTokens, type ScimToken } from '#src/web/features/scim/api/get-scim-tokens.ts';
import { useRevokeScimToken } from '#src/web/features/scim/api/revoke-scim-token.ts';
import { formatDateTime, formatRelative } from '#src/web/lib/format.ts';

/** The SCIM base URL an identity provider (Okta, Microsoft Entra ID) is given. */
function scimBaseUrl(): string {
  return `${window.location.origin}/scim/v2`;
}

/**
 * The organization's SCIM tokens (admins): list, create (the token is shown once, with a copy
 * button and the SCIM base URL), revoke with confirmation.
 */
export function ScimTokens() {
  const tokens = useScimTokens();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ScimToken | undefined>(undefined);
  const revoke = useRevokeScimToken();

  return (
    <section className="stack" aria-labelledby="scim-tokens-title">
      <div
        style={{
          display: 'flex',
          justifyContent: 'space-between',
          alignItems: 'flex-start',
          gap: 'var(--space-4)',
        }}
      >
        <div>
          <h2 id="scim-tokens-title" className="section-title">
            SCIM provisioning
          </h2>
          <p className="muted">
            Let Okta or Microsoft Entra ID provision members and teams. Give your identity provider
            the SCIM base URL <code>{scimBaseUrl()}</code> and a token created here. Members it
            creates are invited by email and finish setting up their account themselves.
          </p>
        </div>
        <Button
          variant="primary"
          onClick={() => {
            setCreating(true);
          }}
        >
          Create SCIM token
        </Button>
      </div>

      {tokens.isPending ? (
        <LoadingState label="Loading SCIM tokens…" />
      ) : tokens.isError ? (
        <ErrorCallout error={tokens.error} />
      ) : tokens.data.length === 0 ? (
        <EmptyState title="No SCIM tokens yet">
          Create one for each identity provider that provisions your organization.
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table table-compact" aria-labelledby="scim-tokens-title">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Token</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.map((token) => (
                <tr key={token.id}>
                  <td>{token.name}</td>
                  <td>
                    <span className="masked-key">••••{token.hint}</span>
                  </td>
                  <td>{formatDateTime(token.createdAt)}</td>
                  <td>{token.lastUsedAt ? formatRelative(token.lastUsedAt) : 'Never'}</td>
                  <td>
                    <TokenStatus revokedAt={token.revokedAt} />
                  </td>
                  <td>
                    {token.revokedAt ? null : (
                      <Button
                        size="sm"
                        variant="danger"
                        aria-label={`Revoke ${token.name}`}
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
        <CreateScimTokenDialog
          onClose={() => {
            setCreating(false);
          }}
        />
      ) : null}
      {revoking ? (
        <RevokeTokenDialog
          token={revoking}
          consequence="your identity provider can no longer provision members or teams with it. Members it provisioned stay in the organization."
          revoke={revoke}
          onClose={() => {
            setRevoking(undefined);
          }}
        />
      ) : null}
    </section>
  );
}

function CreateScimTokenDialog({ onClose }: { onClose: () => void }) {
  const create = useCreateScimToken();
  const [created, setCreated] = useState<CreatedScimToken | undefined>(undefined);

  if (created) {
    return (
      <TokenCreatedDialog title="SCIM token created" onClose={onClose}>
        <CopyValue label="SCIM base URL" value={scimBaseUrl()} />
        <CopyValue label="SCIM token" value={created.token} />
      </TokenCreatedDialog>
    );
  }

  return (
    <CreateTokenDialog
      title="Create SCIM token"
      description="Your identity provider sends this token with every SCIM request. It can see and change the members and teams of this organization only."
      nameHint='Which identity provider uses it, e.g. "Okta".'
      example="Okta"
      pending={create.isPending}
      error={create.isError ? create.error : null}
      onClose={onClose}
      onCreate={(name) => {
        create.mutate({ name }, { onSuccess: setCreated });
      }}
    />
  );
}

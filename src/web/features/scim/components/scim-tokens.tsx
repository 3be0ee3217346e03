import { useState, type SubmitEvent } from 'react';
import { Badge } from '#src/web/components/ui/badge.tsx';
import { Button } from '#src/web/components/ui/button.tsx';
import { ConfirmDialog } from '#src/web/components/ui/confirm-dialog.tsx';
import { CopyValue } from '#src/web/components/ui/copy-value.tsx';
import { Dialog } from '#src/web/components/ui/dialog.tsx';
import { Field } from '#src/web/components/ui/field.tsx';
import { EmptyState, ErrorCallout, LoadingState } from '#src/web/components/ui/states.tsx';
import { useToast } from '#src/web/components/ui/toast.tsx';
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
                    {token.revokedAt ? (
                      <Badge tone="neutral" title={formatDateTime(token.revokedAt)}>
                        Revoked
                      </Badge>
                    ) : (
                      <Badge tone="success">Active</Badge>
                    )}
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
        <RevokeScimTokenDialog
          token={revoking}
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
  const [name, setName] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [created, setCreated] = useState<CreatedScimToken | undefined>(undefined);

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (trimmed.length === 0 || trimmed.length > 100) {
      setError('Give the token a name of 1 to 100 characters, e.g. "Okta".');
      return;
    }
    setError(undefined);
    create.mutate({ name: trimmed }, { onSuccess: setCreated });
  };

  if (created) {
    return (
      <Dialog
        open
        onOpenChange={(open) => {
          if (!open) onClose();
        }}
        title="SCIM token created"
        description="Copy the token now: it is shown only once. Ergo keeps only its last 4 characters."
        footer={
          <Button variant="primary" onClick={onClose}>
            Done
          </Button>
        }
      >
        <div className="stack">
          <CopyValue label="SCIM base URL" value={scimBaseUrl()} />
          <CopyValue label="SCIM token" value={created.token} />
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      preventClose={create.isPending}
      title="Create SCIM token"
      description="Your identity provider sends this token with every SCIM request. It can see and change the members and teams of this organization only."
      status={create.isError ? <ErrorCallout error={create.error} /> : null}
      footer={
        <>
          <Button disabled={create.isPending} onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="create-scim-token" busy={create.isPending}>
            Create token
          </Button>
        </>
      }
    >
      <form id="create-scim-token" className="form" onSubmit={submit} noValidate>
        <Field
          label="Token name"
          hint='Which identity provider uses it, e.g. "Okta".'
          error={error}
        >
          {(props) => (
            <input
              {...props}
              type="text"
              autoComplete="off"
              maxLength={100}
              value={name}
              onChange={(event) => {
                setName(event.target.value);
              }}
            />
          )}
        </Field>
      </form>
    </Dialog>
  );
}

function RevokeScimTokenDialog({ token, onClose }: { token: ScimToken; onClose: () => void }) {
  const revoke = useRevokeScimToken();
  const toast = useToast();
  return (
    <ConfirmDialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={`Revoke ${token.name}?`}
      description={`The token ending ${token.hint} stops working at once: your identity provider can no longer provision members or teams with it. Members it provisioned stay in the organization.`}
      confirmLabel="Revoke token"
      busy={revoke.isPending}
      onConfirm={() => {
        revoke.mutate(token.id, {
          onSuccess: () => {
            toast.show({ tone: 'success', title: `${token.name} revoked` });
            onClose();
          },
        });
      }}
    >
      {revoke.isError ? <ErrorCallout error={revoke.error} /> : null}
    </ConfirmDialog>
  );
}

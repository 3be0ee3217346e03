import { useState, type ReactNode, type SubmitEvent } from 'react';
import { Badge } from '#src/web/components/ui/badge.tsx';
import { Button } from '#src/web/components/ui/button.tsx';
import { ConfirmDialog } from '#src/web/components/ui/confirm-dialog.tsx';
import { Dialog } from '#src/web/components/ui/dialog.tsx';
import { Field } from '#src/web/components/ui/field.tsx';
import { ErrorCallout } from '#src/web/components/ui/states.tsx';
import { useToast } from '#src/web/components/ui/toast.tsx';
import { formatDateTime } from '#src/web/lib/format.ts';

/**
 * The pieces every kind of bearer token the console makes shares (SCIM tokens, personal API
 * tokens): a name to give it, a dialog that shows it once, its status, and revoking it.
 */

const NAME_MAX = 100;

/** A mutation as the dialogs need it (TanStack Query's shape). */
interface Mutation<I> {
  isPending: boolean;
  isError: boolean;
  error: Error | null;
  mutate: (input: I, options?: { onSuccess?: () => void }) => void;
}

/**
 * "Create … token": a required name (1–100 characters) and the fields `children` adds; calls
 * `onCreate` with the trimmed name.
 */
export function CreateTokenDialog({
  title,
  description,
  nameHint,
  example,
  pending,
  error,
  onCreate,
  onClose,
  children,
}: {
  title: string;
  description: string;
  nameHint: string;
  /** For the message when the name is missing, e.g. "Okta". */
  example: string;
  pending: boolean;
  error: Error | null;
  onCreate: (name: string) => void;
  onClose: () => void;
  children?: ReactNode;
}) {
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string | undefined>(undefined);
  const formId = `create-token-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (trimmed.length === 0 || trimmed.length > NAME_MAX) {
      setNameError(`Give the token a name of 1 to ${NAME_MAX} characters, e.g. "${example}".`);
      return;
    }
    setNameError(undefined);
    onCreate(trimmed);
  };
  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      preventClose={pending}
      title={title}
      description={description}
      status={error ? <ErrorCallout error={error} /> : null}
      footer={
        <>
          <Button disabled={pending} onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form={formId} busy={pending}>
            Create token
          </Button>
        </>
      }
    >
      <form id={formId} className="form" onSubmit={submit} noValidate>
        <Field label="Token name" hint={nameHint} error={nameError}>
          {(props) => (
            <input
              {...props}
              type="text"
              autoComplete="off"
              maxLength={NAME_MAX}
              value={name}
              onChange={(event) => {
                setName(event.target.value);
              }}
            />
          )}
        </Field>
        {children}
      </form>
    </Dialog>
  );
}

/** The token, shown this once (only a hash is kept), with what to do with it. */
export function TokenCreatedDialog({
  title,
  onClose,
  children,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
}) {
  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={title}
      description="Copy the token now: it is shown only once. Ergo keeps only its last 4 characters."
      footer={
        <Button variant="primary" onClick={onClose}>
          Done
        </Button>
      }
    >
      <div className="stack">{children}</div>
    </Dialog>
  );
}

/** Revoked, expired or active. */
export function TokenStatus({
  revokedAt,
  expired = false,
}: {
  revokedAt: string | null;
  expired?: boolean;
}) {
  if (revokedAt) {
    return (
      <Badge tone="neutral" title={formatDateTime(revokedAt)}>
        Revoked
      </Badge>
    );
  }
  return expired ? <Badge tone="neutral">Expired</Badge> : <Badge tone="success">Active</Badge>;
}

/** "Revoke <name>?" and, once confirmed, revoke it and say so. */
export function RevokeTokenDialog({
  token,
  consequence,
  revoke,
  onClose,
}: {
  token: { id: string; name: string; hint: string };
  /** What stops working, after "The token ending abcd stops working at once: ". */
  consequence: string;
  revoke: Mutation<string>;
  onClose: () => void;
}) {
  const toast = useToast();
  return (
    <ConfirmDialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={`Revoke ${token.name}?`}
      description={`The token ending ${token.hint} stops working at once: ${consequence}`}
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
      {revoke.isError && revoke.error ? <ErrorCallout error={revoke.error} /> : null}
    </ConfirmDialog>
  );
}

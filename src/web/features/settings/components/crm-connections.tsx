import { useState } from 'react';
import { CRM_KEYS, CRM_LABELS, type CrmKey } from '#src/domain/crm.ts';
import { Badge } from '#src/web/components/ui/badge.tsx';
import { Button } from '#src/web/components/ui/button.tsx';
import { ConfirmDialog } from '#src/web/components/ui/confirm-dialog.tsx';
import { ErrorCallout, LoadingState } from '#src/web/components/ui/states.tsx';
import { useToast } from '#src/web/components/ui/toast.tsx';
import { useCrmConnections } from '#src/web/features/settings/api/get-crm-connections.ts';
import { useDeleteCrmConnection } from '#src/web/features/settings/api/delete-crm-connection.ts';
import { CrmConnectionDialog } from '#src/web/features/settings/components/crm-connection-dialog.tsx';
import { describeInstance } from '#src/web/features/settings/components/crm-fields.ts';
import { errorSummary } from '#src/web/lib/errors.ts';
import { formatRelative } from '#src/web/lib/format.ts';

/** Your CRM connections, keys masked (last 4 characters), with connect / replace / remove. */
export function CrmConnections() {
  const connections = useCrmConnections();
  const remove = useDeleteCrmConnection();
  const toast = useToast();
  const [editing, setEditing] = useState<CrmKey | null>(null);
  const [removing, setRemoving] = useState<CrmKey | null>(null);

  if (connections.isLoading) return <LoadingState label="Loading your CRM connections…" />;
  if (connections.isError) return <ErrorCallout error={connections.error} />;
  const byCrm = new Map((connections.data ?? []).map((c) => [c.crm, c]));

  return (
    <div className="stack">
      <ul className="crm-list">
        {CRM_KEYS.map((crm) => {
          const connection = byCrm.get(crm);
          const details = connection ? describeInstance(crm, connection.instance) : null;
          return (
            <li key={crm}>
              <section className="crm-row" aria-label={CRM_LABELS[crm]}>
                <span className={`crm-logo crm-logo-${crm}`} aria-hidden="true">
                  {CRM_LABELS[crm][0]}
                </span>
                <div className="crm-text">
                  <p className="crm-name">
                    {CRM_LABELS[crm]}{' '}
                    {connection ? (
                      <Badge tone="success">Connected</Badge>
                    ) : (
                      <Badge>Not connected</Badge>
                    )}
                  </p>
                  {connection ? (
                    <p className="muted small">
                      Key <code className="masked-key">{connection.maskedKey}</code>
                      {details ? ` · ${details}` : ''} · updated{' '}
                      {formatRelative(connection.updatedAt)}
                    </p>
                  ) : (
                    <p className="muted small">No key saved.</p>
                  )}
                </div>
                <div className="crm-actions">
                  {connection ? (
                    <>
                      <Button
                        size="sm"
                        onClick={() => {
                          setEditing(crm);
                        }}
                      >
                        Replace key
                      </Button>
                      <Button
                        size="sm"
                        variant="ghost"
                        onClick={() => {
                          remove.reset();
                          setRemoving(crm);
                        }}
                      >
                        Remove
                      </Button>
                    </>
                  ) : (
                    <Button
                      size="sm"
                      variant="primary"
                      onClick={() => {
                        setEditing(crm);
                      }}
                    >
                      Connect
                    </Button>
                  )}
                </div>
              </section>
            </li>
          );
        })}
      </ul>

      {editing ? (
        <CrmConnectionDialog
          crm={editing}
          existing={byCrm.get(editing)}
          onClose={() => {
            setEditing(null);
          }}
        />
      ) : null}

      <ConfirmDialog
        open={removing !== null}
        onOpenChange={(open) => {
          if (!open) setRemoving(null);
        }}
        title={removing ? `Remove the ${CRM_LABELS[removing]} connection?` : ''}
        description={
          removing
            ? `Ergo stops using these ${CRM_LABELS[removing]} keys for you. An admin can copy the organization's keys to you again with Sync CRM.`
            : ''
        }
        confirmLabel="Remove connection"
        busy={remove.isPending}
        onConfirm={() => {
          if (!removing) return;
          const crm = removing;
          remove.mutate(crm, {
            onSuccess: () => {
              setRemoving(null);
              toast.show({ tone: 'success', title: `${CRM_LABELS[crm]} disconnected` });
            },
            onError: (error) => {
              setRemoving(null);
              toast.show({
                tone: 'error',
                title: `${CRM_LABELS[crm]} was not disconnected.`,
                body: errorSummary(error),
              });
            },
          });
        }}
      />
    </div>
  );
}

import { useEffect, useState } from 'react';
import { CRM_KEYS, CRM_LABELS, type CrmKey } from '#src/domain/crm.ts';
import { Badge } from '#src/web/components/ui/badge.tsx';
import { Button } from '#src/web/components/ui/button.tsx';
import { ConfirmDialog } from '#src/web/components/ui/confirm-dialog.tsx';
import { ErrorCallout, LoadingState } from '#src/web/components/ui/states.tsx';
import { useToast } from '#src/web/components/ui/toast.tsx';
import { useCrmConnections } from '#src/web/features/settings/api/get-crm-connections.ts';
import { useDeleteCrmConnection } from '#src/web/features/settings/api/delete-crm-connection.ts';
import {
  oauthOutcomeMessage,
  useConnectOptions,
  useStartOAuth,
  useTestConnection,
  type ConnectionTestResult,
} from '#src/web/features/settings/api/crm-oauth.ts';
import type { CrmConnection } from '#src/web/features/settings/api/get-crm-connections.ts';
import { CrmOAuthDialog } from '#src/web/features/settings/components/crm-oauth-dialog.tsx';
import { CrmConnectionDialog } from '#src/web/features/settings/components/crm-connection-dialog.tsx';
import { describeInstance } from '#src/web/features/settings/components/crm-fields.ts';
import { errorSummary } from '#src/web/lib/errors.ts';
import { formatRelative } from '#src/web/lib/format.ts';

/** What the CRM's sign-in sent back (`?crm=…&connected=1` or `&error=<code>`), once. */
function useOAuthOutcome(): { crm: CrmKey; error?: string } | null {
  const [outcome] = useState(() => {
    const params = new URLSearchParams(window.location.search);
    const crm = params.get('crm');
    if (!crm || !(CRM_KEYS as readonly string[]).includes(crm)) return null;
    const error = params.get('error');
    if (!error && params.get('connected') !== '1') return null;
    return { crm: crm as CrmKey, ...(error ? { error } : {}) };
  });
  useEffect(() => {
    if (outcome) window.history.replaceState(null, '', window.location.pathname);
  }, [outcome]);
  return outcome;
}

/**
 * Your CRM connections: "Connect <CRM>" (OAuth, when this server has a client for that CRM) or a
 * pasted key (masked: last 4 characters), with Test connection, replace and remove.
 */
export function CrmConnections() {
  const connections = useCrmConnections();
  const options = useConnectOptions();
  const remove = useDeleteCrmConnection();
  const startOAuth = useStartOAuth();
  const test = useTestConnection();
  const toast = useToast();
  const outcome = useOAuthOutcome();
  const [editing, setEditing] = useState<CrmKey | null>(null);
  const [removing, setRemoving] = useState<CrmKey | null>(null);
  const [oauthFor, setOauthFor] = useState<'salesforce' | 'zoho' | null>(null);
  const [tests, setTests] = useState<Partial<Record<CrmKey, ConnectionTestResult>>>({});

  if (connections.isLoading) return <LoadingState label="Loading your CRM connections…" />;
  if (connections.isError) return <ErrorCallout error={connections.error} />;
  const byCrm = new Map((connections.data ?? []).map((c) => [c.crm, c]));
  const optionFor = (crm: CrmKey) => options.data?.find((o) => o.crm === crm);

  const connectWithOAuth = (crm: CrmKey) => {
    if (crm === 'salesforce' || crm === 'zoho') setOauthFor(crm);
    else startOAuth.mutate({ crm });
  };
  const runTest = (crm: CrmKey) => {
    test.mutate(crm, {
      onSuccess: (result) => {
        setTests((t) => ({ ...t, [crm]: result }));
      },
      onError: (error) => {
        toast.show({
          tone: 'error',
          title: `${CRM_LABELS[crm]} could not be tested.`,
          body: errorSummary(error),
        });
      },
    });
  };

  return (
    <div className="stack">
      {outcome ? (
        outcome.error ? (
          <div className="callout callout-danger" role="alert">
            <p>{oauthOutcomeMessage(outcome.error, CRM_LABELS[outcome.crm])}</p>
          </div>
        ) : (
          <div className="callout callout-success" role="status">
            <p>{CRM_LABELS[outcome.crm]} connected. Ergo renews its access for you.</p>
          </div>
        )
      ) : null}
      {startOAuth.error ? <ErrorCallout error={startOAuth.error} /> : null}
      <ul className="crm-list">
        {CRM_KEYS.map((crm) => {
          const connection = byCrm.get(crm);
          const details = connection ? describeInstance(crm, connection.instance) : null;
          const oauth = optionFor(crm)?.oauth === true;
          const tested = tests[crm];
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
                      connection.status === 'reconnect_needed' ? (
                        <Badge tone="warning">Reconnect needed</Badge>
                      ) : (
                        <Badge tone="success">Connected</Badge>
                      )
                    ) : (
                      <Badge>Not connected</Badge>
                    )}
                  </p>
                  {connection ? (
                    <ConnectionLine connection={connection} details={details} />
                  ) : (
                    <p className="muted small">
                      {oauth
                        ? 'Not connected yet.'
                        : `No key saved. Connect with ${CRM_LABELS[crm]} is not set up on this server: paste a key.`}
                    </p>
                  )}
                  {connection?.status === 'reconnect_needed' && connection.statusDetail ? (
                    <p className="small field-error">{connection.statusDetail}</p>
                  ) : null}
                  {tested ? <TestOutcome result={tested} /> : null}
                </div>
                <div className="crm-actions">
                  {connection ? (
                    <>
                      <Button
                        size="sm"
                        busy={test.isPending && test.variables === crm}
                        onClick={() => {
                          runTest(crm);
                        }}
                      >
                        Test connection
                      </Button>
                      {connection.via === 'oauth' ||
                      (oauth && connection.status === 'reconnect_needed') ? (
                        <Button
                          size="sm"
                          variant={connection.status === 'reconnect_needed' ? 'primary' : undefined}
                          busy={startOAuth.isPending && startOAuth.variables.crm === crm}
                          onClick={() => {
                            connectWithOAuth(crm);
                          }}
                        >
                          Reconnect
                        </Button>
                      ) : (
                        <Button
                          size="sm"
                          onClick={() => {
                            setEditing(crm);
                          }}
                        >
                          Replace key
                        </Button>
                      )}
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
                    <>
                      {oauth ? (
                        <Button
                          size="sm"
                          variant="primary"
                          busy={startOAuth.isPending && startOAuth.variables.crm === crm}
                          onClick={() => {
                            connectWithOAuth(crm);
                          }}
                        >
                          Connect {CRM_LABELS[crm]}
                        </Button>
                      ) : null}
                      <Button
                        size="sm"
                        variant={oauth ? undefined : 'primary'}
                        onClick={() => {
                          setEditing(crm);
                        }}
                      >
                        Paste a key
                      </Button>
                    </>
                  )}
                </div>
              </section>
            </li>
          );
        })}
      </ul>

      {oauthFor ? (
        <CrmOAuthDialog
          crm={oauthFor}
          zohoDataCentres={optionFor('zoho')?.options.zohoDataCentres ?? ['com']}
          onClose={() => {
            setOauthFor(null);
          }}
        />
      ) : null}

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

/** How a connection was made and what Ergo knows of it, never the key itself. */
function ConnectionLine({
  connection,
  details,
}: {
  connection: CrmConnection;
  details: string | null;
}) {
  if (connection.via === 'oauth') {
    const expires = connection.accessExpiresAt;
    return (
      <p className="muted small">
        Signed in with OAuth{details ? ` · ${details}` : ''}
        {expires ? ` · access renews before ${new Date(expires).toLocaleTimeString()}` : ''} ·
        updated {formatRelative(connection.updatedAt)}
      </p>
    );
  }
  return (
    <p className="muted small">
      Key <code className="masked-key">{connection.maskedKey}</code>
      {details ? ` · ${details}` : ''} · updated {formatRelative(connection.updatedAt)}
    </p>
  );
}

function TestOutcome({ result }: { result: ConnectionTestResult }) {
  return (
    <div
      className={`small test-outcome test-outcome-${result.status}`}
      role="status"
      aria-label="Connection test"
    >
      <p>
        {result.detail}
        {result.account ? ` Account: ${result.account}.` : ''}
      </p>
      {result.scopes && result.scopes.length > 0 ? (
        <p className="muted">Scopes: {result.scopes.join(', ')}</p>
      ) : null}
      {result.expiresAt ? (
        <p className="muted">Access token expires {formatRelative(result.expiresAt)}.</p>
      ) : null}
    </div>
  );
}

import { Button } from '#src/web/components/ui/button.tsx';
import { Dialog } from '#src/web/components/ui/dialog.tsx';
import { Progress } from '#src/web/components/ui/spinner.tsx';
import { ErrorCallout } from '#src/web/components/ui/states.tsx';
import {
  CrmSyncResult,
  hasOwnerPropertyFailure,
} from '#src/web/features/sync/components/crm-sync-result.tsx';
import type { SyncCrmFlow } from '#src/web/features/sync/hooks/use-sync-crm-flow.ts';

export function SyncCrmDialog({ flow }: { flow: SyncCrmFlow }) {
  const { target, result, error, isSyncing, isRetrying } = flow;
  const busy = isSyncing || isRetrying;
  const name = target?.name ?? '';
  return (
    <Dialog
      open={target !== null}
      onOpenChange={(open) => {
        if (!open) flow.close();
      }}
      preventClose={busy}
      title="Sync CRM"
      description={
        <>
          Copy the organization admin’s CRM keys to {name}’s dashboard, then check {name}’s CRM
          owner properties.
        </>
      }
      footer={
        <>
          {result && hasOwnerPropertyFailure(result) ? (
            <Button busy={isRetrying} onClick={flow.retryOwnerProperties}>
              Retry owner properties
            </Button>
          ) : null}
          {error && !result ? (
            <Button disabled={busy} onClick={flow.rerun}>
              Try again
            </Button>
          ) : null}
          <Button variant="primary" disabled={busy} onClick={flow.close}>
            Done
          </Button>
        </>
      }
    >
      {isSyncing ? (
        <Progress>
          <strong>Syncing CRM keys to {name}…</strong>
          <p>Wait for the sync to finish.</p>
        </Progress>
      ) : null}
      {error && !isSyncing ? <ErrorCallout error={error} /> : null}
      {result && target ? (
        <div className="stack">
          {isRetrying ? (
            <Progress>
              <strong>Retrying owner properties…</strong>
              <p>Wait for the sync to finish.</p>
            </Progress>
          ) : null}
          <CrmSyncResult result={result} memberName={target.name} />
        </div>
      ) : null}
    </Dialog>
  );
}

import { Button } from '#src/web/components/ui/button.tsx';
import { Dialog } from '#src/web/components/ui/dialog.tsx';
import { Progress } from '#src/web/components/ui/spinner.tsx';
import { Callout, ErrorCallout } from '#src/web/components/ui/states.tsx';
import type { SyncCrmPreview } from '#src/web/features/sync/api/sync-crm-preview.ts';
import {
  CrmSyncProgress,
  CrmSyncResult,
  crmNames,
  hasOwnerPropertyFailure,
} from '#src/web/features/sync/components/crm-sync-result.tsx';
import type { SyncCrmFlow } from '#src/web/features/sync/hooks/use-sync-crm-flow.ts';

function firstNameOf(name: string): string {
  return name.split(' ')[0] ?? name;
}

/** "Replaces Jordan’s HubSpot and Pipedrive keys": what confirming overwrites, no secrets. */
export function replacesLine(name: string, preview: Pick<SyncCrmPreview, 'replaces'>): string {
  const n = preview.replaces.length;
  return `Replaces ${firstNameOf(name)}’s ${crmNames(preview.replaces)} key${n === 1 ? '' : 's'}`;
}

function ConfirmReplace({ name, preview }: { name: string; preview: SyncCrmPreview }) {
  const first = firstNameOf(name);
  const added = preview.copies.filter(
    (c) => !preview.replaces.includes(c) && !preview.unchanged.includes(c),
  );
  return (
    <Callout tone="warning" title={replacesLine(name, preview)}>
      <p>
        {first} has {preview.replaces.length === 1 ? 'a' : ''} {crmNames(preview.replaces)}{' '}
        {preview.replaces.length === 1 ? 'connection' : 'connections'} of their own. Sync CRM
        replaces {preview.replaces.length === 1 ? 'it' : 'them'} with the organization admin’s
        {preview.from ? ` (${preview.from.name})` : ''} keys.
      </p>
      {added.length > 0 ? <p>It also copies {crmNames(added)}.</p> : null}
      {preview.unchanged.length > 0 ? (
        <p>
          {first}’s {crmNames(preview.unchanged)} already{' '}
          {preview.unchanged.length === 1 ? 'has' : 'have'} the same keys and{' '}
          {preview.unchanged.length === 1 ? 'is' : 'are'} not written.
        </p>
      ) : null}
      {preview.kept.length > 0 ? (
        <p>
          {first}’s {crmNames(preview.kept)} {preview.kept.length === 1 ? 'stays' : 'stay'} as{' '}
          {preview.kept.length === 1 ? 'it is' : 'they are'}: the organization admin has no such
          keys.
        </p>
      ) : null}
      <p>Revert it from the sync history if you change your mind.</p>
    </Callout>
  );
}

/**
 * Sync CRM for one member: confirmation when it would replace their own keys, progress, then
 * the result per CRM. It can always be closed (Escape): a running sync goes on without it.
 */
export function SyncCrmDialog({ flow }: { flow: SyncCrmFlow }) {
  const { target, phase, preview, progress, result, error, isRetrying } = flow;
  const name = target?.name ?? '';

  const status =
    phase === 'checking' ? (
      <Progress>
        <strong>Checking {name}’s CRM connections…</strong>
      </Progress>
    ) : phase === 'syncing' ? (
      <Progress>
        <strong>
          {progress ? `Checking ${name}’s CRM owner properties…` : `Syncing CRM keys to ${name}…`}
        </strong>
        <p>Wait for the sync to finish.</p>
      </Progress>
    ) : isRetrying ? (
      <Progress>
        <strong>Retrying owner properties…</strong>
        <p>Wait for the sync to finish.</p>
      </Progress>
    ) : phase === 'failed' && error ? (
      <ErrorCallout error={error} />
    ) : null;

  const footer =
    phase === 'confirm' ? (
      <>
        <Button onClick={flow.close}>Cancel</Button>
        <Button variant="danger" onClick={flow.confirm}>
          Replace keys and Sync CRM
        </Button>
      </>
    ) : (
      <>
        {phase === 'done' && result && hasOwnerPropertyFailure(result) ? (
          <Button busy={isRetrying} onClick={flow.retryOwnerProperties}>
            Retry owner properties
          </Button>
        ) : null}
        {phase === 'failed' ? <Button onClick={flow.rerun}>Try again</Button> : null}
        <Button variant={phase === 'syncing' ? 'secondary' : 'primary'} onClick={flow.close}>
          {phase === 'syncing' || phase === 'checking' ? 'Close' : 'Done'}
        </Button>
      </>
    );

  return (
    <Dialog
      open={target !== null}
      onOpenChange={(open) => {
        if (!open) flow.close();
      }}
      title="Sync CRM"
      description={
        <>
          Copy the organization admin’s CRM keys to {name}’s dashboard, then check {name}’s CRM
          owner properties.
        </>
      }
      status={status}
      footer={footer}
    >
      {phase === 'needs_setup' ? (
        <Callout
          tone="danger"
          title="This user hasn't finished setup yet, so settings can't be pushed."
        >
          <p>
            {name} has no dashboard yet. The account may need provisioning or setup completion
            before settings can be pushed.
          </p>
        </Callout>
      ) : null}
      {phase === 'confirm' && preview && target ? (
        <ConfirmReplace name={target.name} preview={preview} />
      ) : null}
      {phase === 'syncing' && progress ? (
        <CrmSyncProgress copied={progress.copied} message={progress.message} crms={progress.crms} />
      ) : null}
      {result && target ? <CrmSyncResult result={result} memberName={target.name} /> : null}
    </Dialog>
  );
}

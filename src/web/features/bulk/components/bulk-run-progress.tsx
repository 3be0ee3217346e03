import { useId } from 'react';
import { Button } from '#src/web/components/ui/button.tsx';
import { useCancelBulkSync } from '#src/web/features/bulk/api/cancel-bulk-sync.ts';
import type { BulkRun } from '#src/web/features/bulk/api/get-bulk-sync.ts';
import { useRetryBulkSync } from '#src/web/features/bulk/api/retry-bulk-sync.ts';
import { BulkError } from '#src/web/features/bulk/components/bulk-error.tsx';
import { members } from '#src/web/features/bulk/components/bulk-labels.ts';
import { BulkProgressBar } from '#src/web/features/bulk/components/bulk-progress-bar.tsx';
import { BulkResultsTable } from '#src/web/features/bulk/components/bulk-results-table.tsx';
import { useBulkRun } from '#src/web/features/bulk/hooks/use-bulk-run.ts';

function heading(run: BulkRun): string {
  const who = members(run.total);
  const verb =
    run.action === 'sync_crm'
      ? `Sync CRM for ${who}`
      : run.action === 'revert'
        ? `Revert for ${who}`
        : `Sync Settings to ${who}`;
  const retry = run.retryOf ? ' (retry of the failed members)' : '';
  if (run.finishedAt === null) {
    return run.cancelRequested ? `${verb}${retry}: cancelling…` : `${verb}${retry}: in progress`;
  }
  return run.status === 'cancelled' ? `${verb}${retry}: cancelled` : `${verb}${retry}: finished`;
}

function outcome(run: BulkRun): string {
  const parts = [
    `${run.applied} applied`,
    `${run.unchanged} unchanged`,
    `${run.failed} failed`,
    ...(run.cancelled > 0 ? [`${run.cancelled} cancelled`] : []),
  ];
  return `${run.status === 'cancelled' ? 'Cancelled' : 'Finished'}: ${parts.join(', ')}.`;
}

/**
 * A bulk run as it happens: the bar ("done of total", time left), the counts, Cancel while it
 * runs; once finished, every member's result ("Failures only") and "Retry failed", which starts
 * a new run of the failed members and shows it here instead (`onRetry`).
 */
export function BulkRunProgress({
  initial,
  onRetry,
}: {
  initial: BulkRun;
  onRetry: (run: BulkRun) => void;
}) {
  const id = useId();
  const run = useBulkRun(initial);
  const cancel = useCancelBulkSync();
  const retry = useRetryBulkSync();
  const finished = run.finishedAt !== null;

  return (
    <section className="bulk-progress" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="bulk-progress-title">
        {heading(run)}
      </h3>
      <BulkProgressBar run={run} label="Members done" />
      <dl className="bulk-counts">
        <div>
          <dt>Applied</dt>
          <dd>{run.applied}</dd>
        </div>
        <div>
          <dt>Unchanged</dt>
          <dd>{run.unchanged}</dd>
        </div>
        <div className={run.failed > 0 ? 'bulk-count-failed' : undefined}>
          <dt>Failed</dt>
          <dd>{run.failed}</dd>
        </div>
        {run.cancelled > 0 ? (
          <div>
            <dt>Cancelled</dt>
            <dd>{run.cancelled}</dd>
          </div>
        ) : null}
      </dl>
      {/* Present from the start, so the outcome is announced when it arrives. */}
      <p className="bulk-outcome" role="status">
        {finished ? outcome(run) : ''}
      </p>
      {!finished ? (
        <div className="bulk-actions">
          <Button
            busy={cancel.isPending}
            disabled={run.cancelRequested}
            onClick={() => {
              cancel.mutate(run.id);
            }}
          >
            Cancel
          </Button>
          <span className="muted small">
            {run.cancelRequested
              ? 'Cancelling: the members in progress finish first; the rest are not synced.'
              : 'Closing this window does not stop the run.'}
          </span>
        </div>
      ) : null}
      {cancel.error ? <BulkError error={cancel.error} title="The run wasn’t cancelled." /> : null}
      {finished ? (
        <>
          {run.failed > 0 ? (
            <div className="bulk-actions">
              <Button
                variant="primary"
                busy={retry.isPending}
                onClick={() => {
                  retry.mutate(run.id, { onSuccess: onRetry });
                }}
              >
                {run.action === 'sync_crm' ? 'Retry owner properties' : 'Retry failed'}
              </Button>
              <span className="muted small">
                {run.action === 'sync_crm'
                  ? `Runs Sync CRM again for the ${members(run.failed)} that failed: keys already copied are left as they are, and the owner properties are checked again.`
                  : `Runs the same sync again for the ${members(run.failed)} that failed.`}
              </span>
            </div>
          ) : null}
          {retry.error ? (
            <BulkError error={retry.error} title="The failed members weren’t retried." />
          ) : null}
          <BulkResultsTable
            runId={run.id}
            caption="Results per member"
            failed={run.failed}
            showCrms={run.action === 'sync_crm'}
          />
        </>
      ) : null}
    </section>
  );
}

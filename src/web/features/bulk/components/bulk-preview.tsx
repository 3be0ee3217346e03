import { useId, useState } from 'react';
import { Callout } from '#src/web/components/ui/states.tsx';
import { useBulkSync, type BulkRun } from '#src/web/features/bulk/api/get-bulk-sync.ts';
import { BulkError } from '#src/web/features/bulk/components/bulk-error.tsx';
import { describeTotals, members } from '#src/web/features/bulk/components/bulk-labels.ts';
import { BulkProgressBar } from '#src/web/features/bulk/components/bulk-progress-bar.tsx';
import { BulkResultsTable } from '#src/web/features/bulk/components/bulk-results-table.tsx';
import { useBulkRun } from '#src/web/features/bulk/hooks/use-bulk-run.ts';

/** "3 members will change: 6 properties added, 3 stages updated" (the aggregated preview). */
export function previewHeadline(membersChanging: number, totals: string): string {
  if (membersChanging === 0) return 'No member will change: they already have these settings.';
  const who = `${members(membersChanging)} will change`;
  return totals ? `${who}: ${totals}` : `${who}.`;
}

/**
 * The preview of a bulk Sync Settings (a dry run): its progress while the members are compared,
 * then what would change summed over the members, and per member on request. Nothing is written.
 */
export function BulkPreview({ initial }: { initial: BulkRun }) {
  const id = useId();
  const run = useBulkRun(initial);
  const finished = run.finishedAt !== null;
  const detail = useBulkSync(run.id, { enabled: finished });
  const [open, setOpen] = useState(false);

  if (!finished) {
    return (
      <section className="preview bulk-preview" aria-labelledby={`${id}-title`}>
        <h3 id={`${id}-title`}>Preview: what would change</h3>
        <BulkProgressBar run={run} label="Preview progress" />
        <p className="muted small">
          Comparing each member’s settings with yours. Nothing is changed.
        </p>
      </section>
    );
  }
  const summary = detail.data?.summary;
  return (
    <section className="preview bulk-preview" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Preview: what would change</h3>
      {detail.isError ? (
        <BulkError error={detail.error} title="The preview couldn’t be loaded." />
      ) : null}
      {summary ? (
        <>
          <Callout tone={summary.membersChanging > 0 ? 'info' : 'success'}>
            <p className="bulk-preview-headline">
              {previewHeadline(summary.membersChanging, describeTotals(summary.categories))}
            </p>
            {run.unchanged > 0 ? (
              <p>
                {members(run.unchanged)} already {run.unchanged === 1 ? 'has' : 'have'} these
                settings.
              </p>
            ) : null}
            {run.failed > 0 ? (
              <p>{members(run.failed)} can’t be synced: see the list of members.</p>
            ) : null}
            {run.status === 'cancelled' ? (
              <p>The preview was cancelled before it finished.</p>
            ) : null}
          </Callout>
          <p className="muted small">Nothing has been changed yet.</p>
          <button
            type="button"
            className="link-button disclosure"
            aria-expanded={open}
            aria-controls={`${id}-members`}
            onClick={() => {
              setOpen((current) => !current);
            }}
          >
            {open ? 'Hide members' : `Show ${members(run.total)}`}
          </button>
          <div id={`${id}-members`} hidden={!open}>
            {open ? (
              <BulkResultsTable
                runId={run.id}
                caption="Preview per member"
                failed={run.failed}
                showChanges
              />
            ) : null}
          </div>
        </>
      ) : (
        <p className="muted small">Loading the preview…</p>
      )}
    </section>
  );
}

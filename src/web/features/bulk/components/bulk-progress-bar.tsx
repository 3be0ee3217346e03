import type { BulkRun } from '#src/web/features/bulk/api/get-bulk-sync.ts';
import { timeLeft } from '#src/web/features/bulk/components/bulk-labels.ts';

/** "3 of 5 done" with a bar (role=progressbar) and the time left while the run is moving. */
export function BulkProgressBar({ run, label }: { run: BulkRun; label: string }) {
  const percent = run.total > 0 ? Math.round((run.done / run.total) * 100) : 100;
  const left = timeLeft(run);
  return (
    <div className="bulk-bar-block">
      <div
        className="bulk-bar"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={run.total}
        aria-valuenow={run.done}
        aria-valuetext={`${run.done} of ${run.total} done`}
      >
        <div className="bulk-bar-fill" style={{ width: `${percent}%` }} />
      </div>
      <p className="bulk-bar-line">
        <span className="bulk-bar-count">
          {run.done} of {run.total} done
        </span>
        {left ? <span className="muted">{left}</span> : null}
        {!left && run.finishedAt === null && run.done === 0 ? (
          <span className="muted">Starting…</span>
        ) : null}
      </p>
    </div>
  );
}

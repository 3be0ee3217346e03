import { useId, useState } from 'react';
import { Badge, type Tone } from '#src/web/components/ui/badge.tsx';
import { Button } from '#src/web/components/ui/button.tsx';
import {
  useBulkSyncResults,
  type BulkMemberStatus,
} from '#src/web/features/bulk/api/get-bulk-sync.ts';
import { BulkError } from '#src/web/features/bulk/components/bulk-error.tsx';
import { CRM_LABELS } from '#src/domain/crm.ts';
import type { OwnerPropertyStatus } from '#src/web/features/sync/api/sync-crm.ts';
import { OWNER_PROPERTY_TEXT } from '#src/web/features/sync/components/crm-sync-result.tsx';
import {
  countsOf,
  crmOutcomesOf,
  describeTotals,
  MEMBER_STATUS_LABELS,
  memberErrorText,
} from '#src/web/features/bulk/components/bulk-labels.ts';

const STATUS_TONES: Record<BulkMemberStatus, Tone> = {
  pending: 'neutral',
  applied: 'success',
  would_change: 'info',
  unchanged: 'neutral',
  failed: 'danger',
  cancelled: 'warning',
};

/**
 * The members of a finished run: name, email, status and, for a failure, why, in plain words.
 * "Failures only" asks the server for the failed members; "Show more" loads the next page.
 * `showChanges`: a column of what changes per member (the preview); `showCrms`: a Sync CRM
 * run's owner-property outcome per CRM.
 */
export function BulkResultsTable({
  runId,
  caption,
  failed,
  showChanges = false,
  showCrms = false,
}: {
  runId: string;
  caption: string;
  /** How many members failed: "Failures only" is offered when any did. */
  failed: number;
  showChanges?: boolean;
  showCrms?: boolean;
}) {
  const id = useId();
  const [failuresOnly, setFailuresOnly] = useState(false);
  const results = useBulkSyncResults(runId, { status: failuresOnly ? 'failed' : undefined });
  const items = results.data?.pages.flatMap((page) => page.results.items) ?? [];

  return (
    <div className="bulk-results">
      <div className="bulk-results-head">
        <h4 id={`${id}-title`} className="bulk-results-title">
          {caption}
        </h4>
        {failed > 0 ? (
          <label className="toggle">
            <input
              type="checkbox"
              checked={failuresOnly}
              onChange={(event) => {
                setFailuresOnly(event.target.checked);
              }}
            />
            Failures only
          </label>
        ) : null}
      </div>
      {results.isError ? (
        <BulkError error={results.error} title="The results couldn’t be loaded." />
      ) : null}
      <div className="table-wrap">
        <table className="table table-compact" aria-labelledby={`${id}-title`}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Status</th>
              {showChanges ? <th scope="col">What changes</th> : null}
              {showCrms ? <th scope="col">CRM owner properties</th> : null}
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.memberId}>
                <th scope="row" className="cell-name">
                  {item.name ?? 'Unknown member'}
                </th>
                <td className="cell-email">{item.email ?? ''}</td>
                <td>
                  <Badge tone={STATUS_TONES[item.status]}>
                    {MEMBER_STATUS_LABELS[item.status]}
                  </Badge>
                </td>
                {showChanges ? (
                  <td className="bulk-changes">{describeTotals(countsOf(item.counts)) || '—'}</td>
                ) : null}
                {showCrms ? (
                  <td>
                    <div className="bulk-crms">
                      {crmOutcomesOf(item.counts).map(({ crm, ownerProperty }) => {
                        const text = OWNER_PROPERTY_TEXT[ownerProperty as OwnerPropertyStatus] as
                          (typeof OWNER_PROPERTY_TEXT)[OwnerPropertyStatus] | undefined;
                        return (
                          <Badge key={crm} tone={text?.tone ?? 'neutral'}>
                            {CRM_LABELS[crm]}: {text?.text ?? ownerProperty}
                          </Badge>
                        );
                      })}
                    </div>
                  </td>
                ) : null}
                <td className="bulk-error-cell">{memberErrorText(item.errorCode)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {results.isLoading ? <p className="muted small">Loading the results…</p> : null}
      {!results.isLoading && items.length === 0 && !results.isError ? (
        <p className="muted small">
          {failuresOnly ? 'No member failed.' : 'No members in this run.'}
        </p>
      ) : null}
      {results.hasNextPage ? (
        <Button
          size="sm"
          busy={results.isFetchingNextPage}
          onClick={() => {
            void results.fetchNextPage();
          }}
        >
          Show more results
        </Button>
      ) : null}
    </div>
  );
}

import { useState } from 'react';
import { Badge } from '#src/web/components/ui/badge.tsx';
import { Button } from '#src/web/components/ui/button.tsx';
import { ConfirmDialog } from '#src/web/components/ui/confirm-dialog.tsx';
import { EmptyState, ErrorCallout } from '#src/web/components/ui/states.tsx';
import { useToast } from '#src/web/components/ui/toast.tsx';
import {
  useSyncHistory,
  type HistoryFilter,
  type SyncHistoryItem,
} from '#src/web/features/sync/api/get-sync-history.ts';
import { useRevertSync } from '#src/web/features/sync/api/revert-sync.ts';
import { SyncDetailDialog } from '#src/web/features/sync/components/sync-detail-dialog.tsx';
import {
  actionLabel,
  categoryLabels,
  HistorySummary,
  isNoChangeSync,
} from '#src/web/features/sync/components/history-summary.tsx';
import { ApiError } from '#src/web/lib/api-client.ts';
import { formatDateTime, formatRelative } from '#src/web/lib/format.ts';

const REFUSED_REVERT_ADVICE =
  'Reopen the relevant settings page and adjust it manually, or repeat the sync with narrower categories.';

/** A sync that changed nothing has nothing to undo (the server refuses it too). */
function isRevertible(item: SyncHistoryItem): boolean {
  return (
    item.action !== 'revert' &&
    (item.status === 'applied' || item.status === 'partial') &&
    item.revertedBySyncId === null &&
    !isNoChangeSync(item)
  );
}

/**
 * Who synced what to whom and when (SPEC §6), with per-category counts and "Revert" behind a
 * confirmation; a refused revert says why and what to do instead.
 */
export function SyncHistoryTable({
  filter,
  nameOf,
  showTarget,
}: {
  filter: HistoryFilter;
  nameOf: (userId: string | null, fallback?: string | null) => string;
  showTarget: boolean;
}) {
  const history = useSyncHistory(filter);
  const revert = useRevertSync();
  const toast = useToast();
  const [pending, setPending] = useState<SyncHistoryItem | null>(null);
  const [detail, setDetail] = useState<SyncHistoryItem | null>(null);
  /** Syncs whose revert the server refused (changed since): Revert stays off, with the reason. */
  const [refused, setRefused] = useState<ReadonlyMap<string, string>>(new Map());

  const items = history.data?.pages.flatMap((page) => page.items) ?? [];

  const confirmRevert = () => {
    if (!pending) return;
    const item = pending;
    revert.mutate(item.id, {
      onSuccess: () => {
        setPending(null);
        toast.show({
          tone: 'success',
          title: 'Sync reverted',
          body: `${nameOf(item.targetId, item.targetName)}’s previous values are restored.`,
        });
      },
      onError: (error) => {
        if (error instanceof ApiError && error.code === 'version_conflict') {
          setRefused((current) => new Map(current).set(item.id, error.detail));
        }
      },
    });
  };

  if (history.isError) {
    return (
      <ErrorCallout
        error={history.error}
        action={
          <Button size="sm" onClick={() => void history.refetch()}>
            Try again
          </Button>
        }
      />
    );
  }

  return (
    <section className="card">
      <div className="table-wrap cards-wrap">
        {/* On narrow screens each entry is a card and each cell a labelled line (app.css). */}
        <table className="table history-cards">
          <caption className="sr-only">Sync history</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Action</th>
              <th scope="col">By</th>
              {showTarget ? <th scope="col">To</th> : null}
              <th scope="col">What changed</th>
              <th scope="col">Status</th>
              <th scope="col" className="col-actions">
                <span className="sr-only">Details and revert</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {history.isLoading
              ? Array.from({ length: 4 }, (_, index) => (
                  <tr key={index} className="skeleton-row" aria-hidden="true">
                    {Array.from({ length: showTarget ? 7 : 6 }, (__, cell) => (
                      <td key={cell}>
                        <span className="skeleton" />
                      </td>
                    ))}
                  </tr>
                ))
              : items.map((item) => (
                  <tr key={item.id}>
                    <td className="cell-when" data-label="When">
                      <div>
                        <span>{formatDateTime(item.createdAt)}</span>
                        <span className="muted">{formatRelative(item.createdAt)}</span>
                      </div>
                    </td>
                    <td className="cell-name" data-label="Action">
                      {actionLabel(item)}
                    </td>
                    <td className="cell-name" data-label="By">
                      {nameOf(item.actorId, item.actorName)}
                    </td>
                    {showTarget ? (
                      <td className="cell-name" data-label="To">
                        {nameOf(item.targetId, item.targetName)}
                      </td>
                    ) : null}
                    <td data-label="What changed">
                      <div>
                        <HistorySummary item={item} />
                      </div>
                    </td>
                    <td data-label="Status">
                      <div>
                        {item.status === 'failed' ? (
                          <Badge tone="danger">Failed</Badge>
                        ) : item.revertedBySyncId ? (
                          <Badge tone="neutral">Reverted</Badge>
                        ) : item.status === 'partial' ? (
                          <Badge tone="warning">Partial</Badge>
                        ) : (
                          <Badge tone="success">Applied</Badge>
                        )}
                      </div>
                    </td>
                    <td className="col-actions">
                      <Button
                        size="sm"
                        variant="ghost"
                        onClick={() => {
                          setDetail(item);
                        }}
                      >
                        Details
                        <span className="sr-only">
                          {' '}
                          of the sync of {formatDateTime(item.createdAt)} to{' '}
                          {nameOf(item.targetId, item.targetName)}
                        </span>
                      </Button>
                      {isRevertible(item) && refused.has(item.id) ? (
                        <Button size="sm" disabled title={refused.get(item.id)}>
                          Can’t be reverted
                          <span className="sr-only">
                            {' '}
                            (the sync of {formatDateTime(item.createdAt)} to{' '}
                            {nameOf(item.targetId, item.targetName)}): {refused.get(item.id)}
                          </span>
                        </Button>
                      ) : isRevertible(item) ? (
                        <Button
                          size="sm"
                          onClick={() => {
                            revert.reset();
                            setPending(item);
                          }}
                        >
                          Revert
                          {/* Which sync: "Revert" ×N would not say what each one acts on. */}
                          <span className="sr-only">
                            {' '}
                            the sync of {formatDateTime(item.createdAt)} to{' '}
                            {nameOf(item.targetId, item.targetName)}
                          </span>
                        </Button>
                      ) : null}
                    </td>
                  </tr>
                ))}
          </tbody>
        </table>
        {!history.isLoading && items.length === 0 ? (
          Object.values(filter).some(Boolean) ? (
            <EmptyState title="No syncs match these filters.">
              Change or clear the filters to see more of the history.
            </EmptyState>
          ) : (
            <EmptyState title="No syncs yet.">
              Syncs appear here when an admin runs Sync CRM or Sync Settings to User from the member
              table.
            </EmptyState>
          )
        ) : null}
      </div>
      {history.hasNextPage ? (
        <div className="pagination">
          <Button
            size="sm"
            busy={history.isFetchingNextPage}
            onClick={() => void history.fetchNextPage()}
          >
            Load older syncs
          </Button>
        </div>
      ) : null}

      {detail ? (
        <SyncDetailDialog
          item={detail}
          nameOf={nameOf}
          onClose={() => {
            setDetail(null);
          }}
        />
      ) : null}
      <ConfirmDialog
        open={pending !== null}
        onOpenChange={(open) => {
          if (!open) setPending(null);
        }}
        title="Revert this sync?"
        description={
          pending ? (
            <>
              {nameOf(pending.targetId, pending.targetName)}’s {categoryLabels(pending.categories)}{' '}
              go back to the values they had before this sync ({formatDateTime(pending.createdAt)}).
            </>
          ) : (
            ''
          )
        }
        confirmLabel="Revert sync"
        busy={revert.isPending}
        onConfirm={confirmRevert}
      >
        {revert.error ? (
          <ErrorCallout
            error={revert.error}
            {...(revert.error instanceof ApiError && revert.error.code === 'version_conflict'
              ? { advice: REFUSED_REVERT_ADVICE, title: "This sync can't be reverted." }
              : {})}
          />
        ) : null}
      </ConfirmDialog>
    </section>
  );
}

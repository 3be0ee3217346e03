import type { ReactNode } from 'react';
import { Button } from '#src/web/components/ui/button.tsx';
import { Dialog } from '#src/web/components/ui/dialog.tsx';
import type { SyncHistoryItem } from '#src/web/features/sync/api/get-sync-history.ts';
import {
  actionLabel,
  categoryLabels,
  HistorySummary,
} from '#src/web/features/sync/components/history-summary.tsx';
import { formatDateTime } from '#src/web/lib/format.ts';
import { Link } from '#src/web/lib/router.tsx';

function Row({ term, children }: { term: string; children: ReactNode }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </>
  );
}

const STATUS_WORDS: Record<SyncHistoryItem['status'], string> = {
  applied: 'Applied',
  partial: 'Partial: keys copied, some owner properties could not be checked',
  dry_run: 'Preview only',
  failed: 'Failed: nothing was changed',
  refused: 'Refused: nothing was changed',
};

/**
 * One history entry in full (issue 14 §8): what was done, by whom, to whom and when, what
 * changed per category (or per CRM), how it ended, the syncs it reverts or that revert it, and
 * where to read more (the member's history, the audit log about them).
 */
export function SyncDetailDialog({
  item,
  nameOf,
  onClose,
}: {
  item: SyncHistoryItem;
  nameOf: (userId: string | null, fallback?: string | null) => string;
  onClose: () => void;
}) {
  const target = nameOf(item.targetId, item.targetName);
  return (
    <Dialog
      open
      size="lg"
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={`${actionLabel(item)} to ${target}`}
      description={formatDateTime(item.createdAt)}
      footer={
        <Button variant="primary" onClick={onClose}>
          Done
        </Button>
      }
    >
      <dl className="detail-list">
        <Row term="When">{formatDateTime(item.createdAt)}</Row>
        <Row term="Action">{actionLabel(item)}</Row>
        <Row term="By">{nameOf(item.actorId, item.actorName)}</Row>
        <Row term="To">{target}</Row>
        <Row term="Status">{item.revertedBySyncId ? 'Reverted' : STATUS_WORDS[item.status]}</Row>
        <Row term="Categories">
          {item.categories.length > 0 ? categoryLabels(item.categories) : '—'}
        </Row>
        <Row term="What changed">
          <HistorySummary item={item} />
        </Row>
        <Row term="Sync id">
          <code className="hash">{item.id}</code>
        </Row>
        {item.revertsSyncId ? (
          <Row term="Reverts">
            <code className="hash">{item.revertsSyncId}</code>
          </Row>
        ) : null}
        {item.revertedBySyncId ? (
          <Row term="Reverted by">
            <code className="hash">{item.revertedBySyncId}</code>
          </Row>
        ) : null}
      </dl>
      {item.targetId ? (
        <p className="muted">
          <Link to={`/admin/history?member=${encodeURIComponent(item.targetId)}`} onClick={onClose}>
            Every sync to {target}
          </Link>{' '}
          ·{' '}
          <Link to={`/admin/audit?target=${encodeURIComponent(item.targetId)}`} onClick={onClose}>
            Audit log about {target}
          </Link>
        </p>
      ) : null}
    </Dialog>
  );
}

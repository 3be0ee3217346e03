import { useId } from 'react';
import { CATEGORY_KEYS, categoryDefinition } from '#src/domain/settings/categories.ts';
import { Badge } from '#src/web/components/ui/badge.tsx';
import { Button } from '#src/web/components/ui/button.tsx';
import { Dialog } from '#src/web/components/ui/dialog.tsx';
import { Callout, ErrorCallout, LoadingState } from '#src/web/components/ui/states.tsx';
import { useMemberDrift, type DriftCategory } from '#src/web/features/sync/api/get-member-drift.ts';
import { describeCounts } from '#src/web/features/sync/components/category-results.tsx';
import { ItemChanges } from '#src/web/features/sync/components/item-changes.tsx';
import type { SyncTarget } from '#src/web/features/sync/hooks/use-sync-crm-flow.ts';
import { plural } from '#src/web/lib/format.ts';

export interface DriftTarget extends SyncTarget {
  /** The row offers Sync Settings to User (not the primary admin's row, not your own). */
  canSyncSettings: boolean;
}

function guideOrder(category: DriftCategory): number {
  return CATEGORY_KEYS.indexOf(category.category);
}

/**
 * A member's drift from your settings (SPEC §6): per category you have set, whether Sync
 * Settings to User would change it and, item by item, what it would add, change or remove, so
 * an admin sees what differs without asking the member. Looking writes nothing.
 */
export function MemberDriftDialog({
  target,
  onClose,
  onSyncSettings,
}: {
  target: DriftTarget | null;
  onClose: () => void;
  onSyncSettings: (target: DriftTarget) => void;
}) {
  return target ? (
    <MemberDriftDialogOpen
      key={target.id}
      target={target}
      onClose={onClose}
      onSyncSettings={onSyncSettings}
    />
  ) : null;
}

function MemberDriftDialogOpen({
  target,
  onClose,
  onSyncSettings,
}: {
  target: DriftTarget;
  onClose: () => void;
  onSyncSettings: (target: DriftTarget) => void;
}) {
  const drift = useMemberDrift(target.id);
  const firstName = target.name.split(' ')[0] ?? target.name;
  const categories = [...(drift.data?.categories ?? [])].sort(
    (a, b) => guideOrder(a) - guideOrder(b),
  );
  const compared = new Set(categories.map((c) => c.category));
  const notSet = CATEGORY_KEYS.filter((key) => !compared.has(key)).map(
    (key) => categoryDefinition(key).label,
  );
  const differing = drift.data?.driftCount ?? 0;

  return (
    <Dialog
      open
      size="lg"
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={`Drift from your settings — ${target.name}`}
      description={
        <>
          What Sync Settings to User from your dashboard would change on{' '}
          <strong>{target.name}</strong>’s ({target.email}), per category you have set. Looking
          changes nothing.
        </>
      }
      footer={
        <>
          <Button onClick={onClose}>Close</Button>
          {target.canSyncSettings ? (
            <Button
              variant="primary"
              onClick={() => {
                onSyncSettings(target);
              }}
            >
              Sync Settings to User
            </Button>
          ) : null}
        </>
      }
    >
      {drift.isLoading ? (
        <LoadingState label={`Comparing ${firstName}’s settings with yours…`} />
      ) : drift.isError ? (
        <ErrorCallout
          error={drift.error}
          action={
            <Button size="sm" onClick={() => void drift.refetch()}>
              Try again
            </Button>
          }
        />
      ) : (
        <div className="stack">
          {categories.length === 0 ? (
            <Callout tone="info" title="Nothing to compare yet">
              <p>
                You haven’t set any settings category on your dashboard, so there is nothing to
                compare {firstName}’s with.
              </p>
            </Callout>
          ) : differing === 0 ? (
            <Callout tone="success" title="In sync with your settings">
              <p>
                Sync Settings to User from you would change nothing on {firstName}’s dashboard in
                the {plural(categories.length, 'category', 'categories')} you have set.
              </p>
            </Callout>
          ) : (
            <Callout
              tone="warning"
              title={`${plural(differing, 'category differs', 'categories differ')} from your settings`}
            >
              <p>
                Below, per category, what Sync Settings to User would add, change or remove on{' '}
                {firstName}’s dashboard.
              </p>
            </Callout>
          )}
          {categories.length > 0 ? (
            <div className="drift-categories">
              {categories.map((category) => (
                <DriftCategorySection key={category.category} category={category} />
              ))}
            </div>
          ) : null}
          {notSet.length > 0 && categories.length > 0 ? (
            <p className="muted small">
              Not compared, because you haven’t set them on your dashboard: {notSet.join(', ')}.
            </p>
          ) : null}
        </div>
      )}
    </Dialog>
  );
}

function DriftCategorySection({ category }: { category: DriftCategory }) {
  const differs = category.state === 'differs';
  const changes = category.changes;
  const headingId = useId();
  return (
    <section
      className={`drift-category${differs ? ' drift-category-differs' : ''}`}
      aria-labelledby={headingId}
    >
      <div className="drift-category-head">
        <h3 id={headingId} className="drift-category-title">
          {category.label}
        </h3>
        {differs ? <Badge tone="warning">Differs</Badge> : <Badge tone="success">In sync</Badge>}
        {category.status === 'skipped' ? <Badge tone="neutral">Skipped</Badge> : null}
        {differs ? (
          <span className="muted small">{describeCounts(category.counts, category.changed)}</span>
        ) : null}
      </div>
      {differs && category.notes.length > 0 ? (
        <ul className="notes">
          {category.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      ) : null}
      {differs ? (
        changes.length > 0 ? (
          <ItemChanges category={category.category} label={category.label} changes={changes} />
        ) : (
          <p className="muted small">
            The same items as yours, in another order: a sync would put them in your order.
          </p>
        )
      ) : null}
    </section>
  );
}

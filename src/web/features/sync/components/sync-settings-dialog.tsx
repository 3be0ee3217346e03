import { useEffect, useRef } from 'react';
import { Badge } from '#src/web/components/ui/badge.tsx';
import { Button } from '#src/web/components/ui/button.tsx';
import { Dialog } from '#src/web/components/ui/dialog.tsx';
import { Progress } from '#src/web/components/ui/spinner.tsx';
import { Callout, ErrorCallout, LoadingState } from '#src/web/components/ui/states.tsx';
import { useMemberDrift, type DriftState } from '#src/web/features/sync/api/get-member-drift.ts';
import { useSyncSettings } from '#src/web/features/sync/api/sync-settings.ts';
import {
  CategoryPicker,
  useCategorySelection,
} from '#src/web/features/sync/components/category-picker.tsx';
import { CategoryResults } from '#src/web/features/sync/components/category-results.tsx';
import type { SyncTarget } from '#src/web/features/sync/hooks/use-sync-crm-flow.ts';
import { newIdempotencyKey } from '#src/web/lib/api-client.ts';
import { plural } from '#src/web/lib/format.ts';

const NO_CHANGES = 'No changes: this member already has these settings.';

/** Beside each category: does the member's value differ from yours (drift, SPEC §6)? */
function DriftMark({ state }: { state: DriftState | undefined }) {
  if (state === 'differs') return <Badge tone="warning">Differs</Badge>;
  if (state === 'in_sync') return <Badge tone="success">In sync</Badge>;
  return <span className="drift-mark-unset">Not set by you</span>;
}

/**
 * The guide's Sync Settings to User modal: one checkbox per category (all but Email templates
 * selected), each with its rule and whether the member's value differs from yours; "Preview
 * changes" (a dry run: the diff item by item, nothing written) and "Sync Settings". While
 * syncing it shows progress and cannot be submitted twice; afterwards it shows what changed per
 * category, or that nothing had to.
 */
export function SyncSettingsDialog({
  target,
  onClose,
  onViewHistory,
}: {
  target: SyncTarget | null;
  onClose: () => void;
  onViewHistory: (target: SyncTarget) => void;
}) {
  return target ? (
    <SyncSettingsDialogOpen
      key={target.id}
      target={target}
      onClose={onClose}
      onViewHistory={onViewHistory}
    />
  ) : null;
}

function SyncSettingsDialogOpen({
  target,
  onClose,
  onViewHistory,
}: {
  target: SyncTarget;
  onClose: () => void;
  onViewHistory: (target: SyncTarget) => void;
}) {
  // Known from the member table: say so before anyone tries (the server refuses it anyway).
  const needsSetup = target.hasDashboard === false;
  const drift = useMemberDrift(target.id, { enabled: !needsSetup });
  const driftOf = new Map(drift.data?.categories.map((c) => [c.category, c.state]));
  const preview = useSyncSettings();
  const apply = useSyncSettings();
  // A changed selection drops the preview and result, which no longer describe it.
  const { categories, selected, chosen, emailTemplatesSelected, choose } = useCategorySelection(
    () => {
      preview.reset();
      apply.reset();
    },
  );
  const previewRef = useRef<HTMLElement>(null);

  useEffect(() => {
    if (preview.data) previewRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [preview.data]);

  const busy = apply.isPending || preview.isPending;
  const done = apply.data !== undefined;
  const firstName = target.name.split(' ')[0] ?? target.name;

  const run = (dryRun: boolean) => {
    if (busy || chosen.length === 0) return;
    const mutation = dryRun ? preview : apply;
    // The dialog itself shows the result (a toast would cover its buttons).
    mutation.mutate({
      userId: target.id,
      categories: chosen,
      dryRun,
      idempotencyKey: newIdempotencyKey(),
    });
  };

  const status = apply.isPending ? (
    <Progress>
      <strong>Syncing settings to {target.name}…</strong>
      <p>Wait for the sync to finish.</p>
    </Progress>
  ) : preview.isPending ? (
    <Progress>
      <strong>Computing the preview…</strong> Nothing is changed.
    </Progress>
  ) : apply.error ? (
    <ErrorCallout error={apply.error} />
  ) : preview.error ? (
    <ErrorCallout error={preview.error} />
  ) : null;

  const footer = done ? (
    <>
      <Button
        onClick={() => {
          onViewHistory(target);
        }}
      >
        View sync history
      </Button>
      <Button variant="primary" onClick={onClose}>
        Done
      </Button>
    </>
  ) : (
    <>
      <span className="footer-note muted" aria-live="polite">
        {selected && chosen.length === 0 ? 'Choose at least one settings category.' : null}
      </span>
      <Button disabled={busy} onClick={onClose}>
        Cancel
      </Button>
      <Button
        busy={preview.isPending}
        disabled={apply.isPending || chosen.length === 0 || needsSetup}
        onClick={() => {
          run(true);
        }}
      >
        Preview changes
      </Button>
      <Button
        variant="primary"
        busy={apply.isPending}
        disabled={preview.isPending || chosen.length === 0 || needsSetup}
        onClick={() => {
          run(false);
        }}
      >
        Sync Settings
      </Button>
    </>
  );

  return (
    <Dialog
      open
      size="lg"
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      preventClose={apply.isPending}
      title="Sync Settings to User"
      description={
        <>
          Copy the selected settings from your dashboard to <strong>{target.name}</strong> (
          {target.email}).
        </>
      }
      footer={footer}
      status={status}
    >
      {done ? (
        <div className="stack">
          {apply.data.changed ? (
            <Callout tone="success" title={`Settings synced to ${target.name}`}>
              <p>What changed on {firstName}’s dashboard, per category:</p>
            </Callout>
          ) : (
            <Callout tone="success" title={NO_CHANGES}>
              <p>
                Nothing was written to {firstName}’s dashboard. The sync history records this sync
                as “No changes”.
              </p>
            </Callout>
          )}
          <CategoryResults results={apply.data.categories} caption="What changed per category" />
          {!emailTemplatesSelected ? (
            <p className="muted small">
              Email templates were not copied: they are off by default in this modal.
            </p>
          ) : null}
          <p className="muted small">
            If {firstName} lost a local setting, reopen the relevant settings page and adjust it
            manually, or revert this sync from the history and repeat it with narrower categories.
          </p>
        </div>
      ) : categories.isLoading || selected === null ? (
        categories.isError ? (
          <ErrorCallout error={categories.error} />
        ) : (
          <LoadingState label="Loading settings categories…" />
        )
      ) : (
        <div className="stack">
          {needsSetup ? (
            <Callout
              tone="danger"
              title="This user hasn't finished setup yet, so settings can't be pushed."
            >
              <p>
                {target.name} has no dashboard yet. The account may need provisioning or setup
                completion before settings can be pushed.
              </p>
            </Callout>
          ) : null}
          <Callout tone="warning" title={`Selected categories overwrite ${firstName}’s values`}>
            <p>
              Selected settings overwrite or replace {firstName}’s existing configuration where the
              category applies. Owner properties are preserved, and pipeline stages merge by
              internal ID. Categories you don’t select are never touched.
            </p>
          </Callout>
          <CategoryPicker
            categories={categories.data ?? []}
            selected={selected}
            onChoose={choose}
            disabled={busy}
            {...(drift.data ? { aside: (key) => <DriftMark state={driftOf.get(key)} /> } : {})}
          >
            {needsSetup ? null : (
              <p className="drift-summary muted small" aria-live="polite">
                {drift.isLoading
                  ? `Comparing ${firstName}’s settings with yours…`
                  : drift.isError
                    ? `${firstName}’s settings couldn’t be compared with yours just now; syncing still works.`
                    : drift.data && drift.data.categories.length === 0
                      ? 'You haven’t set any category yet, so there is nothing to compare.'
                      : drift.data && drift.data.driftCount === 0
                        ? `${firstName} already has your settings in every category you have set.`
                        : drift.data
                          ? `Compared with your settings: ${plural(drift.data.driftCount, 'category differs', 'categories differ')} on ${firstName}’s dashboard.`
                          : null}
              </p>
            )}
          </CategoryPicker>
          {!emailTemplatesSelected ? (
            <p className="muted small">
              Email templates are not selected by default. Select them only when {firstName} should
              inherit your email, Slack, and CRM note templates.
            </p>
          ) : null}
          {preview.data ? (
            <section className="preview" aria-labelledby="preview-title" ref={previewRef}>
              <h3 id="preview-title">Preview: what would change</h3>
              {preview.data.changed ? (
                <p className="muted small">
                  Nothing has been changed yet. Select Sync Settings to apply these changes; select
                  Show changes under a category to see its items.
                </p>
              ) : (
                <Callout tone="info" title={NO_CHANGES}>
                  <p>Sync Settings would write nothing to {firstName}’s dashboard.</p>
                </Callout>
              )}
              <CategoryResults
                results={preview.data.categories}
                caption="What would change per category"
              />
            </section>
          ) : null}
        </div>
      )}
    </Dialog>
  );
}

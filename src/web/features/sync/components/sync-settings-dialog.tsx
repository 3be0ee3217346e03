import { useEffect, useRef, useState } from 'react';
import type { CategoryKey } from '#src/domain/settings/categories.ts';
import { Badge } from '#src/web/components/ui/badge.tsx';
import { Button } from '#src/web/components/ui/button.tsx';
import { Dialog } from '#src/web/components/ui/dialog.tsx';
import { CheckboxField } from '#src/web/components/ui/field.tsx';
import { Progress } from '#src/web/components/ui/spinner.tsx';
import { Callout, ErrorCallout, LoadingState } from '#src/web/components/ui/states.tsx';
import { useMemberDrift, type DriftState } from '#src/web/features/sync/api/get-member-drift.ts';
import { useSyncCategories } from '#src/web/features/sync/api/get-sync-categories.ts';
import { useSyncSettings } from '#src/web/features/sync/api/sync-settings.ts';
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
  const categories = useSyncCategories();
  // Known from the member table: say so before anyone tries (the server refuses it anyway).
  const needsSetup = target.hasDashboard === false;
  const drift = useMemberDrift(target.id, { enabled: !needsSetup });
  const driftOf = new Map(drift.data?.categories.map((c) => [c.category, c.state]));
  const preview = useSyncSettings();
  const apply = useSyncSettings();
  const [selected, setSelected] = useState<Set<CategoryKey> | null>(null);
  const previewRef = useRef<HTMLElement>(null);

  useEffect(() => {
    if (preview.data) previewRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [preview.data]);

  // The default selection, once the categories are known: all but Email templates (SPEC §3).
  useEffect(() => {
    if (categories.data && selected === null) {
      setSelected(new Set(categories.data.filter((c) => c.defaultSelected).map((c) => c.key)));
    }
  }, [categories.data, selected]);

  const chosen = categories.data?.filter((c) => selected?.has(c.key)).map((c) => c.key) ?? [];
  const emailTemplatesSelected = selected?.has('email_templates') ?? false;
  const busy = apply.isPending || preview.isPending;
  const done = apply.data !== undefined;
  const firstName = target.name.split(' ')[0] ?? target.name;

  const toggle = (key: CategoryKey, checked: boolean) => {
    preview.reset();
    apply.reset();
    setSelected((current) => {
      const next = new Set(current);
      if (checked) next.add(key);
      else next.delete(key);
      return next;
    });
  };

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
          <fieldset className="category-picker" disabled={busy}>
            <legend>
              Categories to copy{' '}
              <span className="muted">
                ({chosen.length} of {categories.data?.length ?? 0} selected)
              </span>
            </legend>
            <div className="picker-actions">
              <Button
                size="sm"
                variant="ghost"
                onClick={() => {
                  preview.reset();
                  setSelected(new Set(categories.data?.map((c) => c.key)));
                }}
              >
                Select all
              </Button>
              <Button
                size="sm"
                variant="ghost"
                onClick={() => {
                  preview.reset();
                  setSelected(
                    new Set(categories.data?.filter((c) => c.defaultSelected).map((c) => c.key)),
                  );
                }}
              >
                Reset to default
              </Button>
            </div>
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
            <div className="category-grid">
              {categories.data?.map((category) => (
                <CheckboxField
                  key={category.key}
                  label={category.label}
                  description={category.rule}
                  aside={drift.data ? <DriftMark state={driftOf.get(category.key)} /> : undefined}
                  checked={selected.has(category.key)}
                  onChange={(checked) => {
                    toggle(category.key, checked);
                  }}
                />
              ))}
            </div>
          </fieldset>
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

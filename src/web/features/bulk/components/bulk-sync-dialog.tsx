import { useState } from 'react';
import { Button } from '#src/web/components/ui/button.tsx';
import { Dialog } from '#src/web/components/ui/dialog.tsx';
import { Callout, ErrorCallout, LoadingState } from '#src/web/components/ui/states.tsx';
import type { BulkRun } from '#src/web/features/bulk/api/get-bulk-sync.ts';
import { useStartBulkSync, type BulkTarget } from '#src/web/features/bulk/api/start-bulk-sync.ts';
import { BulkError } from '#src/web/features/bulk/components/bulk-error.tsx';
import { members } from '#src/web/features/bulk/components/bulk-labels.ts';
import { BulkPreview } from '#src/web/features/bulk/components/bulk-preview.tsx';
import { BulkRunProgress } from '#src/web/features/bulk/components/bulk-run-progress.tsx';
import {
  CategoryPicker,
  useCategorySelection,
} from '#src/web/features/sync/components/category-picker.tsx';
import '#src/web/features/bulk/components/bulk.css';

/** What the selection bar asks the dialog to do. */
export interface BulkSyncRequest {
  action: 'sync_settings' | 'sync_crm';
  target: BulkTarget;
  /**
   * How many members the target is (a team: its members but the primary admin and you); null
   * when the server decides who (everyone out of sync): the preview says how many.
   */
  count: number | null;
  /** Who, in words: "the 3 members you selected", "everyone in Sales but the primary admin and you". */
  who: string;
  /** Reopen on a run already started (it may still be in progress). */
  run?: BulkRun;
}

export function bulkDialogTitle(action: BulkSyncRequest['action'], count: number | null): string {
  if (count === null) return 'Sync Settings to everyone out of sync';
  return action === 'sync_crm'
    ? `Sync CRM for ${members(count)}`
    : `Sync Settings to ${members(count)}`;
}

/**
 * Bulk Sync Settings to User / Sync CRM for a selection or a whole team. Sync Settings: the
 * categories of the single modal (all but Email templates selected), "Preview" (a dry run over
 * every member, summed), then "Sync N members"; then the run's progress and results.
 * `onRun` tells the caller about each run started, so it can reopen it after the dialog closes.
 */
export function BulkSyncDialog({
  request,
  onClose,
  onRun,
}: {
  request: BulkSyncRequest | null;
  onClose: () => void;
  onRun: (run: BulkRun) => void;
}) {
  return request ? <BulkSyncDialogOpen request={request} onClose={onClose} onRun={onRun} /> : null;
}

function BulkSyncDialogOpen({
  request,
  onClose,
  onRun,
}: {
  request: BulkSyncRequest;
  onClose: () => void;
  onRun: (run: BulkRun) => void;
}) {
  const settings = request.action === 'sync_settings';
  const [preview, setPreview] = useState<BulkRun | null>(null);
  const [run, setRun] = useState<BulkRun | null>(request.run ?? null);
  const startPreview = useStartBulkSync();
  const startRun = useStartBulkSync();
  // A changed selection drops the preview, which no longer describes it.
  const { categories, selected, chosen, emailTemplatesSelected, choose } = useCategorySelection(
    () => {
      setPreview(null);
      startPreview.reset();
    },
  );
  const count = preview?.total ?? request.count;
  const starting = startPreview.isPending || startRun.isPending;
  const noCategories = settings && chosen.length === 0;

  const begin = (dryRun: boolean) => {
    if (starting || noCategories) return;
    const mutation = dryRun ? startPreview : startRun;
    mutation.mutate(
      {
        action: request.action,
        target: request.target,
        ...(settings ? { categories: chosen } : {}),
        ...(dryRun ? { dryRun } : {}),
      },
      {
        onSuccess: (started) => {
          if (dryRun) setPreview(started);
          else {
            setRun(started);
            onRun(started);
          }
        },
      },
    );
  };
  const showRun = (next: BulkRun) => {
    setRun(next);
    onRun(next);
  };

  const footer = run ? (
    <Button variant="primary" onClick={onClose}>
      Close
    </Button>
  ) : (
    <>
      <span className="footer-note muted" aria-live="polite">
        {selected && noCategories ? 'Choose at least one settings category.' : null}
      </span>
      <Button disabled={starting} onClick={onClose}>
        Cancel
      </Button>
      {settings ? (
        <Button
          busy={startPreview.isPending}
          disabled={startRun.isPending || noCategories || selected === null}
          onClick={() => {
            begin(true);
          }}
        >
          Preview
        </Button>
      ) : null}
      <Button
        variant="primary"
        busy={startRun.isPending}
        disabled={startPreview.isPending || noCategories || (settings && selected === null)}
        onClick={() => {
          begin(false);
        }}
      >
        {count === null ? 'Sync everyone out of sync' : `Sync ${members(count)}`}
      </Button>
    </>
  );

  const status = startRun.error ? (
    <BulkError error={startRun.error} title="The sync didn’t start." />
  ) : startPreview.error ? (
    <BulkError error={startPreview.error} title="The preview didn’t start." />
  ) : null;

  return (
    <Dialog
      open
      size="lg"
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={bulkDialogTitle(request.action, request.count)}
      description={
        settings ? (
          <>Copy the selected settings from your dashboard to {request.who}.</>
        ) : (
          <>
            Copy the organization admin’s CRM keys to {request.who}, then check each member’s CRM
            owner properties.
          </>
        )
      }
      footer={footer}
      status={status}
    >
      {run ? (
        <BulkRunProgress key={run.id} initial={run} onRetry={showRun} />
      ) : !settings ? (
        <div className="stack">
          <Callout tone="warning" title="CRM keys are overwritten">
            <p>
              Each member receives the organization admin’s CRM keys for the supported CRMs. If the
              organization admin has no CRM keys, the sync succeeds with nothing to copy.
            </p>
          </Callout>
          <p className="muted small">
            The members are synced in the background, a batch at a time. One member failing never
            stops the others; you can retry the failed ones at the end.
          </p>
        </div>
      ) : categories.isError ? (
        <ErrorCallout error={categories.error} />
      ) : selected === null ? (
        <LoadingState label="Loading settings categories…" />
      ) : (
        <div className="stack">
          <Callout tone="warning" title="Selected categories overwrite each member’s values">
            <p>
              Selected settings overwrite or replace each member’s existing configuration where the
              category applies. Owner properties are preserved, and pipeline stages merge by
              internal ID. Categories you don’t select are never touched.
            </p>
          </Callout>
          <CategoryPicker
            categories={categories.data ?? []}
            selected={selected}
            onChoose={choose}
            disabled={starting}
          />
          {!emailTemplatesSelected ? (
            <p className="muted small">
              Email templates are not selected by default. Select them only when these members
              should inherit your email, Slack, and CRM note templates.
            </p>
          ) : null}
          {preview ? <BulkPreview key={preview.id} initial={preview} /> : null}
        </div>
      )}
    </Dialog>
  );
}

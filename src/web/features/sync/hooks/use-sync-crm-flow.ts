import { useRef, useState } from 'react';
import type { CrmKey } from '#src/domain/crm.ts';
import { useToast } from '#src/web/components/ui/toast.tsx';
import {
  useSyncCrm,
  type CrmOwnerStepResult,
  type SyncCrmResult,
} from '#src/web/features/sync/api/sync-crm.ts';
import { useSyncCrmOwnerProperties } from '#src/web/features/sync/api/sync-crm-owner-properties.ts';
import { useSyncCrmPreview } from '#src/web/features/sync/api/sync-crm-preview.ts';
import { crmSyncHeading, failedCrms } from '#src/web/features/sync/components/crm-sync-result.tsx';
import { newIdempotencyKey } from '#src/web/lib/api-client.ts';
import { describeError } from '#src/web/lib/errors.ts';

export interface SyncTarget {
  id: string;
  name: string;
  email: string;
  /** False when the member has no dashboard yet: settings can't be pushed (SPEC §1). */
  hasDashboard?: boolean;
  /** The member's CRM connections, as the member table lists them. */
  connections?: readonly { crm: CrmKey }[];
}

/**
 * Where the dialog is: `needs_setup` (no dashboard: nothing is asked of the server), `checking`
 * what Sync CRM would replace, `confirm` (it would replace the member's own keys), `syncing`,
 * `done`, or `failed` (the check or the sync).
 */
interface Progress {
  copied: CrmKey[];
  message: string;
  crms: CrmOwnerStepResult[];
}

export type SyncCrmPhase = 'needs_setup' | 'checking' | 'confirm' | 'syncing' | 'done' | 'failed';

/**
 * The guide's Sync CRM: "Select Sync CRM. Wait for the sync to finish." Selecting it asks what
 * it would replace; when the member has none of their own keys in the way it runs at once,
 * otherwise it names them and waits for a confirmation (issue 14). The dialog then shows the
 * result per CRM and can retry the owner-property step. Closing it (Escape) while the sync runs
 * lets the sync go on; its outcome comes as a notification and in the history.
 */
export function useSyncCrmFlow() {
  const [target, setTarget] = useState<SyncTarget | null>(null);
  const preview = useSyncCrmPreview();
  const sync = useSyncCrm();
  const retry = useSyncCrmOwnerProperties();
  const toast = useToast();
  // What the running sync has told so far: the keys copied, then each CRM as it finishes.
  const [progress, setProgress] = useState<Progress | null>(null);
  // Bumped on every start and close: a late answer to an earlier dialog acts on nothing.
  const session = useRef(0);

  const run = (member: SyncTarget) => {
    const opened = session.current;
    setProgress(null);
    sync.mutate(
      {
        userId: member.id,
        idempotencyKey: newIdempotencyKey(),
        onProgress: (event) => {
          if (session.current !== opened) return;
          setProgress((current) =>
            event.type === 'copied'
              ? { copied: event.copied, message: event.message, crms: [] }
              : current && { ...current, crms: [...current.crms, event.step] },
          );
        },
      },
      {
        onSuccess: (result) => {
          if (session.current === opened) return;
          const partial = failedCrms(result).length > 0;
          toast.show({
            tone: partial ? 'info' : 'success',
            title: `Sync CRM to ${member.name}: ${crmSyncHeading(result)}`,
            body: partial ? 'Retry the owner properties from the sync history.' : result.message,
          });
        },
        onError: (error) => {
          if (session.current === opened) return;
          toast.show({
            tone: 'error',
            title: `Sync CRM to ${member.name} failed`,
            body: describeError(error).title,
          });
        },
      },
    );
  };

  const start = (member: SyncTarget) => {
    session.current += 1;
    const opened = session.current;
    setTarget(member);
    setProgress(null);
    preview.reset();
    sync.reset();
    retry.reset();
    // Known from the member table: say so before anyone tries (the server refuses it anyway).
    if (member.hasDashboard === false) return;
    preview.mutate(member.id, {
      onSuccess: (answer) => {
        if (session.current === opened && answer.replaces.length === 0) run(member);
      },
    });
  };

  const close = () => {
    session.current += 1;
    if (target && sync.isPending) {
      toast.show({
        tone: 'info',
        title: `Sync CRM to ${target.name} goes on`,
        body: 'You will be told when it finishes; the result is also in the sync history.',
      });
    } else {
      preview.reset();
      sync.reset();
      retry.reset();
    }
    setTarget(null);
  };

  // The retry reports only the owner-property step: merge it into the original result.
  let result: SyncCrmResult | undefined = sync.data;
  if (result && retry.data) {
    const retried = retry.data.crms;
    const crms = result.copied.flatMap((crm) => {
      const step = retried.find((c) => c.crm === crm) ?? result?.crms.find((c) => c.crm === crm);
      return step ? [step] : [];
    });
    result = { ...result, crms };
    result.status = failedCrms(result).length > 0 ? 'partial' : 'applied';
  }

  const phase: SyncCrmPhase | null = !target
    ? null
    : target.hasDashboard === false
      ? 'needs_setup'
      : sync.isPending
        ? 'syncing'
        : sync.data
          ? 'done'
          : sync.error || preview.error
            ? 'failed'
            : preview.data
              ? preview.data.replaces.length > 0
                ? 'confirm'
                : 'syncing'
              : 'checking';

  return {
    target,
    phase,
    /** What the sync would replace (once checked). */
    preview: preview.data,
    /** While syncing, once the keys are copied: the CRMs done so far. */
    progress: sync.isPending ? progress : null,
    start,
    close,
    /** After the confirmation: run it. */
    confirm: () => {
      if (target) run(target);
    },
    result,
    error: sync.error ?? preview.error ?? retry.error,
    isSyncing: sync.isPending,
    isRetrying: retry.isPending,
    retryOwnerProperties: () => {
      if (target) retry.mutate({ userId: target.id, idempotencyKey: newIdempotencyKey() });
    },
    /** After a failure: a failed sync changed nothing, so run it again; a failed check, ask again. */
    rerun: () => {
      if (!target) return;
      if (sync.error) run(target);
      else start(target);
    },
  };
}

export type SyncCrmFlow = ReturnType<typeof useSyncCrmFlow>;

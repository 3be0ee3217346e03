import { useState } from 'react';
import { useSyncCrm, type SyncCrmResult } from '#src/web/features/sync/api/sync-crm.ts';
import { useSyncCrmOwnerProperties } from '#src/web/features/sync/api/sync-crm-owner-properties.ts';
import { newIdempotencyKey } from '#src/web/lib/api-client.ts';

export interface SyncTarget {
  id: string;
  name: string;
  email: string;
  /** False when the member has no dashboard yet: settings can't be pushed (SPEC §1). */
  hasDashboard?: boolean;
}

/**
 * The guide's Sync CRM: selecting it runs the sync at once ("Wait for the sync to finish"); the
 * dialog shows progress, then the result per CRM, and can retry the owner-property step.
 */
export function useSyncCrmFlow() {
  const [target, setTarget] = useState<SyncTarget | null>(null);
  const sync = useSyncCrm();
  const retry = useSyncCrmOwnerProperties();

  const start = (member: SyncTarget) => {
    setTarget(member);
    retry.reset();
    sync.mutate({ userId: member.id, idempotencyKey: newIdempotencyKey() });
  };

  const retryOwnerProperties = () => {
    if (!target) return;
    retry.mutate({ userId: target.id, idempotencyKey: newIdempotencyKey() });
  };

  const close = () => {
    if (sync.isPending || retry.isPending) return;
    setTarget(null);
    sync.reset();
    retry.reset();
  };

  // The retry reports only the owner-property step: merge it into the original result.
  let result: SyncCrmResult | undefined = sync.data;
  if (result && retry.data) {
    const retried = retry.data.crms;
    result = {
      ...result,
      crms: result.copied.flatMap((crm) => {
        const step = retried.find((c) => c.crm === crm) ?? result?.crms.find((c) => c.crm === crm);
        return step ? [step] : [];
      }),
    };
  }

  return {
    target,
    start,
    close,
    result,
    error: sync.error ?? retry.error,
    isSyncing: sync.isPending,
    isRetrying: retry.isPending,
    retryOwnerProperties,
    rerun: () => {
      if (target) start(target);
    },
  };
}

export type SyncCrmFlow = ReturnType<typeof useSyncCrmFlow>;

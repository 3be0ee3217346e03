import { CRM_KEYS, CRM_LABELS, type CrmKey } from '#src/domain/crm.ts';
import {
  CATEGORY_KEYS,
  categoryDefinition,
  isCategoryKey,
  type CategoryKey,
} from '#src/domain/settings/categories.ts';
import type { SyncHistoryItem } from '#src/web/features/sync/api/get-sync-history.ts';
import type { CrmOwnerStepResult } from '#src/web/features/sync/api/sync-crm.ts';
import { useSyncCrmOwnerProperties } from '#src/web/features/sync/api/sync-crm-owner-properties.ts';
import { failedCrms } from '#src/web/features/sync/components/crm-sync-result.tsx';
import { Button } from '#src/web/components/ui/button.tsx';
import { ErrorCallout } from '#src/web/components/ui/states.tsx';
import { newIdempotencyKey } from '#src/web/lib/api-client.ts';
import { plural } from '#src/web/lib/format.ts';
import type { CategoryResult } from '#src/web/features/sync/api/sync-settings.ts';
import { describeCounts } from '#src/web/features/sync/components/category-results.tsx';

export function categoryLabel(key: string): string {
  return isCategoryKey(key) ? categoryDefinition(key).label : key;
}

/** The guide's order, whatever order the server applied them in. */
function guideOrder(key: string): number {
  const index = (CATEGORY_KEYS as readonly string[]).indexOf(key);
  return index === -1 ? CATEGORY_KEYS.length : index;
}

/** Category keys as labels, in the guide's order. */
export function categoryLabels(keys: readonly string[]): string {
  return [...keys]
    .sort((a, b) => guideOrder(a) - guideOrder(b))
    .map(categoryLabel)
    .join(', ');
}

export function isOwnerPropertiesOnly(item: SyncHistoryItem): boolean {
  return (
    item.action === 'sync_crm' &&
    typeof item.result === 'object' &&
    item.result !== null &&
    (item.result as { ownerPropertiesOnly?: unknown }).ownerPropertiesOnly === true
  );
}

/** A Sync Settings to User run that changed nothing: the member already had those settings. */
export function isNoChangeSync(item: SyncHistoryItem): boolean {
  return (
    typeof item.result === 'object' &&
    item.result !== null &&
    (item.result as { summary?: unknown }).summary === 'No changes'
  );
}

export function actionLabel(item: SyncHistoryItem): string {
  if (item.action === 'sync_settings') return 'Sync Settings to User';
  if (item.action === 'revert') return 'Revert';
  return isOwnerPropertiesOnly(item) ? 'Sync CRM: owner properties' : 'Sync CRM';
}

/** What a history entry changed, in words: per-category counts, CRMs copied, categories restored. */
export function HistorySummary({ item }: { item: SyncHistoryItem }) {
  const result = (item.result ?? {}) as {
    categories?: CategoryResult[] | CategoryKey[];
    copied?: CrmKey[];
    crms?: CrmOwnerStepResult[];
    error?: string;
  };
  if (item.status === 'failed') {
    return (
      <span className="muted">
        Failed and changed nothing ({item.categories.map(categoryLabel).join(', ')}).
      </span>
    );
  }
  if (item.action === 'sync_settings') {
    // A sync that found the member already had these settings wrote nothing (SPEC §6).
    if (isNoChangeSync(item)) {
      return (
        <span>
          <span className="summary-label">No changes</span>{' '}
          <span className="muted">(the member already had these settings)</span>
        </span>
      );
    }
    const results = [...((result.categories ?? []) as CategoryResult[])].sort(
      (a, b) => guideOrder(a.category) - guideOrder(b.category),
    );
    return (
      <ul className="summary-list">
        {results.map((r) => (
          <li key={r.category}>
            <span className="summary-label">{r.label}</span>{' '}
            <span className="muted">{describeCounts(r.counts, r.changed)}</span>
          </li>
        ))}
      </ul>
    );
  }
  if (item.action === 'revert') {
    const categories = [...((result.categories ?? item.categories) as string[])]
      .sort((a, b) => guideOrder(a) - guideOrder(b))
      .map(categoryLabel);
    return <span>Restored {categories.join(', ')}</span>;
  }
  // The guide's order of CRMs, whatever order the steps finished in.
  const crms = [...(result.crms ?? [])].sort(
    (a, b) => CRM_KEYS.indexOf(a.crm) - CRM_KEYS.indexOf(b.crm),
  );
  const failed = failedCrms({ crms });
  const ownerLine =
    crms.length === 0
      ? null
      : failed.length === 0
        ? `Owner properties checked for ${plural(crms.length, 'CRM')}`
        : `Owner properties could not be checked for ${failed.length} of ${plural(crms.length, 'CRM')}`;
  const failures =
    failed.length > 0 ? (
      <>
        <ul className="summary-list summary-failures">
          {failed.map((c) => (
            <li key={c.crm}>
              <span className="summary-label">{CRM_LABELS[c.crm]}</span>{' '}
              <span className="muted">{stepReason(c)}</span>
            </li>
          ))}
        </ul>
        {item.targetId && item.revertedBySyncId === null ? (
          <RetryOwnerProperties memberId={item.targetId} memberName={item.targetName} />
        ) : null}
      </>
    ) : null;
  if (isOwnerPropertiesOnly(item)) {
    return (
      <div>
        <span>{ownerLine ?? 'Owner properties checked'}</span>
        {failures}
      </div>
    );
  }
  const copied = CRM_KEYS.filter((k) => (result.copied ?? []).includes(k));
  return (
    <div>
      <ul className="summary-list">
        <li>
          <span className="summary-label">CRM keys</span>{' '}
          <span className="muted">
            {copied.length > 0
              ? `copied: ${copied.map((c) => CRM_LABELS[c]).join(', ')}`
              : 'nothing to copy'}
          </span>
        </li>
        {ownerLine ? <li className="muted">{ownerLine}</li> : null}
      </ul>
      {failures}
    </div>
  );
}

/** Why one CRM's owner was not checked: the failed step's sentence. */
function stepReason(step: CrmOwnerStepResult): string {
  if (step.owner.status === 'failed') return step.owner.reason;
  if (step.ownerProperty.status === 'failed') return step.ownerProperty.reason;
  return '';
}

/** "Retry owner properties" from the history: re-runs only that step, as the dialog's button. */
function RetryOwnerProperties({
  memberId,
  memberName,
}: {
  memberId: string;
  memberName: string | null;
}) {
  const retry = useSyncCrmOwnerProperties();
  const still = retry.data ? failedCrms(retry.data).length : 0;
  return (
    <div className="history-retry">
      <Button
        size="sm"
        busy={retry.isPending}
        onClick={() => {
          retry.mutate({ userId: memberId, idempotencyKey: newIdempotencyKey() });
        }}
      >
        Retry owner properties
        <span className="sr-only"> for {memberName ?? 'this member'}</span>
      </Button>
      <span role="status" className="small">
        {retry.data
          ? still === 0
            ? `Retried: owner properties checked for ${plural(retry.data.crms.length, 'CRM')}.`
            : `Retried: owner properties still could not be checked for ${plural(still, 'CRM')}; see the newest entry.`
          : ''}
      </span>
      {retry.error ? <ErrorCallout error={retry.error} /> : null}
    </div>
  );
}

import { CRM_LABELS, type CrmKey } from '#src/domain/crm.ts';
import {
  CATEGORY_KEYS,
  categoryDefinition,
  isCategoryKey,
  type CategoryKey,
} from '#src/domain/settings/categories.ts';
import type { SyncHistoryItem } from '#src/web/features/sync/api/get-sync-history.ts';
import type { CrmOwnerStepResult } from '#src/web/features/sync/api/sync-crm.ts';
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
  const crms = result.crms ?? [];
  const failed = crms.filter(
    (c) => c.ownerProperty.status === 'failed' || c.owner.status === 'failed',
  ).length;
  const ownerLine =
    crms.length > 0
      ? `Owner properties checked for ${crms.length} CRM${crms.length === 1 ? '' : 's'}${failed > 0 ? ` (${failed} failed)` : ''}`
      : null;
  if (isOwnerPropertiesOnly(item)) {
    return <span>{ownerLine ?? 'Owner properties checked'}</span>;
  }
  const copied = result.copied ?? [];
  return (
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
  );
}

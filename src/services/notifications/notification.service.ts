import type {
  Notification,
  NotificationChanges,
  NotificationList,
} from '#src/domain/contracts/notifications.contract.ts';
import type { ChangeCounts, RevertResult } from '#src/domain/contracts/sync.contract.ts';
import type { ManagedCategory } from '#src/domain/contracts/policies.contract.ts';
import { AppError } from '#src/domain/errors.ts';
import { diffValues } from '#src/domain/sync/sync-rules.ts';
import {
  categoryDefinition,
  isCategoryKey,
  type CategoryKey,
} from '#src/domain/settings/categories.ts';
import type {
  NotificationRecord,
  NotifiedBulkRun,
  NotifiedSync,
} from '#src/repositories/notification.repository.ts';
import type { UnitOfWork } from '#src/repositories/repositories.ts';
import { lockedCategoriesOf } from '#src/services/policies/follow.service.ts';
import { authorizeOwn } from '#src/services/settings/own-settings.service.ts';
import { categoryValueOf } from '#src/services/settings/settings-store.ts';
import {
  RESTORE_EXPIRED_MESSAGE,
  restoreDeadline,
  restoredValue,
  revertSync,
  type ValueCategorySnapshot,
} from '#src/services/sync/revert-sync.service.ts';
import type { SyncDeps } from '#src/services/sync/sync-settings.service.ts';
import {
  isUuid,
  type CategorySnapshot,
  type SyncContext,
} from '#src/services/sync/sync-support.ts';

/**
 * In-app notifications (issue 16, ADR 0016). The rows are written by triggers (a member whose
 * dashboard someone else's sync or revert changed; the actor of a bulk run that finished with
 * failures); here any active user reads and marks their own, and restores their previous
 * settings from one. Another user's notification is `not_found`, never "not yours". The list
 * shows names, category labels, counts and the sync's notes; "Review changes" the items of the
 * member's own value categories, before and after; never secrets (CRM keys are not itemised).
 */
export interface NotificationDeps {
  uow: UnitOfWork;
}

export const DEFAULT_NOTIFICATION_LIMIT = 30;

/** The actor's notifications, newest first; `before`: the last id of the previous page. */
export async function listNotifications(
  deps: NotificationDeps,
  context: SyncContext,
  query: { limit?: number; before?: string } = {},
): Promise<NotificationList> {
  const repos = deps.uow.read;
  const actor = await authorizeOwn(repos, context);
  if (query.before !== undefined && !isUuid(query.before)) {
    throw new AppError(
      'invalid_request',
      'before must be the id of a notification: the last one of the previous page.',
    );
  }
  const [records, unread, locked] = await Promise.all([
    repos.notifications.listForUser(actor.id, {
      limit: query.limit ?? DEFAULT_NOTIFICATION_LIMIT,
      ...(query.before === undefined ? {} : { before: query.before }),
    }),
    repos.notifications.unreadCount(actor.id),
    lockedCategoriesOf(repos, actor.id),
  ]);
  const now = new Date();
  return {
    unreadCount: unread,
    notifications: records.map((record) => toNotification(record, locked, now)),
  };
}

export async function unreadCount(
  deps: NotificationDeps,
  context: SyncContext,
): Promise<{ unreadCount: number }> {
  const repos = deps.uow.read;
  const actor = await authorizeOwn(repos, context);
  return { unreadCount: await repos.notifications.unreadCount(actor.id) };
}

export async function markNotificationRead(
  deps: NotificationDeps,
  context: SyncContext,
  notificationId: string,
): Promise<void> {
  const repos = deps.uow.read;
  const actor = await authorizeOwn(repos, context);
  const marked = isUuid(notificationId)
    ? await repos.notifications.markRead(actor.id, notificationId)
    : false;
  if (!marked) throw notificationNotFound();
}

export async function markAllNotificationsRead(
  deps: NotificationDeps,
  context: SyncContext,
): Promise<void> {
  const repos = deps.uow.read;
  const actor = await authorizeOwn(repos, context);
  await repos.notifications.markAllRead(actor.id);
}

/**
 * "Restore my previous settings": the member's own revert of the sync a `dashboard_changed`
 * notification is about (revertSync with `own`: the 7-day window, locks, the conflict check).
 */
export async function restoreFromNotification(
  deps: SyncDeps,
  context: SyncContext,
  notificationId: string,
): Promise<RevertResult> {
  const actor = await authorizeOwn(deps.uow.read, context);
  const record = isUuid(notificationId)
    ? await deps.uow.read.notifications.findForUser(actor.id, notificationId)
    : undefined;
  if (!record) throw notificationNotFound();
  if (
    record.kind !== 'dashboard_changed' ||
    record.syncRunId === null ||
    (record.sync?.action !== 'sync_settings' && record.sync?.action !== 'sync_crm')
  ) {
    throw new AppError(
      'invalid_request',
      'This notification is not about a change to your dashboard that can be restored.',
    );
  }
  return revertSync(deps, context, record.syncRunId, { own: true });
}

// ---------------------------------------------------------------------------------------------
// "Review changes": the items a sync changed on the member's dashboard

type CategoryChanges = NotificationChanges['categories'][number];

export const CHANGED_SINCE_NOTE =
  'You (or a later sync) changed this category since; the changes are not shown.';
export const CRM_KEYS_NOTE = 'CRM keys are shown as fingerprints only: see your CRM connections.';
export const OWNER_PROPERTIES_NOTE =
  'Sync CRM records your CRM owner properties: see Custom properties in My settings.';
export const REVERT_NOTE = 'A revert restores your earlier values.';
const UNREADABLE_NOTE = 'These changes can no longer be shown.';

/**
 * "Review changes" of a `dashboard_changed` notification, item by item. For each category a
 * Sync Settings changed, while the member's category is still at the version the sync left:
 * the one diff the product has (`diffValues`), from the value a restore of the sync's undo
 * snapshot would give (revertSync's own `restoredValue`) to the current value. A category
 * changed since is `changed_since`; CRM keys, Sync CRM and reverts are `not_shown` (never
 * secrets). One read of the notification and one of the dashboard, whatever the item counts.
 */
export async function notificationChanges(
  deps: NotificationDeps,
  context: SyncContext,
  notificationId: string,
): Promise<NotificationChanges> {
  const repos = deps.uow.read;
  const actor = await authorizeOwn(repos, context);
  const found = isUuid(notificationId)
    ? await repos.notifications.findChangesForUser(actor.id, notificationId)
    : undefined;
  if (!found) throw notificationNotFound();
  const { sync, syncRunId } = found;
  if (found.kind !== 'dashboard_changed' || sync === null || syncRunId === null) {
    throw new AppError(
      'invalid_request',
      'This notification is not about a change to your dashboard, so it has no changes to review.',
    );
  }
  const base = { notificationId: found.notificationId, syncRunId };
  if (sync.action !== 'sync_settings') {
    const note = (key: CategoryKey) =>
      sync.action === 'revert'
        ? REVERT_NOTE
        : key === 'crm_keys'
          ? CRM_KEYS_NOTE
          : OWNER_PROPERTIES_NOTE;
    return {
      ...base,
      categories: sync.categories.filter(isCategoryKey).map((key) => notShown(key, note(key))),
    };
  }

  const snapshot = (Array.isArray(sync.snapshot) ? sync.snapshot : []) as CategorySnapshot[];
  const valueEntries = snapshot.filter(
    (e): e is ValueCategorySnapshot => e.category !== 'crm_keys' && isCategoryKey(e.category),
  );
  const loaded = (
    await repos.dashboards.loadForUsers(
      [actor.id],
      valueEntries.map((e) => e.category),
    )
  ).get(actor.id);
  if (!loaded) throw new Error(`the dashboard of ${actor.id} was not loaded`);
  return {
    ...base,
    categories: snapshot
      .filter((e) => isCategoryKey(e.category))
      .map((entry): CategoryChanges => {
        if (entry.category === 'crm_keys') return notShown('crm_keys', CRM_KEYS_NOTE);
        const key = entry.category;
        const left = sync.versionsAfter[key];
        if (left === undefined || (loaded.versions.get(key) ?? 0) !== left) {
          return { ...notShown(key, CHANGED_SINCE_NOTE), status: 'changed_since' };
        }
        const before = restoredValue(actor.id, entry, loaded);
        if (!before.ok) return notShown(key, UNREADABLE_NOTE);
        const after = categoryValueOf(actor.id, key, loaded).value;
        return {
          key,
          label: categoryDefinition(key).label,
          status: 'current',
          changes: diffValues(key, before.value, after).changes,
          note: null,
        };
      }),
  };
}

function notShown(key: CategoryKey, note: string): CategoryChanges {
  return { key, label: categoryDefinition(key).label, status: 'not_shown', changes: [], note };
}

function notificationNotFound(): AppError {
  return new AppError('not_found', 'That notification was not found.');
}

// ---------------------------------------------------------------------------------------------
// What a notification says

const FORMER_ADMIN = 'An admin who has since left';

function toNotification(
  record: NotificationRecord,
  locked: ReadonlyMap<string, ManagedCategory>,
  now: Date,
): Notification {
  const actor =
    record.actorId === null ? null : { id: record.actorId, name: record.actorName ?? '' };
  const base = {
    id: record.id,
    kind: record.kind,
    createdAt: record.createdAt,
    readAt: record.readAt,
    actor,
    syncRunId: record.syncRunId,
    bulkRunId: record.bulkRunId,
  };
  const who = record.actorName ?? FORMER_ADMIN;
  if (record.kind === 'dashboard_changed' && record.sync) {
    const categories = syncCategories(record.sync);
    return {
      ...base,
      title: syncTitle(who, record.sync, categories),
      action: record.sync.action,
      categories,
      restore: restoreOf(record.sync, locked, now),
      bulk: null,
    };
  }
  const bulk = record.bulk;
  return {
    ...base,
    title: bulk ? bulkTitle(record, bulk) : 'A bulk run finished with failures.',
    action: bulk?.action ?? null,
    categories: (bulk?.categories ?? []).filter(isCategoryKey).map((key) => ({
      key,
      label: categoryDefinition(key).label,
      counts: null,
      notes: [],
    })),
    restore: null,
    bulk: bulk ? { total: bulk.total, failed: bulk.failed, teamId: bulk.teamId } : null,
  };
}

type NotificationCategory = Notification['categories'][number];

/** One category result as the history keeps it (`result.categories[i]` of a Sync Settings). */
interface StoredCategoryResult {
  category: string;
  counts?: ChangeCounts;
  notes?: unknown;
}

function isStoredCategoryResult(value: unknown): value is StoredCategoryResult {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { category?: unknown }).category === 'string'
  );
}

function countsOf(value: unknown): ChangeCounts | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const n = (key: string) => (typeof v[key] === 'number' ? v[key] : 0);
  return {
    added: n('added'),
    updated: n('updated'),
    removed: n('removed'),
    unchanged: n('unchanged'),
  };
}

function notesOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((n): n is string => typeof n === 'string') : [];
}

function entry(
  key: CategoryKey,
  counts: ChangeCounts | null,
  notes: string[],
): NotificationCategory {
  return { key, label: categoryDefinition(key).label, counts, notes };
}

/**
 * The categories the sync changed on the member's dashboard: a Sync Settings' changed ones (its
 * snapshot's) with their counts and notes; Sync CRM's with its sentence; a revert's.
 */
function syncCategories(sync: NotifiedSync): NotificationCategory[] {
  if (sync.action === 'sync_settings') {
    const results = new Map(
      (Array.isArray(sync.resultCategories) ? sync.resultCategories : [])
        .filter(isStoredCategoryResult)
        .map((r) => [r.category, r]),
    );
    const keys = sync.snapshotCategories.length > 0 ? sync.snapshotCategories : sync.categories;
    return keys.filter(isCategoryKey).map((key) => {
      const result = results.get(key);
      return entry(key, countsOf(result?.counts), notesOf(result?.notes));
    });
  }
  if (sync.action === 'sync_crm') {
    const notes = [
      ...(sync.message === null ? [] : [sync.message]),
      ...(sync.status === 'partial'
        ? ['Some CRM owner properties could not be checked: see the sync history.']
        : []),
    ];
    return sync.categories.filter(isCategoryKey).map((key) => entry(key, null, notes));
  }
  return sync.categories.filter(isCategoryKey).map((key) => entry(key, null, []));
}

/** "A", "A and B", "A, B and C". */
function listOf(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1] ?? ''}`;
}

function syncTitle(who: string, sync: NotifiedSync, categories: NotificationCategory[]): string {
  switch (sync.action) {
    case 'sync_settings':
      return `${who} synced ${categories.length > 0 ? listOf(categories.map((c) => c.label)) : 'settings'} to your dashboard.`;
    case 'sync_crm':
      return sync.ownerPropertiesOnly
        ? `${who} checked your CRM owner properties.`
        : `${who} copied CRM keys to your dashboard.`;
    case 'revert':
      return `${who} reverted a sync of your dashboard.`;
  }
}

function bulkTitle(record: NotificationRecord, bulk: NotifiedBulkRun): string {
  const outcome = `${bulk.failed} of ${bulk.total} ${bulk.total === 1 ? 'member' : 'members'} failed.`;
  if (record.kind === 'follow_failed') {
    const labels = bulk.categories.filter(isCategoryKey).map((k) => categoryDefinition(k).label);
    return `A follow push of ${labels.length > 0 ? listOf(labels) : 'settings'} finished: ${outcome}`;
  }
  const what =
    bulk.action === 'sync_settings'
      ? 'Bulk Sync Settings'
      : bulk.action === 'sync_crm'
        ? 'Bulk Sync CRM'
        : 'Bulk revert';
  return `${what}${bulk.dryRun ? ' preview' : ''} finished: ${outcome}`;
}

/**
 * "Restore my previous settings", for a Sync Settings or Sync CRM of the member's dashboard: in
 * the order the restore itself refuses (revertSync with `own`). The conflict check is the
 * restore's own: a restore offered here may still be refused, saying what changed since.
 */
function restoreOf(
  sync: NotifiedSync,
  locked: ReadonlyMap<string, ManagedCategory>,
  now: Date,
): Notification['restore'] {
  if (sync.action !== 'sync_settings' && sync.action !== 'sync_crm') return null;
  const until = restoreDeadline(sync.createdAt);
  const reason = restoreRefusal(sync, locked, now, until);
  return {
    available: reason === null,
    until,
    reason,
    restoredBySyncId: sync.revertedBySyncId,
  };
}

function restoreRefusal(
  sync: NotifiedSync,
  locked: ReadonlyMap<string, ManagedCategory>,
  now: Date,
  until: Date,
): string | null {
  if (sync.revertedBySyncId !== null) return 'Already restored.';
  if (now.getTime() >= until.getTime()) return RESTORE_EXPIRED_MESSAGE;
  const lockedHere = sync.snapshotCategories.flatMap((category) => {
    const managed = locked.get(category);
    return managed && isCategoryKey(category) ? [{ category, managed }] : [];
  });
  const [first] = lockedHere;
  if (!first) return null;
  if (lockedHere.length === 1 && sync.snapshotCategories.length === 1) {
    return `${first.managed.label}: this category is locked.`;
  }
  const labels = lockedHere.map((l) => categoryDefinition(l.category).label);
  return `${first.managed.label}: ${listOf(labels)} ${labels.length === 1 ? 'is' : 'are'} locked.`;
}

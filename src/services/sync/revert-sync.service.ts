import { RESTORE_WINDOW_DAYS } from '#src/domain/contracts/notifications.contract.ts';
import type { RevertResult } from '#src/domain/contracts/sync.contract.ts';
import { can, type Actor } from '#src/domain/authorization.ts';
import { AppError } from '#src/domain/errors.ts';
import {
  categoryDefinition,
  defaultValueOf,
  parseCategoryValue,
  type CategoryKey,
} from '#src/domain/settings/categories.ts';
import type { Repositories } from '#src/repositories/repositories.ts';
import {
  applyRowChanges,
  inverseDiff,
  type RowDiff,
  type RowTable,
  type StoredRow,
} from '#src/repositories/dashboard-rows.ts';
import type { LoadedDashboard } from '#src/repositories/dashboard.repository.ts';
import type { SyncRunRecord } from '#src/repositories/sync-run.repository.ts';
import { appendAudit } from '#src/services/audit/audit.service.ts';
import { lockedCategoriesOf, pauseAfterRevert } from '#src/services/policies/follow.service.ts';
import { authorizeOwn, dashboardMissing } from '#src/services/settings/own-settings.service.ts';
import { categoryValueOf, writeCategory } from '#src/services/settings/settings-store.ts';
import {
  auditRefusal,
  authorizeSync,
  isUuid,
  recordFailure,
  resolveActor,
  sealedFromJson,
  type CategorySnapshot,
  type SyncContext,
} from '#src/services/sync/sync-support.ts';
import type { SyncDeps } from '#src/services/sync/sync-settings.service.ts';

export type { RevertResult };

export interface RevertOptions {
  /**
   * A member's own restore ("Restore my previous settings", issue 16): the actor is the sync's
   * target, any active role; only a Sync Settings or Sync CRM of their dashboard, for
   * RESTORE_WINDOW_DAYS after it (`restore_expired`), none of whose categories is locked for
   * them (`category_locked`). Then the same checks and the same restore as an admin's revert.
   */
  own?: boolean;
}

/**
 * Undo (SPEC §6): restores the target's values from before a sync, in one transaction, itself
 * recorded as a sync. Refused when the target changed any of those categories since
 * (`version_conflict`) or the sync was already reverted (`already_reverted`). A revert pauses
 * follow for the target in the categories it restores that they follow (ADR 0016), in the same
 * transaction. `own`: the member's own restore (RevertOptions).
 */
export async function revertSync(
  deps: SyncDeps,
  context: SyncContext,
  syncId: string,
  options: RevertOptions = {},
): Promise<RevertResult> {
  const { uow } = deps;
  const own = options.own ?? false;
  let original: SyncRunRecord;
  try {
    original = await findRevertible(uow.read, context, syncId, { own });
  } catch (error) {
    return auditRefusal(uow, context, 'revert', [], '', error);
  }
  const targetId = original.targetId ?? '';
  try {
    return await uow.transaction(async (repos) => {
      const actor = own
        ? await authorizeOwn(repos, context)
        : (await authorizeSync(repos, context, targetId, 'sync:revert')).actor;
      const locked = await repos.dashboards.lockForUpdate(targetId);
      if (own && locked === undefined) throw dashboardMissing();
      // Re-read under the lock: a concurrent revert of the same sync loses here.
      const run = await findRevertible(repos, context, syncId, { own, forUpdate: true });
      const snapshot = (run.snapshot ?? []) as CategorySnapshot[];
      await assertUnchangedSince(repos, targetId, run);
      for (const entry of snapshot) await restore(repos, targetId, entry);
      const categories = snapshot.map((s) => s.category);
      const pausedFollow = await pauseAfterRevert(repos, actor.id, targetId, categories);
      const revert = await repos.syncRuns.insert({
        organizationId: actor.organizationId,
        actorId: actor.id,
        targetId,
        sourceUserId: null,
        action: 'revert',
        categories,
        status: 'applied',
        result: { revertedSyncId: run.id, categories },
        revertsSyncId: run.id,
        requestId: context.requestId ?? null,
        bulkRunId: context.bulkRunId ?? null,
      });
      await repos.syncRuns.markReverted(run.id, revert.id);
      await appendAudit(repos, {
        organizationId: actor.organizationId,
        actorId: actor.id,
        targetId,
        action: 'revert',
        outcome: 'applied',
        categories,
        details: {
          syncId: revert.id,
          revertedSyncId: run.id,
          ...(own ? { own: true } : {}),
          ...(pausedFollow.length > 0 ? { pausedFollow } : {}),
        },
        requestId: context.requestId ?? null,
      });
      return { syncId: revert.id, revertedSyncId: run.id, targetUserId: targetId, categories };
    });
  } catch (error) {
    if (error instanceof AppError)
      return auditRefusal(uow, context, 'revert', original.categories, targetId, error);
    return recordFailure(
      uow,
      {
        organizationId: original.organizationId,
        actorId: context.actorId,
        targetId,
        action: 'revert',
        categories: original.categories,
        requestId: context.requestId ?? null,
        sourceUserId: null,
      },
      'revert',
      error,
    );
  }
}

/**
 * The sync to revert, or the refusal: not found in the actor's organization (own: not a sync
 * of the actor's dashboard), a revert, a sync that changed nothing, already reverted; for a
 * member's own restore also past the window or touching a category locked for them.
 */
async function findRevertible(
  repos: Repositories,
  context: SyncContext,
  syncId: string,
  options: { own: boolean; forUpdate?: boolean },
): Promise<SyncRunRecord> {
  const actor = options.own
    ? await authorizeOwn(repos, context)
    : await resolveActor(repos, context.actorId);
  if (!options.own && !can(actor, 'sync:revert'))
    throw new AppError('forbidden', 'Only an active admin of this organization can revert a sync.');
  const found = isUuid(syncId)
    ? await repos.syncRuns.findInOrganization(actor.organizationId, syncId, {
        forUpdate: options.forUpdate ?? false,
      })
    : undefined;
  // A member's own restore: another user's sync is not found, never "not yours".
  const run = options.own && found?.targetId !== actor.id ? undefined : found;
  if (!run) throw new AppError('not_found', 'That sync was not found in your organization.');
  if (run.action === 'revert') {
    throw new AppError(
      'invalid_request',
      'A revert cannot itself be reverted: run the sync again instead.',
    );
  }
  if (
    (run.status !== 'applied' && run.status !== 'partial') ||
    !Array.isArray(run.snapshot) ||
    (run.snapshot as unknown[]).length === 0
  ) {
    throw new AppError(
      'invalid_request',
      'Only an applied sync can be reverted; this one changed nothing.',
    );
  }
  if (run.revertedBySyncId)
    throw new AppError('already_reverted', 'This sync was already reverted.');
  if (options.own) await assertOwnRestorable(repos, actor, run);
  return run;
}

/** Why a member's restore is refused past the window (the notification says the same). */
export const RESTORE_EXPIRED_MESSAGE = `Restore is offered for ${RESTORE_WINDOW_DAYS} days after a change.`;

/** Until when a member may restore their previous settings after a sync. */
export function restoreDeadline(syncCreatedAt: Date): Date {
  return new Date(syncCreatedAt.getTime() + RESTORE_WINDOW_DAYS * 24 * 60 * 60 * 1000);
}

/** The categories a revert of `run` writes (its snapshot's). */
function restoredCategories(run: SyncRunRecord): string[] {
  return ((run.snapshot ?? []) as CategorySnapshot[]).map((s) => s.category);
}

/** A member's own restore: their sync, in the window, and nothing locked for them. */
async function assertOwnRestorable(
  repos: Repositories,
  actor: Actor,
  run: SyncRunRecord,
): Promise<void> {
  if (run.action !== 'sync_settings' && run.action !== 'sync_crm') {
    throw new AppError('invalid_request', 'Only a Sync Settings or a Sync CRM can be restored.');
  }
  if (Date.now() >= restoreDeadline(run.createdAt).getTime()) {
    throw new AppError('restore_expired', RESTORE_EXPIRED_MESSAGE, { syncId: run.id });
  }
  const locked = await lockedCategoriesOf(repos, actor.id);
  const [category, managed] =
    restoredCategories(run)
      .map((c) => [c, locked.get(c)] as const)
      .find(([, m]) => m !== undefined) ?? [];
  if (category !== undefined && managed !== undefined) {
    throw new AppError('category_locked', managed.label, {
      category,
      sourceUserId: managed.by.id,
      teamId: managed.teamId,
    });
  }
}

/** The version check: every category the sync wrote must still be at the version it left. */
async function assertUnchangedSince(
  repos: Repositories,
  targetId: string,
  run: SyncRunRecord,
): Promise<void> {
  const versionsAfter =
    (run.result as { versionsAfter?: Record<string, number> }).versionsAfter ?? {};
  const current = new Map(
    (await repos.dashboards.categoryStates(targetId)).map((s) => [s.category, s]),
  );
  const changedKeys = Object.entries(versionsAfter)
    .filter(
      ([category, version]) => (current.get(category as CategoryKey)?.version ?? 0) !== version,
    )
    .map(([category]) => category as CategoryKey);
  if (changedKeys.length === 0) return;
  // Who changed each: a later sync (named with its admin), else the member in My settings.
  const member = (await repos.users.findById(targetId))?.name ?? 'the member';
  const writes = new Map(
    (await repos.syncRuns.latestWritesSince(targetId, changedKeys, run.seq)).map((w) => [
      w.category,
      w,
    ]),
  );
  const changes = changedKeys.map((category) => {
    const label = categoryDefinition(category).label;
    const updatedAt = current.get(category)?.updatedAt;
    // The newest write was the later sync unless the category was written well after it (the
    // member's own edit since, which no history entry records).
    const synced = writes.get(category);
    const write =
      synced && (!updatedAt || updatedAt.getTime() - synced.at.getTime() < 5_000)
        ? synced
        : undefined;
    const at = write?.at ?? updatedAt ?? null;
    return {
      category,
      label,
      at: at?.toISOString() ?? null,
      by: write ? (write.actorName ?? 'an admin who has since left') : member,
      via: write ? write.action : 'my_settings',
    };
  });
  const said = changes.map((c) => {
    const when = c.at ? ` on ${c.at.slice(0, 16).replace('T', ' ')} UTC` : '';
    if (c.via === 'my_settings') return `${c.label} by ${c.by} in My settings${when}`;
    const how = c.via === 'revert' ? 'revert' : c.via === 'sync_crm' ? 'Sync CRM' : 'Sync Settings';
    return `${c.label} by ${c.by}'s ${how}${when}`;
  });
  throw new AppError(
    'version_conflict',
    `${member}'s ${changes.map((c) => c.label).join(', ')} changed since this sync (${said.join('; ')}), so it can't be reverted without losing those changes. Adjust the settings manually instead.`,
    { changed: changes.map((c) => c.label), changes },
  );
}

async function restore(
  repos: Repositories,
  targetId: string,
  entry: CategorySnapshot,
): Promise<void> {
  if (entry.category === 'crm_keys') {
    const connections = entry.connections;
    // An OAuth connection is restored as a pointer to its grant (ADR 0014): if that grant has
    // been removed since (its last connection disconnected), there is nothing to point to.
    const grantIds = connections.flatMap((c) => (c.grantId === undefined ? [] : [c.grantId]));
    const grants = await repos.crmGrants.findMany(grantIds);
    if (grants.length < new Set(grantIds).size) {
      throw new AppError(
        'version_conflict',
        'A CRM connection this sync replaced has been disconnected since, so it cannot be restored. Connect the CRM again instead.',
        { changed: ['CRM keys'] },
      );
    }
    await repos.crmConnections.deleteAllForUser(targetId);
    await repos.crmConnections.upsertMany(connections.map((c) => sealedFromJson(targetId, c)));
    if (entry.isSet) await repos.dashboards.touchCategory(targetId, 'crm_keys');
    else await repos.dashboards.unsetCategories(targetId, ['crm_keys']);
    return;
  }
  const restoration = restorationOf(entry);
  switch (restoration.kind) {
    case 'unset':
      await repos.dashboards.unsetCategories(targetId, [entry.category]);
      return;
    case 'rows':
      for (const [table, inverse] of restoration.tables) {
        await repos.dashboards.writeRows(table, {
          upsert: inverse.upsert.map((r) => ({ ...r, user_id: targetId })),
          remove: inverse.remove.map((r) => ({ ...r, user_id: targetId })),
        });
      }
      await repos.dashboards.touchCategory(targetId, entry.category);
      return;
    case 'value':
      await writeCategory(repos, targetId, entry.category, restoration.value);
  }
}

/** A value category's entry of an undo snapshot (CRM keys are restored as connections). */
export type ValueCategorySnapshot = Exclude<CategorySnapshot, { category: 'crm_keys' }>;

/**
 * What restoring one value category of a snapshot does: forget the category (it was never set
 * before the sync); apply the inverse of the sync's row diff (only what the sync changed, through
 * the engine's writer); or write a whole previous value (document categories, and history from
 * before ADR 0011). `restore` writes it; `restoredValue` works it out without writing.
 */
type Restoration =
  | { kind: 'unset' }
  | { kind: 'rows'; tables: [RowTable, Pick<RowDiff, 'upsert' | 'remove'>][] }
  | { kind: 'value'; value: unknown };

function restorationOf(entry: ValueCategorySnapshot): Restoration {
  if (!entry.isSet) return { kind: 'unset' };
  if ('rows' in entry) {
    return {
      kind: 'rows',
      tables: (
        Object.entries(entry.rows) as [RowTable, { previous: StoredRow[]; added: StoredRow[] }][]
      ).map(([table, recorded]) => [table, inverseDiff(recorded)]),
    };
  }
  return { kind: 'value', value: entry.value };
}

/**
 * The value a restore of `entry` would give its category, worked out in memory from the
 * dashboard as `loadForUsers` read it now (for that category): what "Review changes" diffs the
 * current value against (notification.service). `ok: false` when the restore would refuse the
 * value (a previous value that no longer validates).
 */
export function restoredValue(
  userId: string,
  entry: ValueCategorySnapshot,
  loaded: LoadedDashboard,
): { ok: true; value: unknown } | { ok: false } {
  const restoration = restorationOf(entry);
  switch (restoration.kind) {
    case 'unset':
      return { ok: true, value: defaultValueOf(entry.category) };
    case 'rows': {
      const rows = { ...loaded.rows };
      for (const [table, inverse] of restoration.tables)
        rows[table] = applyRowChanges(table, rows[table], inverse);
      // The restore touches the category: it is set afterwards.
      const versions = new Map(loaded.versions);
      versions.set(entry.category, versions.get(entry.category) ?? 1);
      return {
        ok: true,
        value: categoryValueOf(userId, entry.category, { ...loaded, versions, rows }).value,
      };
    }
    case 'value': {
      // What writeCategory would store: the value as the category schema reads it.
      const parsed = parseCategoryValue(entry.category, restoration.value);
      return parsed.ok ? { ok: true, value: parsed.value } : { ok: false };
    }
  }
}

import type { SyncSettingsResult } from '#src/domain/contracts/sync.contract.ts';
import { AppError } from '#src/domain/errors.ts';
import type { Keyring } from '#src/domain/secrets/secret-box.ts';
import { isCategoryKey, type CategoryKey } from '#src/domain/settings/categories.ts';
import {
  DEFAULT_SYNC_CATEGORIES,
  orderForApply,
  type ChangeCounts,
} from '#src/domain/sync/sync-rules.ts';
import type { UnitOfWork } from '#src/repositories/repositories.ts';
import { appendAudit } from '#src/services/audit/audit.service.ts';
import type { NewSyncRun } from '#src/repositories/sync-run.repository.ts';
import {
  applySyncPlans,
  planSync,
  type CategoryResult,
  type TargetPlan,
} from '#src/services/sync/sync-engine.ts';
import {
  auditRefusal,
  authorizeSync,
  recordFailure,
  type SyncContext,
} from '#src/services/sync/sync-support.ts';

export type { CategoryResult } from '#src/services/sync/sync-engine.ts';

export interface SyncDeps {
  uow: UnitOfWork;
  keyring: Keyring;
}

export interface SyncSettingsInput {
  targetUserId: string;
  /** Category keys; omitted = every category except Email templates (SPEC §3). */
  categories?: readonly string[];
  dryRun?: boolean;
}

export type { SyncSettingsResult };

/** Parses the category selection: unknown, duplicate-free, non-empty (SPEC §5 `invalid_request`). */
export function parseCategorySelection(categories: readonly string[] | undefined): CategoryKey[] {
  if (categories === undefined) return [...DEFAULT_SYNC_CATEGORIES];
  if (!Array.isArray(categories) || categories.length === 0) {
    throw new AppError('invalid_request', 'Choose at least one settings category to sync.');
  }
  const unknown = categories.filter((c) => typeof c !== 'string' || !isCategoryKey(c));
  if (unknown.length > 0) {
    throw new AppError(
      'invalid_request',
      `Unknown settings category: ${unknown.map((c) => JSON.stringify(c)).join(', ')}.`,
      {
        unknown,
      },
    );
  }
  return [...new Set(categories as CategoryKey[])];
}

/**
 * Sync Settings to User (SPEC §3): copies the selected categories from the acting admin's
 * dashboard to the target's, each by its rule (SPEC §2), all in one transaction. A dry run
 * computes the same result and writes nothing but its audit entry.
 */
export async function syncSettings(
  deps: SyncDeps,
  context: SyncContext,
  input: SyncSettingsInput,
): Promise<SyncSettingsResult> {
  const { uow } = deps;
  const dryRun = input.dryRun ?? false;
  const action = dryRun ? 'sync_settings.preview' : 'sync_settings';
  let categories: CategoryKey[];
  let actorOrg: string;
  let targetId: string;
  try {
    categories = orderForApply(parseCategorySelection(input.categories));
    const { actor, target } = await authorizeSync(
      uow.read,
      context,
      input.targetUserId,
      'sync:run',
    );
    actorOrg = actor.organizationId;
    targetId = target.id;
  } catch (error) {
    return auditRefusal(
      uow,
      context,
      action,
      (input.categories ?? []).map(String),
      input.targetUserId,
      error,
    );
  }

  try {
    return await uow.transaction(async (repos) => {
      // Re-check inside the transaction, under the target's row lock: syncs to one target
      // serialise here, and a target removed meanwhile is refused.
      const { actor } = await authorizeSync(repos, context, targetId, 'sync:run');
      await repos.dashboards.lockForUpdate(targetId);
      const [plan] = await planSync(repos, deps.keyring, {
        sourceId: actor.id,
        targetIds: [targetId],
        categories,
        // A preview compares (nothing re-sealed) and its notes say what would happen.
        mode: dryRun ? 'compare' : 'write',
      });
      if (!plan) throw new Error('no plan for the target');
      const counts = countsByCategory(plan.results);
      if (dryRun) {
        await appendAudit(repos, {
          organizationId: actor.organizationId,
          actorId: actor.id,
          targetId,
          action,
          outcome: 'dry_run',
          categories,
          details: { counts },
          requestId: context.requestId ?? null,
        });
        return {
          syncId: null,
          dryRun,
          targetUserId: targetId,
          changed: plan.changed,
          categories: plan.results,
        };
      }
      const versionsAfter = (await applySyncPlans(repos, actor.id, [plan])).get(targetId) ?? {};
      const run = await repos.syncRuns.insert(
        historyEntryOf(plan, {
          organizationId: actor.organizationId,
          actorId: actor.id,
          categories,
          versionsAfter,
          requestId: context.requestId ?? null,
        }),
      );
      await appendAudit(repos, {
        organizationId: actor.organizationId,
        actorId: actor.id,
        targetId,
        action,
        outcome: 'applied',
        categories,
        details: { syncId: run.id, changed: plan.changed, counts },
        requestId: context.requestId ?? null,
      });
      const result: SyncSettingsResult = {
        syncId: run.id,
        dryRun,
        targetUserId: targetId,
        changed: plan.changed,
        categories: plan.results,
      };
      // The Idempotency-Key's stored answer commits with the sync, or neither does.
      await context.idempotency?.complete(repos, result);
      return result;
    });
  } catch (error) {
    if (error instanceof AppError)
      return auditRefusal(uow, context, action, categories, targetId, error);
    return recordFailure(
      uow,
      {
        organizationId: actorOrg,
        actorId: context.actorId,
        targetId,
        action,
        categories,
        requestId: context.requestId ?? null,
        sourceUserId: context.actorId,
      },
      'sync_settings',
      error,
    );
  }
}

/**
 * The history entry of one applied Sync Settings to one target (the single action and each
 * member of a bulk run): counts and notes, not every item; the snapshot has what undo needs.
 */
export function historyEntryOf(
  plan: TargetPlan,
  entry: {
    organizationId: string;
    actorId: string;
    categories: readonly CategoryKey[];
    versionsAfter: Record<string, number>;
    requestId: string | null;
    bulkRunId?: string | null;
  },
): NewSyncRun {
  return {
    organizationId: entry.organizationId,
    actorId: entry.actorId,
    targetId: plan.targetId,
    sourceUserId: entry.actorId,
    action: 'sync_settings',
    categories: entry.categories,
    status: 'applied',
    result: {
      changed: plan.changed,
      ...(plan.changed ? {} : { summary: 'No changes' }),
      categories: plan.results.map(withoutItems),
      versionsAfter: entry.versionsAfter,
    },
    snapshot: plan.changed ? plan.snapshot : null,
    requestId: entry.requestId,
    bulkRunId: entry.bulkRunId ?? null,
  };
}

/** A category result without its item list (what the history row keeps). */
function withoutItems(result: CategoryResult): Omit<CategoryResult, 'changes'> {
  return {
    category: result.category,
    label: result.label,
    status: result.status,
    counts: result.counts,
    notes: result.notes,
    changed: result.changed,
  };
}

export function countsByCategory(
  results: readonly CategoryResult[],
): Record<string, ChangeCounts & { status: string }> {
  return Object.fromEntries(results.map((r) => [r.category, { ...r.counts, status: r.status }]));
}

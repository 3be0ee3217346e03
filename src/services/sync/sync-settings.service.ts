import { loadDashboard, loadDashboardValues } from '#src/services/settings/settings-store.ts';
import { CRM_KEYS } from '#src/domain/crm.ts';
import { AppError } from '#src/domain/errors.ts';
import { openJson, sealJson, type Keyring } from '#src/domain/secrets/secret-box.ts';
import {
  categoryDefinition,
  isCategoryKey,
  type CategoryKey,
  type CategoryValue,
  type ValueCategoryKey,
} from '#src/domain/settings/categories.ts';
import {
  applyRule,
  DEFAULT_SYNC_CATEGORIES,
  diffItems,
  itemsOf,
  orderForApply,
  stableStringify,
  type ChangeCounts,
} from '#src/domain/sync/sync-rules.ts';
import type { StoredCrmConnection } from '#src/repositories/crm-connection.repository.ts';
import type { Repositories, UnitOfWork } from '#src/repositories/repositories.ts';
import { appendAudit } from '#src/services/audit/audit.service.ts';
import {
  auditRefusal,
  authorizeSync,
  crmList,
  recordFailure,
  sealedToJson,
  type CategorySnapshot,
  type SyncContext,
} from '#src/services/sync/sync-support.ts';

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

export interface CategoryResult {
  category: CategoryKey;
  label: string;
  /** `applied` (or would be, in a dry run) or `skipped` with the reason in notes. */
  status: 'applied' | 'skipped';
  counts: ChangeCounts;
  notes: string[];
}

export interface SyncSettingsResult {
  /** The history entry; null for a dry run, which writes nothing. */
  syncId: string | null;
  dryRun: boolean;
  targetUserId: string;
  categories: CategoryResult[];
}

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
      const plan = await planSync(repos, deps.keyring, actor.id, targetId, categories);
      if (dryRun) {
        await appendAudit(repos, {
          organizationId: actor.organizationId,
          actorId: actor.id,
          targetId,
          action,
          outcome: 'dry_run',
          categories,
          details: { counts: countsByCategory(plan.results) },
          requestId: context.requestId ?? null,
        });
        return { syncId: null, dryRun, targetUserId: targetId, categories: plan.results };
      }
      const versionsAfter = await applyPlan(repos, actor.id, targetId, plan);
      const run = await repos.syncRuns.insert({
        organizationId: actor.organizationId,
        actorId: actor.id,
        targetId,
        sourceUserId: actor.id,
        action: 'sync_settings',
        categories,
        status: 'applied',
        result: { categories: plan.results, versionsAfter: Object.fromEntries(versionsAfter) },
        snapshot: plan.snapshot,
        requestId: context.requestId ?? null,
      });
      await appendAudit(repos, {
        organizationId: actor.organizationId,
        actorId: actor.id,
        targetId,
        action,
        outcome: 'applied',
        categories,
        details: { syncId: run.id, counts: countsByCategory(plan.results) },
        requestId: context.requestId ?? null,
      });
      const result = { syncId: run.id, dryRun, targetUserId: targetId, categories: plan.results };
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

function changed(counts: ChangeCounts): boolean {
  return counts.added + counts.updated + counts.removed > 0;
}

function countsByCategory(
  results: readonly CategoryResult[],
): Record<string, ChangeCounts & { status: string }> {
  return Object.fromEntries(results.map((r) => [r.category, { ...r.counts, status: r.status }]));
}

interface PlannedValue {
  category: ValueCategoryKey;
  /** The target's value after the sync. */
  value: unknown;
}

interface SyncPlan {
  results: CategoryResult[];
  values: PlannedValue[];
  /** Connections to write on the target, already sealed for it. */
  connections: Omit<StoredCrmConnection, 'updatedAt'>[];
  /** Whether record types are to be applied (target has Salesforce after the CRM keys step). */
  applyRecordTypes: boolean;
  snapshot: CategorySnapshot[];
}

/** Reads both dashboards and computes the target's new values, the diff and the snapshot. */
async function planSync(
  repos: Repositories,
  keyring: Keyring,
  sourceId: string,
  targetId: string,
  categories: readonly CategoryKey[],
): Promise<SyncPlan> {
  const valueCategories = categories.filter((c): c is ValueCategoryKey => c !== 'crm_keys');
  const [source, { values: target, states: targetStates }] = await Promise.all([
    loadDashboardValues(repos, sourceId, valueCategories),
    loadDashboard(repos, targetId, valueCategories),
  ]);
  const results: CategoryResult[] = [];
  const values: PlannedValue[] = [];
  const snapshot: CategorySnapshot[] = [];
  let connections: Omit<StoredCrmConnection, 'updatedAt'>[] = [];

  const targetConnections = await repos.crmConnections.listForUser(targetId);
  let targetHasSalesforce = targetConnections.some((c) => c.crm === 'salesforce');

  for (const category of categories) {
    const label = categoryDefinition(category).label;
    if (category === 'crm_keys') {
      const sourceConnections = await repos.crmConnections.listForUser(sourceId);
      const planned = planCrmKeys(
        keyring,
        sourceId,
        targetId,
        sourceConnections,
        targetConnections,
      );
      connections = planned.connections;
      if (connections.some((c) => c.crm === 'salesforce')) targetHasSalesforce = true;
      const crmKeysSet = targetStates.has('crm_keys');
      if (changed(planned.counts) || !crmKeysSet) {
        snapshot.push({
          category,
          isSet: crmKeysSet,
          connections: targetConnections.map(sealedToJson),
        });
      }
      results.push({
        category,
        label,
        status: 'applied',
        counts: planned.counts,
        notes: planned.notes,
      });
      continue;
    }
    const from = source.get(category);
    const to = target.get(category);
    if (!from || !to) throw new Error(`category ${category} was not loaded`);
    const outcome = applyRule(
      category,
      from.value as CategoryValue<typeof category>,
      to.value as CategoryValue<typeof category>,
      {
        targetHasSalesforce,
        sourceIsDefault: !from.isSet,
      },
    );
    const counts = diffItems(itemsOf(category, to.value), itemsOf(category, outcome.value));
    values.push({ category, value: outcome.value });
    // Undo needs the previous value only where something changes. Compare whole values, not
    // the counts: a reordered list (domains, meeting titles) changes with no item added/removed.
    // (A category never set on the target becomes set: that is a change too.)
    if (!to.isSet || JSON.stringify(to.value) !== JSON.stringify(outcome.value))
      snapshot.push({ category, isSet: to.isSet, value: to.value });
    results.push({ category, label, status: 'applied', counts, notes: outcome.notes });
  }
  return { results, values, connections, applyRecordTypes: targetHasSalesforce, snapshot };
}

/** CRM keys: per CRM present on the source, re-sealed for the target; other CRMs untouched. */
function planCrmKeys(
  keyring: Keyring,
  sourceId: string,
  targetId: string,
  sourceConnections: readonly StoredCrmConnection[],
  targetConnections: readonly StoredCrmConnection[],
): {
  connections: Omit<StoredCrmConnection, 'updatedAt'>[];
  counts: ChangeCounts;
  notes: string[];
} {
  const counts: ChangeCounts = { added: 0, updated: 0, removed: 0, unchanged: 0 };
  const connections = sourceConnections.map((c) => {
    const secrets = openJson(keyring, c.sealed, { userId: sourceId, crm: c.crm });
    const existing = targetConnections.find((t) => t.crm === c.crm);
    if (!existing) counts.added += 1;
    else {
      const same =
        stableStringify(openJson(keyring, existing.sealed, { userId: targetId, crm: c.crm })) ===
          stableStringify(secrets) &&
        stableStringify(existing.instance) === stableStringify(c.instance);
      if (same) counts.unchanged += 1;
      else counts.updated += 1;
    }
    return {
      userId: targetId,
      crm: c.crm,
      sealed: sealJson(keyring, secrets, { userId: targetId, crm: c.crm }),
      secretHint: c.secretHint,
      instance: c.instance,
    };
  });
  const copied = sourceConnections.map((c) => c.crm);
  const untouched = CRM_KEYS.filter(
    (k) => !copied.includes(k) && targetConnections.some((t) => t.crm === k),
  );
  counts.unchanged += untouched.length;
  const notes: string[] = [];
  if (copied.length === 0) notes.push('You have no CRM keys, so none were copied.');
  else notes.push(`Copied: ${crmList(copied)}.`);
  if (untouched.length > 0)
    notes.push(`Left as they are (you don't have them): ${crmList(untouched)}.`);
  return { connections, counts, notes };
}

/** Writes the plan with a fixed number of statements, whatever the item counts. */
async function applyPlan(
  repos: Repositories,
  sourceId: string,
  targetId: string,
  plan: SyncPlan,
): Promise<Map<CategoryKey, number>> {
  const written: { category: CategoryKey; document: unknown }[] = [];
  for (const { category, value } of plan.values) {
    switch (category) {
      case 'custom_properties':
        // Set-based, on the server: the source rows are copied, not sent through Node.
        await repos.dashboards.copyNonOwnerPropertiesFrom(targetId, sourceId);
        written.push({ category, document: null });
        break;
      case 'pipeline_stages':
        await repos.dashboards.copyStagesFrom(targetId, sourceId);
        if (plan.applyRecordTypes) await repos.dashboards.copyRecordTypesFrom(targetId, sourceId);
        written.push({ category, document: null });
        break;
      default:
        written.push({ category, document: value });
    }
  }
  if (plan.results.some((r) => r.category === 'crm_keys')) {
    await repos.crmConnections.upsertMany(plan.connections);
    written.push({ category: 'crm_keys', document: null });
  }
  return repos.dashboards.writeCategories(targetId, written);
}

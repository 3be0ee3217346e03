import type { CategoryResult } from '#src/domain/contracts/sync.contract.ts';
import { CRM_KEYS, type CrmKey } from '#src/domain/crm.ts';
import { maskFingerprint, openJson, type Keyring } from '#src/domain/secrets/secret-box.ts';
import { syncNotes, type NoteTense } from '#src/domain/sync/sync-notes.ts';
import {
  categoryDefinition,
  defaultValueOf,
  type CategoryKey,
  type CategoryValue,
  type ValueCategoryKey,
} from '#src/domain/settings/categories.ts';
import {
  applyRule,
  diffValues,
  stableStringify,
  type ChangeCounts,
  type ItemChange,
} from '#src/domain/sync/sync-rules.ts';
import type { StoredCrmConnection } from '#src/repositories/crm-connection.repository.ts';
import {
  diffRows,
  isEmptyDiff,
  pipelineToRows,
  propertiesToRows,
  type RowDiff,
  type RowTable,
  type StoredRow,
} from '#src/repositories/dashboard-rows.ts';
import type { LoadedDashboard, UserRow } from '#src/repositories/dashboard.repository.ts';
import type { Repositories } from '#src/repositories/repositories.ts';
import { categoryValueOf } from '#src/services/settings/settings-store.ts';
import {
  currentFingerprint,
  resealFor,
} from '#src/services/crm-connections/crm-connection.service.ts';
import { crmList, sealedToJson, type CategorySnapshot } from '#src/services/sync/sync-support.ts';

/**
 * The one sync engine (ADR 0011). For one source and any number of targets it reads every
 * dashboard in a fixed number of queries, plans each target with the SPEC §2 rules of
 * `domain/sync/sync-rules.ts` (the only implementation of them), and writes exactly the planned
 * values, item by item, in a fixed number of statements whatever the number of targets or items.
 * A sync, its preview, drift and bulk runs are all this plan; the preview and drift simply do
 * not apply it. What does not change is not written: a no-op sync writes no row and bumps no
 * version, and the undo snapshot holds only what changed.
 */

export type { CategoryResult };

export interface TargetPlan {
  targetId: string;
  results: CategoryResult[];
  /** Any category changes: false = a no-op that writes nothing. */
  changed: boolean;
  /** The target's previous values of what changes, for undo. */
  snapshot: CategorySnapshot[];
  /** The target's value of each value category after the sync: exactly what gets stored. */
  planned: Partial<Record<ValueCategoryKey, unknown>>;
  writes: {
    documents: { category: ValueCategoryKey; document: unknown }[];
    rows: Partial<Record<RowTable, RowDiff>>;
    connections: Omit<StoredCrmConnection, 'updatedAt'>[];
    /** Categories whose state row is written (version + 1). */
    touched: CategoryKey[];
  };
}

const ROW_TABLES_OF = {
  custom_properties: ['custom_properties'],
  pipeline_stages: ['pipeline_stages', 'salesforce_record_types'],
} as const satisfies Partial<Record<ValueCategoryKey, readonly RowTable[]>>;

function isRowCategory(category: CategoryKey): category is keyof typeof ROW_TABLES_OF {
  return category === 'custom_properties' || category === 'pipeline_stages';
}

interface CategoryValueRead {
  value: unknown;
  isSet: boolean;
}

function rowsOfValue(category: 'custom_properties' | 'pipeline_stages', value: unknown) {
  return category === 'custom_properties'
    ? { custom_properties: propertiesToRows(value as CategoryValue<'custom_properties'>) }
    : pipelineToRows(value as CategoryValue<'pipeline_stages'>);
}

/** The source of a plan, read once: its CRM connections and values as the rules see them. */
export interface PlanSource {
  id: string;
  connections: StoredCrmConnection[];
  values: Map<ValueCategoryKey, CategoryValueRead>;
}

/** Reads the source of a plan for `categories` (see `planSync`'s `source`). */
export async function readPlanSource(
  repos: Repositories,
  sourceId: string,
  categories: readonly CategoryKey[],
): Promise<PlanSource> {
  const [loaded, connections] = await Promise.all([
    repos.dashboards.loadForUsers([sourceId], categories),
    repos.crmConnections.listForUsers([sourceId]),
  ]);
  return planSourceOf(sourceId, categories, loaded, connections);
}

/** The source out of dashboards and connections read with it (one read for source and targets). */
function planSourceOf(
  sourceId: string,
  categories: readonly CategoryKey[],
  loaded: ReadonlyMap<string, LoadedDashboard>,
  connections: readonly StoredCrmConnection[],
): PlanSource {
  const dashboard = loaded.get(sourceId);
  if (!dashboard) throw new Error('the source dashboard was not loaded');
  // The source's values, read once for every target.
  const values = new Map<ValueCategoryKey, CategoryValueRead>();
  for (const category of categories)
    if (category !== 'crm_keys')
      values.set(category, categoryValueOf(sourceId, category, dashboard));
  return { id: sourceId, connections: connections.filter((c) => c.userId === sourceId), values };
}

/**
 * Plans Sync Settings from `sourceId` to each of `targetIds` (authorized by the caller) for
 * `categories` (in apply order: CRM keys first). Reads only; `applySyncPlans` writes.
 */
export async function planSync(
  repos: Repositories,
  keyring: Keyring,
  input: {
    sourceId: string;
    targetIds: readonly string[];
    categories: readonly CategoryKey[];
    /**
     * `compare` (drift, a preview): plan and count only; CRM keys are compared, never re-sealed,
     * and the notes say what would happen ("Will copy: HubSpot.").
     */
    mode?: 'write' | 'compare';
    /**
     * The source as `readPlanSource` read it for the same categories, for a caller that plans
     * many slices of targets from one source in one transaction (a bulk batch).
     */
    source?: PlanSource;
  },
): Promise<TargetPlan[]> {
  const { sourceId, categories } = input;
  const targetIds = input.targetIds;
  const reseal = (input.mode ?? 'write') === 'write';
  const tense: NoteTense = reseal ? 'done' : 'planned';
  // The source is read with the targets (one query per table for all), unless given.
  const users = input.source ? targetIds : [sourceId, ...targetIds.filter((id) => id !== sourceId)];
  const [loaded, connections] = await Promise.all([
    repos.dashboards.loadForUsers(users, categories),
    // Every target's connections: record types depend on whether the target has Salesforce.
    repos.crmConnections.listForUsers(users),
  ]);
  const readSource = input.source ?? planSourceOf(sourceId, categories, loaded, connections);
  if (readSource.id !== sourceId) throw new Error('the source given is not the source planned');
  const byUser = new Map<string, StoredCrmConnection[]>();
  for (const c of connections) byUser.set(c.userId, [...(byUser.get(c.userId) ?? []), c]);
  const sourceConnections = readSource.connections;
  const sourceValues = readSource.values;

  return targetIds.map((targetId) => {
    const target = loaded.get(targetId);
    if (!target) throw new Error(`the dashboard of ${targetId} was not loaded`);
    const targetConnections = byUser.get(targetId) ?? [];
    const plan: TargetPlan = {
      targetId,
      results: [],
      changed: false,
      snapshot: [],
      planned: {},
      writes: { documents: [], rows: {}, connections: [], touched: [] },
    };
    let targetHasSalesforce = targetConnections.some((c) => c.crm === 'salesforce');
    for (const category of categories) {
      const label = categoryDefinition(category).label;
      if (category === 'crm_keys') {
        const crm = planCrmKeys(keyring, sourceConnections, targetId, targetConnections, {
          reseal,
          tense,
        });
        if (crm.copied.includes('salesforce')) targetHasSalesforce = true;
        const changed = crm.result.changes.length > 0;
        if (changed) {
          plan.writes.connections.push(...crm.connections);
          plan.writes.touched.push('crm_keys');
          plan.snapshot.push({
            category,
            isSet: target.versions.has('crm_keys'),
            connections: targetConnections.map(sealedToJson),
          });
        }
        plan.results.push({ category, label, status: 'applied', ...crm.result, changed });
        continue;
      }
      const from = sourceValues.get(category);
      if (!from) throw new Error(`category ${category} was not read`);
      const to = categoryValueOf(targetId, category, target);
      const outcome = applyRule(
        category,
        from.value as CategoryValue<typeof category>,
        to.value as CategoryValue<typeof category>,
        { targetHasSalesforce, sourceIsDefault: !from.isSet, tense },
      );
      const { counts, changes } = diffValues(category, to.value, outcome.value);
      plan.planned[category] = outcome.value;
      let changed: boolean;
      if (isRowCategory(category)) {
        const after: Partial<Record<RowTable, StoredRow[]>> = rowsOfValue(category, outcome.value);
        const previous: Partial<Record<RowTable, { previous: StoredRow[]; added: StoredRow[] }>> =
          {};
        changed = false;
        for (const table of ROW_TABLES_OF[category]) {
          const diff = diffRows(table, target.rows[table], after[table] ?? []);
          if (isEmptyDiff(diff)) continue;
          changed = true;
          plan.writes.rows[table] = diff;
          previous[table] = { previous: diff.previous, added: diff.added };
        }
        if (changed) {
          plan.writes.touched.push(category);
          plan.snapshot.push({ category, isSet: to.isSet, rows: previous });
        }
      } else {
        const before = to.isSet ? to.value : defaultValueOf(category);
        changed = !to.isSet
          ? JSON.stringify(outcome.value) !== JSON.stringify(before)
          : JSON.stringify(outcome.value) !== JSON.stringify(to.value);
        if (changed) {
          plan.writes.documents.push({ category, document: outcome.value });
          plan.writes.touched.push(category);
          plan.snapshot.push({ category, isSet: to.isSet, value: to.value });
        }
      }
      plan.results.push({
        category,
        label,
        status: 'applied',
        counts,
        notes: outcome.notes,
        changed,
        changes,
      });
    }
    plan.changed = plan.writes.touched.length > 0;
    return plan;
  });
}

/**
 * CRM keys (SPEC §2): per CRM present on the source, the target gets the source's keys re-sealed
 * for it; CRMs the source lacks stay as they are. Keys compare by keyed fingerprint, so an
 * unchanged connection is neither decrypted nor written.
 */
function planCrmKeys(
  keyring: Keyring,
  sourceConnections: readonly StoredCrmConnection[],
  targetId: string,
  targetConnections: readonly StoredCrmConnection[],
  { reseal, tense }: { reseal: boolean; tense: NoteTense },
): {
  copied: CrmKey[];
  connections: Omit<StoredCrmConnection, 'updatedAt'>[];
  result: { counts: ChangeCounts; notes: string[]; changes: ItemChange[] };
} {
  const counts: ChangeCounts = { added: 0, updated: 0, removed: 0, unchanged: 0 };
  const changes: ItemChange[] = [];
  const connections: Omit<StoredCrmConnection, 'updatedAt'>[] = [];
  for (const c of sourceConnections) {
    const existing = targetConnections.find((t) => t.crm === c.crm);
    if (existing && sameConnection(keyring, c, existing)) {
      counts.unchanged += 1;
      continue;
    }
    if (reseal) connections.push(resealFor(keyring, c, targetId));
    if (existing) {
      counts.updated += 1;
      changes.push({
        key: c.crm,
        change: 'updated',
        before: maskFingerprint(existing.fingerprint),
        after: maskFingerprint(c.fingerprint),
      });
    } else {
      counts.added += 1;
      changes.push({ key: c.crm, change: 'added', after: maskFingerprint(c.fingerprint) });
    }
  }
  const copied = sourceConnections.map((c) => c.crm);
  const untouched = CRM_KEYS.filter(
    (k) => !copied.includes(k) && targetConnections.some((t) => t.crm === k),
  );
  counts.unchanged += untouched.length;
  const notes: string[] = [];
  notes.push(
    copied.length === 0
      ? syncNotes.noCrmKeys(tense)
      : syncNotes.crmKeysCopied(crmList(copied), tense),
  );
  if (untouched.length > 0) notes.push(syncNotes.crmKeysLeft(crmList(untouched), tense));
  return { copied, connections, result: { counts, notes, changes } };
}

/** Same keys and instance data: by fingerprint, or (a fingerprint missing) by decrypting both. */
function sameConnection(
  keyring: Keyring,
  source: StoredCrmConnection,
  target: StoredCrmConnection,
): boolean {
  if (stableStringify(source.instance) !== stableStringify(target.instance)) return false;
  if (source.secretHint !== target.secretHint) return false;
  const [a, b] = [currentFingerprint(keyring, source), currentFingerprint(keyring, target)];
  if (a !== null && b !== null) return a === b;
  if (source.grantId !== null || target.grantId !== null) return source.grantId === target.grantId;
  const open = (c: StoredCrmConnection) =>
    c.sealed === null
      ? null
      : stableStringify(openJson(keyring, c.sealed, { userId: c.userId, crm: c.crm }));
  return open(source) === open(target);
}

/**
 * Writes the plans of any number of targets: per row table one DELETE and one upsert, one upsert
 * of CRM connections, the state rows and dashboard versions: a fixed number of statements, none
 * for what does not change. Returns each target's new version of every category it wrote.
 */
export async function applySyncPlans(
  repos: Repositories,
  sourceId: string | null,
  plans: readonly TargetPlan[],
): Promise<Map<string, Record<string, number>>> {
  const tables: RowTable[] = ['custom_properties', 'pipeline_stages', 'salesforce_record_types'];
  for (const table of tables) {
    const upsert: UserRow[] = [];
    const remove: UserRow[] = [];
    for (const plan of plans) {
      const diff = plan.writes.rows[table];
      if (!diff) continue;
      for (const row of diff.upsert) upsert.push({ ...row, user_id: plan.targetId });
      for (const row of diff.remove) remove.push({ ...row, user_id: plan.targetId });
    }
    await repos.dashboards.writeRows(table, { upsert, remove }, sourceId);
  }
  await repos.crmConnections.upsertMany(plans.flatMap((p) => p.writes.connections));
  const documents = new Map(
    plans.map((p) => [
      p.targetId,
      new Map(p.writes.documents.map((d) => [d.category, d.document])),
    ]),
  );
  const versions = await repos.dashboards.touchCategoriesOf(
    plans.flatMap((p) =>
      p.writes.touched.map((category) => ({
        userId: p.targetId,
        category,
        document: documents.get(p.targetId)?.get(category as ValueCategoryKey) ?? null,
      })),
    ),
  );
  return new Map(
    plans.map((p) => [p.targetId, Object.fromEntries(versions.get(p.targetId) ?? new Map())]),
  );
}

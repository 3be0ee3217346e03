import {
  CATEGORY_KEYS,
  defaultValueOf,
  parseCategoryValue,
  type CategoryKey,
  type CategoryValue,
  type ValueCategoryKey,
} from '#src/domain/settings/categories.ts';
import { AppError } from '#src/domain/errors.ts';
import {
  diffRows,
  pipelineToRows,
  propertiesToRows,
  rowsToPipeline,
  rowsToProperties,
  type RowTable,
  type StoredRow,
} from '#src/repositories/dashboard-rows.ts';
import type { LoadedDashboard } from '#src/repositories/dashboard.repository.ts';
import type { Repositories } from '#src/repositories/repositories.ts';

/**
 * Reading and writing one settings category of a dashboard, whatever its storage
 * (rows or document). Values are validated by the category schema before any write.
 */
export async function writeCategory<K extends ValueCategoryKey>(
  repos: Repositories,
  userId: string,
  category: K,
  input: unknown,
): Promise<CategoryValue<K>> {
  const parsed = parseCategoryValue(category, input);
  if (!parsed.ok) {
    throw new AppError('invalid_request', parsed.message, { category, errors: parsed.errors });
  }
  const value = parsed.value;
  if (category === 'custom_properties' || category === 'pipeline_stages') {
    // Row categories: only the rows that change are written (the sync engine's writer).
    const current = (await repos.dashboards.loadForUsers([userId], [category])).get(userId);
    const after: Partial<Record<RowTable, StoredRow[]>> =
      category === 'custom_properties'
        ? { custom_properties: propertiesToRows(value as CategoryValue<'custom_properties'>) }
        : pipelineToRows(value as CategoryValue<'pipeline_stages'>);
    for (const table of Object.keys(after) as RowTable[]) {
      const diff = diffRows(table, current?.rows[table] ?? [], after[table] ?? []);
      await repos.dashboards.writeRows(table, {
        upsert: diff.upsert.map((r) => ({ ...r, user_id: userId })),
        remove: diff.remove.map((r) => ({ ...r, user_id: userId })),
      });
    }
    await repos.dashboards.touchCategory(userId, category);
  } else {
    await repos.dashboards.writeDocument(userId, category as never, value as never);
  }
  return value;
}

export interface CategoryRead<K extends ValueCategoryKey> {
  value: CategoryValue<K>;
  /** False when the user never set the category: `value` is then its default (SPEC §2). */
  isSet: boolean;
  version: number;
}

/** One category of a dashboard (see `loadDashboard`). */
export async function readCategory<K extends ValueCategoryKey>(
  repos: Repositories,
  userId: string,
  category: K,
): Promise<CategoryRead<K>> {
  const loaded = (await loadDashboardValues(repos, userId, [category])).get(category);
  if (!loaded) throw new Error(`category ${category} was not loaded`);
  return loaded as CategoryRead<K>;
}

export interface LoadedCategory {
  value: unknown;
  isSet: boolean;
  version: number;
}

/**
 * A dashboard's value categories in a fixed number of queries, whatever their sizes (the sync
 * engine's `loadForUsers` for one user), with the version of every category set.
 */
export async function loadDashboard(
  repos: Repositories,
  userId: string,
  categories: readonly ValueCategoryKey[],
): Promise<{
  versions: Map<CategoryKey, number>;
  values: Map<ValueCategoryKey, LoadedCategory>;
}> {
  const loaded = (await loadDashboards(repos, [userId], categories)).get(userId);
  if (!loaded) throw new Error(`the dashboard of ${userId} was not loaded`);
  return loaded;
}

/** `loadDashboard` for several users, in the same fixed number of queries. */
export async function loadDashboards(
  repos: Repositories,
  userIds: readonly string[],
  categories: readonly ValueCategoryKey[],
): Promise<
  Map<string, { versions: Map<CategoryKey, number>; values: Map<ValueCategoryKey, LoadedCategory> }>
> {
  const loaded = await repos.dashboards.loadForUsers(userIds, categories);
  const result = new Map<
    string,
    { versions: Map<CategoryKey, number>; values: Map<ValueCategoryKey, LoadedCategory> }
  >();
  for (const [userId, dashboard] of loaded) {
    const values = new Map<ValueCategoryKey, LoadedCategory>();
    for (const category of categories) {
      values.set(category, {
        ...categoryValueOf(userId, category, dashboard),
        version: dashboard.versions.get(category) ?? 0,
      });
    }
    result.set(userId, { versions: dashboard.versions, values });
  }
  return result;
}

/**
 * A category of a loaded dashboard as the rules see it: its default when never set. Row-stored
 * categories come from typed, constrained columns in the schema's shape (validated on write);
 * documents are validated again on read.
 */
export function categoryValueOf(
  userId: string,
  category: ValueCategoryKey,
  loaded: LoadedDashboard,
): { value: unknown; isSet: boolean } {
  const isSet = loaded.versions.has(category);
  if (category === 'custom_properties') {
    const rows = loaded.rows.custom_properties;
    return rows.length > 0 || isSet
      ? { value: rowsToProperties(rows), isSet }
      : { value: defaultValueOf(category), isSet };
  }
  if (category === 'pipeline_stages') {
    const { pipeline_stages: stages, salesforce_record_types: recordTypes } = loaded.rows;
    return stages.length + recordTypes.length > 0 || isSet
      ? { value: rowsToPipeline(stages, recordTypes), isSet }
      : { value: defaultValueOf(category), isSet };
  }
  if (!isSet) return { value: defaultValueOf(category), isSet };
  const parsed = parseCategoryValue(category, loaded.documents.get(category));
  if (!parsed.ok)
    throw new Error(`stored ${category} of user ${userId} no longer validates: ${parsed.message}`);
  return { value: parsed.value, isSet };
}

export async function loadDashboardValues(
  repos: Repositories,
  userId: string,
  categories: readonly ValueCategoryKey[],
): Promise<Map<ValueCategoryKey, LoadedCategory>> {
  return (await loadDashboard(repos, userId, categories)).values;
}

export const VALUE_CATEGORY_KEYS = CATEGORY_KEYS.filter(
  (k): k is ValueCategoryKey => k !== 'crm_keys',
);

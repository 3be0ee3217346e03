import {
  CATEGORY_KEYS,
  defaultValueOf,
  parseCategoryValue,
  type CategoryKey,
  type CategoryValue,
  type ValueCategoryKey,
} from '#src/domain/settings/categories.ts';
import { AppError } from '#src/domain/errors.ts';
import type { CategoryState } from '#src/repositories/dashboard.repository.ts';
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
  if (!parsed.ok) throw new AppError('invalid_request', parsed.message, { category });
  const value = parsed.value;
  switch (category) {
    case 'custom_properties':
      await repos.dashboards.replaceCustomProperties(
        userId,
        (value as CategoryValue<'custom_properties'>).properties,
      );
      break;
    case 'pipeline_stages':
      await repos.dashboards.replacePipeline(userId, value as CategoryValue<'pipeline_stages'>);
      break;
    default:
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
 * A dashboard's value categories in a fixed number of queries, whatever their sizes: one for
 * the state rows (returned too: which categories are set, at which version), one for all
 * documents, one for properties, two for the pipeline.
 */
export async function loadDashboard(
  repos: Repositories,
  userId: string,
  categories: readonly ValueCategoryKey[],
): Promise<{
  states: Map<CategoryKey, CategoryState>;
  values: Map<ValueCategoryKey, LoadedCategory>;
}> {
  const states = new Map(
    (await repos.dashboards.categoryStates(userId)).map((s) => [s.category, s]),
  );
  const documentKeys = categories.filter(
    (c) => c !== 'custom_properties' && c !== 'pipeline_stages',
  );
  const [documents, properties, pipeline] = await Promise.all([
    repos.dashboards.readDocuments(
      userId,
      documentKeys.filter((c) => states.has(c)),
    ),
    categories.includes('custom_properties') && states.has('custom_properties')
      ? repos.dashboards.listCustomProperties(userId)
      : undefined,
    categories.includes('pipeline_stages') && states.has('pipeline_stages')
      ? repos.dashboards.readPipeline(userId)
      : undefined,
  ]);
  const loaded = new Map<ValueCategoryKey, LoadedCategory>();
  for (const category of categories) {
    const state = states.get(category);
    if (!state) {
      loaded.set(category, { value: defaultValueOf(category), isSet: false, version: 0 });
      continue;
    }
    // Row-stored categories come back from typed, constrained columns in the schema's shape:
    // they were validated on write, and re-parsing hundreds of rows per sync is measurable
    // (docs/benchmarks.md). Documents are re-validated on read.
    if (category === 'custom_properties' || category === 'pipeline_stages') {
      const value = category === 'custom_properties' ? { properties } : pipeline;
      loaded.set(category, { value, isSet: true, version: state.version });
      continue;
    }
    const parsed = parseCategoryValue(category, documents.get(category));
    if (!parsed.ok)
      throw new Error(
        `stored ${category} of user ${userId} no longer validates: ${parsed.message}`,
      );
    loaded.set(category, { value: parsed.value, isSet: true, version: state.version });
  }
  return { states, values: loaded };
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

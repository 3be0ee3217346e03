import {
  CATEGORY_KEYS,
  defaultValueOf,
  parseCategoryValue,
  type CategoryValue,
  type ValueCategoryKey,
} from '#src/domain/settings/categories.ts';
import { AppError } from '#src/domain/errors.ts';
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

export async function readCategory<K extends ValueCategoryKey>(
  repos: Repositories,
  userId: string,
  category: K,
): Promise<CategoryRead<K>> {
  const state = (await repos.dashboards.categoryStates(userId)).find(
    (s) => s.category === category,
  );
  if (!state) return { value: defaultValueOf(category), isSet: false, version: 0 };
  let raw: unknown;
  switch (category) {
    case 'custom_properties':
      raw = { properties: await repos.dashboards.listCustomProperties(userId) };
      break;
    case 'pipeline_stages':
      raw = await repos.dashboards.readPipeline(userId);
      break;
    default:
      raw = (await repos.dashboards.readDocument(userId, category))?.value;
  }
  const parsed = parseCategoryValue(category, raw);
  // Stored values were validated on write; a failure here means the schema moved on without a
  // migration, which is a bug worth failing loudly on.
  if (!parsed.ok)
    throw new Error(`stored ${category} of user ${userId} no longer validates: ${parsed.message}`);
  return { value: parsed.value, isSet: true, version: state.version };
}

export const VALUE_CATEGORY_KEYS = CATEGORY_KEYS.filter(
  (k): k is ValueCategoryKey => k !== 'crm_keys',
);

import {
  CATEGORY_SCHEMAS,
  describeCategoryIssues,
  type CategoryValue,
  type ValueCategoryKey,
} from '#src/domain/settings/categories.ts';
import { byPath } from '#src/domain/settings/issue-messages.ts';

/** Field path ("website", "competitors.2") → message, from the category's own schema. */
export type FieldErrors = Record<string, string>;

export type Validation<K extends ValueCategoryKey> =
  { ok: true; value: CategoryValue<K> } | { ok: false; errors: FieldErrors; messages: string[] };

/**
 * Validates a form's value with the same schema the API uses (src/domain/settings), so what the
 * form accepts the server accepts, with the same sentences the API answers (issue-messages.ts,
 * naming fields as settings-field-labels.ts does): per field, and as the form's list of problems.
 */
export function validateCategory<K extends ValueCategoryKey>(
  key: K,
  input: unknown,
): Validation<K> {
  const result = CATEGORY_SCHEMAS[key].safeParse(input);
  if (result.success) return { ok: true, value: result.data as CategoryValue<K> };
  const problems = describeCategoryIssues(key, result.error.issues, input);
  return { ok: false, errors: byPath(problems), messages: problems.map((p) => p.message) };
}

/** The first error under a field, e.g. any "competitors.N" for "competitors" (it names the line). */
export function errorUnder(errors: FieldErrors, field: string): string | undefined {
  if (errors[field]) return errors[field];
  const prefix = `${field}.`;
  return Object.entries(errors).find(([path]) => path.startsWith(prefix))?.[1];
}

/** One entry per non-empty line, trimmed. */
export function lines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

import {
  CATEGORY_SCHEMAS,
  type CategoryValue,
  type ValueCategoryKey,
} from '#src/domain/settings/categories.ts';

/** Field path ("website", "competitors.2") → message, from the category's own schema. */
export type FieldErrors = Record<string, string>;

export type Validation<K extends ValueCategoryKey> =
  { ok: true; value: CategoryValue<K> } | { ok: false; errors: FieldErrors; messages: string[] };

/**
 * Validates a form's value with the same schema the API uses (src/domain/settings), so what the
 * form accepts the server accepts, with messages per field.
 */
export function validateCategory<K extends ValueCategoryKey>(
  key: K,
  input: unknown,
  labels: Record<string, string> = {},
): Validation<K> {
  const result = CATEGORY_SCHEMAS[key].safeParse(input);
  if (result.success) return { ok: true, value: result.data as CategoryValue<K> };
  const errors: FieldErrors = {};
  const messages: string[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.map(String).join('.');
    errors[path] ??= issue.message;
    const where = readablePath(issue.path, labels);
    messages.push(where ? `${where}: ${issue.message}` : issue.message);
  }
  return { ok: false, errors, messages };
}

/** ["templates", 0, "title"] → "templates › #1 › title", with form labels where known. */
export function readablePath(
  path: readonly PropertyKey[],
  labels: Record<string, string> = {},
): string {
  const joined = path.map(String).join('.');
  if (labels[joined]) return labels[joined];
  return path
    .map((segment, index) => {
      if (typeof segment === 'number') return `#${segment + 1}`;
      const prefix = path
        .slice(0, index + 1)
        .map(String)
        .join('.');
      return labels[prefix] ?? String(segment);
    })
    .join(' › ');
}

/** The first error under a field, e.g. any "competitors.N" for "competitors", with its line. */
export function errorUnder(errors: FieldErrors, field: string): string | undefined {
  if (errors[field]) return errors[field];
  for (const [path, message] of Object.entries(errors)) {
    const match = new RegExp(`^${field.replace('.', '\\.')}\\.(\\d+)`).exec(path);
    if (match?.[1] !== undefined) return `Line ${Number(match[1]) + 1}: ${message}`;
  }
  return undefined;
}

/** One entry per non-empty line, trimmed. */
export function lines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

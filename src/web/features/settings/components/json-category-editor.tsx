import { useId, useMemo, useState, type SubmitEvent } from 'react';
import type { ValueCategoryKey } from '#src/domain/settings/categories.ts';
import { Button } from '#src/web/components/ui/button.tsx';
import { validateCategory } from '#src/web/features/settings/hooks/use-category-validation.ts';
import { useReadOnly } from '#src/web/features/settings/components/read-only.ts';
import { useUnsavedChanges } from '#src/web/lib/use-unsaved-changes.ts';

type Check = { ok: true; value: unknown } | { ok: false; problems: string[] };

function check(key: ValueCategoryKey, text: string): Check {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      problems: [
        `This is not valid JSON: ${error instanceof Error ? error.message : 'parse error'}.`,
      ],
    };
  }
  // The category's own schema (CATEGORY_SCHEMAS, as the API uses): one line per problem.
  const result = validateCategory(key, parsed);
  if (result.ok) return { ok: true, value: result.value };
  return { ok: false, problems: result.messages };
}

/**
 * A JSON editor for the list-shaped categories, validated as you type with the category's own
 * schema (the one the API uses), so it cannot save what the server would refuse. The list
 * editor opens it as its advanced view with its unsaved edits as `initial`: `saved` (the stored
 * value, `initial` by default) is what counts as no change.
 */
export function JsonCategoryEditor({
  categoryKey,
  label,
  initial,
  saved = initial,
  saving,
  onSave,
  onCancel,
}: {
  categoryKey: ValueCategoryKey;
  label: string;
  initial: unknown;
  saved?: unknown;
  saving: boolean;
  onSave: (value: unknown) => void;
  onCancel: () => void;
}) {
  const initialText = useMemo(() => JSON.stringify(initial, null, 2), [initial]);
  const [text, setText] = useState(initialText);
  const result = useMemo(() => check(categoryKey, text), [categoryKey, text]);
  const savedText = useMemo(() => JSON.stringify(saved, null, 2), [saved]);
  const id = useId();
  const readOnly = useReadOnly();
  const dirty = text !== savedText && !readOnly;
  useUnsavedChanges(dirty);

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    if (result.ok) onSave(result.value);
  };

  return (
    <form onSubmit={submit} className="form">
      <div className="field">
        <label htmlFor={id} className="field-label">
          {label} as JSON
        </label>
        <textarea
          id={id}
          className="code json-editor"
          spellCheck={false}
          rows={22}
          value={text}
          aria-describedby={`${id}-check`}
          aria-invalid={!result.ok || undefined}
          onChange={(event) => {
            setText(event.target.value);
          }}
        />
        <div id={`${id}-check`} aria-live="polite">
          {result.ok ? (
            <p className="field-hint valid">Valid: this can be saved.</p>
          ) : (
            <div className="field-error">
              <p>Fix these before saving:</p>
              <ul>
                {result.problems.map((problem) => (
                  <li key={problem}>{problem}</li>
                ))}
              </ul>
            </div>
          )}
        </div>
      </div>
      {readOnly ? null : (
        <div className="form-footer">
          <Button disabled={saving} onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" busy={saving} disabled={!dirty || !result.ok}>
            Save changes
          </Button>
        </div>
      )}
    </form>
  );
}

import { useEffect, useState, type ReactNode } from 'react';
import type { CategoryKey } from '#src/domain/settings/categories.ts';
import { Button } from '#src/web/components/ui/button.tsx';
import { CheckboxField } from '#src/web/components/ui/field.tsx';
import {
  useSyncCategories,
  type SyncCategory,
} from '#src/web/features/sync/api/get-sync-categories.ts';

/**
 * The categories chosen in a Sync Settings modal (one member or many): starts, once the
 * categories are known, at the default selection, all but Email templates (SPEC §3).
 * `onChange` runs on every change the admin makes (e.g. to drop a preview that no longer holds).
 */
export function useCategorySelection(onChange: () => void) {
  const categories = useSyncCategories();
  const [selected, setSelected] = useState<Set<CategoryKey> | null>(null);
  useEffect(() => {
    if (categories.data && selected === null) setSelected(defaultsOf(categories.data));
  }, [categories.data, selected]);
  const choose = (next: Set<CategoryKey>) => {
    onChange();
    setSelected(next);
  };
  return {
    categories,
    selected,
    /** The selected keys, in the categories' order. */
    chosen: categories.data?.filter((c) => selected?.has(c.key)).map((c) => c.key) ?? [],
    emailTemplatesSelected: selected?.has('email_templates') ?? false,
    choose,
  };
}

function defaultsOf(categories: readonly SyncCategory[]): Set<CategoryKey> {
  return new Set(categories.filter((c) => c.defaultSelected).map((c) => c.key));
}

/**
 * The modal's category checkboxes, each with its rule, "Select all" and "Reset to default";
 * `aside` adds a mark beside a category (the member's drift), `children` goes above the grid.
 */
export function CategoryPicker({
  categories,
  selected,
  onChoose,
  disabled,
  aside,
  children,
}: {
  categories: readonly SyncCategory[];
  selected: ReadonlySet<CategoryKey>;
  onChoose: (next: Set<CategoryKey>) => void;
  disabled: boolean;
  aside?: (key: CategoryKey) => ReactNode;
  children?: ReactNode;
}) {
  const toggle = (key: CategoryKey, checked: boolean) => {
    const next = new Set(selected);
    if (checked) next.add(key);
    else next.delete(key);
    onChoose(next);
  };
  return (
    <fieldset className="category-picker" disabled={disabled}>
      <legend>
        Categories to copy{' '}
        <span className="muted">
          ({categories.filter((c) => selected.has(c.key)).length} of {categories.length} selected)
        </span>
      </legend>
      <div className="picker-actions">
        <Button
          size="sm"
          variant="ghost"
          onClick={() => {
            onChoose(new Set(categories.map((c) => c.key)));
          }}
        >
          Select all
        </Button>
        <Button
          size="sm"
          variant="ghost"
          onClick={() => {
            onChoose(defaultsOf(categories));
          }}
        >
          Reset to default
        </Button>
      </div>
      {children}
      <div className="category-grid">
        {categories.map((category) => (
          <CheckboxField
            key={category.key}
            label={category.label}
            description={category.rule}
            aside={aside?.(category.key)}
            checked={selected.has(category.key)}
            onChange={(checked) => {
              toggle(category.key, checked);
            }}
          />
        ))}
      </div>
    </fieldset>
  );
}

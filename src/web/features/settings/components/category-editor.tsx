import {
  parseCategoryValue,
  type CategoryValue,
  type ValueCategoryKey,
} from '#src/domain/settings/categories.ts';
import { Button } from '#src/web/components/ui/button.tsx';
import { Callout, ErrorCallout } from '#src/web/components/ui/states.tsx';
import { useToast } from '#src/web/components/ui/toast.tsx';
import type { OwnCategory } from '#src/web/features/settings/api/get-my-settings.ts';
import { useUpdateMyCategory } from '#src/web/features/settings/api/update-my-category.ts';
import { AdvancedSettingsForm } from '#src/web/features/settings/components/advanced-settings-form.tsx';
import { CompanyDetailsForm } from '#src/web/features/settings/components/company-details-form.tsx';
import { DomainsForm } from '#src/web/features/settings/components/domains-form.tsx';
import { JsonCategoryEditor } from '#src/web/features/settings/components/json-category-editor.tsx';
import { LIST_CATEGORIES } from '#src/web/features/settings/components/list-editor-fields.ts';
import { ListEditor } from '#src/web/features/settings/components/list-editor.tsx';
import { TaskSettingsForm } from '#src/web/features/settings/components/task-settings-form.tsx';
import { ApiError } from '#src/web/lib/api-client.ts';

/**
 * One settings page: form fields for every category, list editors for the list-shaped ones (with
 * the schema-validated JSON editor as their advanced view). Saves carry the dashboard version read;
 * a conflict (an admin synced meanwhile, or another tab saved) is explained, not overwritten.
 */
export function CategoryEditor({
  category,
  dashboardVersion,
  onReload,
}: {
  category: OwnCategory;
  dashboardVersion: number;
  onReload: () => void;
}) {
  const update = useUpdateMyCategory();
  const toast = useToast();
  const parsed = parseCategoryValue(category.key, category.value);

  const save = (value: unknown) => {
    update.mutate(
      { key: category.key, value, dashboardVersion },
      {
        onSuccess: () => {
          toast.show({ tone: 'success', title: `${category.label} saved` });
        },
      },
    );
  };

  const conflict = update.error instanceof ApiError && update.error.code === 'version_conflict';
  const problem = conflict ? (
    <Callout tone="warning" title="Your settings changed since you opened this page.">
      <p>
        An admin may have synced settings to you, or you saved them in another tab. Your change was
        not saved, so nothing was overwritten. Reload the latest values, then make your change
        again.
      </p>
      <div className="callout-action">
        <Button
          size="sm"
          onClick={() => {
            update.reset();
            onReload();
          }}
        >
          Reload latest values
        </Button>
      </div>
    </Callout>
  ) : update.error ? (
    <ErrorCallout error={update.error} />
  ) : null;

  if (!parsed.ok) {
    // Should not happen (the server validates), but never lose the value: edit it as JSON.
    return (
      <div className="stack">
        {problem}
        <ErrorCallout error={new Error(parsed.message)} />
        <JsonCategoryEditor
          categoryKey={category.key}
          label={category.label}
          initial={category.value}
          saving={update.isPending}
          onSave={save}
          onCancel={onReload}
        />
      </div>
    );
  }

  return (
    <div className="stack">
      {problem}
      {renderForm(category.key, category.label, parsed.value, update.isPending, save)}
    </div>
  );
}

function renderForm(
  key: ValueCategoryKey,
  label: string,
  value: unknown,
  saving: boolean,
  save: (value: unknown) => void,
) {
  switch (key) {
    case 'company_details':
      return (
        <CompanyDetailsForm
          initial={value as CategoryValue<'company_details'>}
          saving={saving}
          onSave={save}
        />
      );
    case 'task_settings':
      return (
        <TaskSettingsForm
          initial={value as CategoryValue<'task_settings'>}
          saving={saving}
          onSave={save}
        />
      );
    case 'advanced_settings':
      return (
        <AdvancedSettingsForm
          initial={value as CategoryValue<'advanced_settings'>}
          saving={saving}
          onSave={save}
        />
      );
    case 'alternate_domains':
    case 'partnership_domains':
      return (
        <DomainsForm
          categoryKey={key}
          initial={value as CategoryValue<'alternate_domains'>}
          saving={saving}
          onSave={save}
        />
      );
    case 'custom_properties':
    case 'pipeline_stages':
    case 'meeting_titles':
    case 'email_templates':
      return (
        <ListEditor
          config={LIST_CATEGORIES[key]}
          label={label}
          initial={value}
          saving={saving}
          onSave={save}
        />
      );
  }
}

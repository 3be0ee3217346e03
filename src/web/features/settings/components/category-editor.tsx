import { useState } from 'react';
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
import { ReadOnlyContext } from '#src/web/features/settings/components/read-only.ts';
import { TaskSettingsForm } from '#src/web/features/settings/components/task-settings-form.tsx';
import { useMe } from '#src/web/features/auth/api/get-me.ts';
import {
  dropUnsent,
  keepUnsent,
  readUnsent,
} from '#src/web/features/settings/hooks/unsent-settings.ts';
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
  lockedLabelId,
}: {
  category: OwnCategory;
  dashboardVersion: number;
  onReload: () => void;
  /** The id of what names a locked category's read-only form ("Managed by your admin, …"). */
  lockedLabelId?: string;
}) {
  const update = useUpdateMyCategory();
  const toast = useToast();
  const userId = useMe().data?.user.id;
  // Locked by your admin (issue 16): shown read-only, with no Save.
  const locked = category.managed?.locked === true;
  // A save the server never got because the session had ended: back after Log in (unless it is
  // what is stored now, e.g. saved from another tab).
  // One that no longer validates is not offered.
  const [unsent, setUnsent] = useState(() => {
    const kept = userId && !locked ? readUnsent(userId, category.key) : undefined;
    return kept &&
      JSON.stringify(kept.value) !== JSON.stringify(category.value) &&
      parseCategoryValue(category.key, kept.value).ok
      ? kept
      : undefined;
  });
  const shown = unsent ? parseCategoryValue(category.key, unsent.value) : undefined;
  const parsed = shown?.ok === true ? shown : parseCategoryValue(category.key, category.value);
  // Saving what was restored checks against the version it was edited from.
  const version = unsent?.dashboardVersion ?? dashboardVersion;

  const forget = () => {
    if (userId) dropUnsent(userId, category.key);
    setUnsent(undefined);
  };

  const save = (value: unknown) => {
    if (userId) keepUnsent(userId, category.key, { value, dashboardVersion: version });
    update.mutate(
      { key: category.key, value, dashboardVersion: version },
      {
        onSuccess: () => {
          forget();
          toast.show({ tone: 'success', title: `${category.label} saved` });
        },
        onError: (error) => {
          // Kept only for a session that ended; any other answer is shown on this page.
          if (!(error instanceof ApiError && error.code === 'unauthenticated') && userId)
            dropUnsent(userId, category.key);
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
            forget();
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
        <ReadOnlyContext.Provider value={locked}>
          <fieldset className="read-only-fieldset" disabled={locked}>
            <JsonCategoryEditor
              categoryKey={category.key}
              label={category.label}
              initial={category.value}
              saving={update.isPending}
              onSave={save}
              onCancel={onReload}
            />
          </fieldset>
        </ReadOnlyContext.Provider>
      </div>
    );
  }

  return (
    <div className="stack">
      {problem}
      {unsent && shown?.ok ? (
        <Callout tone="warning" title="Your session expired before these changes were saved.">
          <p>
            They are below as you left them. Save them now, or discard them to see your saved{' '}
            {category.label}.
          </p>
          <div className="callout-action">
            <Button
              size="sm"
              variant="primary"
              busy={update.isPending}
              onClick={() => {
                save(unsent.value);
              }}
            >
              Save these changes
            </Button>
            <Button size="sm" disabled={update.isPending} onClick={forget}>
              Discard them
            </Button>
          </div>
        </Callout>
      ) : null}
      {/* Keyed: the form starts again from the value shown when a restored draft comes or goes. */}
      {locked ? (
        <ReadOnlyContext.Provider value={true}>
          <fieldset
            key="locked"
            className="read-only-fieldset stack"
            disabled
            aria-labelledby={lockedLabelId}
          >
            {renderForm(category.key, category.label, parsed.value, false, save)}
          </fieldset>
        </ReadOnlyContext.Provider>
      ) : (
        <div key={unsent ? 'restored' : 'saved'} className="stack">
          {renderForm(category.key, category.label, parsed.value, update.isPending, save)}
        </div>
      )}
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

import { useState, type SubmitEvent } from 'react';
import type { CategoryValue } from '#src/domain/settings/categories.ts';
import { Field } from '#src/web/components/ui/field.tsx';
import { FormErrors, FormFooter } from '#src/web/features/settings/components/form-footer.tsx';
import {
  errorUnder,
  lines,
  validateCategory,
  type FieldErrors,
} from '#src/web/features/settings/hooks/use-category-validation.ts';

type Value = CategoryValue<'company_details'>;

function toDraft(value: Value) {
  return {
    companyName: value.companyName,
    website: value.website,
    industry: value.industry,
    description: value.description,
    valueProposition: value.valueProposition,
    competitors: value.competitors.join('\n'),
  };
}

export function CompanyDetailsForm({
  initial,
  saving,
  onSave,
}: {
  initial: Value;
  saving: boolean;
  onSave: (value: Value) => void;
}) {
  const [draft, setDraft] = useState(() => toDraft(initial));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [messages, setMessages] = useState<string[]>([]);
  const dirty = JSON.stringify(draft) !== JSON.stringify(toDraft(initial));

  const set = (field: keyof typeof draft) => (value: string) => {
    setDraft((current) => ({ ...current, [field]: value }));
  };

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const result = validateCategory('company_details', {
      ...draft,
      competitors: lines(draft.competitors),
    });
    if (!result.ok) {
      setErrors(result.errors);
      setMessages(result.messages);
      return;
    }
    setErrors({});
    setMessages([]);
    onSave(result.value);
  };

  const text = (field: keyof typeof draft, label: string, hint?: string, type = 'text') => (
    <Field label={label} hint={hint} error={errorUnder(errors, field)}>
      {(props) => (
        <input
          {...props}
          type={type}
          value={draft[field]}
          onChange={(event) => {
            set(field)(event.target.value);
          }}
        />
      )}
    </Field>
  );
  const area = (field: keyof typeof draft, label: string, hint?: string, rows = 4) => (
    <Field label={label} hint={hint} error={errorUnder(errors, field)}>
      {(props) => (
        <textarea
          {...props}
          rows={rows}
          value={draft[field]}
          onChange={(event) => {
            set(field)(event.target.value);
          }}
        />
      )}
    </Field>
  );

  return (
    <form onSubmit={submit} noValidate className="form">
      <FormErrors messages={messages} />
      <div className="form-grid">
        {text('companyName', 'Company name')}
        {text('website', 'Website', 'A full address such as https://example.com.', 'url')}
        {text('industry', 'Industry')}
      </div>
      {area('description', 'Description', 'What your company does, in a few sentences.')}
      {area('valueProposition', 'Value proposition', 'Why customers buy from you.')}
      {area('competitors', 'Competitors', 'One competitor per line.', 5)}
      <FormFooter
        dirty={dirty}
        saving={saving}
        onDiscard={() => {
          setDraft(toDraft(initial));
          setErrors({});
          setMessages([]);
        }}
      />
    </form>
  );
}

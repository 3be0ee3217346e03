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

type Value = CategoryValue<'alternate_domains'>;

/** Alternate or partnership domains: one per line, validated, lower-cased, de-duplicated. */
export function DomainsForm({
  categoryKey,
  initial,
  saving,
  onSave,
}: {
  categoryKey: 'alternate_domains' | 'partnership_domains';
  initial: Value;
  saving: boolean;
  onSave: (value: Value) => void;
}) {
  const initialText = initial.domains.join('\n');
  const [text, setText] = useState(initialText);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [messages, setMessages] = useState<string[]>([]);
  const dirty = lines(text).join('\n') !== initialText;

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const result = validateCategory(categoryKey, { domains: lines(text) });
    if (!result.ok) {
      setErrors(result.errors);
      // Each message names the domain as typed: “not a domain” must be a domain name …
      setMessages(result.messages);
      return;
    }
    setErrors({});
    setMessages([]);
    setText(result.value.domains.join('\n'));
    onSave(result.value);
  };

  return (
    <form onSubmit={submit} noValidate className="form">
      <FormErrors messages={messages} />
      <Field
        label="Domains"
        hint={`One domain per line, such as example.com. ${lines(text).length} listed.`}
        error={errorUnder(errors, 'domains')}
      >
        {(props) => (
          <textarea
            {...props}
            className="code"
            rows={Math.min(16, Math.max(6, lines(text).length + 2))}
            spellCheck={false}
            value={text}
            onChange={(event) => {
              setText(event.target.value);
            }}
          />
        )}
      </Field>
      <FormFooter
        dirty={dirty}
        saving={saving}
        onDiscard={() => {
          setText(initialText);
          setErrors({});
          setMessages([]);
        }}
      />
    </form>
  );
}

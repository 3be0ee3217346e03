import { useState, type SubmitEvent } from 'react';
import type { CategoryValue } from '#src/domain/settings/categories.ts';
import { CheckboxField, Field } from '#src/web/components/ui/field.tsx';
import { FormErrors, FormFooter } from '#src/web/features/settings/components/form-footer.tsx';
import {
  validateCategory,
  type FieldErrors,
} from '#src/web/features/settings/hooks/use-category-validation.ts';

type Value = CategoryValue<'task_settings'>;

const PRIORITIES = [
  { value: 'low', label: 'Low' },
  { value: 'medium', label: 'Medium' },
  { value: 'high', label: 'High' },
] as const;

const ASSIGNMENTS = [
  { value: 'record_owner', label: 'The record owner' },
  { value: 'meeting_host', label: 'The meeting host' },
  { value: 'self', label: 'Me' },
] as const;

function toDraft(value: Value) {
  return {
    defaultDueOffsetDays: String(value.defaultDueOffsetDays),
    defaultPriority: value.defaultPriority as string,
    autoCreateFollowUps: value.autoCreateFollowUps,
    assignment: value.assignment as string,
    crmTaskQueue: value.crmTaskQueue ?? '',
  };
}

export function TaskSettingsForm({
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

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const days = draft.defaultDueOffsetDays.trim();
    const result = validateCategory('task_settings', {
      defaultDueOffsetDays: days === '' ? Number.NaN : Number(days),
      defaultPriority: draft.defaultPriority,
      autoCreateFollowUps: draft.autoCreateFollowUps,
      assignment: draft.assignment,
      crmTaskQueue: draft.crmTaskQueue.trim() === '' ? null : draft.crmTaskQueue,
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

  return (
    <form onSubmit={submit} noValidate className="form">
      <FormErrors messages={messages} />
      <div className="form-grid">
        <Field
          label="Default due date (days)"
          hint="Days after the meeting that a new task is due (0–365)."
          error={errors.defaultDueOffsetDays}
        >
          {(props) => (
            <input
              {...props}
              type="number"
              inputMode="numeric"
              min={0}
              max={365}
              value={draft.defaultDueOffsetDays}
              onChange={(event) => {
                setDraft((d) => ({ ...d, defaultDueOffsetDays: event.target.value }));
              }}
            />
          )}
        </Field>
        <Field label="Default priority" error={errors.defaultPriority}>
          {(props) => (
            <select
              {...props}
              value={draft.defaultPriority}
              onChange={(event) => {
                setDraft((d) => ({ ...d, defaultPriority: event.target.value }));
              }}
            >
              {PRIORITIES.map((p) => (
                <option key={p.value} value={p.value}>
                  {p.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Assign tasks to" error={errors.assignment}>
          {(props) => (
            <select
              {...props}
              value={draft.assignment}
              onChange={(event) => {
                setDraft((d) => ({ ...d, assignment: event.target.value }));
              }}
            >
              {ASSIGNMENTS.map((a) => (
                <option key={a.value} value={a.value}>
                  {a.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="CRM task queue"
          hint="Leave empty to use the CRM's default queue."
          error={errors.crmTaskQueue}
        >
          {(props) => (
            <input
              {...props}
              type="text"
              value={draft.crmTaskQueue}
              onChange={(event) => {
                setDraft((d) => ({ ...d, crmTaskQueue: event.target.value }));
              }}
            />
          )}
        </Field>
      </div>
      <CheckboxField
        label="Create follow-up tasks automatically"
        description="After each external meeting, Ergo creates a follow-up task in your CRM."
        checked={draft.autoCreateFollowUps}
        onChange={(checked) => {
          setDraft((d) => ({ ...d, autoCreateFollowUps: checked }));
        }}
      />
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

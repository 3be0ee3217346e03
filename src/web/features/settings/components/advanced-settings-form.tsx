import { useState, type SubmitEvent } from 'react';
import type { CategoryValue } from '#src/domain/settings/categories.ts';
import { CheckboxField, Field } from '#src/web/components/ui/field.tsx';
import { FormErrors, FormFooter } from '#src/web/features/settings/components/form-footer.tsx';
import {
  errorUnder,
  validateCategory,
  type FieldErrors,
} from '#src/web/features/settings/hooks/use-category-validation.ts';

type Value = CategoryValue<'advanced_settings'>;
type Channel = Value['contextNotifications']['channels'][number];

const CHANNELS: { value: Channel; label: string }[] = [
  { value: 'email', label: 'Email' },
  { value: 'slack', label: 'Slack' },
  { value: 'in_app', label: 'In the Ergo app' },
];

const TOGGLES = [
  {
    field: 'autoLogMeetings',
    label: 'Log meetings to the CRM automatically',
    description: 'Meetings with prospects are logged on the matching CRM records.',
  },
  {
    field: 'autoCreateContacts',
    label: 'Create CRM contacts automatically',
    description: 'Attendees not yet in your CRM are added as contacts.',
  },
  {
    field: 'includeInternalMeetings',
    label: 'Include internal meetings',
    description: 'Also prepare and log meetings with only colleagues.',
  },
  {
    field: 'weeklyDigest',
    label: 'Weekly digest',
    description: 'A Monday summary of your pipeline and upcoming meetings.',
  },
] as const;

function toDraft(value: Value) {
  return {
    enabled: value.contextNotifications.enabled,
    channels: [...value.contextNotifications.channels],
    minutesBefore: String(value.contextNotifications.minutesBefore),
    autoLogMeetings: value.autoLogMeetings,
    autoCreateContacts: value.autoCreateContacts,
    includeInternalMeetings: value.includeInternalMeetings,
    weeklyDigest: value.weeklyDigest,
  };
}

export function AdvancedSettingsForm({
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
  const normalized = (d: ReturnType<typeof toDraft>) =>
    JSON.stringify({ ...d, channels: [...d.channels].sort() });
  const dirty = normalized(draft) !== normalized(toDraft(initial));

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const minutes = draft.minutesBefore.trim();
    const result = validateCategory('advanced_settings', {
      contextNotifications: {
        enabled: draft.enabled,
        channels: CHANNELS.map((c) => c.value).filter((c) => draft.channels.includes(c)),
        minutesBefore: minutes === '' ? Number.NaN : Number(minutes),
      },
      autoLogMeetings: draft.autoLogMeetings,
      autoCreateContacts: draft.autoCreateContacts,
      includeInternalMeetings: draft.includeInternalMeetings,
      weeklyDigest: draft.weeklyDigest,
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
      <fieldset className="form-section">
        <legend>Context notifications</legend>
        <CheckboxField
          label="Send context notifications"
          description="A briefing on the account and attendees before each meeting."
          checked={draft.enabled}
          onChange={(checked) => {
            setDraft((d) => ({ ...d, enabled: checked }));
          }}
        />
        <div className="form-grid">
          <fieldset className="field" disabled={!draft.enabled}>
            <legend className="field-label">Channels</legend>
            <div className="inline-checks">
              {CHANNELS.map((channel) => (
                <CheckboxField
                  key={channel.value}
                  label={channel.label}
                  checked={draft.channels.includes(channel.value)}
                  onChange={(checked) => {
                    setDraft((d) => ({
                      ...d,
                      channels: checked
                        ? [...d.channels, channel.value]
                        : d.channels.filter((c) => c !== channel.value),
                    }));
                  }}
                />
              ))}
            </div>
            {errorUnder(errors, 'contextNotifications.channels') ? (
              <p className="field-error">{errorUnder(errors, 'contextNotifications.channels')}</p>
            ) : null}
          </fieldset>
          <Field
            label="Minutes before the meeting"
            hint="0–1440 minutes."
            error={errors['contextNotifications.minutesBefore']}
          >
            {(props) => (
              <input
                {...props}
                type="number"
                min={0}
                max={1440}
                disabled={!draft.enabled}
                value={draft.minutesBefore}
                onChange={(event) => {
                  setDraft((d) => ({ ...d, minutesBefore: event.target.value }));
                }}
              />
            )}
          </Field>
        </div>
      </fieldset>
      <fieldset className="form-section">
        <legend>Related toggles</legend>
        {TOGGLES.map((toggle) => (
          <CheckboxField
            key={toggle.field}
            label={toggle.label}
            description={toggle.description}
            checked={draft[toggle.field]}
            onChange={(checked) => {
              setDraft((d) => ({ ...d, [toggle.field]: checked }));
            }}
          />
        ))}
      </fieldset>
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

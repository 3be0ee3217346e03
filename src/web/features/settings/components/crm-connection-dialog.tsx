import { useState, type SubmitEvent } from 'react';
import { CRM_LABELS, type CrmKey } from '#src/domain/crm.ts';
import { describeCategoryIssues } from '#src/domain/settings/categories.ts';
import { crmCredentialsSchema } from '#src/domain/settings/settings.schema.ts';
import { Button } from '#src/web/components/ui/button.tsx';
import { Dialog } from '#src/web/components/ui/dialog.tsx';
import { Field } from '#src/web/components/ui/field.tsx';
import { ErrorCallout } from '#src/web/components/ui/states.tsx';
import { useToast } from '#src/web/components/ui/toast.tsx';
import type { CrmConnection } from '#src/web/features/settings/api/get-crm-connections.ts';
import { useSaveCrmConnection } from '#src/web/features/settings/api/save-crm-connection.ts';
import { CRM_FIELDS, type FieldSpec } from '#src/web/features/settings/components/crm-fields.ts';

/** Connect a CRM, or replace its keys. Secrets are write-only: they are never shown again. */
export function CrmConnectionDialog({
  crm,
  existing,
  onClose,
}: {
  crm: CrmKey;
  existing: CrmConnection | undefined;
  onClose: () => void;
}) {
  const spec = CRM_FIELDS[crm];
  const label = CRM_LABELS[crm];
  const save = useSaveCrmConnection();
  const toast = useToast();
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      spec.instance.map((f) => {
        const current = existing?.instance[f.name];
        return [f.name, typeof current === 'string' ? current : ''];
      }),
    ),
  );
  const [errors, setErrors] = useState<Record<string, string>>({});

  const pick = (fields: FieldSpec[]) =>
    Object.fromEntries(
      fields.flatMap((f) => {
        const value = values[f.name]?.trim() ?? '';
        return value === '' ? [] : [[f.name, value]];
      }),
    ) as Record<string, string>;

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const secrets = pick(spec.secrets);
    const instance = pick(spec.instance);
    const input = { crm, secrets, instance };
    const parsed = crmCredentialsSchema.safeParse(input);
    if (!parsed.success) {
      const next: Record<string, string> = {};
      for (const problem of describeCategoryIssues('crm_keys', parsed.error.issues, input)) {
        next[problem.path.split('.').at(-1) ?? ''] ??= problem.message;
      }
      setErrors(next);
      return;
    }
    setErrors({});
    save.mutate(
      { crm, secrets, instance },
      {
        onSuccess: (saved) => {
          toast.show({
            tone: 'success',
            title: existing ? `${label} key replaced` : `${label} connected`,
            body: `Key ending ${saved.maskedKey.replace(/^•+/, '')}.`,
          });
          onClose();
        },
      },
    );
  };

  const input = (f: FieldSpec, secret: boolean) => (
    <Field
      key={f.name}
      label={f.required ? f.label : `${f.label} (optional)`}
      hint={f.hint}
      error={errors[f.name]}
    >
      {(props) => (
        <input
          {...props}
          type={secret ? 'password' : 'text'}
          autoComplete="off"
          spellCheck={false}
          value={values[f.name] ?? ''}
          onChange={(event) => {
            setValues((v) => ({ ...v, [f.name]: event.target.value }));
          }}
        />
      )}
    </Field>
  );

  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      preventClose={save.isPending}
      title={existing ? `Replace ${label} key` : `Connect ${label}`}
      description={
        existing
          ? `The new key replaces the one ending ${existing.maskedKey.replace(/^•+/, '')}. Keys are encrypted and never shown again.`
          : `Paste the ${label} credentials. Keys are encrypted and never shown again: only their last 4 characters.`
      }
      footer={
        <>
          <Button disabled={save.isPending} onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" form={`crm-form-${crm}`} variant="primary" busy={save.isPending}>
            {existing ? 'Replace key' : 'Connect'}
          </Button>
        </>
      }
    >
      <form id={`crm-form-${crm}`} onSubmit={submit} noValidate className="form">
        {save.error ? <ErrorCallout error={save.error} /> : null}
        {errors[''] ? <p className="field-error">{errors['']}</p> : null}
        {spec.secrets.map((f) => input(f, true))}
        {spec.instance.map((f) => input(f, false))}
      </form>
    </Dialog>
  );
}

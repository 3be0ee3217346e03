import { Button } from '#src/web/components/ui/button.tsx';
import { Field } from '#src/web/components/ui/field.tsx';
import { useToast } from '#src/web/components/ui/toast.tsx';

/** A read-only value with a copy button (the token is selectable too, should copying fail). */
export function CopyValue({ label, value }: { label: string; value: string }) {
  const toast = useToast();
  const copy = () => {
    navigator.clipboard.writeText(value).then(
      () => {
        toast.show({ tone: 'success', title: `${label} copied` });
      },
      () => {
        toast.show({
          tone: 'error',
          title: `${label} could not be copied`,
          body: 'Select it and copy it by hand.',
        });
      },
    );
  };
  return (
    <Field label={label}>
      {(props) => (
        <div style={{ display: 'flex', alignItems: 'center', gap: 'var(--space-2)' }}>
          <input
            style={{ flex: 1 }}
            {...props}
            type="text"
            readOnly
            spellCheck={false}
            value={value}
            onFocus={(event) => {
              event.target.select();
            }}
          />
          <Button size="sm" onClick={copy} aria-label={`Copy ${label}`}>
            Copy
          </Button>
        </div>
      )}
    </Field>
  );
}

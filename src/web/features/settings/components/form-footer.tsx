import { useEffect, useRef } from 'react';
import { Button } from '#src/web/components/ui/button.tsx';
import { useReadOnly } from '#src/web/features/settings/components/read-only.ts';
import { useUnsavedChanges } from '#src/web/lib/use-unsaved-changes.ts';

export function FormFooter({
  dirty,
  saving,
  onDiscard,
}: {
  dirty: boolean;
  saving: boolean;
  onDiscard: () => void;
}) {
  const readOnly = useReadOnly();
  // Every settings form ends with this footer: leaving with unsaved edits asks first.
  useUnsavedChanges(dirty && !readOnly);
  // Read-only (locked by your admin): nothing to save or discard.
  if (readOnly) return null;
  return (
    <div className="form-footer">
      <span className="muted small" aria-live="polite">
        {dirty ? 'You have unsaved changes.' : 'All changes saved.'}
      </span>
      <Button disabled={!dirty || saving} onClick={onDiscard}>
        Discard changes
      </Button>
      <Button type="submit" variant="primary" busy={saving} disabled={!dirty}>
        Save changes
      </Button>
    </div>
  );
}

/**
 * What stopped a save, listed above the form. Each failed save (a new list) moves focus here, so
 * a keyboard or screen-reader user lands on what to fix rather than on the Save button.
 */
export function FormErrors({ messages }: { messages: string[] }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (messages.length > 0) ref.current?.focus();
  }, [messages]);
  if (messages.length === 0) return null;
  return (
    <div ref={ref} tabIndex={-1} className="callout callout-danger" role="alert">
      <p className="callout-title">Fix these before saving:</p>
      <ul>
        {messages.map((message) => (
          <li key={message}>{message}</li>
        ))}
      </ul>
    </div>
  );
}

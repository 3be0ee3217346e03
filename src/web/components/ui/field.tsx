import { useId, type ReactNode } from 'react';

/** A labelled form control with an optional hint and error, wired with aria-describedby. */
export function Field({
  label,
  hint,
  error,
  children,
}: {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  children: (props: {
    id: string;
    'aria-describedby': string | undefined;
    'aria-invalid': boolean | undefined;
  }) => ReactNode;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      {children({ id, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined })}
      {hint ? (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/**
 * A checkbox whose label is exactly `label`, with an optional description under it and an
 * optional `aside` beside the label (e.g. a status mark); both describe the checkbox.
 */
export function CheckboxField({
  label,
  description,
  aside,
  checked,
  onChange,
  disabled,
}: {
  label: string;
  description?: ReactNode;
  aside?: ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
}) {
  const id = useId();
  const describedBy =
    [aside ? `${id}-aside` : null, description ? `${id}-desc` : null].filter(Boolean).join(' ') ||
    undefined;
  const labelElement = (
    <label htmlFor={id} className="check-label">
      {label}
    </label>
  );
  return (
    <div className="check">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        disabled={disabled}
        aria-describedby={describedBy}
        onChange={(event) => {
          onChange(event.target.checked);
        }}
      />
      <div className="check-text">
        {aside ? (
          <div className="check-head">
            {labelElement}
            <span id={`${id}-aside`} className="check-aside">
              {aside}
            </span>
          </div>
        ) : (
          labelElement
        )}
        {description ? (
          <p id={`${id}-desc`} className="check-description">
            {description}
          </p>
        ) : null}
      </div>
    </div>
  );
}

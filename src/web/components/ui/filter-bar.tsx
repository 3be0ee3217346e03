import type { ReactNode } from 'react';
import { Button } from '#src/web/components/ui/button.tsx';

/**
 * A list page's filters (the audit log, the sync history): labelled selects and dates in a row
 * that wraps, and "Clear filters". Each change applies at once (no submit).
 */
export function FilterBar({
  label,
  onClear,
  className,
  children,
}: {
  label: string;
  onClear: () => void;
  className?: string;
  children: ReactNode;
}) {
  return (
    <form
      className={`filter-bar${className ? ` ${className}` : ''}`}
      aria-label={label}
      onSubmit={(event) => {
        event.preventDefault();
      }}
    >
      {children}
      <Button size="sm" onClick={onClear}>
        Clear filters
      </Button>
    </form>
  );
}

/** A select whose empty choice (`anyLabel`) means "no filter": `onChange(undefined)`. */
export function FilterSelect({
  label,
  anyLabel,
  value,
  options,
  onChange,
}: {
  label: string;
  anyLabel: string;
  value: string | undefined;
  options: readonly { value: string; label: string }[];
  onChange: (value: string | undefined) => void;
}) {
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      <select
        value={value ?? ''}
        onChange={(event) => {
          onChange(event.target.value || undefined);
        }}
      >
        <option value="">{anyLabel}</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A date (yyyy-mm-dd) or nothing. */
export function FilterDate({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string | undefined;
  onChange: (value: string | undefined) => void;
}) {
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      <input
        type="date"
        value={value ?? ''}
        onChange={(event) => {
          onChange(event.target.value || undefined);
        }}
      />
    </label>
  );
}

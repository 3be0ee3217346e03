import type { ButtonHTMLAttributes } from 'react';
import { Spinner } from '#src/web/components/ui/spinner.tsx';

type Variant = 'primary' | 'secondary' | 'ghost' | 'danger';
type Size = 'md' | 'sm';

export type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: Variant;
  size?: Size;
  /** Shows a spinner and disables the button; the label stays so its name does not change. */
  busy?: boolean;
};

export function buttonClass(variant: Variant = 'secondary', size: Size = 'md'): string {
  return `btn btn-${variant}${size === 'sm' ? ' btn-sm' : ''}`;
}

export function Button({
  variant = 'secondary',
  size = 'md',
  busy = false,
  disabled,
  className,
  children,
  type = 'button',
  ...rest
}: ButtonProps) {
  return (
    <button
      type={type}
      className={`${buttonClass(variant, size)}${className ? ` ${className}` : ''}`}
      disabled={disabled === true || busy}
      aria-busy={busy || undefined}
      {...rest}
    >
      {busy ? <Spinner size="sm" /> : null}
      {children}
    </button>
  );
}

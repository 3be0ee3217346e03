import type { ReactNode } from 'react';
import { Spinner } from '#src/web/components/ui/spinner.tsx';
import { describeError } from '#src/web/lib/errors.ts';

export function EmptyState({
  title,
  children,
  action,
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="empty-state">
      <h2 className="empty-title">{title}</h2>
      {children ? <div className="empty-body">{children}</div> : null}
      {action ? <div className="empty-action">{action}</div> : null}
    </div>
  );
}

export function LoadingState({ label }: { label: string }) {
  return (
    <div className="loading-state" role="status">
      <Spinner />
      <span>{label}</span>
    </div>
  );
}

/** An error in plain language with the guide's advice (SPEC §5). */
export function ErrorCallout({
  error,
  action,
  advice,
  title,
}: {
  error: unknown;
  action?: ReactNode;
  /** A headline for this situation, e.g. "This sync can't be reverted." */
  title?: string;
  /** The guide's advice for this situation, when the caller knows better than the code. */
  advice?: string;
}) {
  const described = describeError(error);
  const plain = {
    ...described,
    ...(advice ? { advice } : {}),
    ...(title ? { title } : {}),
  };
  return (
    <div className="callout callout-danger" role="alert">
      <p className="callout-title">{plain.title}</p>
      {plain.detail && plain.detail !== plain.title ? <p>{plain.detail}</p> : null}
      {plain.advice ? <p>{plain.advice}</p> : null}
      {action ? <div className="callout-action">{action}</div> : null}
    </div>
  );
}

export function Callout({
  tone = 'info',
  title,
  children,
}: {
  tone?: 'info' | 'warning' | 'success' | 'danger';
  title?: string;
  children?: ReactNode;
}) {
  return (
    <div className={`callout callout-${tone}`} role="note">
      {title ? <p className="callout-title">{title}</p> : null}
      {children}
    </div>
  );
}

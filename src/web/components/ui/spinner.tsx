export function Spinner({ size = 'md' }: { size?: 'sm' | 'md' | 'lg' }) {
  return <span className={`spinner spinner-${size}`} aria-hidden="true" />;
}

/** A visible, announced "working on it" line. */
export function Progress({ children }: { children: React.ReactNode }) {
  return (
    <div className="progress" role="status" aria-live="polite">
      <Spinner />
      <div>{children}</div>
    </div>
  );
}

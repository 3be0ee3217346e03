import { buttonClass } from '#src/web/components/ui/button.tsx';
import { EmptyState } from '#src/web/components/ui/states.tsx';
import { Link } from '#src/web/lib/router.tsx';

export function NotFoundRoute({
  title = 'This page does not exist.',
  body = 'Check the address, or go back to the start.',
}: {
  title?: string;
  body?: string;
}) {
  return (
    <div className="page">
      <EmptyState
        title={title}
        action={
          <Link to="/" className={buttonClass('primary')}>
            Go to the start
          </Link>
        }
      >
        {body}
      </EmptyState>
    </div>
  );
}

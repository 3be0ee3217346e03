import { ApiError } from '#src/web/lib/api-client.ts';
import { errorSummary } from '#src/web/lib/errors.ts';

/**
 * A refused bulk request in the API's own words (the problem's `detail`, e.g. "This bulk run has
 * already finished: there is nothing to cancel.").
 */
export function BulkError({ error, title }: { error: unknown; title: string }) {
  const detail = error instanceof ApiError ? error.detail : errorSummary(error);
  return (
    <div className="callout callout-danger" role="alert">
      <p className="callout-title">{title}</p>
      <p>{detail}</p>
    </div>
  );
}

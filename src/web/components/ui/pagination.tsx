import { Button } from '#src/web/components/ui/button.tsx';
import { plural } from '#src/web/lib/format.ts';

/**
 * Keyset paging of a list: the page number, Previous page and Next page. With `total` (when the
 * count of the whole list is known, e.g. a team's member count with no search) it also says how
 * many pages and items there are: "Page 2 of 7 · 163 members". Without it, only what is known.
 */
export function CursorPagination({
  pageIndex,
  hasNext,
  onPrevious,
  onNext,
  label = 'Member pages',
  total,
}: {
  pageIndex: number;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  label?: string;
  total?: { count: number; pageSize: number; noun: string } | undefined;
}) {
  const pages = total ? Math.max(1, Math.ceil(total.count / total.pageSize)) : undefined;
  return (
    <nav className="pagination" aria-label={label}>
      <span className="muted">
        Page {pageIndex + 1}
        {total && pages !== undefined && pageIndex < pages
          ? ` of ${String(pages)} · ${plural(total.count, total.noun)}`
          : null}
      </span>
      <div className="pagination-buttons">
        <Button size="sm" disabled={pageIndex === 0} onClick={onPrevious}>
          Previous page
        </Button>
        <Button size="sm" disabled={!hasNext} onClick={onNext}>
          Next page
        </Button>
      </div>
    </nav>
  );
}

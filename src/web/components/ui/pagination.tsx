import { Button } from '#src/web/components/ui/button.tsx';

/** Keyset paging of a list: the page number, Previous page and Next page. */
export function CursorPagination({
  pageIndex,
  hasNext,
  onPrevious,
  onNext,
  label = 'Member pages',
}: {
  pageIndex: number;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  label?: string;
}) {
  return (
    <nav className="pagination" aria-label={label}>
      <span className="muted">Page {pageIndex + 1}</span>
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

import type { ReactNode } from 'react';
import { useOverflow } from '#src/web/lib/use-overflow.ts';

/**
 * The box a wide table scrolls sideways in, so the page itself never does. While the table is
 * wider than the box (a narrow screen), the box is a labelled region that takes keyboard focus
 * (arrow keys scroll it) and a line above it says it scrolls.
 */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  const box = useOverflow('x');
  return (
    <>
      {box.overflows ? (
        <p className="table-scroll-hint muted small">
          <span aria-hidden="true">↔ </span>Scroll sideways to see every column.
        </p>
      ) : null}
      <div
        ref={box.ref}
        className="table-wrap"
        {...(box.overflows ? { role: 'region', 'aria-label': label, tabIndex: 0 } : {})}
      >
        {children}
      </div>
    </>
  );
}

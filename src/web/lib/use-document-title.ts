import { useEffect } from 'react';

/** The product's name after each page's title, in the tab and in the browser history. */
export const TITLE_SUFFIX = 'Ergo';

/** Sets the tab's title to "<page> · Ergo" (issue 14 §8) while the page is shown. */
export function useDocumentTitle(page: string): void {
  useEffect(() => {
    document.title = `${page} · ${TITLE_SUFFIX}`;
  }, [page]);
}

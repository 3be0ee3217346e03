import { useCallback, useEffect, useRef, useState } from 'react';
import { setSearchParams, useLocation } from '#src/web/lib/router.tsx';

/**
 * A searchable list paged by cursor whose search and page live in the address (`?q=`, `?page=`,
 * `?after=`), so a reload, a shared link or Back shows the same page (issue 14 §8). The API pages
 * forwards only; the cursors of the pages before this one are kept per tab (sessionStorage), so
 * Previous page works after a reload too. A link opened in a new tab has no earlier cursors:
 * there Previous page goes back to the first page.
 */
export interface UrlPaging {
  /** The search box's text, as typed. */
  search: string;
  setSearch: (text: string) => void;
  /** The search sent to the API: the typed text once typing pauses. */
  q: string;
  /** 0 for the first page. */
  pageIndex: number;
  cursor: string | undefined;
  next: (cursor: string) => void;
  previous: () => void;
}

const DEBOUNCE_MS = 250;

function storageKey(scope: string, q: string): string {
  return `ergo:page-cursors:${scope}:${q}`;
}

function readCursors(key: string): (string | null)[] {
  try {
    const parsed: unknown = JSON.parse(window.sessionStorage.getItem(key) ?? '[]');
    return Array.isArray(parsed)
      ? parsed.map((c: unknown) => (typeof c === 'string' ? c : null))
      : [];
  } catch {
    return [];
  }
}

function rememberCursor(key: string, pageIndex: number, cursor: string): void {
  const cursors = readCursors(key);
  if (cursors[pageIndex] === cursor) return;
  while (cursors.length < pageIndex) cursors.push(null);
  cursors[pageIndex] = cursor;
  try {
    window.sessionStorage.setItem(key, JSON.stringify(cursors));
  } catch {
    // Storage full or refused: Previous page falls back to the first page.
  }
}

/** `scope` names the list (e.g. the team), so each keeps its own cursors. */
export function useUrlPaging(scope: string): UrlPaging {
  const { search: params } = useLocation();
  const q = params.get('q') ?? '';
  const after = params.get('after') ?? undefined;
  const page = Number(params.get('page') ?? '1');
  // A page number without its cursor (or not a number) is the first page.
  const pageIndex = after !== undefined && Number.isInteger(page) && page > 1 ? page - 1 : 0;
  const cursor = pageIndex > 0 ? after : undefined;

  const [search, setSearchText] = useState(q);
  const written = useRef(q);
  // Back or Forward changed the search: the box follows.
  useEffect(() => {
    if (q !== written.current) {
      written.current = q;
      setSearchText(q);
    }
  }, [q]);
  useEffect(() => {
    const text = search.trim();
    if (text === written.current) return;
    const timer = window.setTimeout(() => {
      written.current = text;
      // A new search starts again at the first page.
      setSearchParams({ q: text, page: null, after: null });
    }, DEBOUNCE_MS);
    return () => {
      window.clearTimeout(timer);
    };
  }, [search]);

  const key = storageKey(scope, q);
  useEffect(() => {
    if (cursor !== undefined) rememberCursor(key, pageIndex, cursor);
  }, [key, pageIndex, cursor]);

  const next = useCallback(
    (nextCursor: string) => {
      rememberCursor(key, pageIndex + 1, nextCursor);
      setSearchParams({ page: String(pageIndex + 2), after: nextCursor }, { push: true });
    },
    [key, pageIndex],
  );
  const previous = useCallback(() => {
    const target = pageIndex - 1;
    const known = target > 0 ? readCursors(key)[target] : null;
    if (target > 0 && known) {
      setSearchParams({ page: String(target + 1), after: known }, { push: true });
    } else {
      setSearchParams({ page: null, after: null }, { push: true });
    }
  }, [key, pageIndex]);

  return { search, setSearch: setSearchText, q, pageIndex, cursor, next, previous };
}

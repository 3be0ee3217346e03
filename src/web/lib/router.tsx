import {
  createContext,
  useCallback,
  useContext,
  useSyncExternalStore,
  type AnchorHTMLAttributes,
  type MouseEvent,
  type ReactNode,
} from 'react';
import { askBeforeLeaving } from '#src/web/lib/use-unsaved-changes.ts';

/**
 * A very small client-side router over the History API: the app has a handful of pages, so
 * a dependency would be more than the problem. The server answers every non-/api GET with
 * index.html, so deep links and reloads work.
 */

const NAVIGATE_EVENT = 'ergo:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

function snapshot(): string {
  return `${window.location.pathname}${window.location.search}`;
}

export interface Location {
  pathname: string;
  search: URLSearchParams;
  href: string;
}

export interface NavigateOptions {
  replace?: boolean;
  /** Leave without asking about unsaved edits (the session ended: the page is gone anyway). */
  force?: boolean;
  /** Keep the scroll position (a change of the same page's query string, e.g. its search). */
  keepScroll?: boolean;
}

export function navigate(to: string, options: NavigateOptions = {}): void {
  if (to === snapshot()) return;
  const go = () => {
    if (options.replace) window.history.replaceState(null, '', to);
    else window.history.pushState(null, '', to);
    if (!options.keepScroll) window.scrollTo(0, 0);
    window.dispatchEvent(new Event(NAVIGATE_EVENT));
  };
  // A change of the query string alone stays on the page and its edits.
  const samePage = new URL(to, window.location.origin).pathname === window.location.pathname;
  if (options.force || samePage || askBeforeLeaving(go)) go();
}

/**
 * Back and Forward with unsaved edits: the browser has already moved, so put the page back
 * (before the app renders the other one) and ask; on "Leave" go where Back or Forward went.
 * Registered once, at load, so it runs before the app's own popstate listeners.
 */
let shownHref = typeof window === 'undefined' ? '' : snapshot();
if (typeof window !== 'undefined') {
  window.addEventListener('popstate', () => {
    const target = snapshot();
    const samePage =
      new URL(target, window.location.origin).pathname ===
      new URL(shownHref, window.location.origin).pathname;
    if (samePage) {
      shownHref = target;
      return;
    }
    const leave = () => {
      shownHref = target;
      window.history.pushState(null, '', target);
      window.dispatchEvent(new Event(NAVIGATE_EVENT));
    };
    const stayAt = shownHref;
    if (!askBeforeLeaving(leave)) window.history.pushState(null, '', stayAt);
    else shownHref = target;
  });
  window.addEventListener(NAVIGATE_EVENT, () => {
    shownHref = snapshot();
  });
}

export function useLocation(): Location {
  const href = useSyncExternalStore(subscribe, snapshot);
  const url = new URL(href, window.location.origin);
  return { pathname: url.pathname, search: url.searchParams, href };
}

/** Reads and writes one query-string parameter (e.g. the chosen team). */
export function useSearchParam(name: string): [string | null, (value: string | null) => void] {
  const location = useLocation();
  const value = location.search.get(name);
  const setValue = useCallback(
    (next: string | null) => {
      const params = new URLSearchParams(window.location.search);
      if (next === null || next === '') params.delete(name);
      else params.set(name, next);
      const query = params.toString();
      navigate(`${window.location.pathname}${query ? `?${query}` : ''}`, { replace: true });
    },
    [name],
  );
  return [value, setValue];
}

/**
 * Sets several query-string parameters of the current page at once (null or '' removes one):
 * replaced in place, or with `push` a new history entry (Back returns to the previous state).
 */
export function setSearchParams(
  patch: Record<string, string | null>,
  options: { push?: boolean } = {},
): void {
  const params = new URLSearchParams(window.location.search);
  for (const [name, value] of Object.entries(patch)) {
    if (value === null || value === '') params.delete(name);
    else params.set(name, value);
  }
  const query = params.toString();
  navigate(`${window.location.pathname}${query ? `?${query}` : ''}`, {
    replace: !options.push,
    keepScroll: true,
  });
}

const ActivePathContext = createContext<string>('');

export function ActivePathProvider({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  return <ActivePathContext.Provider value={pathname}>{children}</ActivePathContext.Provider>;
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & {
  to: string;
  /** Marks the link as the current page when the path starts with this prefix. */
  activePrefix?: string;
};

export function Link({ to, activePrefix, onClick, children, ...rest }: LinkProps) {
  const pathname = useContext(ActivePathContext);
  const isActive =
    activePrefix !== undefined
      ? pathname === activePrefix || pathname.startsWith(`${activePrefix}/`)
      : pathname === to.split('?')[0];
  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    )
      return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={handleClick} aria-current={isActive ? 'page' : undefined} {...rest}>
      {children}
    </a>
  );
}

import {
  createContext,
  useCallback,
  useContext,
  useSyncExternalStore,
  type AnchorHTMLAttributes,
  type MouseEvent,
  type ReactNode,
} from 'react';

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

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.scrollTo(0, 0);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
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

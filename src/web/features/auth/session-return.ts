/**
 * Where Log in returns to (issue 14 §4): a deep link opened without a session, or the page where
 * the session expired, travels in the log-in address as `?next=` (path and query string), with
 * `?expired=1` when a session ended mid-use. Only this site's own paths are followed.
 */

export const SESSION_EXPIRED_MESSAGE = 'Your session expired. Log in again to continue.';

/** The page to return to, or null when `next` is missing or not a path of this site. */
export function safeReturnPath(next: string | null): string | null {
  if (next === null || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) {
    return null;
  }
  const url = new URL(next, window.location.origin);
  if (url.origin !== window.location.origin || url.pathname === '/login') return null;
  return `${url.pathname}${url.search}`;
}

/** The log-in page's address that returns to `from` afterwards. */
export function loginPath({ from, expired }: { from: string; expired: boolean }): string {
  const params = new URLSearchParams();
  if (expired) params.set('expired', '1');
  const next = safeReturnPath(from);
  if (next !== null && next !== '/') params.set('next', next);
  const query = params.toString();
  return query ? `/login?${query}` : '/login';
}

let loggedOut = false;

/** Log out ended the session on purpose: no "session expired" message, no page to return to. */
export function noteLoggedOut(): void {
  loggedOut = true;
}

/** Whether the session that just ended was ended by Log out (asked once). */
export function takeLoggedOut(): boolean {
  const was = loggedOut;
  loggedOut = false;
  return was;
}

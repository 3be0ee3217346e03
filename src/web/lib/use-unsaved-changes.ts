import { useEffect, useSyncExternalStore } from 'react';

/**
 * Unsaved edits (issue 14 §4): a form with edits not yet saved registers here, and leaving asks
 * first — closing or reloading the tab through the browser's own `beforeunload` prompt, moving
 * inside the app through the router (`navigate`, `Link`, Back and Forward), which asks with the
 * confirmation that `UnsavedChangesPrompt` shows.
 */

const dirtyForms = new Set<symbol>();
let pendingLeave: (() => void) | null = null;
const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

function onBeforeUnload(event: BeforeUnloadEvent): void {
  // preventDefault is the standard way to ask; every current browser shows its own prompt.
  event.preventDefault();
}

/** Call in a form with whether it holds edits not yet saved. */
export function useUnsavedChanges(dirty: boolean): void {
  useEffect(() => {
    if (!dirty) return;
    const id = Symbol('unsaved form');
    dirtyForms.add(id);
    if (dirtyForms.size === 1) window.addEventListener('beforeunload', onBeforeUnload);
    return () => {
      dirtyForms.delete(id);
      if (dirtyForms.size === 0) window.removeEventListener('beforeunload', onBeforeUnload);
    };
  }, [dirty]);
}

export function hasUnsavedChanges(): boolean {
  return dirtyForms.size > 0;
}

/**
 * The router asks before it leaves the page: true when nothing is unsaved (go ahead now);
 * otherwise false, and `leave` runs later if the person confirms.
 */
export function askBeforeLeaving(leave: () => void): boolean {
  if (dirtyForms.size === 0) return true;
  pendingLeave = leave;
  notify();
  return false;
}

/** The question waiting for an answer, for the confirmation dialog. */
export function usePendingLeave(): { pending: boolean; stay: () => void; leave: () => void } {
  const pending = useSyncExternalStore(
    (onChange) => {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
    () => pendingLeave !== null,
  );
  return {
    pending,
    stay: () => {
      pendingLeave = null;
      notify();
    },
    leave: () => {
      const leave = pendingLeave;
      pendingLeave = null;
      // The edits are given up: the page that held them is about to go.
      dirtyForms.clear();
      window.removeEventListener('beforeunload', onBeforeUnload);
      notify();
      leave?.();
    },
  };
}

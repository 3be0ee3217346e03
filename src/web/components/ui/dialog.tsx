import * as DialogPrimitive from '@radix-ui/react-dialog';
import { useEffect, useLayoutEffect, useRef, type ReactNode } from 'react';
import { useOverflow } from '#src/web/lib/use-overflow.ts';

/**
 * A modal dialog (Radix: focus trap, Escape, labelled by its title, described by its
 * description). `preventClose` keeps it open while work is in progress. It never outgrows the
 * window: header and footer stay in view and the body scrolls; a body that scrolls takes focus,
 * so the keyboard can scroll it too.
 */
export function Dialog({
  open,
  onOpenChange,
  title,
  description,
  children,
  footer,
  status,
  size = 'md',
  preventClose = false,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: ReactNode;
  children?: ReactNode;
  footer?: ReactNode;
  /** Progress and errors, kept in view above the footer however long the body is. */
  status?: ReactNode;
  size?: 'md' | 'lg';
  preventClose?: boolean;
}) {
  // Where focus goes back to on close: what had it when the dialog opened (e.g. the row's
  // action-menu trigger). Captured in a layout effect, before the dialog moves focus inside.
  const returnFocusTo = useRef<HTMLElement | null>(null);
  const contentRef = useRef<HTMLDivElement>(null);
  const body = useOverflow('y');
  useLayoutEffect(() => {
    if (open && document.activeElement instanceof HTMLElement) {
      returnFocusTo.current = focusOrigin(document.activeElement);
    }
  }, [open]);
  useEffect(
    () => () => {
      // Unmounted while open (the caller dropped it): Radix cannot restore focus then.
      const target = returnFocusTo.current;
      window.setTimeout(() => {
        if (target?.isConnected && document.activeElement === document.body) target.focus();
      }, 0);
    },
    [],
  );

  return (
    <DialogPrimitive.Root
      open={open}
      onOpenChange={(next) => {
        if (!next && preventClose) return;
        onOpenChange(next);
      }}
    >
      <DialogPrimitive.Portal>
        <DialogPrimitive.Overlay className="overlay" />
        <DialogPrimitive.Content
          ref={contentRef}
          className={`dialog dialog-${size}`}
          onInteractOutside={(event) => {
            if (preventClose) event.preventDefault();
          }}
          onCloseAutoFocus={(event) => {
            const target = returnFocusTo.current;
            if (!target?.isConnected) return;
            event.preventDefault();
            // Radix restores focus a task after the dialog closed. By then focus may already be
            // back (our unmount handler) and the user may have moved on, e.g. opened the row's
            // menu again: only take focus that is nowhere (body) or still in the closing dialog,
            // never from what the user opened since.
            const active = document.activeElement;
            if (!active || active === document.body || contentRef.current?.contains(active)) {
              target.focus();
            }
          }}
        >
          <header className="dialog-header">
            <div>
              <DialogPrimitive.Title className="dialog-title">{title}</DialogPrimitive.Title>
              <DialogPrimitive.Description className="dialog-description">
                {description}
              </DialogPrimitive.Description>
            </div>
            <DialogPrimitive.Close
              className="icon-button"
              aria-label="Close"
              disabled={preventClose}
            >
              <span aria-hidden="true">×</span>
            </DialogPrimitive.Close>
          </header>
          <div
            ref={body.ref}
            className="dialog-body"
            {...(body.overflows ? { role: 'region', 'aria-label': title, tabIndex: 0 } : {})}
          >
            {children}
          </div>
          {status ? <div className="dialog-status">{status}</div> : null}
          {footer ? <footer className="dialog-footer">{footer}</footer> : null}
        </DialogPrimitive.Content>
      </DialogPrimitive.Portal>
    </DialogPrimitive.Root>
  );
}

/**
 * The element focus should go back to: the one that had it, or, when that is an item of an open
 * menu (which closes and disappears), the menu's trigger (Radix links them with aria-controls).
 */
function focusOrigin(active: HTMLElement): HTMLElement {
  const menu = active.closest<HTMLElement>('[role="menu"]');
  if (!menu?.id) return active;
  const trigger = document.querySelector<HTMLElement>(`[aria-controls="${CSS.escape(menu.id)}"]`);
  return trigger ?? active;
}

import {
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactElement,
  type ReactNode,
  type RefObject,
} from 'react';
import { createPortal } from 'react-dom';

export interface TooltipTriggerProps {
  ref: RefObject<HTMLButtonElement | null>;
  'aria-describedby': string;
  onPointerEnter: () => void;
  onPointerLeave: () => void;
  onPointerDown: () => void;
  onFocus: () => void;
  onBlur: () => void;
  onKeyDown: (event: KeyboardEvent) => void;
}

const GAP = 6;
const MARGIN = 8;

/**
 * A tooltip that shows on hover and on keyboard focus, is dismissed with Escape (WCAG 1.4.13),
 * and describes its trigger (`aria-describedby`) for screen readers whether shown or not. It is
 * portalled to the body with fixed coordinates, so a scrolling table or a card's clipping does
 * not cut it off.
 */
export function Tooltip({
  content,
  children,
}: {
  content: ReactNode;
  children: (trigger: TooltipTriggerProps) => ReactElement;
}) {
  const id = useId();
  const triggerRef = useRef<HTMLButtonElement>(null);
  const tipRef = useRef<HTMLSpanElement>(null);
  const [hovered, setHovered] = useState(false);
  const [focused, setFocused] = useState(false);
  const [dismissed, setDismissed] = useState(false);
  const [position, setPosition] = useState<{ top: number; left: number } | null>(null);
  const open = (hovered || focused) && !dismissed;

  useLayoutEffect(() => {
    if (!open) {
      setPosition(null);
      return;
    }
    const trigger = triggerRef.current?.getBoundingClientRect();
    const tip = tipRef.current;
    if (!trigger || !tip) return;
    const width = tip.offsetWidth;
    const height = tip.offsetHeight;
    const left = Math.min(
      Math.max(MARGIN, trigger.left + trigger.width / 2 - width / 2),
      window.innerWidth - width - MARGIN,
    );
    const below = trigger.bottom + GAP;
    const top = below + height > window.innerHeight - MARGIN ? trigger.top - GAP - height : below;
    setPosition((current) =>
      current?.top === top && current.left === left ? current : { top, left },
    );
  }, [open]);

  // Fixed coordinates go stale when the page scrolls: hide until the next hover or focus.
  useEffect(() => {
    if (!open) return;
    const hide = () => {
      setDismissed(true);
    };
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key === 'Escape') setDismissed(true);
    };
    window.addEventListener('scroll', hide, true);
    window.addEventListener('resize', hide);
    document.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('scroll', hide, true);
      window.removeEventListener('resize', hide);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const trigger = children({
    ref: triggerRef,
    'aria-describedby': id,
    onPointerEnter: () => {
      setDismissed(false);
      setHovered(true);
    },
    onPointerLeave: () => {
      setHovered(false);
    },
    // A click usually opens something (a dialog) the tooltip must not sit on top of.
    onPointerDown: () => {
      setDismissed(true);
    },
    onFocus: () => {
      setDismissed(false);
      setFocused(true);
    },
    onBlur: () => {
      setFocused(false);
    },
    onKeyDown: (event) => {
      if (event.key === 'Escape' && open) {
        // Only the tooltip closes; a surrounding dialog stays open.
        event.stopPropagation();
        setDismissed(true);
      }
    },
  });

  return (
    <>
      {trigger}
      {createPortal(
        <span
          ref={tipRef}
          id={id}
          role="tooltip"
          className="tooltip"
          hidden={!open}
          style={
            position
              ? { top: position.top, left: position.left }
              : { top: 0, left: 0, visibility: 'hidden' }
          }
        >
          {content}
        </span>,
        document.body,
      )}
    </>
  );
}

import { useCallback, useLayoutEffect, useState } from 'react';

/**
 * Whether an element's content is wider (`x`) or taller (`y`) than its box, kept up to date as
 * either changes size. Pass `ref` to the element (it may mount later, e.g. in a dialog). A box
 * that scrolls must take keyboard focus when nothing in it can (WCAG 2.1.1, axe
 * "scrollable-region-focusable"); this says when it scrolls.
 */
export function useOverflow(axis: 'x' | 'y'): {
  ref: (element: HTMLElement | null) => void;
  overflows: boolean;
} {
  const [element, setElement] = useState<HTMLElement | null>(null);
  const [overflows, setOverflows] = useState(false);
  const ref = useCallback((next: HTMLElement | null) => {
    setElement(next);
  }, []);

  useLayoutEffect(() => {
    if (!element) {
      setOverflows(false);
      return;
    }
    const measure = () => {
      setOverflows(
        axis === 'x'
          ? element.scrollWidth > element.clientWidth + 1
          : element.scrollHeight > element.clientHeight + 1,
      );
    };
    const sizes = new ResizeObserver(measure);
    const watchChildren = () => {
      for (const child of element.children) sizes.observe(child);
    };
    sizes.observe(element);
    watchChildren();
    // Content that comes and goes (a result replacing a spinner) changes what overflows.
    const mutations = new MutationObserver(() => {
      watchChildren();
      measure();
    });
    mutations.observe(element, { childList: true, subtree: true });
    measure();
    return () => {
      sizes.disconnect();
      mutations.disconnect();
    };
  }, [element, axis]);

  return { ref, overflows };
}

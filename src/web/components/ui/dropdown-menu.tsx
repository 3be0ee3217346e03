import * as Menu from '@radix-ui/react-dropdown-menu';
import { createContext, useContext, useRef, type ReactNode, type RefObject } from 'react';

const TriggerContext = createContext<RefObject<HTMLButtonElement | null> | null>(null);

/** A keyboard-operable menu (Radix): arrows, Enter/Space, Escape, typeahead. */
export function DropdownMenu({
  triggerLabel,
  trigger,
  children,
}: {
  /** The trigger's accessible name, e.g. "Actions for Priya Natarajan". */
  triggerLabel: string;
  trigger: ReactNode;
  children: ReactNode;
}) {
  const triggerRef = useRef<HTMLButtonElement>(null);
  return (
    <Menu.Root modal={false}>
      <Menu.Trigger ref={triggerRef} className="icon-button menu-trigger" aria-label={triggerLabel}>
        {trigger}
      </Menu.Trigger>
      <Menu.Portal>
        <Menu.Content className="menu" align="end" sideOffset={4} collisionPadding={8}>
          <TriggerContext.Provider value={triggerRef}>{children}</TriggerContext.Provider>
        </Menu.Content>
      </Menu.Portal>
    </Menu.Root>
  );
}

export function MenuItem({
  onSelect,
  tone,
  hint,
  children,
}: {
  onSelect: () => void;
  tone?: 'danger';
  hint?: string;
  children: ReactNode;
}) {
  const triggerRef = useContext(TriggerContext);
  return (
    <Menu.Item
      className={`menu-item${tone === 'danger' ? ' menu-item-danger' : ''}`}
      onSelect={() => {
        // Focus the trigger first, so that a dialog this opens gives focus back to the trigger
        // when it closes (not to this menu item, which is gone by then).
        triggerRef?.current?.focus();
        onSelect();
      }}
    >
      <span>{children}</span>
      {hint ? <span className="menu-hint">{hint}</span> : null}
    </Menu.Item>
  );
}

export function MenuLabel({ children }: { children: ReactNode }) {
  return <Menu.Label className="menu-label">{children}</Menu.Label>;
}

export function MenuSeparator() {
  return <Menu.Separator className="menu-separator" />;
}

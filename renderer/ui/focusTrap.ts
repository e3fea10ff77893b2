/**
 * Keyboard focus inside a modal dialog: it moves into the dialog when it opens and Tab cycles
 * through the dialog's own controls. Without it, Tab walked on to the toolbar behind the backdrop
 * and Enter pressed Save there while the template gallery was open.
 */
const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

function focusables(container: HTMLElement): HTMLElement[] {
  return Array.from(container.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((el) => !el.closest('[hidden], [inert]') && el.style.display !== 'none');
}

/** Focus the dialog unless something inside it has the focus already (an autoFocus field). */
export function focusInto(container: HTMLElement | null): void {
  if (container && !container.contains(document.activeElement)) container.focus();
}

/** A keydown handler for the dialog: Tab / Shift+Tab wrap around its controls. */
export function trapTab(e: { key: string; shiftKey: boolean; preventDefault(): void }, container: HTMLElement | null): void {
  if (e.key !== 'Tab' || !container) return;
  const items = focusables(container);
  if (items.length === 0) {
    e.preventDefault();
    return;
  }
  const first = items[0]!, last = items[items.length - 1]!;
  const active = document.activeElement as HTMLElement | null;
  const inside = !!active && container.contains(active) && active !== container;
  if (e.shiftKey && (!inside || active === first)) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && (!inside || active === last)) {
    e.preventDefault();
    first.focus();
  }
}

/**
 * The one modal dialog frame of the app (document dialogs, Export, Import, Load Weights, the
 * shortcut sheet). It takes the focus and keeps Tab inside; Escape, the ✕ and a click on the
 * backdrop close it; its title labels it for screen readers. Keys pressed inside stay inside (the
 * canvas's Delete or Ctrl+Z never act behind an open dialog), except Ctrl/Cmd combinations, which
 * reach the app's file shortcuts (Ctrl+S saves with a dialog open, as from anywhere else).
 */
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { focusInto, trapTab } from './focusTrap';
import './dialog.css';

export interface ModalProps {
  title: string;
  children: ReactNode;
  onClose(): void;
  wide?: boolean;
  testId?: string;
}

export function Modal({ title, children, onClose, wide, testId }: ModalProps) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  useEffect(() => focusInto(ref.current), []);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => { if (e.target === e.currentTarget) onClose(); }}>
      <div
        ref={ref} className={`modal${wide ? ' wide' : ''}`} role="dialog" aria-modal="true" aria-labelledby={titleId} tabIndex={-1} data-testid={testId}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            onClose();
          }
          trapTab(e, ref.current);
          if (!e.ctrlKey && !e.metaKey) e.stopPropagation();
        }}
      >
        <div className="modal-head">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="icon" aria-label="Close" onClick={onClose}>✕</button>
        </div>
        <div className="modal-body">{children}</div>
      </div>
    </div>
  );
}

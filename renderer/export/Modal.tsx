/**
 * The export feature's modal frame (same look as the editor's dialogs). Keys pressed inside stay
 * inside: the canvas shortcuts (Delete, Ctrl+Z...) never act behind an open dialog; Escape closes.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import { focusInto, trapTab } from '../editor/focusTrap';

export function Modal({ title, children, onClose, wide, testId }: { title: string; children: ReactNode; onClose(): void; wide?: boolean; testId?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => focusInto(ref.current), []);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => { if (e.target === e.currentTarget) onClose(); }}>
      <div
        ref={ref} className={`modal${wide ? ' wide' : ''}`} role="dialog" aria-modal="true" aria-label={title} tabIndex={-1} data-testid={testId}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            onClose();
          }
          trapTab(e, ref.current);
          e.stopPropagation();
        }}
      >
        <div className="modal-head">
          <h2>{title}</h2>
          <button type="button" className="icon" aria-label="Close" onClick={onClose}>✕</button>
        </div>
        <div className="modal-body">{children}</div>
      </div>
    </div>
  );
}

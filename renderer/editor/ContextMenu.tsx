/** The canvas context menu (right-click on a node, an edge or the empty canvas). */
import { useEffect, useRef } from 'react';
import { redo, undo, useEditor } from '../store';

export type MenuTarget =
  | { kind: 'node'; id: string; x: number; y: number }
  | { kind: 'edge'; id: string; x: number; y: number }
  | { kind: 'pane'; x: number; y: number };

interface Item { label: string; keys?: string; run(): void; disabled?: boolean }

function items(t: MenuTarget): Item[] {
  const s = useEditor.getState();
  if (t.kind === 'node') {
    return [
      { label: 'Duplicate', keys: 'Ctrl+D', run: () => useEditor.getState().duplicateSelection() },
      { label: 'Copy', keys: 'Ctrl+C', run: () => void useEditor.getState().copySelection() },
      { label: 'Delete', keys: 'Del', run: () => useEditor.getState().deleteSelection() },
    ];
  }
  if (t.kind === 'edge') {
    return [{ label: 'Delete connection', keys: 'Del', run: () => useEditor.getState().removeElements([], [t.id]) }];
  }
  return [
    { label: 'Paste', keys: 'Ctrl+V', run: () => void useEditor.getState().paste(), disabled: !s.clipboard },
    { label: 'Select all', keys: 'Ctrl+A', run: () => useEditor.getState().selectAll() },
    { label: 'Undo', keys: 'Ctrl+Z', run: () => undo() },
    { label: 'Redo', keys: 'Ctrl+Shift+Z', run: () => redo() },
    { label: 'Automatic layout', keys: 'L', run: () => { useEditor.getState().autoLayout(); useEditor.getState().requestFit(); } },
    { label: 'Zoom to fit', keys: 'F', run: () => useEditor.getState().requestFit() },
  ];
}

export function ContextMenu({ target, onClose }: { target: MenuTarget; onClose(): void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const away = (e: Event) => {
      if (!ref.current?.contains(e.target as Node)) onClose();
    };
    const esc = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('pointerdown', away, true);
    window.addEventListener('keydown', esc, true);
    ref.current?.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus();
    return () => {
      window.removeEventListener('pointerdown', away, true);
      window.removeEventListener('keydown', esc, true);
    };
  }, [onClose]);
  const list = items(target);
  return (
    <div ref={ref} className="context-menu" role="menu" style={{ left: target.x, top: target.y }}>
      {list.map((it) => (
        <button key={it.label} type="button" role="menuitem" disabled={it.disabled} onClick={() => { it.run(); onClose(); }}>
          <span>{it.label}</span>{it.keys && <span className="muted small">{it.keys}</span>}
        </button>
      ))}
    </div>
  );
}

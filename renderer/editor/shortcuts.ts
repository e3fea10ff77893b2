/**
 * Keyboard shortcuts. File commands work everywhere; editing commands (undo, copy, delete...) are
 * left to text fields while one has the focus, so typing in the inspector behaves normally.
 */
import { redo, undo, useEditor } from '../store';
import { newDocument, openCommand, save, saveAs } from './commands';
import { trainCommand } from '../training/TrainingPanel';
import { exportCommand, importCommand } from '../export/commands';

const isEditable = (t: EventTarget | null) => {
  const el = t as HTMLElement | null;
  if (!el || !el.tagName) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
};

export function handleShortcut(e: KeyboardEvent): void {
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  const s = useEditor.getState();
  const run = (f: () => unknown) => {
    e.preventDefault();
    f();
  };
  if (mod && key === 's') return run(() => void (e.shiftKey ? saveAs() : save()));
  if (mod && key === 'o') return run(openCommand);
  if (mod && key === 'n') return run(newDocument);
  if (mod && key === 'Enter') return run(trainCommand);
  if (mod && key === 'e' && !e.shiftKey) return run(exportCommand);
  if (mod && key === 'i' && !e.shiftKey) return run(importCommand);
  if (s.dialog) {
    if (key === 'Escape') run(() => s.openDialog(null));
    return;
  }
  if (isEditable(e.target)) return;
  if (mod && key === 'z') return run(() => (e.shiftKey ? redo() : undo()));
  if (mod && key === 'y') return run(redo);
  if (mod && key === 'c') return run(() => s.copySelection());
  if (mod && key === 'x') return run(() => { if (s.copySelection()) s.deleteSelection(); });
  if (mod && key === 'v') return run(() => s.paste());
  if (mod && key === 'd') return run(() => s.duplicateSelection());
  if (mod && key === 'a') return run(() => s.selectAll());
  if (mod) return;
  if (key === 'Delete' || key === 'Backspace') return run(() => s.deleteSelection());
  if (key === 'Escape') return run(() => s.clearSelection());
  if (key === 'Enter') {
    // Enter on the canvas (not on a focused button or link): jump to the palette search; type a layer
    // name and Enter again adds it after the selection.
    const el = e.target as HTMLElement | null;
    if (el && el !== document.body && !el.closest?.('.canvas')) return;
    return run(() => document.querySelector<HTMLInputElement>('.palette-search')?.focus());
  }
  if (key === 'f' && !e.shiftKey) return run(() => s.requestFit());
  if (key === 'l' && !e.shiftKey) return run(() => { s.autoLayout(); s.requestFit(); });
}

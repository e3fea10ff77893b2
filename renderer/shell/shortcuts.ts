/**
 * Keyboard shortcuts. File commands work everywhere; editing commands (undo, copy, delete...) are
 * left to text fields while one has the focus, so typing in the inspector behaves normally. `?`
 * shows the sheet of them all (SHORTCUTS, shell/ShortcutSheet.tsx).
 */
import { redo, undo, useEditor } from '../store';
import { trainCommand } from '../training/TrainingPanel';
import { exportCommand, importCommand, newDocument, openCommand, save, saveAs } from './commands';

/** What the shortcut sheet lists, in its order ("Ctrl" reads "⌘" on macOS). */
export const SHORTCUTS: { keys: string; what: string }[] = [
  { keys: 'Ctrl+N', what: 'New model' },
  { keys: 'Ctrl+O', what: 'Open' },
  { keys: 'Ctrl+S', what: 'Save' },
  { keys: 'Ctrl+Shift+S', what: 'Save as' },
  { keys: 'Ctrl+I', what: 'Import a model' },
  { keys: 'Ctrl+E', what: 'Export' },
  { keys: 'Ctrl+Enter', what: 'Train' },
  { keys: 'Ctrl+Z / Ctrl+Shift+Z, Ctrl+Y', what: 'Undo / redo' },
  { keys: 'Ctrl+C / Ctrl+X / Ctrl+V', what: 'Copy / cut / paste layers' },
  { keys: 'Ctrl+D', what: 'Duplicate the selection' },
  { keys: 'Ctrl+A', what: 'Select all' },
  { keys: 'Delete, Backspace', what: 'Delete the selection' },
  { keys: 'Escape', what: 'Clear the selection; close a dialog' },
  { keys: 'Enter', what: 'Search the palette (Enter again adds the layer after the selection)' },
  { keys: 'F', what: 'Zoom to fit' },
  { keys: 'L', what: 'Automatic layout' },
  { keys: 'Shift-drag', what: 'Box select' },
  { keys: '?', what: 'This sheet' },
];

const isEditable = (t: EventTarget | null) => {
  const el = t as HTMLElement | null;
  if (!el || !el.tagName) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
};

/** Ctrl/Cmd shortcuts that work everywhere, even in a text field or with a dialog open. */
function fileShortcut(e: KeyboardEvent, key: string): (() => unknown) | null {
  if (!(e.ctrlKey || e.metaKey)) return null;
  if (key === 's') return () => void (e.shiftKey ? saveAs() : save());
  if (key === 'o') return openCommand;
  if (key === 'n') return () => void newDocument();
  if (key === 'Enter') return trainCommand;
  if (key === 'e' && !e.shiftKey) return exportCommand;
  if (key === 'i' && !e.shiftKey) return importCommand;
  return null;
}

/** Shortcuts that edit the graph (only when the focus is not in a text field and no dialog is open). */
function editShortcut(e: KeyboardEvent, key: string): (() => unknown) | null {
  const s = useEditor.getState();
  if (e.ctrlKey || e.metaKey) {
    if (key === 'z') return () => (e.shiftKey ? redo() : undo());
    if (key === 'y') return redo;
    if (key === 'c') return () => s.copySelection();
    if (key === 'x') return () => { if (s.copySelection()) s.deleteSelection(); };
    if (key === 'v') return () => s.paste();
    if (key === 'd') return () => s.duplicateSelection();
    if (key === 'a') return () => s.selectAll();
    return null;
  }
  if (key === 'Delete' || key === 'Backspace') return () => s.deleteSelection();
  if (key === 'Escape') return () => s.clearSelection();
  if (key === '?') return () => s.openDialog('shortcuts');
  if (key === 'f' && !e.shiftKey) return () => s.requestFit();
  if (key === 'l' && !e.shiftKey) return () => { s.autoLayout(); s.requestFit(); };
  if (key === 'Enter') {
    // Enter on the canvas (not on a focused button or link): jump to the palette search; type a layer
    // name and Enter again adds it after the selection.
    const el = e.target as HTMLElement | null;
    if (el && el !== document.body && !el.closest?.('.canvas')) return null;
    return () => document.querySelector<HTMLInputElement>('.palette-search')?.focus();
  }
  return null;
}

export function handleShortcut(e: KeyboardEvent): void {
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  const s = useEditor.getState();
  let action = fileShortcut(e, key);
  // A dialog open (the focus may have left it, e.g. onto the page after a button was disabled): Escape
  // closes it (the unsaved-changes question first, as Cancel); nothing edits the graph behind it.
  if (!action && s.prompt) action = key === 'Escape' ? () => s.prompt?.answer('cancel') : null;
  else if (!action && s.dialog) action = key === 'Escape' ? () => s.openDialog(null) : null;
  else if (!action && !isEditable(e.target)) action = editShortcut(e, key);
  if (!action) return;
  e.preventDefault();
  action();
}

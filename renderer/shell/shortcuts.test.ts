import { emptyDocument, useEditor } from '../store';
import { handleShortcut } from './shortcuts';

const press = (key: string, mods: { ctrl?: boolean; shift?: boolean; meta?: boolean } = {}, target: EventTarget = document.body) => {
  const e = new KeyboardEvent('keydown', { key, ctrlKey: !!mods.ctrl, shiftKey: !!mods.shift, metaKey: !!mods.meta, cancelable: true });
  Object.defineProperty(e, 'target', { value: target });
  handleShortcut(e);
  return e.defaultPrevented;
};
const s = () => useEditor.getState();
const count = () => s().doc.nodes.length;

describe('keyboard shortcuts', () => {
  beforeEach(() => {
    s().loadDocument(emptyDocument());
    s().openDialog(null);
    const a = s().addNode('Input', { params: { shape: [4] } });
    s().addNode('Dense', { after: a });
  });

  it('select all, copy, paste, duplicate, delete, undo and redo', () => {
    expect(press('a', { ctrl: true })).toBe(true);
    expect(s().selectedNodes).toHaveLength(2);
    press('c', { ctrl: true });
    press('v', { ctrl: true });
    expect(count()).toBe(4);
    press('d', { meta: true }); // Cmd on macOS
    expect(count()).toBe(6);
    press('Delete');
    expect(count()).toBe(4);
    press('Backspace'); // nothing selected any more
    expect(count()).toBe(4);
    press('z', { ctrl: true });
    expect(count()).toBe(6);
    press('z', { ctrl: true, shift: true });
    expect(count()).toBe(4);
    press('z', { ctrl: true });
    press('y', { ctrl: true });
    expect(count()).toBe(4);
  });

  it('leaves editing keys to text fields, but file shortcuts work everywhere', () => {
    const input = document.createElement('input');
    s().selectAll();
    expect(press('Delete', {}, input)).toBe(false);
    expect(press('z', { ctrl: true }, input)).toBe(false);
    expect(count()).toBe(2);
    expect(press('s', { ctrl: true, shift: true }, input)).toBe(true); // Save As (web mode: the dialog)
    expect(s().dialog).toBe('saveAs');
    expect(press('Escape')).toBe(true);
    expect(s().dialog).toBeNull();
  });

  it('Enter on the canvas jumps to the palette search; Enter on a focused button is left alone', () => {
    const search = document.createElement('input');
    search.className = 'palette-search';
    document.body.appendChild(search);
    const button = document.createElement('button');
    expect(press('Enter', {}, button)).toBe(false);
    expect(press('Enter')).toBe(true);
    expect(document.activeElement).toBe(search);
    search.remove();
  });
});

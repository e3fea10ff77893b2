/** The `?` sheet: every keyboard shortcut (shell/shortcuts.ts SHORTCUTS), ⌘ for Ctrl on macOS. */
import { useEditor } from '../store';
import { Modal } from '../ui/Modal';
import { SHORTCUTS } from './shortcuts';

const mac = typeof navigator !== 'undefined' && /Mac/i.test(navigator.platform ?? '');

export function ShortcutSheet() {
  const close = () => useEditor.getState().openDialog(null);
  return (
    <Modal title="Keyboard shortcuts" onClose={close} testId="shortcut-sheet">
      <table className="shortcut-table">
        <tbody>
          {SHORTCUTS.map((k) => (
            <tr key={k.keys}><td><kbd>{mac ? k.keys.replace(/Ctrl\+/g, '⌘') : k.keys}</kbd></td><td>{k.what}</td></tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}

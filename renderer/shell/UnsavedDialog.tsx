/** "Save changes to “x”?" — Save, Don't save, Cancel (shell/unsaved.ts), over the open dialog. */
import { useEditor } from '../store';
import { Modal } from '../ui/Modal';

export function UnsavedDialog() {
  const prompt = useEditor((s) => s.prompt);
  if (!prompt) return null;
  return (
    <Modal title="Unsaved changes" onClose={() => prompt.answer('cancel')} testId="unsaved-dialog">
      <p>“{prompt.name}” has changes that are not saved. Save them first?</p>
      <div className="modal-actions">
        <button type="button" onClick={() => prompt.answer('cancel')}>Cancel</button>
        <button type="button" onClick={() => prompt.answer('discard')} data-testid="unsaved-discard">Don’t save</button>
        <button type="button" className="primary" onClick={() => prompt.answer('save')} autoFocus data-testid="unsaved-save">Save</button>
      </div>
    </Modal>
  );
}

/** The open document's effects on the page: window title, dirty flag for the host, autosave to the recovery copy. */
import { useEffect } from 'react';
import { serializeDocument } from '../../shared/document';
import { platform } from '../services/platform';
import { clearRecovery, writeRecovery } from '../services/recovery';
import { useEditor } from '../store';
import { fileName } from './commands';
import { rememberOpenFile } from './reopen';

const AUTOSAVE_MS = 800;

export /** Title, dirty flag for the shell, autosave to the recovery copy. */
function useDocumentEffects() {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let lastDirty: boolean | null = null;
    let wrote = false;
    const apply = () => {
      const s = useEditor.getState();
      const dirty = s.doc !== s.savedDoc;
      const name = fileName(s.filePath) ?? s.doc.name;
      const title = `${dirty ? '● ' : ''}${name} — Layerloom`;
      // Only on change: in the desktop app every title change is a message to the main process.
      if (document.title !== title) document.title = title;
      if (dirty !== lastDirty) {
        lastDirty = dirty;
        platform().setDirty(dirty, name);
      }
      if (!platform().desktop) rememberOpenFile(s.filePath);
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        const t = useEditor.getState();
        if (t.doc !== t.savedDoc) {
          writeRecovery({ text: serializeDocument(t.doc), filePath: t.filePath, savedAt: Date.now() });
          wrote = true;
        } else if (wrote) {
          // Back to the saved state (undo): our copy is stale. A copy left by an earlier session
          // stays until the person answers the restore offer.
          clearRecovery();
          wrote = false;
        }
      }, AUTOSAVE_MS);
    };
    apply();
    const off = useEditor.subscribe((s, prev) => {
      if (s.doc !== prev.doc || s.savedDoc !== prev.savedDoc || s.filePath !== prev.filePath) apply();
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, []);
}

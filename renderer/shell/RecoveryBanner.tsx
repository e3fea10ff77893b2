/** At start, unsaved work left by a crashed or closed session is offered for restore. */
import { useEffect, useState } from 'react';
import { clearRecovery, readRecovery, readRecoveryFromApp, type Recovery } from '../services/recovery';
import { useEditor } from '../store';
import { fileName, restoreText } from './commands';

// Read once per page (StrictMode runs effects twice in development).
let remoteRead: Promise<Recovery | null> | null = null;
const remoteRecovery = () => (remoteRead ??= readRecoveryFromApp());

export function RecoveryBanner() {
  const [rec, setRec] = useState<Recovery | null>(() => readRecovery());
  useEffect(() => {
    if (rec) return;
    let live = true;
    void remoteRecovery().then((r) => {
      // Only if nothing was edited meanwhile (the offer is about the previous session).
      const s = useEditor.getState();
      if (live && r && s.doc === s.savedDoc) setRec(r);
    });
    return () => {
      live = false;
    };
    // Once, at start.
  }, []);
  if (!rec) return null;
  return (
    <div className="banner" role="alert" data-testid="recovery">
      <span>Layerloom found unsaved work from {new Date(rec.savedAt).toLocaleString()}{rec.filePath ? ` (${fileName(rec.filePath)})` : ''}. Restore it?</span>
      <button type="button" className="primary" onClick={() => { restoreText(rec.text, rec.filePath); setRec(null); }}>Restore</button>
      <button type="button" onClick={() => { clearRecovery(); setRec(null); }}>Discard</button>
    </div>
  );
}

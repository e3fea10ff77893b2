/** The host's events (menu, close, files to open at start), the keyboard, and the settings read at start. */
import { useEffect } from 'react';
import { platform } from '../services/platform';
import { useEditor } from '../store';
import { openFile, runMenuCommand, save } from './commands';
import { takeReopenAfterReload } from './reopen';
import { handleShortcut } from './shortcuts';

export function usePlatformEvents() {
  useEffect(() => {
    const p = platform();
    const offMenu = p.onMenuCommand(runMenuCommand);
    const offClose = p.onBeforeClose((requestId) => void save().then((ok) => p.closeReady(requestId, ok)));
    const reopen = takeReopenAfterReload();
    const before = p.desktop ? null : reopen;
    void p.ready().then((files) => {
      const file = files[0] ?? before;
      if (file) void openFile(file);
    });
    const onKey = (e: KeyboardEvent) => handleShortcut(e);
    window.addEventListener('keydown', onKey);
    const onUnload = (e: BeforeUnloadEvent) => {
      const s = useEditor.getState();
      if (!p.desktop && s.doc !== s.savedDoc) e.preventDefault();
    };
    window.addEventListener('beforeunload', onUnload);
    void p.getSetting('editor.bottomHeight').then((h) => {
      if (typeof h === 'number') useEditor.getState().setBottomHeight(h);
    });
    void p.getSetting('editor.bottomOpen').then((o) => {
      if (typeof o === 'boolean') useEditor.getState().setBottomOpen(o);
    });
    void p.getSnapToGrid().then((on) => {
      if (on !== undefined) useEditor.getState().setSnapToGrid(on);
    });
    void p.getTheme().then((t) => {
      const dark = t === 'dark' || ((!t || t === 'system') && window.matchMedia?.('(prefers-color-scheme: dark)').matches);
      useEditor.getState().setTheme(dark ? 'dark' : 'light');
    });
    return () => {
      offMenu();
      offClose();
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('beforeunload', onUnload);
    };
  }, []);
}

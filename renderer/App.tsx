/** The editor screen: toolbar; palette | canvas | inspector; bottom panel (summary, problems, training). */
import { ReactFlowProvider } from '@xyflow/react';
import { useEffect, useState } from 'react';
import { serializeDocument } from '../shared/document';
import { BottomPanel } from './editor/BottomPanel';
import { Canvas } from './editor/Canvas';
import { fileName, openFile, restoreText, runMenuCommand, save } from './editor/commands';
import { Dialogs } from './editor/Dialogs';
import { ExportDialogs } from './export/ExportDialogs';
import { Inspector } from './editor/Inspector';
import { Palette } from './editor/Palette';
import { handleShortcut } from './editor/shortcuts';
import { Toolbar } from './editor/Toolbar';
import { platform } from './services/platform';
import { clearRecovery, readRecovery, readRecoveryFromApp, writeRecovery, type Recovery } from './services/recovery';
import { useEditor } from './store';
import { bottomPanelHeight } from './store/view';

const AUTOSAVE_MS = 800;

// Web mode: the open file survives a reload of the tab (F5 used to leave an empty "untitled").
const OPEN_FILE_KEY = 'layerloom.openFile';
function rememberOpenFile(path: string | null): void {
  try {
    if (path) sessionStorage.setItem(OPEN_FILE_KEY, path);
    else sessionStorage.removeItem(OPEN_FILE_KEY);
  } catch {
    /* storage unavailable: a reload starts empty, as before */
  }
}
function openFileBeforeReload(): string | null {
  try {
    return sessionStorage.getItem(OPEN_FILE_KEY);
  } catch {
    return null;
  }
}
// Read at load, before the first render's effects record the (still empty) new page; used once.
let reopenAfterReload = openFileBeforeReload();

/** Title, dirty flag for the shell, autosave to the recovery copy. */
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

function usePlatformEvents() {
  useEffect(() => {
    const p = platform();
    const offMenu = p.onMenuCommand(runMenuCommand);
    const offClose = p.onBeforeClose((requestId) => void save().then((ok) => p.closeReady(requestId, ok)));
    const before = p.desktop ? null : reopenAfterReload;
    reopenAfterReload = null;
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

// Read once per page (StrictMode runs effects twice in development).
let remoteRead: Promise<Recovery | null> | null = null;
const remoteRecovery = () => (remoteRead ??= readRecoveryFromApp());

function RecoveryBanner() {
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

function StatusBar() {
  const notice = useEditor((s) => s.notice);
  const nodes = useEditor((s) => s.doc.nodes.length);
  const selected = useEditor((s) => s.selectedNodes.length);
  return (
    <footer className="statusbar">
      <span className={notice?.kind === 'error' ? 'error' : undefined} data-testid="notice">{notice?.text ?? 'Ready'}</span>
      <span className="spacer" />
      <span>{nodes} layers{selected ? ` · ${selected} selected` : ''}</span>
    </footer>
  );
}

export function App() {
  const theme = useEditor((s) => s.theme);
  const bottomHeight = useEditor(bottomPanelHeight);
  const bottomOpen = useEditor((s) => s.bottomOpen);
  useDocumentEffects();
  usePlatformEvents();
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  return (
    <ReactFlowProvider>
      <div className="app" style={{ ['--bottom-h' as string]: bottomOpen ? `${bottomHeight}px` : '34px' }}>
        <Toolbar />
        <div className="banner-slot"><RecoveryBanner /></div>
        <main className="workspace">
          <Palette />
          <Canvas />
          <Inspector />
        </main>
        <BottomPanel />
        <StatusBar />
        <Dialogs />
        <ExportDialogs />
      </div>
    </ReactFlowProvider>
  );
}

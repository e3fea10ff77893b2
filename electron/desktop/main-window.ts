/**
 * The main window and what keeps it safe: sandboxed web preferences, the renderer's CSP, no
 * permissions, no navigation away, no new windows; its size and place remembered between launches.
 */
import { BrowserWindow, screen, session, shell, type WebContents } from 'electron';
import { loadWindowState, saveWindowState, type WindowState } from './window-state';

export const WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  spellcheck: false,
} as const;

// The CSP lives in its own module, free of Electron, so the e2e tests load the built renderer under exactly it.
export { rendererCsp } from './csp';

/** The renderer's CSP on every response; no camera, microphone, notifications...: only writing text to the clipboard. */
export function secureSession(csp: string): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => callback(permission === 'clipboard-sanitized-write'));
}

/** Every web contents: no navigation away, no new windows (https links open in the browser), no webviews. */
export function lockDown(contents: WebContents): void {
  contents.on('will-navigate', (ev, url) => {
    if (url !== contents.getURL()) ev.preventDefault();
  });
  contents.on('will-redirect', (ev) => ev.preventDefault());
  contents.on('will-attach-webview', (ev) => ev.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

export interface MainWindowOptions {
  /** `<userData>/window-state.json`. */
  stateFile: string;
  preload: string;
  icon: string;
  url: string;
  /** The window's 'close' listener (asks about unsaved changes, electron/desktop/close-guard.ts). */
  closeGuard: (w: BrowserWindow) => (event: { preventDefault(): void }) => void;
  /** The page started (re)loading: it no longer listens to menu commands. */
  onLoading: () => void;
  /** The page loaded. */
  onLoaded: () => void;
  onClosed: () => void;
}

const boundsOf = (w: BrowserWindow): WindowState => {
  const b = w.getNormalBounds();
  return { x: b.x, y: b.y, width: b.width, height: b.height, maximized: w.isMaximized() };
};

/** Save the window's size and place shortly after it moves or resizes, and when it closes. */
function rememberBounds(w: BrowserWindow, stateFile: string): void {
  let saveTimer: NodeJS.Timeout | undefined;
  const save = () => {
    if (!w.isDestroyed()) void saveWindowState(stateFile, boundsOf(w)).catch(() => undefined);
  };
  const later = () => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, 300);
  };
  w.on('resize', later);
  w.on('move', later);
  w.on('close', save);
}

export function createMainWindow(o: MainWindowOptions): BrowserWindow {
  const state = loadWindowState(o.stateFile, screen.getAllDisplays());
  const w = new BrowserWindow({
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    width: state.width,
    height: state.height,
    minWidth: 800,
    minHeight: 500,
    show: false,
    title: 'Layerloom',
    backgroundColor: '#1e1e1e',
    icon: o.icon,
    webPreferences: { ...WEB_PREFERENCES, preload: o.preload },
  });
  if (state.maximized) w.maximize();
  w.webContents.on('did-start-loading', o.onLoading);
  w.webContents.on('did-finish-load', o.onLoaded);
  w.once('ready-to-show', () => w.show());
  w.on('close', o.closeGuard(w));
  rememberBounds(w, o.stateFile);
  w.on('closed', o.onClosed);
  void w.loadURL(o.url);
  return w;
}

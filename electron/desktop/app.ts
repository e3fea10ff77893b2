/**
 * The desktop app: lifecycle, the window, menus, dialogs and IPC, wired to the shared handlers.
 * `electron/desktop/main.ts` calls `bootstrap()`; tests call it with Electron mocked at the boundary.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, screen, session, shell, utilityProcess, type WebContents } from 'electron';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { EventName, EventOf, MenuCommand } from '../../shared/ipc/contract';
import { CloseGuard } from './close-guard';
import { rendererCsp } from './csp';
import { DesktopFiles } from './desktop-files';
import { EngineSupervisor } from '../host/engine-supervisor';
import { utilityEngine } from './engine-utility';
import { createHandlers, loadTemplates } from '../host/handlers';
import { makeSenderCheck, registerIpc, sendEvent } from './ipc';
import { buildMenuTemplate } from './menu';
import { SettingsStore } from '../host/settings';
import { StagingArea, sweepStaleStaging } from '../host/staging';
import { loadWindowState, saveWindowState, type WindowState } from './window-state';

/** dist/electron (bundled) — the renderer is in dist/renderer, assets beside dist. */
const here = dirname(fileURLToPath(import.meta.url));

export interface BootstrapOptions {
  /** Vite dev server URL (`npm run dev`); default: LAYERLOOM_DEV_URL, else the built renderer. */
  devUrl?: string;
  /** The app's root (where dist/ and assets/ are). */
  root?: string;
}

/** `.loom` paths in a command line (skipping Electron's own flags and the app path). */
export function fileArgs(argv: string[], cwd = process.cwd()): string[] {
  return argv.slice(1).filter((a) => !a.startsWith('-') && a.toLowerCase().endsWith('.loom')).map((a) => resolve(cwd, a));
}

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

export function bootstrap(opts: BootstrapOptions = {}) {
  const root = opts.root ?? resolve(here, '..', '..');
  const devUrl = opts.devUrl ?? process.env.LAYERLOOM_DEV_URL;
  const rendererUrl = devUrl ?? pathToFileURL(join(root, 'dist', 'renderer', 'index.html')).href;
  const dev = !!devUrl || !app.isPackaged;

  if (process.platform === 'win32') app.setAppUserModelId('org.layerloom.app');
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }

  let win: BrowserWindow | null = null;
  const pendingOpen: string[] = fileArgs(process.argv);
  /** The renderer has called app.ready (it listens to menu commands); reset when the page reloads. */
  let rendererReady = false;
  const userData = app.getPath('userData');
  const settings = new SettingsStore(join(userData, 'settings.json'), (m) => console.warn(m));
  const stateFile = join(userData, 'window-state.json');

  const emit = <E extends EventName>(name: E, payload: EventOf<E>) => sendEvent(win?.webContents, name, payload);
  const command = (c: MenuCommand, arg?: string) => emit('menu.command', { command: c, ...(arg !== undefined ? { arg } : {}) });

  // utilityProcess deaths (with the 'oom' reason) are reported app-wide: fan them out to the engine.
  const goneListeners = new Set<(pid: number | undefined, reason: string) => void>();
  app.on('child-process-gone', (_e, d) => {
    if (d.type === 'Utility') for (const l of goneListeners) l((d as { pid?: number }).pid, d.reason);
  });

  const engine = new EngineSupervisor({
    spawn: utilityEngine(
      (p, a, o) => utilityProcess.fork(p, a, o),
      join(here, 'engine-worker.mjs'),
      // Packaged: the .wasm binaries and the built-in datasets are unpacked beside app.asar
      // (electron-builder.yml asarUnpack); the bundled engine cannot find them from its own path.
      app.isPackaged
        ? {
          LAYERLOOM_WASM_DIR: join(process.resourcesPath, 'app.asar.unpacked', 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist'),
          LAYERLOOM_DATASETS_DIR: join(process.resourcesPath, 'app.asar.unpacked', 'assets', 'datasets'),
        }
        : {},
      (listener) => {
        goneListeners.add(listener);
        return () => goneListeners.delete(listener);
      },
    ),
    onTrainEvent: (e) => emit('train.event', e),
    onStatus: (s) => emit('engine.status', s),
    log: (m) => console.warn(m),
  });

  const guard = new CloseGuard({ dialog, requestSave: (requestId) => emit('app.beforeClose', { requestId }) });
  const templatesDir = join(root, 'assets', 'templates');
  let templates: { id: string; name: string }[] = [];

  const rebuildMenu = async () => {
    const s = await settings.get();
    Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate({
      platform: process.platform,
      appName: app.getName(),
      dev,
      recent: s.recentFiles.map((p) => ({ path: p, name: basename(p) })),
      templates,
      send: command,
      clearRecent: () => {
        app.clearRecentDocuments();
        void settings.set({ recentFiles: [] }).then(rebuildMenu);
      },
    })));
  };

  // Runs of unsaved documents wait in a temporary folder, removed at quit; a start removes the
  // folders of instances that crashed (never those of another running one).
  void sweepStaleStaging();
  const staging = new StagingArea();
  const handlers = createHandlers({
    staging,
    mode: 'electron',
    version: app.getVersion(),
    files: new DesktopFiles(dialog, () => win, () => app.getPath('documents')),
    settings,
    engine,
    templatesDir,
    onDirty: (dirty, name) => {
      guard.setDirty(dirty, name);
      win?.setDocumentEdited(dirty);
    },
    onCloseReady: (id, close) => guard.closeReady(id, close),
    takeOpenFiles: () => {
      rendererReady = true;
      return pendingOpen.splice(0);
    },
    onRecent: (p) => {
      app.addRecentDocument(p);
      void rebuildMenu();
    },
  });

  const isTrusted = makeSenderCheck({ isOurWebContents: (wc: WebContents) => !!win && wc === win.webContents, rendererUrl });
  registerIpc(ipcMain, handlers, isTrusted);

  const openFile = (path: string) => {
    if (win && rendererReady) {
      command('openFile', path);
      if (win.isMinimized()) win.restore();
      win.focus();
    } else {
      pendingOpen.push(path); // handed over by app.ready
    }
  };

  app.on('second-instance', (_e, argv, cwd) => {
    for (const f of fileArgs(argv, cwd)) openFile(f);
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.on('open-file', (e, path) => {
    e.preventDefault();
    openFile(path);
  });

  // Every web contents: no navigation away, no new windows, no webviews, no permissions.
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (ev, url) => {
      if (url !== contents.getURL()) ev.preventDefault();
    });
    contents.on('will-redirect', (ev) => ev.preventDefault());
    contents.on('will-attach-webview', (ev) => ev.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (/^https:\/\//.test(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });

  const createWindow = () => {
    const state = loadWindowState(stateFile, screen.getAllDisplays());
    win = new BrowserWindow({
      ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
      width: state.width,
      height: state.height,
      minWidth: 800,
      minHeight: 500,
      show: false,
      title: 'Layerloom',
      backgroundColor: '#1e1e1e',
      // Packaged: electron-builder.yml copies it to resources/ (build resources are not packed).
      icon: app.isPackaged ? join(process.resourcesPath, 'icon-512.png') : join(root, 'assets', 'icons', 'icon-512.png'),
      webPreferences: { ...WEB_PREFERENCES, preload: join(here, 'preload.cjs') },
    });
    if (state.maximized) win.maximize();
    const w = win;
    w.webContents.on('did-start-loading', () => {
      rendererReady = false;
    });
    w.webContents.on('did-finish-load', () => emit('engine.status', engine.getStatus()));
    w.once('ready-to-show', () => w.show());
    let saveTimer: NodeJS.Timeout | undefined;
    const remember = () => {
      clearTimeout(saveTimer);
      saveTimer = setTimeout(() => {
        if (w.isDestroyed()) return;
        const b = w.getNormalBounds();
        const next: WindowState = { x: b.x, y: b.y, width: b.width, height: b.height, maximized: w.isMaximized() };
        void saveWindowState(stateFile, next).catch(() => undefined);
      }, 300);
    };
    w.on('resize', remember);
    w.on('move', remember);
    w.on('close', guard.listener(w));
    w.on('close', () => {
      if (!w.isDestroyed()) {
        const b = w.getNormalBounds();
        void saveWindowState(stateFile, { x: b.x, y: b.y, width: b.width, height: b.height, maximized: w.isMaximized() }).catch(() => undefined);
      }
    });
    w.on('closed', () => {
      if (win === w) win = null;
    });
    void w.loadURL(rendererUrl);
    return w;
  };

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (!win) createWindow();
  });
  app.on('will-quit', () => {
    engine.dispose();
    staging.disposeSync();
  });

  const ready = app.whenReady().then(async () => {
    const csp = rendererCsp(devUrl);
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
    });
    // No camera, microphone, notifications, geolocation...: only writing text to the clipboard.
    session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => callback(permission === 'clipboard-sanitized-write'));
    templates = (await loadTemplates(templatesDir)).map((t) => ({ id: t.id, name: t.name }));
    await rebuildMenu();
    createWindow();
  });

  return { ready, engine, guard, handlers, window: () => win, openFile, settings };
}


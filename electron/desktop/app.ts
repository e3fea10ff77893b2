/**
 * The desktop app: lifecycle, the window, menus, dialogs and IPC, wired to the shared handlers.
 * `electron/desktop/main.ts` calls `bootstrap()`; tests call it with Electron mocked at the boundary.
 */
import { app, dialog, ipcMain, Menu, utilityProcess, type BrowserWindow, type WebContents } from 'electron';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { EventName, EventOf, MenuCommand } from '../../shared/ipc/contract';
import type { Handlers } from '../../shared/ipc/rpc';
import { EngineSupervisor } from '../host/engine-supervisor';
import { createHandlers, loadTemplates } from '../host/handlers';
import { SettingsStore } from '../host/settings';
import { StagingArea, sweepStaleStaging } from '../host/staging';
import { CloseGuard } from './close-guard';
import { DesktopFiles } from './desktop-files';
import { utilityEngine } from './engine-utility';
import { makeSenderCheck, registerIpc, sendEvent } from './ipc';
import { createMainWindow, lockDown, rendererCsp, secureSession } from './main-window';
import { buildMenuTemplate } from './menu';

export { rendererCsp, WEB_PREFERENCES } from './main-window';

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

interface Paths {
  root: string;
  devUrl?: string;
  rendererUrl: string;
  dev: boolean;
  templatesDir: string;
  userData: string;
}

function pathsOf(opts: BootstrapOptions): Paths {
  const root = opts.root ?? resolve(here, '..', '..');
  const devUrl = opts.devUrl ?? process.env.LAYERLOOM_DEV_URL;
  return {
    root,
    ...(devUrl ? { devUrl } : {}),
    rendererUrl: devUrl ?? pathToFileURL(join(root, 'dist', 'renderer', 'index.html')).href,
    dev: !!devUrl || !app.isPackaged,
    templatesDir: join(root, 'assets', 'templates'),
    userData: app.getPath('userData'),
  };
}

/** The window, and whether its page listens to menu commands yet (files to open wait until it does). */
class WindowSlot {
  win: BrowserWindow | null = null;
  /** The renderer has called app.ready; reset when the page reloads. */
  rendererReady = false;
  readonly pendingOpen: string[] = fileArgs(process.argv);

  readonly emit = <E extends EventName>(name: E, payload: EventOf<E>) => sendEvent(this.win?.webContents, name, payload);
  readonly command = (c: MenuCommand, arg?: string) => this.emit('menu.command', { command: c, ...(arg !== undefined ? { arg } : {}) });

  focus(): void {
    if (!this.win) return;
    if (this.win.isMinimized()) this.win.restore();
    this.win.focus();
  }

  /** Open a file: now when the page listens, else handed over by app.ready. */
  readonly openFile = (path: string) => {
    if (!this.win || !this.rendererReady) {
      this.pendingOpen.push(path);
      return;
    }
    this.command('openFile', path);
    this.focus();
  };
}

/**
 * Packaged: the .wasm binaries and the built-in datasets are unpacked beside app.asar
 * (electron-builder.yml asarUnpack); the bundled engine cannot find them from its own path.
 */
function packagedEngineEnv(): NodeJS.ProcessEnv {
  return {
    LAYERLOOM_WASM_DIR: join(process.resourcesPath, 'app.asar.unpacked', 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist'),
    LAYERLOOM_DATASETS_DIR: join(process.resourcesPath, 'app.asar.unpacked', 'assets', 'datasets'),
  };
}

/** The engine process (a utilityProcess running the bundled worker), supervised. */
function createEngine(slot: WindowSlot): EngineSupervisor {
  // utilityProcess deaths (with the 'oom' reason) are reported app-wide: fan them out to the engine.
  const goneListeners = new Set<(pid: number | undefined, reason: string) => void>();
  app.on('child-process-gone', (_e, d) => {
    const pid = 'pid' in d && typeof d.pid === 'number' ? d.pid : undefined;
    if (d.type === 'Utility') for (const l of goneListeners) l(pid, d.reason);
  });
  const env = app.isPackaged ? packagedEngineEnv() : {};
  const gone = (listener: (pid: number | undefined, reason: string) => void) => {
    goneListeners.add(listener);
    return () => goneListeners.delete(listener);
  };
  return new EngineSupervisor({
    spawn: utilityEngine((p, a, o) => utilityProcess.fork(p, a, o), join(here, 'engine-worker.mjs'), env, gone),
    onTrainEvent: (e) => slot.emit('train.event', e),
    onStatus: (s) => slot.emit('engine.status', s),
    log: (m) => console.warn(m),
  });
}

/** The native menu, rebuilt when the recent files or the templates change. */
function menuOf(slot: WindowSlot, settings: SettingsStore, dev: boolean) {
  let templates: { id: string; name: string }[] = [];
  const rebuild = async (): Promise<void> => {
    const s = await settings.get();
    Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate({
      platform: process.platform,
      appName: app.getName(),
      dev,
      recent: s.recentFiles.map((p) => ({ path: p, name: basename(p) })),
      templates,
      send: slot.command,
      clearRecent: () => {
        app.clearRecentDocuments();
        void settings.set({ recentFiles: [] }).then(rebuild);
      },
    })));
  };
  const setTemplates = (t: { id: string; name: string }[]) => {
    templates = t;
  };
  return { rebuild, setTemplates };
}

interface Services {
  settings: SettingsStore;
  engine: EngineSupervisor;
  guard: CloseGuard;
  staging: StagingArea;
  menu: ReturnType<typeof menuOf>;
}

/** The shared handlers with the desktop's files (native dialogs), the close prompt and the OS's recent documents. */
function desktopHandlers(slot: WindowSlot, s: Services, templatesDir: string): Handlers {
  return createHandlers({
    staging: s.staging,
    mode: 'electron',
    version: app.getVersion(),
    files: new DesktopFiles(dialog, () => slot.win, () => app.getPath('documents')),
    settings: s.settings,
    engine: s.engine,
    emit: slot.emit,
    templatesDir,
    onDirty: (dirty, name) => {
      s.guard.setDirty(dirty, name);
      slot.win?.setDocumentEdited(dirty);
    },
    onCloseReady: (id, close) => s.guard.closeReady(id, close),
    takeOpenFiles: () => {
      slot.rendererReady = true;
      return slot.pendingOpen.splice(0);
    },
    onRecent: (p) => {
      app.addRecentDocument(p);
      void s.menu.rebuild();
    },
  });
}

/** Files the OS or a second launch asks to open. */
function listenForFiles(slot: WindowSlot): void {
  app.on('second-instance', (_e, argv, cwd) => {
    for (const f of fileArgs(argv, cwd)) slot.openFile(f);
    slot.focus();
  });
  app.on('open-file', (e, path) => {
    e.preventDefault();
    slot.openFile(path);
  });
}

function openWindow(slot: WindowSlot, paths: Paths, s: Services): BrowserWindow {
  slot.win = createMainWindow({
    stateFile: join(paths.userData, 'window-state.json'),
    preload: join(here, 'preload.cjs'),
    // Packaged: electron-builder.yml copies it to resources/ (build resources are not packed).
    icon: app.isPackaged ? join(process.resourcesPath, 'icon-512.png') : join(paths.root, 'assets', 'icons', 'icon-512.png'),
    url: paths.rendererUrl,
    closeGuard: (w) => s.guard.listener(w),
    onLoading: () => {
      slot.rendererReady = false;
    },
    onLoaded: () => slot.emit('engine.status', s.engine.getStatus()),
    onClosed: () => {
      slot.win = null;
    },
  });
  return slot.win;
}

/** Quit with the last window (not on macOS), reopen on activate, stop the engine and remove staged runs at quit. */
function handleLifecycle(slot: WindowSlot, paths: Paths, s: Services): void {
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (!slot.win) openWindow(slot, paths, s);
  });
  app.on('will-quit', () => {
    s.engine.dispose();
    s.staging.disposeSync();
  });
  app.on('web-contents-created', (_e, contents: WebContents) => lockDown(contents));
}

export function bootstrap(opts: BootstrapOptions = {}) {
  if (process.platform === 'win32') app.setAppUserModelId('org.layerloom.app');
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  const paths = pathsOf(opts);
  const slot = new WindowSlot();
  const settings = new SettingsStore(join(paths.userData, 'settings.json'), (m) => console.warn(m));
  // Runs of unsaved documents wait in a temporary folder, removed at quit; a start removes the
  // folders of instances that crashed (never those of another running one).
  void sweepStaleStaging();
  const s: Services = {
    settings,
    engine: createEngine(slot),
    guard: new CloseGuard({ dialog, requestSave: (requestId) => slot.emit('app.beforeClose', { requestId }) }),
    staging: new StagingArea(),
    menu: menuOf(slot, settings, paths.dev),
  };
  const handlers = desktopHandlers(slot, s, paths.templatesDir);
  registerIpc(ipcMain, handlers, makeSenderCheck({ isOurWebContents: (wc: WebContents) => !!slot.win && wc === slot.win.webContents, rendererUrl: paths.rendererUrl }));
  listenForFiles(slot);
  handleLifecycle(slot, paths, s);
  const ready = app.whenReady().then(async () => {
    secureSession(rendererCsp(paths.devUrl));
    s.menu.setTemplates((await loadTemplates(paths.templatesDir)).map((t) => ({ id: t.id, name: t.name })));
    await s.menu.rebuild();
    openWindow(slot, paths, s);
  });
  return { ready, engine: s.engine, guard: s.guard, handlers, window: () => slot.win, openFile: slot.openFile, settings };
}

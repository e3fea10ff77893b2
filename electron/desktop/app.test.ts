/** The desktop app with Electron's APIs stubbed at the boundary (vi.mock('electron')). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REQUEST_NAMES } from '../../shared/ipc/contract';

const h = vi.hoisted(() => {
  type Fn = (...a: any[]) => any;
  const appListeners = new Map<string, Fn[]>();
  const on = (map: Map<string, Fn[]>) => (ev: string, fn: Fn) => {
    map.set(ev, [...(map.get(ev) ?? []), fn]);
  };
  const state = { userData: '', lock: true, windows: [] as any[], handlers: new Map<string, Fn>() };
  class FakeWebContents {
    send = vi.fn();
    listeners = new Map<string, Fn[]>();
    on = on(this.listeners);
    mainFrame: any;
    constructor(url: string) {
      this.mainFrame = { url, parent: null };
    }
    isDestroyed = () => false;
    isLoading = () => false;
    getURL = () => this.mainFrame.url;
  }
  class BrowserWindow {
    listeners = new Map<string, Fn[]>();
    webContents = new FakeWebContents('');
    opts: any;
    closed = 0;
    constructor(opts: any) {
      this.opts = opts;
      state.windows.push(this);
    }
    on = on(this.listeners);
    once = on(this.listeners);
    emit(ev: string, ...a: any[]) {
      for (const f of this.listeners.get(ev) ?? []) f(...a);
    }
    loadURL = vi.fn(async (url: string) => {
      this.webContents.mainFrame.url = url;
    });
    show = vi.fn();
    maximize = vi.fn();
    focus = vi.fn();
    restore = vi.fn();
    isMinimized = () => false;
    isMaximized = () => false;
    isDestroyed = () => false;
    setDocumentEdited = vi.fn();
    getNormalBounds = () => ({ x: 10, y: 20, width: 1000, height: 700 });
    close = vi.fn(() => {
      this.closed++;
      const ev = { prevented: false, preventDefault() { this.prevented = true; } };
      this.emit('close', ev);
      return ev.prevented;
    });
  }
  const electron = {
    app: {
      on: on(appListeners),
      requestSingleInstanceLock: vi.fn(() => state.lock),
      quit: vi.fn(),
      getPath: vi.fn((n: string) => join(state.userData, n === 'userData' ? '' : n)),
      isPackaged: false,
      getName: () => 'Layerloom',
      getVersion: () => '0.1.0',
      whenReady: () => Promise.resolve(),
      addRecentDocument: vi.fn(),
      clearRecentDocuments: vi.fn(),
    },
    BrowserWindow,
    ipcMain: { handle: vi.fn((ch: string, fn: Fn) => state.handlers.set(ch, fn)), removeHandler: vi.fn() },
    dialog: { showOpenDialog: vi.fn(), showSaveDialog: vi.fn(), showMessageBox: vi.fn() },
    Menu: { setApplicationMenu: vi.fn(), buildFromTemplate: vi.fn((t: unknown) => t) },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    session: { defaultSession: { webRequest: { onHeadersReceived: vi.fn() }, setPermissionRequestHandler: vi.fn() } },
    shell: { openExternal: vi.fn() },
    utilityProcess: { fork: vi.fn() },
  };
  const join = (...p: string[]) => p.filter(Boolean).join('/');
  const emitApp = (ev: string, ...a: any[]) => appListeners.get(ev)?.map((f) => f(...a));
  return { electron, state, appListeners, emitApp, FakeWebContents };
});

vi.mock('electron', () => h.electron);

const { bootstrap, fileArgs } = await import('./app');

let userData: string;
beforeEach(() => {
  userData = mkdtempSync(join(tmpdir(), 'll-userdata-'));
  h.state.userData = userData;
  h.state.lock = true;
  h.state.windows.length = 0;
  h.state.handlers.clear();
  h.appListeners.clear();
  vi.clearAllMocks();
});
afterEach(() => rmSync(userData, { recursive: true, force: true }));

async function start(argv?: string[]) {
  const saved = process.argv;
  if (argv) process.argv = argv;
  try {
    const shell = bootstrap({ root: '/opt/layerloom' })!;
    await shell.ready;
    return { shell, win: h.state.windows[0], wc: h.state.windows[0].webContents };
  } finally {
    process.argv = saved;
  }
}

/** Call an IPC request as the renderer would (event from the window's main frame by default). */
function invoke(name: string, payload: unknown, event?: any) {
  const win = h.state.windows[0];
  const ev = event ?? { sender: win.webContents, senderFrame: win.webContents.mainFrame };
  return h.state.handlers.get(`layerloom:${name}`)!(ev, payload);
}

describe('desktop app (Electron mocked)', () => {
  it('opens one secure window on the built renderer, with menus, CSP and no permissions', async () => {
    const { win } = await start();
    expect(h.state.windows).toHaveLength(1);
    expect(win.opts.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(win.opts.webPreferences.preload).toMatch(/preload\.cjs$/);
    expect(win.loadURL).toHaveBeenCalledWith('file:///opt/layerloom/dist/renderer/index.html');
    const template = h.electron.Menu.setApplicationMenu.mock.calls.at(-1)![0] as { label: string; submenu: { label?: string }[] }[];
    const labels = template.map((m) => m.label.replace('&', ''));
    expect(labels).toEqual(expect.arrayContaining(['File', 'Edit', 'View', 'Run', 'Help']));
    const file = template.find((m) => m.label === '&File')!.submenu.map((i) => i.label);
    expect(file).toEqual(expect.arrayContaining(['New', 'New from Template', 'Open…', 'Open Recent', 'Save', 'Save As…', 'Import Model…', 'Export…', 'Close']));
    const edit = template.find((m) => m.label === '&Edit')!.submenu.map((i) => i.label);
    expect(edit).toEqual(expect.arrayContaining(['Undo', 'Redo', 'Cut', 'Copy', 'Paste', 'Select All', 'Delete']));
    const run = template.find((m) => m.label === '&Run')!.submenu.map((i) => i.label);
    expect(run).toEqual(expect.arrayContaining(['Train', 'Stop', 'Evaluate', 'Explain…']));
    // A menu item sends its command to the renderer.
    (template.find((m) => m.label === '&Run')!.submenu[0] as { click(): void }).click();
    expect(win.webContents.send).toHaveBeenCalledWith('layerloom:event:menu.command', { command: 'train' });
    // The CSP header is added to every response.
    const onHeaders = h.electron.session.defaultSession.webRequest.onHeadersReceived.mock.calls[0]![0];
    const cb = vi.fn();
    onHeaders({ responseHeaders: {} }, cb);
    expect(cb.mock.calls[0]![0].responseHeaders['Content-Security-Policy'][0]).toMatch(/default-src 'self'.*object-src 'none'/);
    const perm = h.electron.session.defaultSession.setPermissionRequestHandler.mock.calls[0]![0];
    const allow = vi.fn();
    perm(null, 'media', allow);
    perm(null, 'geolocation', allow);
    perm(null, 'clipboard-sanitized-write', allow);
    expect(allow.mock.calls).toEqual([[false], [false], [true]]);
  });

  it('refuses a second instance and forwards its files to the first', async () => {
    const { wc } = await start();
    // Before the renderer is ready, files wait for app.ready.
    h.emitApp('second-instance', {}, ['electron', 'early.loom'], '/home/me');
    expect(wc.send).not.toHaveBeenCalled();
    expect(await invoke('app.ready', {})).toEqual({ ok: true, value: { openFiles: ['/home/me/early.loom'] } });
    h.emitApp('second-instance', {}, ['electron', '--flag', 'models/x.loom', 'notes.txt'], '/home/me');
    expect(wc.send).toHaveBeenCalledWith('layerloom:event:menu.command', { command: 'openFile', arg: '/home/me/models/x.loom' });
    h.state.lock = false;
    h.state.windows.length = 0;
    expect(bootstrap({ root: '/opt/layerloom' })).toBeNull();
    expect(h.electron.app.quit).toHaveBeenCalled();
  });

  it('opens a .loom file passed on the command line once the renderer is ready', async () => {
    await start(['/usr/bin/layerloom', '/tmp/a.loom']);
    expect(await invoke('app.ready', {})).toEqual({ ok: true, value: { openFiles: ['/tmp/a.loom'] } });
    expect(await invoke('app.ready', {})).toEqual({ ok: true, value: { openFiles: [] } });
    expect(fileArgs(['app', '--inspect', 'm.LOOM', 'x.txt'], '/w')).toEqual(['/w/m.LOOM']);
  });

  it('registers every request, validates payloads and refuses untrusted senders', async () => {
    const { wc } = await start();
    for (const n of REQUEST_NAMES) expect(h.state.handlers.has(`layerloom:${n}`)).toBe(true);
    expect(await invoke('app.info', {})).toMatchObject({ ok: true, value: { mode: 'electron', version: '0.1.0' } });
    expect(await invoke('file.save', { path: 1 })).toMatchObject({ ok: false, error: { code: 'invalid-request', message: /path/ } });
    const stranger = new h.FakeWebContents('file:///opt/layerloom/dist/renderer/index.html');
    expect(await invoke('app.info', {}, { sender: stranger, senderFrame: stranger.mainFrame })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const child = { url: wc.mainFrame.url, parent: wc.mainFrame };
    expect(await invoke('app.info', {}, { sender: wc, senderFrame: child })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    wc.mainFrame.url = 'https://evil.example/';
    expect(await invoke('app.info', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('blocks navigation, new windows and webviews', async () => {
    await start();
    const contents = new h.FakeWebContents('file:///opt/layerloom/dist/renderer/index.html') as any;
    let openHandler: any;
    contents.setWindowOpenHandler = (f: any) => (openHandler = f);
    h.emitApp('web-contents-created', {}, contents);
    const ev = { preventDefault: vi.fn() };
    contents.listeners.get('will-navigate')[0](ev, 'https://evil.example/');
    expect(ev.preventDefault).toHaveBeenCalled();
    const wv = { preventDefault: vi.fn() };
    contents.listeners.get('will-attach-webview')[0](wv);
    expect(wv.preventDefault).toHaveBeenCalled();
    expect(openHandler({ url: 'https://example.com/docs' })).toEqual({ action: 'deny' });
    expect(h.electron.shell.openExternal).toHaveBeenCalledWith('https://example.com/docs');
    expect(openHandler({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(h.electron.shell.openExternal).toHaveBeenCalledTimes(1);
  });

  it('asks before closing with unsaved changes: Save waits for the renderer, Cancel keeps the window, Don\'t Save closes', async () => {
    const { win, wc } = await start();
    // Clean document: closes without asking.
    expect(win.close()).toBe(false);
    await invoke('app.setDirty', { dirty: true, name: 'mnist' });
    expect(win.setDocumentEdited).toHaveBeenCalledWith(true);

    h.electron.dialog.showMessageBox.mockResolvedValueOnce({ response: 2 }); // Cancel
    expect(win.close()).toBe(true);
    await vi.waitFor(() => expect(h.electron.dialog.showMessageBox).toHaveBeenCalledTimes(1));
    expect(h.electron.dialog.showMessageBox.mock.calls[0]![1].message).toMatch(/"mnist"/);
    await new Promise((r) => setTimeout(r, 10));
    expect(win.close).toHaveBeenCalledTimes(2); // the clean close and the canceled one; main did not close again

    h.electron.dialog.showMessageBox.mockResolvedValueOnce({ response: 0 }); // Save
    expect(win.close()).toBe(true);
    await vi.waitFor(() => expect(wc.send).toHaveBeenCalledWith('layerloom:event:app.beforeClose', { requestId: expect.any(String) }));
    const { requestId } = wc.send.mock.calls.find((c: any[]) => c[0] === 'layerloom:event:app.beforeClose')[1];
    expect(await invoke('app.closeReady', { requestId, close: true })).toEqual({ ok: true, value: { ok: true } });
    await vi.waitFor(() => expect(win.close).toHaveBeenCalledTimes(4)); // closed again by main, this time allowed
    expect(win.close.mock.results[3]!.value).toBe(false);
  });

  it('Don\'t Save closes at once', async () => {
    const { win } = await start();
    await invoke('app.setDirty', { dirty: true });
    h.electron.dialog.showMessageBox.mockResolvedValueOnce({ response: 1 });
    win.close();
    await vi.waitFor(() => expect(win.close).toHaveBeenCalledTimes(2));
  });

  it('restores the window where it was, unless that place is off-screen', async () => {
    writeFileSync(join(userData, 'window-state.json'), JSON.stringify({ x: 100, y: 50, width: 1200, height: 800, maximized: true }));
    let { win } = await start();
    expect(win.opts).toMatchObject({ x: 100, y: 50, width: 1200, height: 800 });
    expect(win.maximize).toHaveBeenCalled();
    // Saved on close.
    win.emit('close', { preventDefault() {} });
    await vi.waitFor(() => expect(JSON.parse(readFileSync(join(userData, 'window-state.json'), 'utf8'))).toMatchObject({ x: 10, y: 20, width: 1000 }));

    writeFileSync(join(userData, 'window-state.json'), JSON.stringify({ x: 5000, y: 50, width: 1200, height: 800 }));
    h.state.windows.length = 0;
    h.appListeners.clear();
    ({ win } = await start());
    expect(win.opts.x).toBeUndefined();
    expect(win.opts.width).toBe(1200);
  });

  it('opens and saves through native dialogs, atomically, and remembers recent files', async () => {
    await start();
    const doc = join(userData, 'model.loom');
    writeFileSync(doc, '{"v":1}');
    h.electron.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [doc] });
    expect(await invoke('file.open', {})).toEqual({ ok: true, value: { canceled: false, path: doc, name: 'model.loom', text: '{"v":1}' } });
    h.electron.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: true, filePaths: [] });
    expect(await invoke('file.open', {})).toEqual({ ok: true, value: { canceled: true } });

    const target = join(userData, 'copy');
    h.electron.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: target });
    expect(await invoke('file.saveAs', { text: 'NEW', suggestedName: 'mnist' })).toMatchObject({ ok: true, value: { path: `${target}.loom` } });
    expect(h.electron.dialog.showSaveDialog.mock.calls[0]![1].defaultPath).toMatch(/mnist\.loom$/);
    expect(readFileSync(`${target}.loom`, 'utf8')).toBe('NEW');
    expect(await invoke('file.save', { path: 'relative.loom', text: 'x' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await invoke('file.save', { path: join(userData, 'x.sh'), text: 'x' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(existsSync(join(userData, 'x.sh'))).toBe(false);

    expect((await invoke('file.recent', {})).value.files.map((f: { path: string }) => f.path)).toEqual([`${target}.loom`, doc]);
    expect(h.electron.app.addRecentDocument).toHaveBeenCalledWith(doc);
    const settings = JSON.parse(readFileSync(join(userData, 'settings.json'), 'utf8'));
    expect(settings.recentFiles).toEqual([`${target}.loom`, doc]);
  });

  it('keeps settings per user, validated; a damaged file is set aside', async () => {
    writeFileSync(join(userData, 'settings.json'), '{"theme": "neon"');
    await start();
    expect(await invoke('settings.get', {})).toMatchObject({ ok: true, value: { theme: 'system' } });
    expect(existsSync(join(userData, 'settings.json.bad'))).toBe(true);
    expect(await invoke('settings.set', { theme: 'dark', ui: { panel: 300 } })).toMatchObject({ ok: true, value: { theme: 'dark', ui: { panel: 300 } } });
    expect(JSON.parse(readFileSync(join(userData, 'settings.json'), 'utf8'))).toMatchObject({ theme: 'dark' });
    expect(await invoke('settings.set', { theme: 'neon' })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });
});

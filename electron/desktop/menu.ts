/**
 * The native menu, as a template built from plain data (testable without Electron). Items that act
 * on the document send a `menu.command` to the renderer; text editing (cut/copy/paste/select all)
 * uses Electron's roles so inputs behave natively — the renderer sees the DOM copy/paste events and
 * handles nodes on the canvas itself.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../../shared/ipc/contract';

export interface MenuContext {
  platform: NodeJS.Platform;
  appName: string;
  dev: boolean;
  recent: { path: string; name: string }[];
  templates: { id: string; name: string }[];
  send: (command: MenuCommand, arg?: string) => void;
  clearRecent: () => void;
}

type Item = MenuItemConstructorOptions;
type Cmd = (label: string, command: MenuCommand, accelerator?: string) => Item;

function fileMenu(ctx: MenuContext, cmd: Cmd, mac: boolean): Item {
  return {
    label: '&File',
    submenu: [
      cmd('New', 'new', 'CmdOrCtrl+N'),
      {
        label: 'New from Template',
        submenu: ctx.templates.length
          ? ctx.templates.map((t) => ({ label: t.name, click: () => ctx.send('newFromTemplate', t.id) }))
          : [{ label: 'No templates', enabled: false }],
      },
      { type: 'separator' },
      cmd('Open…', 'open', 'CmdOrCtrl+O'),
      recentMenu(ctx),
      { type: 'separator' },
      cmd('Save', 'save', 'CmdOrCtrl+S'),
      cmd('Save As…', 'saveAs', 'Shift+CmdOrCtrl+S'),
      { type: 'separator' },
      cmd('Import Model…', 'importModel', 'CmdOrCtrl+I'),
      cmd('Load Weights…', 'loadWeights'),
      cmd('Export…', 'export', 'CmdOrCtrl+E'),
      { type: 'separator' },
      { label: 'Close', accelerator: 'CmdOrCtrl+W', role: 'close' },
      ...(mac ? [] : [{ type: 'separator' as const }, { label: 'Quit', role: 'quit' as const }]),
    ],
  };
}

function recentMenu(ctx: MenuContext): Item {
  return {
    label: 'Open Recent',
    submenu: [
      ...(ctx.recent.length
        ? ctx.recent.map((r) => ({ label: r.name, sublabel: r.path, toolTip: r.path, click: () => ctx.send('openFile', r.path) }))
        : [{ label: 'No recent files', enabled: false }]),
      { type: 'separator' },
      { label: 'Clear Recent', enabled: ctx.recent.length > 0, click: ctx.clearRecent },
    ],
  };
}

function editMenu(cmd: Cmd, mac: boolean): Item {
  return {
    label: '&Edit',
    submenu: [
      cmd('Undo', 'undo', 'CmdOrCtrl+Z'),
      cmd('Redo', 'redo', mac ? 'Shift+Cmd+Z' : 'Ctrl+Y'),
      { type: 'separator' },
      { label: 'Cut', role: 'cut' },
      { label: 'Copy', role: 'copy' },
      { label: 'Paste', role: 'paste' },
      { label: 'Select All', role: 'selectAll' },
      cmd('Delete', 'delete'),
    ],
  };
}

function viewMenu(cmd: Cmd, dev: boolean): Item {
  return {
    label: '&View',
    submenu: [
      cmd('Zoom In', 'zoomIn', 'CmdOrCtrl+='),
      cmd('Zoom Out', 'zoomOut', 'CmdOrCtrl+-'),
      cmd('Actual Size', 'zoomReset', 'CmdOrCtrl+0'),
      cmd('Fit to Window', 'fit', 'Shift+CmdOrCtrl+F'),
      { type: 'separator' },
      cmd('Toggle Theme', 'toggleTheme', 'Shift+CmdOrCtrl+T'),
      { type: 'separator' },
      { label: 'Toggle Full Screen', role: 'togglefullscreen' },
      ...(dev ? [{ type: 'separator' as const }, { label: 'Reload', role: 'reload' as const }, { label: 'Toggle Developer Tools', role: 'toggleDevTools' as const }] : []),
    ],
  };
}

const macAppMenu = (appName: string): Item => ({
  label: appName,
  submenu: [
    { role: 'about' }, { type: 'separator' }, { role: 'services' }, { type: 'separator' },
    { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit' },
  ],
});

export function buildMenuTemplate(ctx: MenuContext): MenuItemConstructorOptions[] {
  const mac = ctx.platform === 'darwin';
  const cmd: Cmd = (label, command, accelerator) => ({
    label,
    ...(accelerator ? { accelerator } : {}),
    click: () => ctx.send(command),
  });
  const run: Item = {
    label: '&Run',
    submenu: [cmd('Train', 'train', 'CmdOrCtrl+Enter'), cmd('Stop', 'stop', 'CmdOrCtrl+.'), { type: 'separator' }, cmd('Evaluate', 'evaluate', 'Shift+CmdOrCtrl+Enter'), cmd('Explain…', 'explain')],
  };
  const help: Item = {
    label: '&Help',
    role: 'help',
    submenu: [cmd('Layerloom Help', 'help', 'F1'), ...(mac ? [] : [{ type: 'separator' as const }, cmd(`About ${ctx.appName}`, 'about')])],
  };
  return [...(mac ? [macAppMenu(ctx.appName)] : []), fileMenu(ctx, cmd, mac), editMenu(cmd, mac), viewMenu(cmd, ctx.dev), run, help];
}

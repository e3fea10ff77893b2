/**
 * Files in the desktop app: native open/save dialogs, absolute paths, `.loom` only, atomic saves.
 */
import type { BrowserWindow, Dialog } from 'electron';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { existsSync } from 'node:fs';
import type { DataPickResult, FileRef, OpenResult, SaveResult } from '../../shared/ipc/contract';
import { IpcError } from '../../shared/ipc/rpc';
import { writeFileAtomic } from '../node/atomic';
import { IMPORT_EXTENSIONS, LOOM_EXT, readDocumentFile, requireLoom, type DataKind, type FileAccess } from '../host/files';
import { readdir } from 'node:fs/promises';

const FILTERS = [{ name: 'Layerloom model', extensions: ['loom'] }];

/** Data panel "Choose…": the dialog per kind of data. `.npy` allows picking x and y together. */
const DATA_DIALOGS: Record<DataKind, { title: string; filters?: { name: string; extensions: string[] }[]; properties: ('openFile' | 'openDirectory' | 'multiSelections')[] }> = {
  csv: { title: 'Choose a CSV file', filters: [{ name: 'CSV / TSV', extensions: ['csv', 'tsv'] }, { name: 'All files', extensions: ['*'] }], properties: ['openFile'] },
  npy: { title: 'Choose .npy arrays (x, or x and y together)', filters: [{ name: 'NumPy array', extensions: ['npy'] }], properties: ['openFile', 'multiSelections'] },
  folder: { title: 'Choose an image folder (one subfolder per class)', properties: ['openDirectory'] },
};

/**
 * How a picked data path is stored in the document: relative to the document's folder (with `/`, so
 * the file works on every OS) when inside it, else absolute. The engine resolves relative dataset
 * paths from the document's folder.
 */
export function dataPathForDocument(picked: string, docPath?: string | null): string {
  const abs = resolve(picked);
  if (!docPath || !isAbsolute(docPath)) return abs;
  const rel = relative(dirname(resolve(docPath)), abs);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return abs;
  return rel.split(sep).join('/');
}

export class DesktopFiles implements FileAccess {
  constructor(
    private readonly dialog: Pick<Dialog, 'showOpenDialog' | 'showSaveDialog'>,
    private readonly window: () => BrowserWindow | null,
    private readonly defaultDir: () => string,
  ) {}

  private abs(path: string): string {
    if (!isAbsolute(path)) throw new IpcError('forbidden', `expected an absolute path, got "${path}"`);
    return resolve(path);
  }

  async open(path?: string): Promise<OpenResult> {
    let file = path;
    if (!file) {
      const win = this.window();
      const opts = { title: 'Open model', defaultPath: this.defaultDir(), filters: FILTERS, properties: ['openFile' as const] };
      const r = win ? await this.dialog.showOpenDialog(win, opts) : await this.dialog.showOpenDialog(opts);
      if (r.canceled || !r.filePaths[0]) return { canceled: true };
      file = r.filePaths[0];
    }
    requireLoom(file);
    const abs = this.abs(file);
    return { canceled: false, path: abs, name: basename(abs), text: await readDocumentFile(abs) };
  }

  async save(path: string, text: string): Promise<SaveResult> {
    requireLoom(path);
    const abs = this.abs(path);
    await writeFileAtomic(abs, text);
    return { canceled: false, path: abs, name: basename(abs) };
  }

  async saveAs(text: string, suggestedName?: string, path?: string, prepare?: (absPath: string) => string): Promise<SaveResult> {
    let file = path;
    if (!file) {
      const name = (suggestedName ?? 'untitled').replace(/[\\/:*?"<>|]+/g, '-').replace(/\.loom$/i, '') + LOOM_EXT;
      const win = this.window();
      const opts = { title: 'Save model', defaultPath: join(this.defaultDir(), name), filters: FILTERS };
      const r = win ? await this.dialog.showSaveDialog(win, opts) : await this.dialog.showSaveDialog(opts);
      if (r.canceled || !r.filePath) return { canceled: true };
      file = r.filePath.toLowerCase().endsWith(LOOM_EXT) ? r.filePath : r.filePath + LOOM_EXT;
    }
    requireLoom(file);
    return this.save(file, prepare ? prepare(this.abs(file)) : text);
  }

  async list(dir?: string): Promise<{ dir: string; files: FileRef[] }> {
    const d = this.abs(dir ?? this.defaultDir());
    const entries = await readdir(d, { withFileTypes: true }).catch(() => []);
    return {
      dir: d,
      files: entries.filter((e) => e.isFile() && e.name.toLowerCase().endsWith(LOOM_EXT)).map((e) => ({ path: join(d, e.name), name: e.name })),
    };
  }

  async absolute(path: string): Promise<string> {
    return this.abs(path);
  }

  async exists(path: string): Promise<boolean> {
    return isAbsolute(path) && existsSync(path);
  }

  async exportDir(format: string, docPath?: string | null): Promise<string | null> {
    const win = this.window();
    const opts = {
      title: `Export (${format}) to folder`,
      defaultPath: docPath && isAbsolute(docPath) ? dirname(docPath) : this.defaultDir(),
      properties: ['openDirectory' as const, 'createDirectory' as const],
    };
    const r = win ? await this.dialog.showOpenDialog(win, opts) : await this.dialog.showOpenDialog(opts);
    if (r.canceled || !r.filePaths[0]) return null;
    return r.filePaths[0];
  }

  async checkDataset(): Promise<void> {
    /* the desktop app reads data wherever the person keeps it */
  }

  defaultBaseDir(): undefined {
    return undefined;
  }

  async importPath(path?: string): Promise<string | null> {
    if (path) return this.abs(path);
    const win = this.window();
    const opts = {
      title: 'Import a Keras or TensorFlow.js model',
      defaultPath: this.defaultDir(),
      filters: [{ name: 'Keras / TF.js model', extensions: IMPORT_EXTENSIONS }],
      properties: ['openFile' as const],
    };
    const r = win ? await this.dialog.showOpenDialog(win, opts) : await this.dialog.showOpenDialog(opts);
    return r.canceled || !r.filePaths[0] ? null : r.filePaths[0];
  }

  async checkOutDir(dir: string): Promise<string> {
    const abs = this.abs(dir);
    await mkdir(abs, { recursive: true });
    return abs;
  }

  async pickData(kind: DataKind, docPath?: string | null): Promise<DataPickResult> {
    const d = DATA_DIALOGS[kind];
    const win = this.window();
    const opts = {
      title: d.title,
      defaultPath: docPath && isAbsolute(docPath) ? dirname(docPath) : this.defaultDir(),
      properties: d.properties,
      ...(d.filters ? { filters: d.filters } : {}),
    };
    const r = win ? await this.dialog.showOpenDialog(win, opts) : await this.dialog.showOpenDialog(opts);
    if (r.canceled || !r.filePaths[0]) return { canceled: true };
    const paths = r.filePaths.map((p) => dataPathForDocument(p, docPath));
    return { canceled: false, path: paths[0]!, ...(paths.length > 1 ? { paths } : {}) };
  }

  async upload(): Promise<never> {
    throw new IpcError('unavailable', 'uploading is for web mode: the desktop app reads data where it is (use Choose… in the Data tab)');
  }
}

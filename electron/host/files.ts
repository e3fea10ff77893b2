/**
 * Where documents are read from and written to. Two implementations of one interface:
 *  - `ProjectFiles` (web mode): every path is relative to one project folder and confined to it
 *    (`..`, absolute paths elsewhere and symlinks out of it are refused); only `.loom` files.
 *  - the desktop app's version (electron/desktop/desktop-files.ts) adds native dialogs and absolute paths.
 */
import { readFile, readdir, realpath, stat, mkdir, open as openFile, rename, rm } from 'node:fs/promises';
import { constants as fsc, createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import {
  DOCUMENT_EXTENSION, MAX_UPLOAD_BYTES, type DataPickResult, type FileRef, type OpenResult, type SaveResult, type UploadChunk,
} from '../../shared/ipc/contract';
import { IpcError } from '../../shared/ipc/rpc';
import { MAX_FILE_BYTES, formatMiB } from '../../shared/document/load';
import type { DatasetConfig } from '../../shared/document/schema';
import { writeFileAtomic } from '../node/atomic';
import { confine, findEscapingLink, MissingPathError, OutsideFolderError } from '../node/confine';

export interface FileAccess {
  /** Read `path`; without a path, ask the person (a dialog) or refuse where that is impossible. */
  open(path?: string): Promise<OpenResult>;
  save(path: string, text: string): Promise<SaveResult>;
  /** `prepare`: the text to write, given the chosen file's absolute path (Save As rewrites dataset paths for its folder). */
  saveAs(text: string, suggestedName?: string, path?: string, prepare?: (absPath: string) => string): Promise<SaveResult>;
  list(dir?: string): Promise<{ dir: string; files: FileRef[] }>;
  /** The absolute path of a document path the renderer gave (checked like open/save). */
  absolute(path: string): Promise<string>;
  exists(path: string): Promise<boolean>;
  /** Where an export goes when the request names no folder; null = canceled. */
  exportDir(format: string, docPath?: string | null, docName?: string): Promise<string | null>;
  /** Check (and make absolute) a folder the renderer asked to export into. */
  checkOutDir(dir: string): Promise<string>;
  /** Refuse a dataset whose files are out of reach (web mode: outside the project folder). */
  checkDataset(dataset: DatasetConfig, docPath?: string | null): Promise<void>;
  /** The folder relative dataset paths resolve from when the document has no path yet. */
  defaultBaseDir(): string | undefined;
  /** The absolute path of a model file to import (asks without a path where it can); null = canceled. */
  importPath(path?: string): Promise<string | null>;
  /** Data panel "Choose…": a native dialog (desktop); web mode picks in the browser and uploads instead. */
  pickData(kind: DataKind, docPath?: string | null): Promise<DataPickResult>;
  /** Web mode: write one chunk of a browser upload into the project folder (desktop: unavailable). */
  upload(chunk: UploadChunk): Promise<{ path: string; bytes: number }>;
}

export type DataKind = 'csv' | 'npy' | 'folder';

/** A relative upload name (`iris.csv`, `photos/cat/1.png`): no absolute paths, `..`, `\\` or hidden parts. Throws a message naming it. */
export function checkUploadName(name: string): string[] {
  const bad = (why: string) => new IpcError('forbidden', `cannot upload "${name}": ${why}`);
  if (name.includes('\0') || name.includes('\\')) throw bad('the name contains "\\" or a NUL character');
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) throw bad('the name must be relative');
  const parts = name.split('/');
  for (const part of parts) {
    if (part === '' || part === '.' || part === '..') throw bad('empty, "." and ".." parts are not allowed');
    if (part.startsWith('.')) throw bad('hidden names (starting with ".") are not uploaded');
    if (part.length > 255) throw bad('a part of the name is longer than 255 characters');
  }
  return parts;
}

/** Model files File › Import model reads, and the weights files of File › Load Weights (`.weights.h5`, TF.js model.json). */
export const IMPORT_EXTENSIONS = ['json', 'keras', 'h5'];

/** The files a dataset reads (none for built-in datasets). */
export function datasetPaths(dataset: DatasetConfig): string[] {
  switch (dataset.source) {
    case 'csv':
    case 'images':
      return [dataset.path];
    case 'npy':
      return [dataset.x, dataset.y];
    case 'text':
    case 'pairs':
      return dataset.path === undefined ? [] : [dataset.path];
    default:
      return [];
  }
}

export const LOOM_EXT = `.${DOCUMENT_EXTENSION}`;

export function requireLoom(path: string): void {
  if (!path.toLowerCase().endsWith(LOOM_EXT)) throw new IpcError('forbidden', `only ${LOOM_EXT} model files can be opened or saved here (got "${basename(path)}")`);
}

export async function readDocumentFile(abs: string): Promise<string> {
  let size: number;
  try {
    const st = await stat(abs);
    if (!st.isFile()) throw new IpcError('not-found', `"${basename(abs)}" is not a file`);
    size = st.size;
  } catch (e) {
    if (e instanceof IpcError) throw e;
    throw new IpcError('not-found', `cannot open "${basename(abs)}": ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (size > MAX_FILE_BYTES) throw new IpcError('failed', `"${basename(abs)}" is too large for a model file (${formatMiB(size)}; the limit is ${formatMiB(MAX_FILE_BYTES)})`);
  return readFile(abs, 'utf8');
}

const toPosix = (p: string) => p.split(sep).join('/');

export interface ProjectFilesOptions {
  /** The largest file accepted by upload (default MAX_UPLOAD_BYTES). */
  maxUploadBytes?: number;
}

export class ProjectFiles implements FileAccess {
  private rootReal: Promise<string>;
  private readonly maxUploadBytes: number;

  constructor(readonly root: string, opts: ProjectFilesOptions = {}) {
    this.maxUploadBytes = opts.maxUploadBytes ?? MAX_UPLOAD_BYTES;
    this.rootReal = realpath(root);
    this.rootReal.catch(() => undefined); // reported on first use, not as an unhandled rejection
  }

  /** Resolve a project path, refusing anything that leaves the project folder. Returns [absolute, relative]. */
  async resolve(p: string, { mustExist = false } = {}): Promise<[string, string]> {
    const root = await this.rootReal;
    const real = await confine(root, p, { mustExist }).catch((e: unknown) => {
      if (e instanceof OutsideFolderError) throw new IpcError('forbidden', e.message);
      if (e instanceof MissingPathError) throw new IpcError('not-found', `cannot open "${p.slice(0, 300)}": no such file in the project folder`);
      throw e;
    });
    return [real, toPosix(relative(root, real))];
  }

  async open(path?: string): Promise<OpenResult> {
    if (!path) throw new IpcError('unavailable', 'the server cannot show a file dialog: pass a path in the project folder');
    requireLoom(path);
    const [abs, rel] = await this.resolve(path, { mustExist: true });
    return { canceled: false, path: rel, name: basename(abs), text: await readDocumentFile(abs) };
  }

  async save(path: string, text: string): Promise<SaveResult> {
    requireLoom(path);
    const [abs, rel] = await this.resolve(path);
    await writeFileAtomic(abs, text);
    return { canceled: false, path: rel, name: basename(abs) };
  }

  async saveAs(text: string, _suggested?: string, path?: string, prepare?: (absPath: string) => string): Promise<SaveResult> {
    if (!path) throw new IpcError('unavailable', 'the server cannot show a save dialog: pass a path in the project folder');
    requireLoom(path);
    return this.save(path, prepare ? prepare((await this.resolve(path))[0]) : text);
  }

  async list(dir = '.'): Promise<{ dir: string; files: FileRef[] }> {
    const [abs, rel] = await this.resolve(dir, { mustExist: true });
    const out: FileRef[] = [];
    const walk = async (d: string, depth: number) => {
      if (depth > 3 || out.length >= 500) return;
      let entries;
      try {
        entries = await readdir(d, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        if (e.name.startsWith('.') || e.name === 'node_modules') continue;
        const full = join(d, e.name);
        if (e.isDirectory()) await walk(full, depth + 1);
        else if (e.isFile() && e.name.toLowerCase().endsWith(LOOM_EXT)) {
          out.push({ path: toPosix(relative(await this.rootReal, full)), name: e.name });
        }
      }
    };
    await walk(abs, 0);
    return { dir: rel || '.', files: out };
  }

  async absolute(path: string): Promise<string> {
    return (await this.resolve(path))[0];
  }

  async exists(path: string): Promise<boolean> {
    try {
      await this.resolve(path, { mustExist: true });
      return true;
    } catch {
      return false;
    }
  }

  async exportDir(format: string, docPath?: string | null, docName?: string): Promise<string> {
    const base = (docPath ? basename(docPath).replace(/\.loom$/i, '') : docName || 'model').replace(/[^A-Za-z0-9._-]+/g, '-');
    // The project's export/ folder first (resolve() needs an existing parent folder).
    await mkdir((await this.resolve('export'))[0], { recursive: true });
    return this.checkOutDir(join('export', `${base}-${format.replace(/[^A-Za-z0-9_-]+/g, '-')}`));
  }

  /** An export folder: inside the project, and holding no link out of it for the export to write through. */
  async checkOutDir(dir: string): Promise<string> {
    const [abs] = await this.resolve(dir);
    await mkdir(abs, { recursive: true });
    const link = await findEscapingLink(await this.rootReal, abs);
    if (link) throw new IpcError('forbidden', `the export folder "${dir.slice(0, 300)}" holds a link that leads outside the project folder: ${link}`);
    return abs;
  }

  async checkDataset(dataset: DatasetConfig, docPath?: string | null): Promise<void> {
    const base = docPath ? dirname((await this.resolve(docPath))[1]) : '.';
    for (const p of datasetPaths(dataset)) {
      try {
        await this.resolve(isAbsolute(p) ? p : join(base, p));
      } catch (e) {
        if (e instanceof IpcError && e.code === 'forbidden') throw new IpcError('forbidden', `the dataset file "${p}" is outside the project folder`);
        // A missing file is reported by the engine, with its own message.
      }
    }
  }

  defaultBaseDir(): string {
    return this.root;
  }

  async importPath(path?: string): Promise<string> {
    if (!path) throw new IpcError('unavailable', 'the server cannot show a file dialog: pass the path of the model file in the project folder');
    if (!IMPORT_EXTENSIONS.some((e) => path.toLowerCase().endsWith(`.${e}`))) throw new IpcError('forbidden', `import reads ${IMPORT_EXTENSIONS.map((e) => `.${e}`).join(' or ')} model files`);
    return (await this.resolve(path, { mustExist: true }))[0];
  }

  async pickData(): Promise<DataPickResult> {
    throw new IpcError('unavailable', 'the server cannot show a file dialog: the browser picks the files and uploads them (file.upload)');
  }

  /**
   * One chunk of an upload into `<root>/<dir>/<name>`: offset 0 starts a fresh hidden temporary file
   * beside the target, later chunks must continue exactly where it ends, and `done` renames it into
   * place (replacing a file of that name), so nothing half-written is ever read as data.
   */
  async upload(chunk: UploadChunk): Promise<{ path: string; bytes: number }> {
    const parts = checkUploadName(chunk.name);
    const [abs, rel] = await this.resolve([chunk.dir, ...parts].join('/'));
    const tmp = join(dirname(abs), `.${basename(abs)}.upload`);
    const bytes = Buffer.from(chunk.base64, 'base64');
    if (chunk.offset + bytes.length > this.maxUploadBytes) {
      await rm(tmp, { force: true });
      throw new IpcError('failed', `"${chunk.name}" is too large to upload: the limit is ${formatBytes(this.maxUploadBytes)}`);
    }
    const existing = await stat(abs).catch(() => null);
    if (existing?.isDirectory()) throw new IpcError('failed', `cannot upload "${chunk.name}": a folder of that name exists in ${chunk.dir}/`);
    // O_NOFOLLOW: a symlink planted at the temporary name is refused, never written through.
    const nofollow = fsc.O_NOFOLLOW ?? 0;
    let fh;
    if (chunk.offset === 0) {
      await mkdir(dirname(abs), { recursive: true });
      await rm(tmp, { force: true });
      fh = await openFile(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | nofollow, 0o644);
    } else {
      try {
        fh = await openFile(tmp, fsc.O_WRONLY | fsc.O_APPEND | nofollow);
      } catch {
        throw new IpcError('failed', `the upload of "${chunk.name}" was interrupted (no data received before offset ${chunk.offset}): upload the file again`);
      }
    }
    let size: number;
    try {
      const have = (await fh.stat()).size;
      if (have !== chunk.offset) throw new IpcError('failed', `the upload of "${chunk.name}" is out of order (${have} bytes received, a chunk at offset ${chunk.offset} sent): upload the file again`);
      await fh.write(bytes);
      size = have + bytes.length;
      if (chunk.done) await fh.sync();
    } catch (e) {
      await fh.close();
      await rm(tmp, { force: true });
      throw e;
    }
    await fh.close();
    if (!chunk.done) return { path: rel, bytes: size };
    // A different file already under this name: keep both (a run or a model may read the old one),
    // unless the upload is part of a folder (a folder uploaded again is synced file by file).
    const now = await stat(abs).catch(() => null);
    if (parts.length === 1 && now?.isFile() && !(await sameContent(tmp, abs, now.size))) {
      const [freeAbs, freeRel] = await this.freeUploadName(chunk.dir, parts[0]!);
      await rename(tmp, freeAbs);
      return { path: freeRel, bytes: size };
    }
    await rename(tmp, abs);
    return { path: rel, bytes: size };
  }

  /** `name-2.ext`, `name-3.ext`, ... : the first that does not exist in `<project>/<dir>/`. */
  private async freeUploadName(dir: string, name: string): Promise<[string, string]> {
    const dot = name.lastIndexOf('.');
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    for (let i = 2; ; i++) {
      const [abs, rel] = await this.resolve(`${dir}/${stem}-${i}${ext}`);
      if (!(await stat(abs).catch(() => null))) return [abs, rel];
    }
  }
}

/**
 * Remove the temporary files of uploads that never finished (`.<name>.upload` under
 * `<project>/data` and `<project>/imports`, older than `maxAgeMs`: a browser closed mid-upload).
 * Younger ones may belong to another server on the same folder and are left. Returns the removed paths.
 */
export async function sweepAbandonedUploads(projectDir: string, maxAgeMs = 60 * 60 * 1000): Promise<string[]> {
  const removed: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory() && depth < 8) await walk(p, depth + 1);
      else if (e.isFile() && /^\..+\.upload$/.test(e.name)) {
        const st = await stat(p).catch(() => null);
        if (st && Date.now() - st.mtimeMs > maxAgeMs && (await rm(p, { force: true }).then(() => true, () => false))) removed.push(p);
      }
    }
  };
  for (const d of ['data', 'imports']) await walk(join(projectDir, d), 0);
  return removed;
}

/**
 * Temporary files of saves a killed process never finished: `.<name>.<pid>.<hex>.tmp` (atomic
 * writes of documents and settings), `<name>.<pid>.<id>.tmp` (the engine's run and export files) and
 * `run.json.tmp` (a run's evaluation).
 */
const SAVE_TEMP = /^(?:\.?.+\.(\d+)\.[0-9a-z]+|run\.json)\.tmp$/;

function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Remove the temporary files of saves that were interrupted (the process killed between write and
 * rename) anywhere in the project folder: those whose process is gone, and any older than `maxAgeMs`.
 * The files they were meant to replace are intact (the rename never happened). Returns the removed paths.
 */
export async function sweepAbandonedTempFiles(projectDir: string, maxAgeMs = 60 * 60 * 1000): Promise<string[]> {
  const removed: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (depth < 6 && e.name !== 'node_modules' && e.name !== '.git') await walk(p, depth + 1);
        continue;
      }
      const m = e.isFile() ? SAVE_TEMP.exec(e.name) : null;
      if (!m) continue;
      const st = await stat(p).catch(() => null);
      const stale = !!st && (Date.now() - st.mtimeMs > maxAgeMs || (m[1] !== undefined && processIsGone(Number(m[1]))));
      if (stale && (await rm(p, { force: true }).then(() => true, () => false))) removed.push(p);
    }
  };
  await walk(projectDir, 0);
  return removed;
}

/** Whether two files hold the same bytes (sizes first, then a streamed SHA-256 of each). */
async function sameContent(a: string, b: string, bSize: number): Promise<boolean> {
  if ((await stat(a)).size !== bSize) return false;
  const digest = (f: string) => new Promise<string>((res, rej) => {
    const h = createHash('sha256');
    createReadStream(f).on('error', rej).on('data', (d) => h.update(d)).on('end', () => res(h.digest('hex')));
  });
  const [x, y] = await Promise.all([digest(a), digest(b)]);
  return x === y;
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${+(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${+(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

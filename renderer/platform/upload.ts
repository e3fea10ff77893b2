/**
 * Web mode: files the person picks in the browser are uploaded into the server's project folder
 * (`file.upload`, in chunks of UPLOAD_CHUNK_BYTES), because a browser never reveals a file's path.
 *
 *   const [path] = await uploadFiles([file], 'data', (p) => show(p));   // 'data/iris.csv'
 *
 * Also the web-mode answer to `data.pick` (the Data panel's "Choose…"): a hidden `<input type=file>`
 * (`webkitdirectory` for image folders), then the upload, then the path the dataset config stores.
 * Progress goes to the callback and to every `onUploadProgress` listener (the Data panel shows it).
 */
import type { LayerloomApi } from '../../shared/ipc/client';
import { MAX_UPLOAD_BYTES, UPLOAD_CHUNK_BYTES, type DataPickResult } from '../../shared/ipc/contract';
import { getApi } from './api';

export interface UploadProgress {
  /** The file being sent (its upload name, e.g. `photos/cat/1.png`). */
  file: string;
  /** 0-based index of that file, and how many files there are. */
  fileIndex: number;
  files: number;
  /** Bytes sent so far / in total, over all files. */
  loaded: number;
  total: number;
}

type Listener = (p: UploadProgress | null) => void;
const listeners = new Set<Listener>();

/** Subscribe to the progress of every upload (null: no upload under way). Returns an unsubscribe. */
export function onUploadProgress(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The name a file is uploaded under: its path inside a picked folder, else its name. */
export function uploadName(file: File): string {
  return (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name;
}

const hidden = (name: string) => name.split('/').some((part) => part.startsWith('.'));

function toBase64(bytes: Uint8Array): string {
  let bin = '';
  // String.fromCharCode takes at most ~64k arguments.
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${+(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${+(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${Math.ceil(n / 1024)} KiB`;
}

/**
 * Upload `files` into `<project>/<dir>/` and return each one's project-relative path, in order.
 * A picked folder keeps its layout (`webkitRelativePath`); hidden entries inside it (`.DS_Store`,
 * `.git/…`) are skipped. Errors name the file. The signature is shared with File › Import model.
 */
export async function uploadFiles(
  files: File[],
  dir: 'data' | 'imports',
  onProgress?: (p: UploadProgress) => void,
  api: Pick<LayerloomApi, 'file'> = getApi(),
): Promise<string[]> {
  const list = files.filter((f) => !(uploadName(f) !== f.name && hidden(uploadName(f))));
  for (const f of list) {
    if (f.size > MAX_UPLOAD_BYTES) throw new Error(`"${uploadName(f)}" is too large to upload (${formatBytes(f.size)}; the limit is ${formatBytes(MAX_UPLOAD_BYTES)})`);
  }
  const total = list.reduce((s, f) => s + f.size, 0);
  let loaded = 0;
  const report = (p: UploadProgress) => {
    onProgress?.(p);
    for (const l of listeners) l(p);
  };
  const paths: string[] = [];
  try {
    for (const [fileIndex, f] of list.entries()) {
      const name = uploadName(f);
      report({ file: name, fileIndex, files: list.length, loaded, total });
      let offset = 0;
      let path = '';
      do {
        const end = Math.min(f.size, offset + UPLOAD_CHUNK_BYTES);
        let base64: string;
        try {
          base64 = toBase64(new Uint8Array(await f.slice(offset, end).arrayBuffer()));
        } catch (e) {
          throw new Error(`cannot read "${name}": ${(e as Error).message}`);
        }
        try {
          ({ path } = await api.file.upload({ dir, name, offset, base64, done: end >= f.size }));
        } catch (e) {
          const msg = (e as Error).message;
          throw new Error(msg.includes(`"${name}"`) ? msg : `uploading "${name}" failed: ${msg}`);
        }
        loaded += end - offset;
        offset = end;
        report({ file: name, fileIndex, files: list.length, loaded, total });
      } while (offset < f.size);
      paths.push(path);
    }
  } finally {
    for (const l of listeners) l(null);
  }
  return paths;
}

/** `path` (project-relative) as seen from the folder of the document `docPath` (project-relative too). */
export function relativeToDocument(path: string, docPath?: string | null): string {
  const from = docPath ? docPath.split('/').slice(0, -1).filter((p) => p && p !== '.') : [];
  const to = path.split('/');
  let common = 0;
  while (common < from.length && common < to.length - 1 && from[common] === to[common]) common++;
  return [...Array<string>(from.length - common).fill('..'), ...to.slice(common)].join('/');
}

const IMAGE = /\.(png|jpe?g)$/i;

/** Web mode's `data.pick`: the browser's file picker, an upload into `<project>/data/`, the path to store. */
export async function pickAndUploadData(
  req: { kind: 'csv' | 'npy' | 'folder'; docPath?: string | null },
  api: Pick<LayerloomApi, 'file'> = getApi(),
  choose: (kind: 'csv' | 'npy' | 'folder') => Promise<File[] | null> = chooseFiles,
): Promise<DataPickResult> {
  const picked = await choose(req.kind);
  if (!picked?.length) return { canceled: true };
  if (req.kind === 'folder') {
    // The image loader reads PNG and JPEG only: the rest of the folder is not sent.
    const images = picked.filter((f) => IMAGE.test(f.name) && !hidden(uploadName(f)));
    const top = uploadName(picked[0]!).split('/')[0]!;
    if (!images.length) throw new Error(`the folder "${top}" has no PNG or JPEG images (expected one subfolder of images per class)`);
    await uploadFiles(images, 'data', undefined, api);
    return { canceled: false, path: relativeToDocument(`data/${top}`, req.docPath) };
  }
  const paths = (await uploadFiles(picked, 'data', undefined, api)).map((p) => relativeToDocument(p, req.docPath));
  return { canceled: false, path: paths[0]!, ...(paths.length > 1 ? { paths } : {}) };
}

/** A hidden `<input type=file>` for the kind of data; null when the person cancels. */
export function chooseFiles(kind: 'csv' | 'npy' | 'folder'): Promise<File[] | null> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.style.display = 'none';
    if (kind === 'csv') input.accept = '.csv,.tsv,text/csv';
    if (kind === 'npy') {
      input.accept = '.npy';
      input.multiple = true;
    }
    if (kind === 'folder') input.webkitdirectory = true;
    input.dataset.testid = `data-file-input-${kind}`;
    let settled = false;
    const finish = (files: File[] | null) => {
      if (settled) return;
      settled = true;
      input.remove();
      resolve(files);
    };
    input.addEventListener('cancel', () => finish(null));
    input.addEventListener('change', () => finish(input.files?.length ? Array.from(input.files) : null));
    document.body.appendChild(input);
    input.click();
  });
}

/** `data.*`: the data panel (preview, augmentation preview, CSV columns, files to pick). */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ResponseOf } from '../../../shared/ipc/contract';
import { isRunsDirName } from '../../node/run-folder';
import type { HandlersOf, HostContext } from './context';

type DataFile = ResponseOf<'data.files'>['files'][number];
const MAX_FILES = 500;

/** CSV/.npy files and folders under `base` (three levels), not hidden folders, node_modules or run folders. */
async function listDataFiles(base: string): Promise<DataFile[]> {
  const out: DataFile[] = [];
  const walk = async (rel: string, depth: number) => {
    let entries: Dirent[];
    try {
      entries = await readdir(join(base, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (out.length >= MAX_FILES || e.name.startsWith('.') || e.name === 'node_modules' || isRunsDirName(e.name)) continue;
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        out.push({ path, kind: 'folder' });
        if (depth < 2) await walk(path, depth + 1);
      } else if (e.isFile() && /\.(csv|tsv)$/i.test(e.name)) out.push({ path, kind: 'csv' });
      else if (e.isFile() && /\.npy$/i.test(e.name)) out.push({ path, kind: 'npy' });
    }
  };
  await walk('', 0);
  return out;
}

export function dataHandlers(ctx: HostContext): HandlersOf<'data'> {
  const { engine, files } = ctx;
  return {
    'data.preview': async ({ dataset, docPath, limit, training }) => {
      const { baseDir } = await ctx.locate(docPath, undefined, dataset);
      return engine.call('data.preview', { dataset, limit: limit ?? 16, ...(baseDir ? { baseDir } : {}), ...(training ? { training } : {}) });
    },
    'data.augmentPreview': async ({ dataset, docPath, index, count, seed }) => {
      const { baseDir } = await ctx.locate(docPath, undefined, dataset);
      return engine.call('data.augmentPreview', { dataset, index: index ?? 0, count: count ?? 8, seed: seed ?? 0, ...(baseDir ? { baseDir } : {}) });
    },
    'data.files': async ({ docPath }) => {
      const base = docPath ? dirname(await files.absolute(docPath)) : files.defaultBaseDir();
      if (!base) return { dir: '', files: [] };
      return { dir: base, files: await listDataFiles(base) };
    },
    'data.pick': ({ kind, docPath }) => files.pickData(kind, docPath),
    'data.describeCsv': async ({ path, docPath }) => {
      // Checked like a dataset path (web mode: inside the project folder).
      const { baseDir } = await ctx.locate(docPath, undefined, { source: 'csv', path, target: '' });
      return engine.call('data.describeCsv', { path, ...(baseDir ? { baseDir } : {}) });
    },
  };
}

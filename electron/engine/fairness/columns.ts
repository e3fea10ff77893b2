/**
 * Sensitive attributes kept aside: the raw values of any column of a run's data, one per sample in
 * the dataset's order, whether or not the model was fed the column. The loader is left alone: this
 * re-reads the run's CSV with the loader's own parser (sample i = data row i, as csv.ts builds it),
 * a tabular built-in's shipped CSV, or for image folders and .npy arrays a metadata CSV.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { builtinCsvPath } from '../data/builtins';
import { parseCsv } from '../data/csv';
import { resolvePath } from '../data/index';
import { DataError, type DatasetConfig } from '../data/types';

/** Raw text values by column, `count` rows, in the dataset's sample order. */
export interface SensitiveTable {
  /** The file the values come from (for messages). */
  file: string;
  columns: string[];
  /** All values of one column; throws a DataError naming the columns there are. */
  column(name: string): string[];
}

function readTable(path: string): { header: string[]; rows: string[][]; lines: number[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DataError(`Cannot read ${path}: ${(e as Error).message}`, path);
  }
  const { rows, lines } = parseCsv(text);
  if (rows.length < 1) throw new DataError(`${basename(path)} is empty: it needs a header line with column names.`, path, 1);
  const header = rows[0]!.map((h) => h.trim());
  const data = rows.slice(1);
  data.forEach((r, k) => {
    if (r.length !== header.length) throw new DataError(`${basename(path)} line ${lines[k + 1]}: ${r.length} values, but the header has ${header.length} columns.`, path, lines[k + 1]);
  });
  return { header, rows: data, lines: lines.slice(1) };
}

function tableOf(file: string, header: string[], rows: string[][]): SensitiveTable {
  return {
    file,
    columns: header,
    column(name) {
      const c = header.indexOf(name);
      if (c < 0) throw new DataError(`${basename(file)} has no column "${name}". Its columns are: ${header.join(', ')}.`, file, 1, name);
      return rows.map((r) => r[c]!.trim());
    },
  };
}

/** The files of an image folder in the order the loader reads them (images.ts): class folders, then files, sorted. */
export function imageFolderFiles(root: string): string[] {
  const isDir = (p: string) => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return false;
    }
  };
  const image = (f: string) => ['.png', '.jpg', '.jpeg'].includes(extname(f).toLowerCase());
  const classes = readdirSync(root).filter((d) => !d.startsWith('.') && isDir(join(root, d))).sort();
  return classes.flatMap((c) => readdirSync(join(root, c)).filter((f) => !f.startsWith('.') && image(f)).sort().map((f) => `${c}/${f}`));
}

/** Metadata rows in the image folder's sample order, matched by `file` (relative path, or a unique file name). */
function imageMetadata(root: string, metaPath: string, count: number): SensitiveTable {
  const { header, rows, lines } = readTable(metaPath);
  const fileCol = header.indexOf('file');
  if (fileCol < 0) throw new DataError(`${basename(metaPath)} needs a "file" column naming each image (e.g. cats/001.png). Its columns are: ${header.join(', ')}.`, metaPath, 1);
  const byKey = new Map<string, number>();
  const ambiguous = new Set<string>();
  rows.forEach((r, k) => {
    const rel = r[fileCol]!.trim().replace(/\\/g, '/').replace(/^\.\//, '');
    if (byKey.has(rel)) throw new DataError(`${basename(metaPath)} line ${lines[k]}: "${rel}" is listed twice.`, metaPath, lines[k], 'file');
    byKey.set(rel, k);
  });
  const files = imageFolderFiles(root);
  if (files.length !== count) throw new DataError(`The image folder ${root} now holds ${files.length} images, but the run was trained on ${count}: audit it with the data it was trained on.`, root);
  const names = new Map<string, number>();
  for (const f of files) {
    const b = basename(f);
    if (names.has(b)) ambiguous.add(b);
    names.set(b, (names.get(b) ?? 0) + 1);
  }
  const ordered = files.map((f) => {
    const k = byKey.get(f) ?? (ambiguous.has(basename(f)) ? undefined : byKey.get(basename(f)));
    if (k === undefined) throw new DataError(`${basename(metaPath)} has no row for the image ${f} (its "file" column names images relative to ${root}).`, metaPath, undefined, 'file');
    return rows[k]!;
  });
  return tableOf(metaPath, header, ordered);
}

function checkCount(t: SensitiveTable & { rows: number }, count: number): SensitiveTable {
  if (t.rows !== count) throw new DataError(`${basename(t.file)} has ${t.rows} data rows but the run's data has ${count} samples: audit it with the data it was trained on.`, t.file);
  return t;
}

export interface SensitiveSource {
  /** The document's folder (relative paths in the run's dataset config). */
  baseDir?: string;
  /** Image folders and .npy arrays: the metadata CSV (relative to baseDir, or absolute). */
  metadataCsv?: string;
}

/**
 * The table of sensitive values for a run's dataset config with `count` samples. Throws a
 * DataError when the data has no columns to offer (built-in images, .npy without metadata).
 */
export function sensitiveTable(cfg: DatasetConfig | undefined, count: number, src: SensitiveSource = {}): SensitiveTable {
  if (!cfg) throw new DataError('The run has no dataset recorded: a fairness audit needs the data it was trained on.');
  const meta = src.metadataCsv ? resolvePath(src.metadataCsv, src.baseDir) : undefined;
  const fromCsv = (path: string) => {
    const { header, rows } = readTable(path);
    return checkCount({ ...tableOf(path, header, rows), rows: rows.length }, count);
  };
  switch (cfg.source) {
    case 'csv':
      return fromCsv(resolvePath(cfg.path, src.baseDir));
    case 'builtin': {
      const path = builtinCsvPath(cfg.name);
      if (path) return fromCsv(path);
      if (meta) return fromCsv(meta);
      throw new DataError(`The built-in dataset "${cfg.name}" has no named columns to take a sensitive attribute from: audit a run on tabular data (a CSV, or a built-in table such as arrests), or give a metadata CSV with one row per sample.`);
    }
    case 'images':
      if (!meta) throw new DataError('This run was trained on an image folder, which has no columns: give a metadata CSV (file,attribute,…) naming each image and its sensitive attributes.');
      return imageMetadata(resolvePath(cfg.path, src.baseDir), meta, count);
    case 'npy':
      if (!meta) throw new DataError('This run was trained on .npy arrays, which have no columns: give a metadata CSV with one row per sample, in order, holding the sensitive attributes.');
      return fromCsv(meta);
    case 'text':
    case 'pairs':
      throw new DataError('This run was trained on text (a language model or translator): a fairness audit needs per-sample predictions of a classifier or regressor.');
  }
}

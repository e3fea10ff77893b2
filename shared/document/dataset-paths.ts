/**
 * The file paths a dataset config names (CSV, image folder, text and TSV `path`, `.npy` `x` and `y`; built-in
 * datasets name none), and a way to rewrite them. Used when a document moves: Save As into another
 * folder rewrites relative paths (electron/host/relocate.ts), and the editor applies the same
 * rewrite to its document and undo history.
 */
import type { DatasetConfig } from './schema';

export type DatasetPathField = 'path' | 'x' | 'y';

/** The fields of `dataset` that hold file paths, with their values. */
export function datasetPathEntries(dataset: Pick<DatasetConfig, 'source'> & Record<string, unknown>): { field: DatasetPathField; value: string }[] {
  const withPath = ['csv', 'images', 'text', 'pairs'].includes(dataset.source);
  const fields: DatasetPathField[] = withPath ? ['path'] : dataset.source === 'npy' ? ['x', 'y'] : [];
  return fields.flatMap((field) => (typeof dataset[field] === 'string' ? [{ field, value: dataset[field] as string }] : []));
}

/**
 * `dataset` with each path replaced by `fn(value, field)`; the same object when nothing changes
 * (so unchanged documents stay identical, which the editor uses to tell saved from unsaved).
 * Works on raw JSON too (run records), touching only the path fields.
 */
export function mapDatasetPaths<D extends Pick<DatasetConfig, 'source'>>(dataset: D, fn: (value: string, field: DatasetPathField) => string): D {
  let out: D | null = null;
  for (const { field, value } of datasetPathEntries(dataset as D & Record<string, unknown>)) {
    const next = fn(value, field);
    if (next !== value) out = { ...(out ?? dataset), [field]: next };
  }
  return out ?? dataset;
}

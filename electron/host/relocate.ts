/**
 * Save As into another folder: relative dataset paths (relative to the document's folder) would no
 * longer find their files, so they are rewritten to point at the same files from the new folder —
 * relative again when the file is inside the new folder (or the person already used a path that
 * climbs out, or in web mode, where everything lives in one project folder), else absolute.
 * Absolute paths and built-in datasets are left alone.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { datasetPathEntries, mapDatasetPaths } from '../../shared/document/dataset-paths';
import type { PathChange } from '../../shared/ipc/contract';
import { parseDocument, serializeDocument, type DatasetConfig } from '../../shared/document';
import { readRunRecord, writeRunFile } from '../node/run-folder';

export type { PathChange };

export interface RelocateOptions {
  /** Keep paths that leave the new folder relative (`../data/x.csv`): web mode's project folder moves as a whole. */
  keepRelative?: boolean;
}

/** Absolute on any OS: a document written on Windows keeps `C:\…` paths (not relative on Linux either). */
const absoluteAnywhere = (p: string) => isAbsolute(p) || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
const toPosix = (p: string) => p.split(sep).join('/');
const climbs = (rel: string) => rel === '..' || rel.startsWith(`..${sep}`) || rel.startsWith('../');

/** `p` (relative to `fromDir`, or absolute) as the dataset config should say it in a document in `toDir`. */
export function relocateDataPath(p: string, fromDir: string, toDir: string, opts: RelocateOptions = {}): string {
  if (absoluteAnywhere(p)) return p;
  const abs = resolve(fromDir, p);
  const rel = relative(toDir, abs);
  if (isAbsolute(rel)) return abs; // another drive (Windows)
  if (!climbs(rel) || opts.keepRelative || climbs(p)) return rel === '' ? '.' : toPosix(rel);
  return abs;
}

/** `dataset` with its relative paths relocated (the same object when none changes), and what changed. */
export function relocateDataset<D extends Pick<DatasetConfig, 'source'>>(dataset: D, fromDir: string, toDir: string, opts: RelocateOptions = {}): { dataset: D; changes: PathChange[] } {
  const changes: PathChange[] = [];
  if (resolve(fromDir) === resolve(toDir)) return { dataset, changes };
  const out = mapDatasetPaths(dataset, (value, field) => {
    const to = relocateDataPath(value, fromDir, toDir, opts);
    if (to !== value) changes.push({ field, from: value, to });
    return to;
  });
  return { dataset: out, changes };
}

/**
 * A document's text for saving into `toDir` when its dataset paths were relative to `fromDir`:
 * rewritten (canonical form, as the editor writes it) when a path changes, else the text as given.
 * Text that is not a valid document is written as given (saving never fails over this).
 */
export function relocateDocumentText(text: string, fromDir: string, toDir: string, opts: RelocateOptions = {}): { text: string; changes: PathChange[] } {
  const r = parseDocument(text);
  if (!r.ok || !r.doc.dataset || datasetPathEntries(r.doc.dataset).length === 0) return { text, changes: [] };
  const { dataset, changes } = relocateDataset(r.doc.dataset, fromDir, toDir, opts);
  if (!changes.length) return { text, changes };
  return { text: serializeDocument({ ...r.doc, dataset }), changes };
}

/**
 * A run folder copied beside a document in `toDir`: its run.json's dataset snapshot (`dataset`, and
 * the document snapshot's `doc.dataset`) is relocated the same way, so evaluating the run from the
 * new document finds its data. Written atomically; returns the changes (none: file untouched).
 */
export async function relocateRunRecord(runDir: string, fromDir: string, toDir: string, opts: RelocateOptions = {}): Promise<PathChange[]> {
  const rec = (await readRunRecord(runDir)) as { dataset?: unknown; doc?: { dataset?: unknown } };
  const isDataset = (d: unknown): d is Pick<DatasetConfig, 'source'> => !!d && typeof d === 'object' && typeof (d as { source?: unknown }).source === 'string';
  const changes: PathChange[] = [];
  let next = rec;
  if (isDataset(rec.dataset)) {
    const r = relocateDataset(rec.dataset, fromDir, toDir, opts);
    changes.push(...r.changes);
    if (r.changes.length) next = { ...next, dataset: r.dataset };
  }
  if (rec.doc && typeof rec.doc === 'object' && isDataset(rec.doc.dataset)) {
    const r = relocateDataset(rec.doc.dataset, fromDir, toDir, opts);
    // Usually the same paths as `dataset`: reported once.
    if (!isDataset(rec.dataset)) changes.push(...r.changes);
    if (r.changes.length) next = { ...next, doc: { ...rec.doc, dataset: r.dataset } };
  }
  if (next === rec) return changes;
  await writeRunFile(runDir, 'record', next);
  return changes;
}

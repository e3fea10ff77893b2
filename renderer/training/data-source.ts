/**
 * What the Data tab's source editor does, apart from drawing: the draft of the path fields, the data
 * files beside the model, the chosen CSV's columns, and "Choose…" (a native dialog on the desktop,
 * the browser's picker and an upload in web mode). Every choice that is applied edits the
 * document's `dataset` (undoable).
 */
import { useEffect, useState } from 'react';
import type { DatasetConfig } from '../../shared/document';
import { getApi } from '../platform/api';
import { useEditor } from '../store';
import { defaultCsvDataset, suggestedIgnoreOf, type CsvInfo } from './CsvColumns';

export type SourceKind = DatasetConfig['source'];
export type PickKind = 'csv' | 'npy' | 'folder';
export type Color = 'rgb' | 'grayscale';
/** The text of the path fields, edited before a dataset is applied. */
export interface Draft { path: string; target: string; x: string; y: string; color: string }
export interface DataFile { path: string; kind: PickKind }

export const setDataset = (d: DatasetConfig) => useEditor.getState().setDataset(d);
const where = (docPath: string | null) => (docPath ? { docPath } : {});
export const colorOf = (c: string): { color?: Color } => (c === 'rgb' || c === 'grayscale' ? { color: c } : {});

/** The options every source keeps when the source changes (test split, normalisation, limit, augmentation). */
export type CommonOptions = Pick<DatasetConfig, 'testSplit' | 'normalize' | 'limit' | 'augmentation'>;

export function commonOf(dataset: DatasetConfig | undefined): CommonOptions {
  if (!dataset) return {};
  const { testSplit, normalize, limit, augmentation } = dataset;
  return { ...(testSplit !== undefined ? { testSplit } : {}), ...(normalize ? { normalize } : {}), ...(limit ? { limit } : {}), ...(augmentation ? { augmentation } : {}) };
}

export function draftOf(ds: DatasetConfig | undefined): Draft {
  const d = (ds ?? {}) as Record<string, unknown>;
  const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : '');
  return { path: str('path'), target: str('target'), x: str('x'), y: str('y'), color: str('color') };
}

/** Two `.npy` files picked together: the one named like `y…`/`…_y`/`labels` is y, the other x. */
export function assignXY(paths: string[]): [string, string] {
  const base = (p: string) => p.split('/').pop()!.toLowerCase();
  const isY = (p: string) => /(^|[_.-])(y|labels?|targets?)([_.-]|$)/.test(base(p).replace(/\.npy$/, ''));
  const y = paths.find(isY) ?? paths[1]!;
  const x = paths.find((p) => p !== y) ?? paths[0]!;
  return [x, y];
}

export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/**
 * The fields follow the document's dataset (a pick, undo), adjusted during render: an effect did it
 * one render late, so a choice made at once (the colour right after picking a folder) saw the old folder.
 */
export function useDraft(dataset: DatasetConfig | undefined) {
  const source = dataset?.source ?? 'builtin';
  const [draft, setDraft] = useState(() => draftOf(dataset));
  const [kind, setKind] = useState<SourceKind>(source);
  const [shown, setShown] = useState({ dataset, source });
  if (shown.dataset !== dataset || shown.source !== source) {
    setShown({ dataset, source });
    if (shown.dataset !== dataset) setDraft(draftOf(dataset));
    if (shown.source !== source) setKind(source);
  }
  return { draft, setDraft, kind, setKind };
}

/** The files a person can pick (a drop-down on the path fields): CSV/.npy files and folders beside the model. */
export function useDataFiles(kind: SourceKind, docPath: string | null, picks: number): DataFile[] {
  const [choices, setChoices] = useState<DataFile[]>([]);
  useEffect(() => {
    if (kind === 'builtin') return;
    let live = true;
    getApi().data.files(where(docPath)).then((r) => live && setChoices(r.files)).catch(() => undefined);
    return () => {
      live = false;
    };
  }, [kind, docPath, picks]);
  return choices;
}

/** A CSV path's columns (kind, examples) for the target chooser; re-read after each pick (`picks`). */
export function useCsvDescription(path: string, docPath: string | null, picks: number, onCsvInfo: (info: CsvInfo | null) => void, onTarget: (target: string) => void) {
  const csvPath = useDebounced(path, 300);
  const reads = useEditor((s) => s.dataReads);
  const [csv, setCsv] = useState<CsvInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setCsv(null);
    onCsvInfo(null);
    setError(null);
    if (!csvPath) return;
    let live = true;
    getApi().data.describeCsv({ path: csvPath, ...where(docPath) })
      .then((described) => {
        if (!live) return;
        const info: CsvInfo = { ...described, path: csvPath, suggestedIgnore: suggestedIgnoreOf(described) };
        setCsv(info);
        onCsvInfo(info);
        onTarget(info.suggestedTarget ?? info.columns[info.columns.length - 1]?.name ?? '');
      })
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
    // onCsvInfo / onTarget are the caller's setters: the request depends on the path only.
  }, [csvPath, docPath, picks, reads]);
  return { csv, error };
}

interface PickContext {
  dataset: DatasetConfig | undefined;
  draft: Draft;
  setDraft(f: (d: Draft) => Draft): void;
  docPath: string | null;
  onPicked(): void;
}

/** A picked CSV: applied when the engine can read it; otherwise the field keeps the file in use and the error names the failing one. */
async function applyCsvPick(path: string, c: PickContext): Promise<string | null> {
  let info: Awaited<ReturnType<ReturnType<typeof getApi>['data']['describeCsv']>>;
  try {
    info = await getApi().data.describeCsv({ path, ...where(c.docPath) });
  } catch (e) {
    const msg = (e as Error).message;
    return msg.includes(path.split('/').pop()!) ? msg : `${path}: ${msg}`;
  }
  c.setDraft((d) => ({ ...d, path, target: '' }));
  // The engine's suggestions: its target, every other column a feature but row numbers / ids.
  setDataset({ ...defaultCsvDataset(path, { ...info, suggestedIgnore: suggestedIgnoreOf(info) }), ...commonOf(c.dataset) });
  return null;
}

/** Two `.npy` files picked together, or one for the field it was picked for: applied once both are set. */
function applyNpyPick(field: 'path' | 'x' | 'y', r: { path: string; paths?: string[] }, c: PickContext): void {
  let { x, y } = c.draft;
  if (r.paths && r.paths.length >= 2) [x, y] = assignXY(r.paths);
  else if (field === 'y') y = r.path;
  else x = r.path;
  c.setDraft((d) => ({ ...d, x, y }));
  if (x && y) setDataset({ source: 'npy', x, y, ...commonOf(c.dataset) });
}

/** "Choose…" beside a path field: the pick is applied at once. */
export function useDataPicker(c: PickContext) {
  const [picking, setPicking] = useState(false);
  const [pickError, setPickError] = useState<string | null>(null);
  // A picked CSV the engine cannot read (the field keeps the previous file).
  const [csvPickError, setCsvPickError] = useState<string | null>(null);
  const choose = async (field: 'path' | 'x' | 'y', kind: PickKind) => {
    setPickError(null);
    setCsvPickError(null);
    setPicking(true);
    try {
      const r = await getApi().data.pick({ kind, ...where(c.docPath) });
      if (r.canceled) return;
      c.onPicked();
      // The same path picked again is read again (the file may have been fixed meanwhile).
      useEditor.getState().rereadData();
      if (kind === 'csv') setCsvPickError(await applyCsvPick(r.path, c));
      else if (kind === 'folder') setDataset({ source: 'images', path: r.path, ...colorOf(c.draft.color), ...commonOf(c.dataset) });
      else applyNpyPick(field, r, c);
    } catch (e) {
      setPickError((e as Error).message);
    } finally {
      setPicking(false);
    }
  };
  return { choose, picking, pickError, csvPickError, clearCsvPickError: () => setCsvPickError(null) };
}

/** "Use this data": the typed paths become the document's dataset (an applied CSV is edited in its columns table). */
export function applyDraft(kind: SourceKind, draft: Draft, dataset: DatasetConfig | undefined, csv: CsvInfo | null): void {
  const common = commonOf(dataset);
  // "Use this data" on the same path reads the file again: a fixed file must not keep its old error.
  useEditor.getState().rereadData();
  if (kind === 'csv' && dataset?.source === 'csv' && dataset.path === draft.path) return;
  if (kind === 'csv' && draft.path && draft.target) {
    const described = csv?.path === draft.path ? csv : null;
    setDataset({ ...(described ? defaultCsvDataset(draft.path, described, draft.target) : { source: 'csv' as const, path: draft.path, target: draft.target }), ...common });
  }
  if (kind === 'images' && draft.path) setDataset({ source: 'images', path: draft.path, ...colorOf(draft.color), ...common });
  if (kind === 'npy' && draft.x && draft.y) setDataset({ source: 'npy', x: draft.x, y: draft.y, ...common });
}

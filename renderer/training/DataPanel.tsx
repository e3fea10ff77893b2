/**
 * The Data tab: choose a built-in dataset or point at a CSV file, an image folder (one subfolder per
 * class) or `.npy` arrays (paths relative to the document's folder — the project folder in web
 * mode); preview samples (image grid with labels, or a table), the class balance, split sizes,
 * warnings (imbalance, train/test duplicates...), the augmentation options with a live preview, and
 * a mismatch between the data's sample shape and the Input node with a button to fix the Input.
 * "Choose…" beside each path opens a native dialog (desktop) or the browser's file picker, which
 * uploads the files into the project folder (web mode). A chosen CSV's columns get a table of roles
 * (target / feature / ignore, one-hot) and the task (CsvColumns.tsx).
 * Every choice edits the document's `dataset` (undoable).
 */
import { useEffect, useState } from 'react';
import type { Augmentation, DatasetConfig } from '../../shared/document';
import { getApi } from '../platform/api';
import { onUploadProgress, type UploadProgress } from '../platform/upload';
import { useEditor } from '../store';
import { CsvColumns, defaultCsvDataset, suggestedIgnoreOf, type CsvDataset, type CsvInfo } from './CsvColumns';
import { effectiveTraining } from '../store/training';
import { isImageShape } from './format';
import { SampleImage } from './SampleImage';
import { NumberField, useTallPanel } from './TrainingPanel';
import { inputShapeOf } from './TryItPanel';

/** The built-in datasets (docs/datasets.md). */
export const BUILTINS: { name: string; label: string }[] = [
  { name: 'digits', label: 'digits — handwritten digits 28×28 (MNIST, 10,000)' },
  { name: 'fashion-mnist', label: 'fashion-mnist — clothing 28×28 (4,000)' },
  { name: 'fashion-mnist-full', label: 'fashion-mnist-full — 70,000 (Debian package)' },
  { name: 'shapes32', label: 'shapes32 — colour shapes 32×32×3' },
  { name: 'iris', label: 'iris — 4 features, 3 species' },
  { name: 'blobs', label: 'blobs — 2 features, 2 classes' },
  { name: 'line', label: 'line — regression y = 2x' },
  { name: 'auto-mpg', label: 'auto-mpg — regression, 9 features' },
  { name: 'sine-wave', label: 'sine-wave — sequences [30, 1], next value' },
  { name: 'text-sentiment', label: 'text-sentiment — token ids [40], 2 classes' },
];

interface Summary {
  name: string;
  description?: string;
  task?: 'classification' | 'regression';
  kind?: string;
  count?: number;
  sampleShape?: number[];
  inputShape?: number[];
  classes?: string[];
  featureNames?: string[];
  license?: string;
  split?: { train: number; validation: number; test: number };
  balance?: { classes: string[]; all: number[] };
  warnings?: { code: string; message: string }[];
  samples?: { index: number; values: number[]; shape: number[]; label: number | number[]; className?: string }[];
  /** The engine says mirroring changes a sample's meaning (digits, letters). */
  orientationSensitive?: boolean;
}

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);
const same = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** Mirrors the engine's check: exact, flat of the same size, or a trailing 1 added/dropped. */
export function shapeFits(data: number[], input: number[]): boolean {
  if (same(data, input)) return true;
  if (input.length === 1 && input[0] === prod(data)) return true;
  const strip = (s: number[]) => (s.length > 1 && s[s.length - 1] === 1 ? s.slice(0, -1) : s);
  return same(strip(data), strip(input));
}

const fmt = (n: number | undefined) => (n === undefined ? '—' : n.toLocaleString('en-US'));

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** Two `.npy` files picked together: the one named like `y…`/`…_y`/`labels` is y, the other x. */
export function assignXY(paths: string[]): [string, string] {
  const base = (p: string) => p.split('/').pop()!.toLowerCase();
  const isY = (p: string) => /(^|[_.-])(y|labels?|targets?)([_.-]|$)/.test(base(p).replace(/\.npy$/, ''));
  const y = paths.find(isY) ?? paths[1]!;
  const x = paths.find((p) => p !== y) ?? paths[0]!;
  return [x, y];
}

/** The upload under way (web mode), as a line with a progress bar. */
function UploadStatus() {
  const [p, setP] = useState<UploadProgress | null>(null);
  useEffect(() => onUploadProgress(setP), []);
  if (!p) return null;
  const pct = p.total ? Math.floor((p.loaded / p.total) * 100) : 100;
  return (
    <div className="ll-upload" data-testid="upload-progress" role="status">
      Uploading {p.file}{p.files > 1 ? ` (file ${p.fileIndex + 1} of ${p.files})` : ''}… {pct}%
      <progress max={100} value={pct} />
    </div>
  );
}

function SourceEditor({ dataset, onCsvInfo }: { dataset: DatasetConfig | undefined; onCsvInfo: (info: CsvInfo | null) => void }) {
  const source = dataset?.source ?? 'builtin';
  const set = (d: DatasetConfig) => useEditor.getState().setDataset(d);
  const common = dataset ? { ...(dataset.testSplit !== undefined ? { testSplit: dataset.testSplit } : {}), ...(dataset.normalize ? { normalize: dataset.normalize } : {}), ...(dataset.limit ? { limit: dataset.limit } : {}), ...(dataset.augmentation ? { augmentation: dataset.augmentation } : {}) } : {};
  const draftOf = (ds: DatasetConfig | undefined): Record<string, string> => {
    const d = (ds ?? {}) as Record<string, unknown>;
    return {
      path: typeof d.path === 'string' ? d.path : '', target: typeof d.target === 'string' ? d.target : '',
      x: typeof d.x === 'string' ? d.x : '', y: typeof d.y === 'string' ? d.y : '', color: typeof d.color === 'string' ? d.color : '',
    };
  };
  // The fields follow the document's dataset (a pick, undo), adjusted during render: an effect did it one
  // render late, so a choice made at once (the colour right after picking a folder) saw the old folder.
  const [draft, setDraft] = useState(() => draftOf(dataset));
  const [kind, setKind] = useState(source);
  const [shown, setShown] = useState({ dataset, source });
  if (shown.dataset !== dataset || shown.source !== source) {
    setShown({ dataset, source });
    if (shown.dataset !== dataset) setDraft(draftOf(dataset));
    if (shown.source !== source) setKind(source);
  }
  // The files a person can pick (a drop-down on the path fields): CSV/.npy files and folders beside the model.
  const docPath = useEditor((s) => s.filePath);
  const [choices, setChoices] = useState<{ path: string; kind: 'csv' | 'npy' | 'folder' }[]>([]);
  // Bumped after each pick: an upload adds files to the list, or replaces a CSV under the same path.
  const [picks, setPicks] = useState(0);
  useEffect(() => {
    if (kind === 'builtin') return;
    let live = true;
    getApi().data.files(docPath ? { docPath } : {}).then((r) => live && setChoices(r.files)).catch(() => undefined);
    return () => {
      live = false;
    };
  }, [kind, docPath, picks]);
  // CSV: the file's columns (kind, examples) for the target chooser.
  const csvPath = useDebounced(kind === 'csv' ? draft.path ?? '' : '', 300);
  const [csv, setCsv] = useState<CsvInfo | null>(null);
  const [csvError, setCsvError] = useState<string | null>(null);
  useEffect(() => {
    setCsv(null);
    onCsvInfo(null);
    setCsvError(null);
    if (!csvPath) return;
    let live = true;
    getApi().data.describeCsv({ path: csvPath, ...(docPath ? { docPath } : {}) })
      .then((described) => {
        if (!live) return;
        const info: CsvInfo = { ...described, path: csvPath, suggestedIgnore: suggestedIgnoreOf(described) };
        setCsv(info);
        onCsvInfo(info);
        setDraft((d) => (d.target ? d : { ...d, target: info.suggestedTarget ?? info.columns[info.columns.length - 1]?.name ?? '' }));
      })
      .catch((e: Error) => live && setCsvError(e.message));
    return () => {
      live = false;
    };
  }, [csvPath, docPath, picks]);
  // "Choose…": a native dialog (desktop) or the browser's picker + upload (web); the pick is applied at once.
  const [picking, setPicking] = useState(false);
  const [pickError, setPickError] = useState<string | null>(null);
  const color = draft.color === 'rgb' || draft.color === 'grayscale' ? { color: draft.color as 'rgb' | 'grayscale' } : {};
  // A picked CSV the engine cannot read (the field keeps the previous file).
  const [csvPickError, setCsvPickError] = useState<string | null>(null);
  const choose = async (k: 'path' | 'x' | 'y', pick: 'csv' | 'npy' | 'folder') => {
    setPickError(null);
    setCsvPickError(null);
    setPicking(true);
    try {
      const r = await getApi().data.pick({ kind: pick, ...(docPath ? { docPath } : {}) });
      if (r.canceled) return;
      setPicks((n) => n + 1);
      if (pick === 'csv') {
        let info: Awaited<ReturnType<ReturnType<typeof getApi>['data']['describeCsv']>>;
        try {
          info = await getApi().data.describeCsv({ path: r.path, ...(docPath ? { docPath } : {}) });
        } catch (e) {
          // The field keeps the file in use, and the error names the one that failed: they used to
          // disagree (the new name in the field, the old file's error below it).
          const msg = (e as Error).message;
          const name = r.path.split('/').pop()!;
          setCsvPickError(msg.includes(name) ? msg : `${r.path}: ${msg}`);
          return;
        }
        setDraft((d) => ({ ...d, path: r.path, target: '' }));
        // The engine's suggestions: its target, every other column a feature but row numbers / ids.
        set({ ...defaultCsvDataset(r.path, { ...info, suggestedIgnore: suggestedIgnoreOf(info) }), ...common });
      } else if (pick === 'folder') {
        set({ source: 'images', path: r.path, ...color, ...common });
      } else {
        let { x = '', y = '' } = draft;
        if (r.paths && r.paths.length >= 2) [x, y] = assignXY(r.paths);
        else if (k === 'y') y = r.path;
        else x = r.path;
        setDraft((d) => ({ ...d, x, y }));
        if (x && y) set({ source: 'npy', x, y, ...common });
      }
    } catch (e) {
      setPickError((e as Error).message);
    } finally {
      setPicking(false);
    }
  };
  const chooseLabel: Record<string, string> = { csv: 'Choose CSV file…', folder: 'Choose image folder…', x: 'Choose x .npy…', y: 'Choose y .npy…' };
  const field = (k: string, label: string, placeholder: string, pick?: 'csv' | 'npy' | 'folder') => (
    <div className="ll-field">
      <label htmlFor={`ds-${k}`}>{label}</label>
      <div className="ll-path-row">
        <input id={`ds-${k}`} value={draft[k] ?? ''} placeholder={placeholder} list={pick ? `ds-${k}-choices` : undefined}
          onChange={(e) => { setDraft({ ...draft, [k]: e.target.value }); if (k === 'path') setCsvPickError(null); }} />
        {pick && (
          <button type="button" disabled={picking} data-testid={`choose-${k}`} aria-label={chooseLabel[pick === 'npy' ? k : pick]}
            onClick={() => void choose(k as 'path' | 'x' | 'y', pick)}>Choose…</button>
        )}
      </div>
      {pick && (
        <datalist id={`ds-${k}-choices`}>
          {choices.filter((c) => c.kind === pick).map((c) => <option key={c.path} value={c.path} />)}
        </datalist>
      )}
    </div>
  );
  // A choice, not a text field (a typed "RGB" used to be dropped without a word); an applied folder takes it at once.
  const colorField = (
    <div className="ll-field">
      <label htmlFor="ds-color">color</label>
      <select id="ds-color" value={draft.color ?? ''} onChange={(e) => {
        const c = e.target.value;
        setDraft({ ...draft, color: c });
        if (dataset?.source === 'images' && dataset.path === draft.path) {
          const next: DatasetConfig = { ...dataset };
          if (c === 'rgb' || c === 'grayscale') next.color = c;
          else delete next.color;
          set(next);
        }
      }}>
        <option value="">as the Input’s channels</option>
        <option value="grayscale">grayscale (1 channel)</option>
        <option value="rgb">RGB (3 channels)</option>
      </select>
    </div>
  );
  // The applied CSV's columns are set in the table (CsvColumns); the target here is for a typed path not applied yet.
  const csvApplied = dataset?.source === 'csv' && dataset.path === draft.path;
  const apply = () => {
    if (kind === 'csv' && csvApplied) return;
    if (kind === 'csv' && draft.path && draft.target) {
      const described = csv?.path === draft.path ? csv : null;
      set({ ...(described ? defaultCsvDataset(draft.path, described, draft.target) : { source: 'csv' as const, path: draft.path, target: draft.target }), ...common });
    }
    if (kind === 'images' && draft.path) set({ source: 'images', path: draft.path, ...(draft.color === 'rgb' || draft.color === 'grayscale' ? { color: draft.color } : {}), ...common });
    if (kind === 'npy' && draft.x && draft.y) set({ source: 'npy', x: draft.x, y: draft.y, ...common });
  };
  return (
    <fieldset className="ll-hyper" aria-label="Data source">
      <legend>Data</legend>
      <div className="ll-field">
        <label htmlFor="ds-source">source</label>
        <select id="ds-source" value={kind} onChange={(e) => setKind(e.target.value as DatasetConfig['source'])}>
          <option value="builtin">built-in dataset</option>
          <option value="csv">CSV file</option>
          <option value="images">image folder</option>
          <option value="npy">NumPy .npy arrays</option>
        </select>
      </div>
      {kind === 'builtin' && (
        <div className="ll-field">
          <label htmlFor="ds-builtin">dataset</label>
          {/* The labels are longer than the narrow column shows ("text-sentiment — token id…"): the full one on hover. */}
          <select id="ds-builtin" data-testid="dataset-select" value={dataset?.source === 'builtin' ? dataset.name : ''}
            title={BUILTINS.find((b) => dataset?.source === 'builtin' && b.name === dataset.name)?.label}
            onChange={(e) => set({ source: 'builtin', name: e.target.value, ...common })}>
            <option value="" disabled>choose…</option>
            {BUILTINS.map((b) => <option key={b.name} value={b.name}>{b.label}</option>)}
          </select>
        </div>
      )}
      {kind !== 'builtin' && (
        <>
          <p className="muted" style={{ margin: '4px 0' }}>Paths are relative to the model file’s folder{' '}(the project folder in web mode), or absolute.</p>
          {kind === 'csv' && (
            <>
              {field('path', 'CSV file', 'data/houses.csv', 'csv')}
              {csvPickError && <span className="field-error" role="alert" data-testid="csv-pick-error">{csvPickError}{draft.path ? ` (still using ${draft.path})` : ''}</span>}
              {csvError && <span className="field-error" role="alert">{csvError}</span>}
              {csvApplied ? (
                <p className="muted" style={{ margin: '4px 0' }}>Set the columns’ roles and the task in the table.</p>
              ) : csv ? (
                <div className="ll-field">
                  <label htmlFor="ds-target">target column ({csv.rows} rows)</label>
                  <select id="ds-target" value={draft.target ?? ''} onChange={(e) => setDraft({ ...draft, target: e.target.value })}>
                    {csv.columns.map((c) => <option key={c.name} value={c.name}>{c.name} — {c.kind}, e.g. {c.examples.slice(0, 2).join(', ')}</option>)}
                  </select>
                  <span className="muted">Features: every other column ({csv.columns.filter((c) => c.kind === 'categorical' && c.name !== draft.target).map((c) => c.name).join(', ') || 'none'} one-hot encoded as categorical){csv.suggestedIgnore?.some((n) => n !== draft.target) ? `, except ${csv.suggestedIgnore.filter((n) => n !== draft.target).join(', ')} (row number or id: ignored)` : ''}.</span>
                </div>
              ) : field('target', 'target column', 'price')}
            </>
          )}
          {kind === 'images' && <>{field('path', 'folder (one subfolder per class)', 'photos', 'folder')}{colorField}</>}
          {kind === 'npy' && <>{field('x', 'x (.npy, samples on axis 0)', 'x_train.npy', 'npy')}{field('y', 'y (.npy, one label per sample)', 'y_train.npy', 'npy')}</>}
          <UploadStatus />
          {pickError && <div className="field-error" role="alert" data-testid="pick-error">{pickError}</div>}
          {choices.length === 0 && <p className="muted" style={{ margin: '4px 0' }}>No data files found beside the model{docPath ? '' : ' (save it first, or put files in the project folder)'}: use Choose….</p>}
          {!(kind === 'csv' && csvApplied) && <button type="button" onClick={apply} style={{ marginTop: 6 }}>Use this data</button>}
        </>
      )}
      {dataset && (
        <>
          <NumberField label="test split" value={dataset.testSplit} min={0} max={0.9} placeholder="default" onCommit={(v) => set({ ...dataset, testSplit: v } as DatasetConfig)} />
          <NumberField label="use at most N training samples" value={dataset.limit} min={1} integer placeholder="all" testId="data-limit"
            onCommit={(v) => { const d = { ...dataset } as Record<string, unknown>; if (v === undefined) delete d.limit; else d.limit = v; set(d as DatasetConfig); }} />
          <div className="ll-field">
            <label htmlFor="ds-norm">normalisation</label>
            <select id="ds-norm" value={dataset.normalize ?? ''} onChange={(e) => { const d = { ...dataset } as Record<string, unknown>; if (e.target.value) d.normalize = e.target.value; else delete d.normalize; set(d as DatasetConfig); }}>
              <option value="">default</option><option value="none">none</option><option value="scale">scale</option><option value="standardize">standardize</option>
            </select>
          </div>
        </>
      )}
    </fieldset>
  );
}

const AUG_FIELDS: { key: keyof Augmentation; label: string; max: number }[] = [
  { key: 'rotation', label: 'rotation (°)', max: 180 },
  { key: 'widthShift', label: 'width shift (fraction)', max: 1 },
  { key: 'heightShift', label: 'height shift (fraction)', max: 1 },
  { key: 'shear', label: 'shear (°)', max: 90 },
  { key: 'zoom', label: 'zoom (±)', max: 1 },
];

const summaryName = (d: DatasetConfig) => (d.source === 'builtin' ? d.name : d.source === 'npy' ? d.x : d.path);

function AugmentationEditor({ dataset, docPath, orientationSensitive }: { dataset: DatasetConfig; docPath: string | null; orientationSensitive?: boolean }) {
  const aug = dataset.augmentation;
  const set = (patch: Partial<Augmentation>) => {
    const next = { rotation: 0, widthShift: 0, heightShift: 0, shear: 0, zoom: 0, horizontalFlip: false, ...aug, ...patch };
    const active = Object.entries(next).some(([, v]) => v !== 0 && v !== false);
    const d = { ...dataset } as Record<string, unknown>;
    if (active) d.augmentation = next;
    else delete d.augmentation;
    useEditor.getState().setDataset(d as DatasetConfig);
  };
  const [preview, setPreview] = useState<{ shape: number[]; samples: number[][] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = useDebounced(JSON.stringify(dataset), 300);
  useEffect(() => {
    if (!aug) return setPreview(null);
    let live = true;
    getApi().data.augmentPreview({ dataset, count: 8, ...(docPath ? { docPath } : {}) })
      .then((p) => live && (setPreview(p), setError(null)))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [key]);
  return (
    <div>
      <strong>Augmentation</strong> <span className="muted">(training batches only, drawn anew every epoch)</span>
      <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
        {AUG_FIELDS.map((f) => (
          <div key={f.key} style={{ width: 120 }}>
            <NumberField label={f.label} value={(aug?.[f.key] as number | undefined) ?? 0} min={0} max={f.max} onCommit={(v) => set({ [f.key]: v ?? 0 })} />
          </div>
        ))}
        <label className="ll-check"><input type="checkbox" checked={!!aug?.horizontalFlip} onChange={(e) => set({ horizontalFlip: e.target.checked })} />horizontal flip</label>
      </div>
      {/* Allowed (a person may want it), but a mirrored 9 reads as a "P" and is still labelled 9. */}
      {aug?.horizontalFlip && orientationSensitive && (
        <div className="ll-warning" data-testid="flip-warning">
          Flipping changes what a digit or letter means (a mirrored 9 is no 9, yet keeps its label): the {summaryName(dataset)} data is orientation-sensitive, so horizontal flip likely hurts accuracy.
        </div>
      )}
      {error && <div className="ll-error" role="alert">{error}</div>}
      {preview && (
        <div className="ll-sample-grid" data-testid="augment-preview">
          {preview.samples.map((v, i) => <SampleImage key={i} values={v} shape={preview.shape} size={48} />)}
        </div>
      )}
    </div>
  );
}

export function DataPanel() {
  const dataset = useEditor((s) => s.doc.dataset);
  const doc = useEditor((s) => s.doc);
  const docPath = useEditor((s) => s.filePath);
  const [summary, setSummary] = useState<Summary | null>(null);
  const [csvInfo, setCsvInfo] = useState<CsvInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  // The training settings that shape the split go with the request: the preview shows the run's split.
  const t = effectiveTraining(doc);
  const training = { validationSplit: t.validationSplit, shuffle: t.shuffle, ...(t.seed !== undefined ? { seed: t.seed } : {}) };
  const key = useDebounced(JSON.stringify({ ...dataset, augmentation: undefined, training }), 250);

  useEffect(() => {
    if (!dataset) return setSummary(null);
    let live = true;
    setLoading(true);
    getApi().data.preview({ dataset: { ...dataset, augmentation: undefined } as DatasetConfig, limit: 20, training, ...(docPath ? { docPath } : {}) })
      .then((p) => { if (live) { setSummary(p as Summary); setError(null); } })
      .catch((e: Error) => { if (live) { setError(e.message); setSummary(null); } })
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [key, docPath]);

  const inputNode = doc.nodes.find((n) => n.type === 'Input');
  const inputShape = inputShapeOf(doc);
  const sampleShape = summary?.sampleShape ?? summary?.inputShape;
  const mismatch = !!(sampleShape && inputShape && !shapeFits(sampleShape, inputShape));
  const validation = summary?.split ?? null;
  const maxCount = Math.max(1, ...(summary?.balance?.all ?? [1]));
  // A crossentropy loss on numeric targets: binaryCrossentropy even trains, to a meaningless negative loss.
  const lossMismatch = summary?.task === 'regression' && /Crossentropy$/.test(t.loss) ? t.loss : null;
  useTallPanel();

  return (
    <div className="ll-data" data-testid="data-panel">
      <div className="ll-data-side"><SourceEditor dataset={dataset} onCsvInfo={setCsvInfo} /></div>
      <div className="ll-data-main">
        {!dataset && <p className="muted">Choose the data this model trains on.</p>}
        {dataset?.source === 'csv' && csvInfo?.path === dataset.path && (
          <CsvColumns dataset={dataset as CsvDataset} info={csvInfo} inferredTask={!dataset.task && summary?.task ? summary.task : undefined} />
        )}
        {loading && <p className="muted">Loading the data…</p>}
        {error && <div className="ll-error" role="alert" data-testid="data-error">{error}</div>}
        {summary && (
          <>
            <div data-testid="data-summary">
              <strong>{summary.name}</strong>: {fmt(summary.count)} samples · sample shape [{sampleShape?.join(', ')}] ·{' '}
              {summary.featureNames && <>{summary.featureNames.length} feature{summary.featureNames.length === 1 ? '' : 's'} · </>}
              {summary.task === 'regression' ? 'regression' : `${summary.classes?.length ?? 0} classes`}
              {validation && <> · split: {fmt(validation.train)} train / {fmt(validation.validation)} validation / {fmt(validation.test)} test</>}
              {summary.license && <span className="muted"> · licence: {summary.license}</span>}
              {summary.description && <div className="muted">{summary.description}</div>}
            </div>
            {mismatch && inputNode && (
              <div className="ll-warning" role="alert" data-testid="shape-mismatch">
                The {summary.name} data has samples of shape [{sampleShape!.join(', ')}] but the Input node “{inputNode.id}” expects [{inputShape!.join(', ')}].{' '}
                <button type="button" onClick={() => useEditor.getState().setParam([inputNode.id], 'shape', [...sampleShape!])}>
                  Set Input shape to [{sampleShape!.join(', ')}]
                </button>
              </div>
            )}
            {lossMismatch && (
              <div className="ll-warning" role="alert" data-testid="loss-mismatch">
                The {summary.name} data is a regression task (numeric targets) but the loss is {lossMismatch}, which needs classes.{' '}
                <button type="button" onClick={() => useEditor.getState().setTrainingParam('loss', 'meanSquaredError')}>Set loss to meanSquaredError</button>
              </div>
            )}
            {summary.warnings?.map((w) => <div key={w.code + w.message} className="ll-warning" data-testid={`data-warning-${w.code}`}>{w.message}</div>)}
            {summary.balance && (
              <div>
                <strong>Class balance</strong>
                <div className="ll-balance" data-testid="class-balance">
                  {summary.balance.classes.map((c, i) => (
                    <div key={c} title={`${c}: ${summary.balance!.all[i]}`}>
                      <span className="bar" style={{ height: `${Math.max(1, (summary.balance!.all[i]! / maxCount) * 54)}px` }} />
                      <span>{c.length > 6 ? `${c.slice(0, 5)}…` : c}</span>
                    </div>
                  ))}
                </div>
              </div>
            )}
            <SamplePreview summary={summary} />
            {dataset && sampleShape && isImageShape(sampleShape) && <AugmentationEditor dataset={dataset} docPath={docPath} orientationSensitive={!!summary.orientationSensitive} />}
          </>
        )}
      </div>
    </div>
  );
}

function SamplePreview({ summary }: { summary: Summary }) {
  const samples = summary.samples ?? [];
  if (!samples.length) return null;
  const shape = samples[0]!.shape;
  if (isImageShape(shape)) {
    return (
      <div className="ll-sample-grid" data-testid="data-preview">
        {samples.map((s) => (
          <figure key={s.index}>
            <SampleImage values={s.values} shape={s.shape} size={44} />
            <figcaption>{s.className ?? (Array.isArray(s.label) ? s.label.join(', ') : s.label)}</figcaption>
          </figure>
        ))}
      </div>
    );
  }
  const names = summary.featureNames ?? Array.from({ length: Math.min(12, samples[0]!.values.length) }, (_, i) => `x${i + 1}`);
  return (
    <table className="ll-table" data-testid="data-preview">
      <thead><tr>{names.slice(0, 12).map((n) => <th key={n}>{n}</th>)}<th>target</th></tr></thead>
      <tbody>
        {samples.slice(0, 12).map((s) => (
          <tr key={s.index}>
            {s.values.slice(0, 12).map((v, i) => <td key={i}>{+v.toFixed(3)}</td>)}
            <td>{s.className ?? (Array.isArray(s.label) ? s.label.map((v) => +v.toFixed(3)).join(', ') : s.label)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

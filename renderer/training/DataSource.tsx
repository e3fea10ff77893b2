/**
 * The Data tab's source editor: a built-in dataset, or a CSV file, an image folder (one subfolder
 * per class) or `.npy` arrays, each path typed (with a drop-down of the files beside the model) or
 * chosen with "Choose…"; then the options every source has (test split, limit, normalisation).
 * The logic lives in data-source.ts.
 */
import { useEffect, useState } from 'react';
import type { DatasetConfig } from '../../shared/document';
import { onUploadProgress, type UploadProgress } from '../platform/upload';
import { useEditor } from '../store';
import type { CsvInfo } from './CsvColumns';
import { applyDraft, colorOf, commonOf, setDataset, useCsvDescription, useDataFiles, useDataPicker, useDraft, type DataFile, type Draft, type PickKind, type SourceKind } from './data-source';
import { NumberField } from './TrainingPanel';

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
  { name: 'arrests', label: 'arrests — released Yes/No, 7 columns incl. colour and sex (GPL)' },
  { name: 'sine-wave', label: 'sine-wave — sequences [30, 1], next value' },
  { name: 'text-sentiment', label: 'text-sentiment — token ids [40], 2 classes' },
];

const CHOOSE_LABEL: Record<string, string> = { csv: 'Choose CSV file…', folder: 'Choose image folder…', x: 'Choose x .npy…', y: 'Choose y .npy…' };

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

interface PathFieldProps {
  field: keyof Draft;
  label: string;
  placeholder: string;
  draft: Draft;
  onChange(value: string): void;
  pick?: { kind: PickKind; choices: DataFile[]; busy: boolean; choose(): void };
}

function PathField({ field, label, placeholder, draft, onChange, pick }: PathFieldProps) {
  return (
    <div className="ll-field">
      <label htmlFor={`ds-${field}`}>{label}</label>
      <div className="ll-path-row">
        <input id={`ds-${field}`} value={draft[field]} placeholder={placeholder} list={pick ? `ds-${field}-choices` : undefined} onChange={(e) => onChange(e.target.value)} />
        {pick && (
          <button type="button" disabled={pick.busy} data-testid={`choose-${field}`} aria-label={CHOOSE_LABEL[pick.kind === 'npy' ? field : pick.kind]}
            onClick={pick.choose}>Choose…</button>
        )}
      </div>
      {pick && (
        <datalist id={`ds-${field}-choices`}>
          {pick.choices.filter((c) => c.kind === pick.kind).map((c) => <option key={c.path} value={c.path} />)}
        </datalist>
      )}
    </div>
  );
}

/** A choice, not a text field (a typed "RGB" used to be dropped without a word); an applied folder takes it at once. */
function ColorField({ dataset, draft, setDraft }: { dataset: DatasetConfig | undefined; draft: Draft; setDraft(d: Draft): void }) {
  return (
    <div className="ll-field">
      <label htmlFor="ds-color">color</label>
      <select id="ds-color" value={draft.color} onChange={(e) => {
        const c = e.target.value;
        setDraft({ ...draft, color: c });
        if (dataset?.source === 'images' && dataset.path === draft.path) {
          const { color: _old, ...rest } = dataset;
          setDataset({ ...rest, ...colorOf(c) });
        }
      }}>
        <option value="">as the Input’s channels</option>
        <option value="grayscale">grayscale (1 channel)</option>
        <option value="rgb">RGB (3 channels)</option>
      </select>
    </div>
  );
}

/** The target of a typed CSV path not applied yet (an applied CSV's columns are set in its table, CsvColumns). */
function CsvTarget({ csv, draft, setDraft }: { csv: CsvInfo; draft: Draft; setDraft(d: Draft): void }) {
  const oneHot = csv.columns.filter((c) => c.kind === 'categorical' && c.name !== draft.target).map((c) => c.name).join(', ') || 'none';
  const ignored = (csv.suggestedIgnore ?? []).filter((n) => n !== draft.target);
  return (
    <div className="ll-field">
      <label htmlFor="ds-target">target column ({csv.rows} rows)</label>
      <select id="ds-target" value={draft.target} onChange={(e) => setDraft({ ...draft, target: e.target.value })}>
        {csv.columns.map((c) => <option key={c.name} value={c.name}>{c.name} — {c.kind}, e.g. {c.examples.slice(0, 2).join(', ')}</option>)}
      </select>
      <span className="muted">Features: every other column ({oneHot} one-hot encoded as categorical){ignored.length ? `, except ${ignored.join(', ')} (row number or id: ignored)` : ''}.</span>
    </div>
  );
}

function BuiltinField({ dataset }: { dataset: DatasetConfig | undefined }) {
  const name = dataset?.source === 'builtin' ? dataset.name : '';
  return (
    <div className="ll-field">
      <label htmlFor="ds-builtin">dataset</label>
      {/* The labels are longer than the narrow column shows ("text-sentiment — token id…"): the full one on hover. */}
      <select id="ds-builtin" data-testid="dataset-select" value={name} title={BUILTINS.find((b) => b.name === name)?.label}
        onChange={(e) => setDataset({ source: 'builtin', name: e.target.value, ...commonOf(dataset) })}>
        <option value="" disabled>choose…</option>
        {BUILTINS.map((b) => <option key={b.name} value={b.name}>{b.label}</option>)}
      </select>
    </div>
  );
}

/** Test split, sample limit, normalisation: the options of every source. */
function DatasetOptions({ dataset }: { dataset: DatasetConfig }) {
  const without = <K extends 'limit' | 'normalize'>(k: K) => {
    const { [k]: _drop, ...rest } = dataset;
    return rest;
  };
  return (
    <>
      <NumberField label="test split" value={dataset.testSplit} min={0} max={0.9} placeholder="default" onCommit={(v) => setDataset({ ...dataset, testSplit: v })} />
      <NumberField label="use at most N training samples" value={dataset.limit} min={1} integer placeholder="all" testId="data-limit"
        onCommit={(v) => setDataset(v === undefined ? without('limit') : { ...dataset, limit: v })} />
      <div className="ll-field">
        <label htmlFor="ds-norm">normalisation</label>
        <select id="ds-norm" value={dataset.normalize ?? ''} onChange={(e) => {
          const v = e.target.value;
          setDataset(v === 'none' || v === 'scale' || v === 'standardize' ? { ...dataset, normalize: v } : without('normalize'));
        }}>
          <option value="">default</option><option value="none">none</option><option value="scale">scale</option><option value="standardize">standardize</option>
        </select>
      </div>
    </>
  );
}

type Picker = ReturnType<typeof useDataPicker>;
interface FileSourceProps {
  kind: Exclude<SourceKind, 'builtin'>;
  dataset: DatasetConfig | undefined;
  draft: Draft;
  setDraft(f: (d: Draft) => Draft): void;
  csv: { csv: CsvInfo | null; error: string | null };
  choices: DataFile[];
  picker: Picker;
}

/** A CSV file, an image folder or `.npy` arrays: the path fields, Choose…, errors, "Use this data". */
function FileSource({ kind, dataset, draft, setDraft, csv: { csv, error: csvError }, choices, picker }: FileSourceProps) {
  const docPath = useEditor((s) => s.filePath);
  const csvApplied = dataset?.source === 'csv' && dataset.path === draft.path;
  const replace = (d: Draft) => setDraft(() => d);
  const field = (f: 'path' | 'x' | 'y' | 'target', label: string, placeholder: string, pickKind?: PickKind) => (
    <PathField field={f} label={label} placeholder={placeholder} draft={draft}
      onChange={(v) => { setDraft((d) => ({ ...d, [f]: v })); if (f === 'path') picker.clearCsvPickError(); }}
      {...(pickKind ? { pick: { kind: pickKind, choices, busy: picker.picking, choose: () => void picker.choose(f === 'target' ? 'path' : f, pickKind) } } : {})} />
  );
  return (
    <>
      <p className="muted" style={{ margin: '4px 0' }}>Paths are relative to the model file’s folder{' '}(the project folder in web mode), or absolute.</p>
      {kind === 'csv' && (
        <>
          {field('path', 'CSV file', 'data/houses.csv', 'csv')}
          {picker.csvPickError && <span className="field-error" role="alert" data-testid="csv-pick-error">{picker.csvPickError}{draft.path ? ` (still using ${draft.path})` : ''}</span>}
          {csvError && <span className="field-error" role="alert">{csvError}</span>}
          {csvApplied ? <p className="muted" style={{ margin: '4px 0' }}>Set the columns’ roles and the task in the table.</p>
            : csv ? <CsvTarget csv={csv} draft={draft} setDraft={replace} /> : field('target', 'target column', 'price')}
        </>
      )}
      {kind === 'images' && <>{field('path', 'folder (one subfolder per class)', 'photos', 'folder')}<ColorField dataset={dataset} draft={draft} setDraft={replace} /></>}
      {kind === 'npy' && <>{field('x', 'x (.npy, samples on axis 0)', 'x_train.npy', 'npy')}{field('y', 'y (.npy, one label per sample)', 'y_train.npy', 'npy')}</>}
      <UploadStatus />
      {picker.pickError && <div className="field-error" role="alert" data-testid="pick-error">{picker.pickError}</div>}
      {choices.length === 0 && <p className="muted" style={{ margin: '4px 0' }}>No data files found beside the model{docPath ? '' : ' (save it first, or put files in the project folder)'}: use Choose….</p>}
      {!(kind === 'csv' && csvApplied) && <button type="button" onClick={() => applyDraft(kind, draft, dataset, csv)} style={{ marginTop: 6 }}>Use this data</button>}
    </>
  );
}

export function SourceEditor({ dataset, onCsvInfo }: { dataset: DatasetConfig | undefined; onCsvInfo: (info: CsvInfo | null) => void }) {
  const { draft, setDraft, kind, setKind } = useDraft(dataset);
  const docPath = useEditor((s) => s.filePath);
  // Bumped after each pick: an upload adds files to the list, or replaces a CSV under the same path.
  const [picks, setPicks] = useState(0);
  const choices = useDataFiles(kind, docPath, picks);
  const csv = useCsvDescription(kind === 'csv' ? draft.path : '', docPath, picks, onCsvInfo, (target) => setDraft((d) => (d.target ? d : { ...d, target })));
  const picker = useDataPicker({ dataset, draft, setDraft, docPath, onPicked: () => setPicks((n) => n + 1) });
  return (
    <fieldset className="ll-hyper" aria-label="Data source">
      <legend>Data</legend>
      <div className="ll-field">
        <label htmlFor="ds-source">source</label>
        <select id="ds-source" value={kind} onChange={(e) => setKind(e.target.value as SourceKind)}>
          <option value="builtin">built-in dataset</option>
          <option value="csv">CSV file</option>
          <option value="images">image folder</option>
          <option value="npy">NumPy .npy arrays</option>
        </select>
      </div>
      {kind === 'builtin' ? <BuiltinField dataset={dataset} />
        : <FileSource kind={kind} dataset={dataset} draft={draft} setDraft={setDraft} csv={csv} choices={choices} picker={picker} />}
      {dataset && <DatasetOptions dataset={dataset} />}
    </fieldset>
  );
}

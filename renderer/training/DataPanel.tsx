/**
 * The Data tab (the source editor is DataSource.tsx): choose a built-in dataset or point at a CSV file, an image folder (one subfolder per
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
import type { DatasetConfig } from '../../shared/document';
import { getApi } from '../platform/api';
import { useEditor } from '../store';
import { shapeFits } from '../store/checks';
import { effectiveTraining } from '../store/training';
import { AugmentationEditor } from './AugmentationEditor';
import { CsvColumns, type CsvDataset, type CsvInfo } from './CsvColumns';
import { useDebounced } from './data-source';
import { SourceEditor } from './DataSource';
import { isImageShape } from './format';
import { SamplePreview } from './SamplePreview';
import { inputShapeOf } from './TryItPanel';

export interface DataSummary {
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

const fmt = (n: number | undefined) => (n === undefined ? '—' : n.toLocaleString('en-US'));

/** The data being read: a moving bar at once, and the seconds it has taken once it is slow (a big image folder). */
function LoadingData() {
  const [secs, setSecs] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setSecs((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, []);
  return (
    <div className="ll-loading muted" role="status" data-testid="data-loading">
      Loading the data…{secs >= 2 ? ` ${secs} s` : ''} <progress aria-label="Loading the data" />
    </div>
  );
}

export function DataPanel() {
  const dataset = useEditor((s) => s.doc.dataset);
  const doc = useEditor((s) => s.doc);
  const docPath = useEditor((s) => s.filePath);
  const [summary, setSummary] = useState<DataSummary | null>(null);
  const [csvInfo, setCsvInfo] = useState<CsvInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  // The training settings that shape the split go with the request: the preview shows the run's split.
  const t = effectiveTraining(doc);
  const training = { validationSplit: t.validationSplit, shuffle: t.shuffle, ...(t.seed !== undefined ? { seed: t.seed } : {}) };
  const key = useDebounced(JSON.stringify({ ...dataset, augmentation: undefined, training }), 250);
  const reads = useEditor((s) => s.dataReads);

  useEffect(() => {
    if (!dataset) return setSummary(null);
    let live = true;
    setLoading(true);
    getApi().data.preview({ dataset: { ...dataset, augmentation: undefined } as DatasetConfig, limit: 20, training, ...(docPath ? { docPath } : {}) })
      .then((p) => { if (live) { setSummary(p as DataSummary); setError(null); } })
      .catch((e: Error) => { if (live) { setError(e.message); setSummary(null); } })
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [key, docPath, reads]);

  const inputNode = doc.nodes.find((n) => n.type === 'Input');
  const inputShape = inputShapeOf(doc);
  const sampleShape = summary?.sampleShape ?? summary?.inputShape;
  const mismatch = !!(sampleShape && inputShape && !shapeFits(sampleShape, inputShape));
  const validation = summary?.split ?? null;
  const maxCount = Math.max(1, ...(summary?.balance?.all ?? [1]));
  // A crossentropy loss on numeric targets: binaryCrossentropy even trains, to a meaningless negative loss.
  const lossMismatch = summary?.task === 'regression' && /Crossentropy$/.test(t.loss) ? t.loss : null;

  return (
    <div className="ll-data" data-testid="data-panel">
      <div className="ll-data-side"><SourceEditor dataset={dataset} onCsvInfo={setCsvInfo} /></div>
      <div className="ll-data-main">
        {!dataset && <p className="muted">Choose the data this model trains on.</p>}
        {/* First, where the eye lands after choosing: the error (a bad row, a corrupt image), or progress. */}
        {error && (
          <div className="ll-error" role="alert" data-testid="data-error">
            {error}{' '}
            <button type="button" onClick={() => useEditor.getState().rereadData()} data-testid="data-reread">Read again</button>
          </div>
        )}
        {loading && <LoadingData />}
        {dataset?.source === 'csv' && csvInfo?.path === dataset.path && (
          <CsvColumns dataset={dataset as CsvDataset} info={csvInfo} inferredTask={!dataset.task && summary?.task ? summary.task : undefined} />
        )}
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


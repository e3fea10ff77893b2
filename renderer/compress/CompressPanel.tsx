/**
 * The Compress tab (docs/compress.md): pick a finished run, a method and its options, see what it
 * will cost before running (sizes and FLOPs from the document, fine-tuning time from the run's own
 * pace), run it with progress, ETA and Cancel, then see what it did (Results.tsx). The compressed
 * model is a new run of the document: Evaluate, Explain, Try it and Export use it like any other.
 *
 * Channel pruning makes a smaller model: "Use the smaller model" puts its widths on the canvas as
 * one undoable edit of the open document (not a new document), because the new run belongs to this
 * file: its runs folder keeps it, and Ctrl+Z brings the original widths back.
 */
import { useMemo, useState } from 'react';
import {
  COMPRESS_METHODS, DEFAULT_COMPRESS_SPARSITY, DEFAULT_FINETUNE_EPOCHS, estimateCompression, type CompressMethod, type CompressParams,
} from '../../shared/compress';
import { analyze } from '../../shared/analysis';
import { compact } from '../editor/format';
import { useEditor } from '../store';
import { isActive, runsOfDocument, type RunView } from '../store/runs';
import { formatDuration } from '../training/format';
import { applySmallerModel, cancelCompression, exportRun, openRunIn, smallerModelBlocker, startCompression, useCompress } from './actions';
import { formatBytes, ratioLabel } from './format';
import { CompressResults } from './Results';
import './compress.css';

const METHOD_LABELS: Record<CompressMethod, string> = {
  int8: 'int8 (weights and activations)',
  dynamic: 'Dynamic range (int8 weights)',
  float16: 'float16 weights',
  prune: 'Prune weights (sparsity)',
  'prune-channels': 'Prune channels (smaller model)',
};
const METHOD_HINTS: Record<CompressMethod, string> = {
  int8: 'int8 kernels per channel, activations calibrated on training samples: about 4x smaller; accuracy is measured on the quantized arithmetic.',
  dynamic: 'int8 kernels, float activations: about 4x smaller, no calibration.',
  float16: 'Half-precision weights: 2x smaller, nearly lossless.',
  prune: 'Zeroes the smallest weights, then fine-tunes with them held at 0: the file gzips smaller; FLOPs do not drop.',
  'prune-channels': 'Removes whole filters/units with the smallest L1 norm, then fine-tunes: fewer FLOPs, a faster and smaller model.',
};

/** Runs that can be compressed: finished, with weights (a quantized run cannot be quantized again). */
export function sourceRuns(runs: readonly RunView[]): RunView[] {
  return runs.filter((r) => !isActive(r.status) && r.status !== 'error' && !!r.end && !['int8', 'dynamic', 'float16'].includes(r.compressed?.method ?? ''));
}

interface Options {
  sparsity: number;
  finetuneEpochs: number;
  scope: 'layer' | 'global';
  calibrationSamples: number;
  calibrationMethod: 'minmax' | 'percentile';
  percentile: number;
  activationDtype: 'uint8' | 'int8';
}

const DEFAULTS: Omit<Options, 'finetuneEpochs'> = { sparsity: DEFAULT_COMPRESS_SPARSITY, scope: 'layer', calibrationSamples: 500, calibrationMethod: 'minmax', percentile: 99.99, activationDtype: 'uint8' };

export function paramsOf(method: CompressMethod, o: Options): CompressParams {
  if (method === 'int8') {
    return { method, calibration: { samples: o.calibrationSamples, method: o.calibrationMethod, activationDtype: o.activationDtype, ...(o.calibrationMethod === 'percentile' ? { percentile: o.percentile } : {}) } };
  }
  if (method === 'prune') return { method, sparsity: o.sparsity, finetuneEpochs: o.finetuneEpochs, scope: o.scope };
  if (method === 'prune-channels') return { method, sparsity: o.sparsity, finetuneEpochs: o.finetuneEpochs };
  return { method };
}

function NumberField({ label, value, min, max, step = 1, onChange }: { label: string; value: number; min: number; max: number; step?: number; onChange(v: number): void }) {
  return (
    <label className="ll-field">
      <span className="label">{label}</span>
      <input type="number" aria-label={label} value={value} min={min} max={max} step={step}
        onChange={(e) => { const v = Number(e.target.value); if (Number.isFinite(v) && v >= min && v <= max) onChange(v); }} />
    </label>
  );
}

function MethodOptions({ method, o, set }: { method: CompressMethod; o: Options; set(p: Partial<Options>): void }) {
  if (method === 'prune' || method === 'prune-channels') {
    return (
      <>
        <label className="ll-field">
          <span className="label">{method === 'prune' ? 'Sparsity (share of weights zeroed)' : 'Share of channels removed'}: {Math.round(o.sparsity * 100)} %</span>
          <input type="range" aria-label="Sparsity" min={0.05} max={0.95} step={0.05} value={o.sparsity} onChange={(e) => set({ sparsity: Number(e.target.value) })} />
        </label>
        <NumberField label="Fine-tuning epochs" value={o.finetuneEpochs} min={0} max={100} onChange={(v) => set({ finetuneEpochs: v })} />
        {method === 'prune' && (
          <label className="ll-field">
            <span className="label">Threshold</span>
            <select aria-label="Threshold" value={o.scope} onChange={(e) => set({ scope: e.target.value as Options['scope'] })}>
              <option value="layer">per layer</option>
              <option value="global">one over all layers</option>
            </select>
          </label>
        )}
      </>
    );
  }
  if (method !== 'int8') return null;
  return (
    <>
      <NumberField label="Calibration samples" value={o.calibrationSamples} min={1} max={100_000} onChange={(v) => set({ calibrationSamples: v })} />
      <label className="ll-field">
        <span className="label">Calibration</span>
        <select aria-label="Calibration" value={o.calibrationMethod} onChange={(e) => set({ calibrationMethod: e.target.value as Options['calibrationMethod'] })}>
          <option value="minmax">min/max</option>
          <option value="percentile">percentile</option>
        </select>
      </label>
      {o.calibrationMethod === 'percentile' && <NumberField label="Percentile" value={o.percentile} min={50.01} max={100} step={0.01} onChange={(v) => set({ percentile: v })} />}
      <label className="ll-field">
        <span className="label">Activations</span>
        <select aria-label="Activations" value={o.activationDtype} onChange={(e) => set({ activationDtype: e.target.value as Options['activationDtype'] })}>
          <option value="uint8">uint8</option>
          <option value="int8">int8</option>
        </select>
      </label>
    </>
  );
}

function Estimate({ run, method, o }: { run: RunView; method: CompressMethod; o: Options }) {
  const est = useMemo(() => {
    if (analyze(run.doc).errors.length) return null;
    return estimateCompression(run.doc, method, { sparsity: o.sparsity, finetuneEpochs: o.finetuneEpochs });
  }, [run.doc, method, o.sparsity, o.finetuneEpochs]);
  if (!est) return <p className="muted">The run's model has errors: no estimate.</p>;
  const perEpoch = run.end && run.end.epochsCompleted > 0 ? run.end.elapsedSec / run.end.epochsCompleted : null;
  const tuning = method === 'prune' || method === 'prune-channels' ? est.finetuneEpochs : 0;
  return (
    <div className="ll-compress-estimate" data-testid="compress-estimate">
      <div>Weights {formatBytes(est.bytesBefore)} → {formatBytes(est.bytesAfter)} ({ratioLabel(est.bytesBefore, est.bytesAfter)}{method === 'prune' ? '; gzip smaller, measured' : ''})</div>
      <div>FLOPs/sample {compact(est.flopsBefore)} → {compact(est.flopsAfter)}{est.flopsAfter < est.flopsBefore ? ` (${ratioLabel(est.flopsBefore, est.flopsAfter, 'fewer')})` : ''}</div>
      {est.channels && (
        <div data-testid="estimate-channels">
          {est.channels.length ? est.channels.map((c) => `${c.nodeId} ${c.before}→${c.after}`).join(', ') : 'No layer can lose channels'}
          {est.skipped?.length ? <span className="muted"> · kept whole: {est.skipped.map((s) => `${s.nodeId} (${s.reason})`).join('; ')}</span> : null}
        </div>
      )}
      <div className="muted">
        {tuning > 0
          ? `Fine-tuning ${tuning} epoch${tuning === 1 ? '' : 's'}${perEpoch ? `: about ${formatDuration(tuning * perEpoch)} at the source run's pace` : ''}, then the test split twice.`
          : `No training: ${method === 'int8' ? 'calibration, then ' : ''}the test split measured twice.`}
      </div>
    </div>
  );
}

function Progress() {
  const job = useCompress((s) => s.job);
  if (!job) return null;
  const p = job.progress;
  return (
    <div className="ll-progress" data-testid="compress-progress">
      <progress max={p?.total || 1} value={p?.done ?? 0} />
      <span data-testid="compress-progress-text">
        {job.canceling ? 'Canceling…' : p?.message ?? 'Starting…'}
        {p && p.total > 0 ? ` · ${Math.round((100 * p.done) / p.total)} %` : ''}
        {p?.etaSec !== undefined && p.etaSec > 0 && !job.canceling ? ` · ETA ${formatDuration(p.etaSec)}` : ''}
      </span>
      <button type="button" onClick={cancelCompression} disabled={job.canceling} data-testid="compress-cancel">Cancel</button>
    </div>
  );
}

function ResultActions({ runs }: { runs: RunView[] }) {
  const result = useCompress((s) => s.result)!;
  useEditor((s) => s.doc); // the smaller-model button follows the canvas
  const newRun = result.run.runId;
  const listed = runs.some((r) => r.runId === newRun);
  const source = runs.find((r) => r.runId === result.report.from.runId);
  const blocker = result.report.document ? smallerModelBlocker(result, source?.doc) : null;
  return (
    <>
      <button type="button" disabled={!listed} onClick={() => openRunIn(newRun, 'evaluate')} data-testid="open-evaluate">Open in Evaluate</button>
      <button type="button" disabled={!listed} onClick={() => openRunIn(newRun, 'explain')} data-testid="open-explain">Open in Explain</button>
      <button type="button" disabled={!listed} onClick={() => openRunIn(newRun, 'tryit')}>Try it</button>
      {result.report.document && (
        <button type="button" disabled={!!blocker} title={blocker ?? 'Replace the widths on the canvas (Ctrl+Z undoes it)'} onClick={() => applySmallerModel(result)} data-testid="use-smaller">
          Use the smaller model
        </button>
      )}
      <button type="button" disabled={!listed || (!!result.report.document && blocker !== 'The canvas already shows the smaller model')}
        title={result.report.document ? 'Export the smaller model: use it on the canvas first' : undefined} onClick={() => exportRun(newRun)} data-testid="open-export">
        Export…
      </button>
    </>
  );
}

export function CompressPanel() {
  const all = useEditor((s) => runsOfDocument(s));
  const runs = useMemo(() => sourceRuns(all), [all]);
  const currentRunId = useEditor((s) => s.currentRunId);
  const [choice, setChoice] = useState<string | null>(null);
  // Default: the run shown elsewhere, else the newest trained (not compressed) one.
  const run = runs.find((r) => r.runId === choice) ?? runs.find((r) => r.runId === currentRunId) ?? runs.filter((r) => !r.compressed).at(-1) ?? runs.at(-1);
  const [method, setMethod] = useState<CompressMethod>('int8');
  const [opts, setOpts] = useState<Options>({ ...DEFAULTS, finetuneEpochs: DEFAULT_FINETUNE_EPOCHS.int8 });
  const { job, result, error } = useCompress();
  const set = (p: Partial<Options>) => setOpts((o) => ({ ...o, ...p }));
  const pick = (m: CompressMethod) => {
    setMethod(m);
    set({ finetuneEpochs: DEFAULT_FINETUNE_EPOCHS[m] });
  };

  if (!run && !result) return <p className="muted">Train a model first: a finished run can be compressed here.</p>;
  return (
    <div className="ll-compress" data-testid="compress-panel">
      {run && (
        <div className="ll-compress-form">
          <label className="ll-field">
            <span className="label">Run</span>
            <select aria-label="Run to compress" value={run.runId} onChange={(e) => setChoice(e.target.value)} disabled={!!job}>
              {runs.map((r) => <option key={r.runId} value={r.runId}>{r.label}</option>)}
            </select>
          </label>
          <label className="ll-field">
            <span className="label">Method</span>
            <select aria-label="Method" value={method} onChange={(e) => pick(e.target.value as CompressMethod)} disabled={!!job}>
              {COMPRESS_METHODS.map((m) => <option key={m} value={m}>{METHOD_LABELS[m]}</option>)}
            </select>
          </label>
          <p className="muted ll-compress-hint">{METHOD_HINTS[method]}</p>
          <MethodOptions method={method} o={opts} set={set} />
          <Estimate run={run} method={method} o={opts} />
          <div className="ll-actions">
            <button type="button" className="primary" disabled={!!job} onClick={() => void startCompression(run, paramsOf(method, opts))} data-testid="compress-run">
              Compress
            </button>
          </div>
          <Progress />
          {error && <div className={error.startsWith('Compression canceled') ? 'll-stale' : 'll-error'} role="alert" data-testid="compress-error">{error}</div>}
        </div>
      )}
      {result && <CompressResults result={result} actions={<ResultActions runs={all} />} />}
    </div>
  );
}

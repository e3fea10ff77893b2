/**
 * The Training tab: hyper-parameters (editing them edits the document's `training`), one-click
 * Train, Stop / Pause / Resume, the backend in use, a progress bar with epoch/batch, samples/s and
 * ETA, and live uPlot charts of loss and accuracy (train per batch and per epoch, validation per
 * epoch). A NaN loss or a crash shows the engine's message beside the charts.
 *
 * Edits while a run trains are allowed; the run is then marked stale ("the graph changed since
 * this run started") because it trains the snapshot taken when Train was pressed.
 */
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { LOSSES, METRICS, OPTIMIZERS, type LoomDocument, type TrainingConfig } from '../../shared/document';
import { useEditor } from '../store';
import { isActive, type RunView } from '../store/runs';
import { backgroundRun, currentRun, effectiveTraining } from '../store/training';
import { backendLabel } from '../../shared/runtime/events';
import { alignSeries, Chart } from './Chart';
import { RuntimePicker } from './RuntimePicker';
import { formatDuration, formatMetric } from './format';
import './training.css';

export const COLORS = { train: '#4c7dd8', trainEpoch: '#1f4fa8', val: '#e07b24' };

/** Train the open document and bring the Training tab forward (toolbar, Ctrl/Cmd+Enter, menu). */
export function trainCommand(): void {
  const s = useEditor.getState();
  const run = currentRun(s);
  if (run && isActive(run.status)) return;
  s.setBottomTab('training');
  void s.train();
}

/** A number field that commits on blur / Enter when the text is a valid number. */
export function NumberField({ label, value, onCommit, min, max, step, integer, placeholder, testId }: {
  label: string;
  value: number | undefined;
  onCommit(v: number | undefined): void;
  min?: number;
  max?: number;
  step?: number;
  integer?: boolean;
  placeholder?: string;
  testId?: string;
}) {
  const [text, setText] = useState(value === undefined ? '' : String(value));
  const [error, setError] = useState<string | null>(null);
  // The text follows the value when the value changes (undo, another panel), adjusted during render.
  // A mount effect doing this ran after the first keystroke when typing began at once, wiping it.
  const [shown, setShown] = useState(value);
  if (!Object.is(shown, value)) {
    setShown(value);
    setText(value === undefined ? '' : String(value));
  }
  const commit = () => {
    const t = text.trim();
    if (t === '') {
      if (placeholder !== undefined) {
        setError(null);
        onCommit(undefined);
      } else setText(value === undefined ? '' : String(value));
      return;
    }
    const v = Number(t);
    if (!Number.isFinite(v) || (integer && !Number.isInteger(v)) || (min !== undefined && v < min) || (max !== undefined && v > max)) {
      setError(`${integer ? 'a whole number' : 'a number'}${min !== undefined ? ` ≥ ${min}` : ''}${max !== undefined ? ` and ≤ ${max}` : ''}`);
      return;
    }
    setError(null);
    if (v !== value) onCommit(v);
  };
  const id = `tr-${label.replace(/\W+/g, '-')}`;
  return (
    <div className="ll-field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="text" inputMode="decimal" value={text} placeholder={placeholder} step={step} data-testid={testId}
        aria-invalid={!!error} onChange={(e) => setText(e.target.value)} onBlur={commit}
        onKeyDown={(e) => { if (e.key === 'Enter') commit(); }} />
      {error && <span className="field-error" role="alert">{error}</span>}
    </div>
  );
}

function Select<T extends string>({ label, value, options, onChange }: { label: string; value: T; options: readonly T[]; onChange(v: T): void }) {
  const id = `tr-${label.replace(/\W+/g, '-')}`;
  return (
    <div className="ll-field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value as T)}>
        {options.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
    </div>
  );
}

export function HyperParams({ disabled }: { disabled?: boolean }) {
  const training = useEditor((s) => s.doc.training);
  const t = useMemo(() => effectiveTraining({ training } as LoomDocument), [training]);
  const set = <K extends keyof TrainingConfig>(k: K, v: TrainingConfig[K] | undefined) => useEditor.getState().setTrainingParam(k, v);
  return (
    <fieldset className="ll-hyper" disabled={disabled} aria-label="Hyper-parameters">
      <legend>Hyper-parameters</legend>
      <Select label="optimizer" value={t.optimizer} options={OPTIMIZERS} onChange={(v) => set('optimizer', v)} />
      <NumberField label="learning rate" value={t.learningRate} min={1e-9} max={1000} onCommit={(v) => set('learningRate', v)} testId="lr" />
      {(t.optimizer === 'sgd' || t.optimizer === 'rmsprop') && (
        <NumberField label="momentum" value={t.momentum} min={0} max={1} onCommit={(v) => set('momentum', v)} />
      )}
      <NumberField label="batch size" value={t.batchSize} min={1} max={65536} integer onCommit={(v) => set('batchSize', v)} />
      <NumberField label="epochs" value={t.epochs} min={1} max={100000} integer onCommit={(v) => set('epochs', v)} testId="epochs" />
      <Select label="loss" value={t.loss} options={LOSSES} onChange={(v) => set('loss', v)} />
      <div className="ll-field">
        <span className="label">metrics</span>
        <span>
          {METRICS.map((m) => (
            <label key={m} className="ll-check">
              <input type="checkbox" checked={t.metrics.includes(m)}
                onChange={(e) => set('metrics', e.target.checked ? [...t.metrics, m] : t.metrics.filter((x) => x !== m))} />
              {m}
            </label>
          ))}
        </span>
      </div>
      <NumberField label="validation split" value={t.validationSplit} min={0} max={0.9} onCommit={(v) => set('validationSplit', v)} />
      <NumberField label="seed" value={t.seed} min={0} max={2 ** 31 - 1} integer placeholder="random" onCommit={(v) => set('seed', v)} />
      <Select label="threads" value={String(t.threads ?? 'auto')} options={[...new Set(['auto', '1', '2', '4', String(t.threads ?? 'auto')])]}
        onChange={(v) => set('threads', v === 'auto' ? undefined : Number(v))} />
      <div className="ll-field">
        <label className="ll-check">
          <input type="checkbox" checked={!!t.earlyStopping}
            onChange={(e) => set('earlyStopping', e.target.checked ? { monitor: 'val_loss', patience: 3, minDelta: 0, restoreBestWeights: true } : undefined)} />
          early stopping
        </label>
        {t.earlyStopping && (
          <NumberField label="patience" value={t.earlyStopping.patience} min={0} integer
            onCommit={(v) => set('earlyStopping', { ...t.earlyStopping!, patience: v ?? 3 })} />
        )}
      </div>
    </fieldset>
  );
}

export function BackendBadge() {
  const backend = useEditor((s) => s.backend);
  if (!backend) return null;
  const hint = backend.name === 'pytorch'
    ? `PyTorch ${backend.torch} on ${backend.device}${backend.processes > 1 ? `, ${backend.processes} processes` : ''}${backend.host ? ` at ${backend.host}` : ''}${backend.reason ? ` (${backend.reason})` : ''}`
    : backend.native
      ? `Native TensorFlow${backend.threads ? ` on ${backend.threads} threads` : ''}`
      : `${backend.reason ?? 'Not the native backend'}. Install @tensorflow/tfjs-node for faster training.`;
  return (
    <span className={`ll-backend${backend.native ? ' native' : ''}`} title={hint} data-testid="backend-badge">
      {backend.name === 'pytorch' ? backendLabel(backend) : backend.name}{!backend.native && <span className="ll-backend-hint"> (not native)</span>}
    </span>
  );
}

const graphKey = (d: LoomDocument) => JSON.stringify([d.nodes, d.edges]);

/** The run's curves as two charts: loss, and accuracy (or MAE for regression). */
export function RunCharts({ run, height = 170 }: { run: RunView; height?: number }) {
  const has = (k: string) => run.epochs.some((l) => l?.[k] !== undefined);
  const metric = run.batches.accuracy.some((v) => Number.isFinite(v)) || has('accuracy')
    ? 'accuracy'
    : (run.batches.mae ?? []).some((v) => Number.isFinite(v)) || has('mae') ? 'mae' : null;
  const loss = useMemo(
    () => alignSeries(run.batches.x, [run.batches.loss], [run.epochs.map((l) => l?.loss ?? null), run.epochs.map((l) => l?.val_loss ?? null)]),
    [run.batches, run.epochs],
  );
  const second = useMemo(
    () => metric && alignSeries(run.batches.x, [metric === 'accuracy' ? run.batches.accuracy : run.batches.mae ?? []], [run.epochs.map((l) => l?.[metric] ?? null), run.epochs.map((l) => l?.[`val_${metric}`] ?? null)]),
    [run.batches, run.epochs, metric],
  );
  const few = run.batches.x.length < 3;
  const series = (name: string) => [
    { label: `train ${name} (batch)`, color: COLORS.train, width: 1, points: few },
    { label: `train ${name} (epoch)`, color: COLORS.trainEpoch, points: true, width: 2 },
    { label: `val ${name}`, color: COLORS.val, points: true, width: 2, dash: [6, 3] },
  ];
  return (
    <div className="ll-charts">
      <Chart title="Loss" series={series('loss')} data={loss} height={height} testId="chart-loss" />
      {metric && second && (
        <Chart title={metric === 'accuracy' ? 'Accuracy' : 'Mean absolute error'} series={series(metric)} data={second} height={height} testId={`chart-${metric}`} />
      )}
    </div>
  );
}

function Progress({ run }: { run: RunView }) {
  const p = run.progress;
  const epochs = p?.epochs ?? run.training.epochs;
  const batches = p?.batches ?? 0;
  const done = p ? (p.epoch - 1) * batches + p.batch : 0;
  const total = Math.max(1, epochs * Math.max(1, batches));
  return (
    <div className="ll-progress" data-testid="progress">
      <progress max={total} value={run.status === 'completed' || run.status === 'earlyStopped' ? total : done} aria-label="Training progress" />
      <span data-testid="progress-text">
        {p ? `Epoch ${p.epoch}/${epochs} · batch ${p.batch}/${batches}` : run.status === 'starting' ? 'Loading data and compiling…' : ''}
        {p && p.samplesPerSec > 0 ? ` · ${Math.round(p.samplesPerSec)} samples/s` : ''}
        {p && isActive(run.status) && p.etaSec > 0 ? ` · ETA ${formatDuration(p.etaSec)}` : ''}
        {p ? ` · ${formatDuration(p.elapsedSec)} elapsed` : ''}
      </span>
    </div>
  );
}

const STATUS_TEXT: Record<RunView['status'], string> = {
  starting: 'Starting…', running: 'Training', paused: 'Paused', stopping: 'Stopping…',
  completed: 'Finished', stopped: 'Stopped', earlyStopped: 'Stopped early (no improvement)', error: 'Failed',
};

export function RunStatusLine({ run }: { run: RunView }): ReactNode {
  const last = run.end?.logs ?? run.epochs[run.epochs.length - 1];
  return (
    <div className="ll-status-line">
      <strong data-testid="run-status" data-status={run.status}>{run.label}: {STATUS_TEXT[run.status]}</strong>
      {run.start && <span className="muted"> · {run.start.data.name}: {run.start.data.train} train / {run.start.data.validation} validation / {run.start.data.test} test · {run.start.totalParams.toLocaleString('en-US')} params · seed {run.start.seed}{(run.start.backend.name === 'pytorch' || (run.start.backend.threads ?? 1) > 1) && <span data-testid="run-backend"> · {backendLabel(run.start.backend)}</span>}</span>}
      {last && (
        <span data-testid="final-metrics" data-val-accuracy={last.val_accuracy ?? ''} data-accuracy={last.accuracy ?? ''}>
          {' · '}
          {Object.entries(last).map(([k, v]) => `${k} ${formatMetric(k, v)}`).join(' · ')}
        </span>
      )}
    </div>
  );
}

/** A run of the model open before (New, Open, Import) still training: it can be stopped from here. */
function BackgroundRun() {
  const run = useEditor(backgroundRun);
  if (!run) return null;
  return (
    <p className="ll-stale" role="status" data-testid="background-run">
      {run.label} of “{run.doc.name}” (the model open before) is still training.{' '}
      <button type="button" onClick={() => useEditor.getState().stopTraining(run.runId)} disabled={run.status === 'stopping'}>Stop it</button>
    </p>
  );
}

export function TrainingPanel() {
  const run = useEditor(currentRun);
  const docGraph = useEditor((s) => s.doc);
  const message = useEditor((s) => s.trainingMessage);
  const s = useEditor.getState;
  useEffect(() => {
    void s().loadBackend();
  }, [s]);
  const active = isActive(run?.status);
  const stale = useMemo(() => !!run && graphKey(run.doc) !== graphKey(docGraph), [run, docGraph]);

  return (
    <div className="ll-training" data-testid="training-panel">
      <div className="ll-training-side">
        <HyperParams />
        <RuntimePicker disabled={active} />
      </div>
      <div className="ll-training-main">
        <div className="ll-actions">
          <button type="button" className="primary" onClick={trainCommand} disabled={active} title="Train (Ctrl/Cmd+Enter)" data-testid="train-button">
            ▶ Train
          </button>
          <button type="button" onClick={() => s().stopTraining()} disabled={!active || run?.status === 'stopping'} data-testid="stop-button">■ Stop</button>
          {run?.status === 'paused'
            ? <button type="button" onClick={() => s().resumeTraining()} data-testid="resume-button">Resume</button>
            : <button type="button" onClick={() => s().pauseTraining()} disabled={run?.status !== 'running'} data-testid="pause-button">❚❚ Pause</button>}
          <BackendBadge />
          {run && <RunStatusLine run={run} />}
        </div>
        {run && <Progress run={run} />}
        <BackgroundRun />
        {stale && (
          <p className="ll-stale" role="status" data-testid="stale">
            The graph changed since {run!.label} started: its curves and results belong to the graph as it was then{active ? ' (the run keeps training that snapshot)' : ''}. Train again to use your changes.
          </p>
        )}
        {run?.error && (
          <div className="ll-error" role="alert" data-testid="train-error">
            <strong>{run.error.code === 'nan' ? 'Training diverged (the loss became NaN or infinite) and stopped.' : run.error.code === 'diverged' ? 'Training diverged (the loss rose far above where it started) and stopped.' : run.error.code === 'crash' || run.error.code === 'oom' ? 'The training engine stopped.' : 'Training failed.'}</strong>{' '}
            {run.error.message}
            {run.error.nodeId && <button type="button" className="link" onClick={() => s().focusNode(run.error!.nodeId!)}>Show node “{run.error.nodeId}”</button>}
          </div>
        )}
        {message && <div className="ll-error" role="alert">{message}</div>}
        {run ? <RunCharts run={run} /> : <p className="muted">Press Train (or Ctrl/Cmd+Enter) to train this model on {describeData(docGraph)}; loss and accuracy stream in here.</p>}
      </div>
    </div>
  );
}

export function describeData(doc: LoomDocument): string {
  const d = doc.dataset;
  if (!d) return 'its data (choose a dataset in the Data tab)';
  if (d.source === 'builtin') return `the built-in “${d.name}” data`;
  if (d.source === 'npy') return `${d.x} / ${d.y}`;
  if ((d.source === 'text' || d.source === 'pairs') && d.path === undefined) return `the built-in “${d.name ?? ''}” text`;
  return d.path ?? '';
}

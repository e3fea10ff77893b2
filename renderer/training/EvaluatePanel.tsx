/**
 * The Evaluate tab: test-split metrics of the current run; for classifiers a confusion matrix whose
 * cells open the samples behind them (misclassified ones off the diagonal) and per-class
 * precision / recall / F1; for regression a predicted-vs-true scatter and the residuals.
 */
import { useEffect, useState } from 'react';
import type { Evaluation } from '../../shared/engine/events';
import { getApi } from '../platform/api';
import { useEditor } from '../store';
import { isActive, type RunView } from '../store/runs';
import { currentRun } from '../store/training';
import { formatMetric, isImageShape, pct } from './format';
import { SampleImage } from './SampleImage';
import { useTallPanel } from './TrainingPanel';

interface Cell { t: number; p: number }
type CellSample = { index: number; values: number[]; shape: number[]; probabilities: number[] };

function ConfusionMatrix({ ev, onCell, selected }: { ev: Evaluation; onCell(c: Cell): void; selected: Cell | null }) {
  const classes = ev.classes ?? ev.confusion!.map((_, i) => String(i));
  const m = ev.confusion!;
  return (
    <figure className="ll-confusion-figure">
      <figcaption id="ll-confusion-caption">Confusion matrix (rows: true class, columns: predicted). Click a cell to see its samples.</figcaption>
      <table className="ll-confusion" data-testid="confusion" aria-labelledby="ll-confusion-caption">
        <thead>
          <tr><th />{classes.map((c) => <th key={c} scope="col">{c}</th>)}</tr>
        </thead>
        <tbody>
          {m.map((row, t) => {
            const total = row.reduce((a, b) => a + b, 0) || 1;
            return (
              <tr key={t}>
                <th scope="row">{classes[t]}</th>
                {row.map((n, p) => {
                  const f = n / total;
                  const bg = t === p ? `rgba(46, 160, 67, ${0.12 + 0.7 * f})` : n > 0 ? `rgba(220, 60, 60, ${0.15 + 0.85 * Math.min(1, f * 4)})` : undefined;
                  const isSel = selected?.t === t && selected.p === p;
                  return (
                    <td key={p} style={{ background: bg }} className={isSel ? 'selected' : undefined}>
                      <button type="button" disabled={n === 0} onClick={() => onCell({ t, p })} data-testid={`cell-${t}-${p}`}
                        aria-label={`${n} samples of ${classes[t]} predicted as ${classes[p]}`}>{n}</button>
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </figure>
  );
}

function PerClass({ ev }: { ev: Evaluation }) {
  const classes = ev.classes ?? ev.perClass!.map((_, i) => String(i));
  return (
    <table className="ll-table" data-testid="per-class">
      <thead><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr></thead>
      <tbody>
        {ev.perClass!.map((c, i) => (
          <tr key={i}><td>{classes[i]}</td><td>{pct(c.precision)}</td><td>{pct(c.recall)}</td><td>{pct(c.f1)}</td><td>{c.support}</td></tr>
        ))}
      </tbody>
    </table>
  );
}

/** Predicted vs true (with the y = x line) and residuals vs true, in SVG. */
export function RegressionPlots({ predicted, actual }: { predicted: number[]; actual: number[] }) {
  const W = 260, H = 220, P = 30;
  const all = [...predicted, ...actual].filter(Number.isFinite);
  const lo = Math.min(...all), hi = Math.max(...all);
  const span = hi - lo || 1;
  const sx = (v: number) => P + ((v - lo) / span) * (W - P - 8);
  const sy = (v: number) => H - P - ((v - lo) / span) * (H - P - 8);
  const res = predicted.map((p, i) => p - actual[i]!);
  const rmax = Math.max(1e-9, ...res.map(Math.abs));
  const ry = (r: number) => (H - P) / 2 + 4 - (r / rmax) * ((H - P) / 2 - 8);
  const mae = res.reduce((a, r) => a + Math.abs(r), 0) / Math.max(1, res.length);
  return (
    <div className="ll-regression" data-testid="regression">
      <svg width={W} height={H} role="img" aria-label="Predicted versus true values">
        <text x={W / 2} y={H - 4} textAnchor="middle" fontSize="11">true</text>
        <text x={10} y={H / 2} fontSize="11" transform={`rotate(-90 10 ${H / 2})`} textAnchor="middle">predicted</text>
        <line x1={sx(lo)} y1={sy(lo)} x2={sx(hi)} y2={sy(hi)} stroke="#999" strokeDasharray="4 3" />
        {actual.map((a, i) => <circle key={i} cx={sx(a)} cy={sy(predicted[i]!)} r={2.2} fill="#4c7dd8" fillOpacity={0.7} />)}
      </svg>
      <svg width={W} height={H} role="img" aria-label="Residuals">
        <text x={W / 2} y={H - 4} textAnchor="middle" fontSize="11">true · residual (predicted − true), MAE {mae.toPrecision(3)}</text>
        <line x1={P} y1={ry(0)} x2={W - 8} y2={ry(0)} stroke="#999" />
        {actual.map((a, i) => <circle key={i} cx={sx(a)} cy={ry(res[i]!)} r={2.2} fill="#e07b24" fillOpacity={0.7} />)}
      </svg>
    </div>
  );
}

export function EvaluatePanel() {
  const run = useEditor(currentRun);
  const message = useEditor((s) => s.trainingMessage);
  const [busy, setBusy] = useState(false);
  const [cell, setCell] = useState<Cell | null>(null);
  const [samples, setSamples] = useState<CellSample[] | null>(null);
  const [cellError, setCellError] = useState<string | null>(null);
  const finished = !!run && !isActive(run.status) && !!run.end;
  useTallPanel();
  const ev = run?.evaluation;

  const evaluate = async () => {
    setBusy(true);
    await useEditor.getState().evaluateRun(run?.runId);
    setBusy(false);
  };
  useEffect(() => {
    setCell(null);
    setSamples(null);
    if (finished && !ev && !busy) void evaluate();
  }, [run?.runId, finished]);

  const openCell = async (c: Cell, r: RunView) => {
    setCell(c);
    setSamples(null);
    setCellError(null);
    try {
      const docPath = useEditor.getState().filePath;
      const res = await getApi().engine.confusionSamples({ runId: r.runId, doc: r.doc, trueClass: c.t, predictedClass: c.p, limit: 24, ...(docPath ? { docPath } : {}) });
      setSamples(res.samples);
    } catch (e) {
      setCellError((e as Error).message);
    }
  };

  if (!run) return <p className="muted">Train a model first: its test-set results appear here.</p>;
  if (isActive(run.status)) return <p className="muted">{run.label} is still training; evaluate it when it ends.</p>;
  if (!run.end) return <p className="muted">{run.label} did not finish ({run.error?.message ?? run.status}); nothing to evaluate.</p>;
  const classes = ev?.classes;
  return (
    <div className="ll-evaluate" data-testid="evaluate-panel">
      <div className="ll-actions">
        <strong>{run.label}</strong>
        <button type="button" onClick={() => void evaluate()} disabled={busy}>{busy ? 'Evaluating…' : 'Evaluate again'}</button>
        {ev && (
          <span data-testid="test-metrics">
            Test set: {ev.samples} samples · {Object.entries(ev.logs).map(([k, v]) => `${k} ${formatMetric(k, v)}`).join(' · ')}
          </span>
        )}
      </div>
      {message && <div className="ll-error" role="alert">{message}</div>}
      {busy && !ev && <p className="muted">Evaluating on the test split…</p>}
      {ev?.confusion && (
        <div className="ll-eval-grid">
          <ConfusionMatrix ev={ev} selected={cell} onCell={(c) => void openCell(c, run)} />
          {ev.perClass && <PerClass ev={ev} />}
          {cell && (
            <div className="ll-cell-samples" data-testid="cell-samples">
              <h4>True “{classes?.[cell.t] ?? cell.t}”, predicted “{classes?.[cell.p] ?? cell.p}”{cell.t !== cell.p ? ' (misclassified)' : ''}</h4>
              {cellError && <div className="ll-error" role="alert">{cellError}</div>}
              {!samples && !cellError && <p className="muted">Loading samples…</p>}
              {samples && samples.length === 0 && <p className="muted">No samples.</p>}
              <div className="ll-sample-grid">
                {samples?.map((smp) => {
                  const conf = smp.probabilities[cell.p];
                  return (
                    <figure key={smp.index} data-testid="cell-sample">
                      {isImageShape(smp.shape)
                        ? <SampleImage values={smp.values} shape={smp.shape} size={56} />
                        : <code className="ll-features">{smp.values.slice(0, 8).map((v) => +v.toFixed(3)).join(', ')}{smp.values.length > 8 ? ', …' : ''}</code>}
                      <figcaption>#{smp.index} · {conf !== undefined ? pct(conf) : ''}</figcaption>
                    </figure>
                  );
                })}
              </div>
            </div>
          )}
        </div>
      )}
      {ev?.regression && <RegressionPlots predicted={ev.regression.predicted} actual={ev.regression.actual} />}
    </div>
  );
}

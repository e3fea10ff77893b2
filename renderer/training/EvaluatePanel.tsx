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
import { WhyButton } from '../explain/entry';
import { FairnessSection } from '../fairness/FairnessSection';

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

/** A step of 1, 2 or 5 × 10^k giving about `count` intervals over `span`. */
function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/** A number for an axis: few digits, no float noise (0.30000000000000004 → 0.3), k/M suffix for big ones. */
export function formatTick(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a < 1e-3) return v.toExponential(1);
  return String(+v.toPrecision(3));
}

/**
 * The labelled ticks of an axis over the data range [lo, hi]: both ends (the data's min and max) and
 * the "nice" values (multiples of 1, 2 or 5 × 10^k) between them, those too close to an end dropped
 * so labels never overlap.
 */
export function axisTicks(lo: number, hi: number, count = 4): number[] {
  if (!(hi > lo)) return [lo];
  const step = niceStep(hi - lo, count);
  const gap = (hi - lo) * 0.12;
  const inner: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v < hi; v += step) {
    const t = Math.round(v / step) * step || 0; // no accumulated float error, no -0
    if (t - lo > gap && hi - t > gap) inner.push(t);
  }
  return [lo, ...inner, hi];
}

const W = 290, H = 240;
/** Plot margins: left (y labels + title), right, top, bottom (x labels + title). */
const M = { l: 50, r: 10, t: 12, b: 40 };

/** One scatter with labelled axes; `x`/`y` domains are the data ranges (the ticks show them). */
function Scatter({ label, xs, ys, x, y, xTitle, yTitle, color, guide, testId }: {
  label: string; xs: number[]; ys: number[]; x: [number, number]; y: [number, number]; xTitle: string; yTitle: string; color: string;
  /** A reference line in data coordinates (y = x, or residual 0). */
  guide: [number, number, number, number]; testId: string;
}) {
  const sx = (v: number) => M.l + ((v - x[0]) / (x[1] - x[0] || 1)) * (W - M.l - M.r);
  const sy = (v: number) => H - M.b - ((v - y[0]) / (y[1] - y[0] || 1)) * (H - M.t - M.b);
  const bottom = H - M.b;
  return (
    <svg width={W} height={H} role="img" aria-label={label} data-testid={testId}>
      <line x1={M.l} y1={bottom} x2={W - M.r} y2={bottom} stroke="currentColor" strokeOpacity={0.5} />
      <line x1={M.l} y1={M.t} x2={M.l} y2={bottom} stroke="currentColor" strokeOpacity={0.5} />
      <g data-testid={`${testId}-x-ticks`} fontSize="10" textAnchor="middle" fill="currentColor">
        {axisTicks(x[0], x[1]).map((t) => (
          <g key={t}>
            <line x1={sx(t)} y1={bottom} x2={sx(t)} y2={bottom + 4} stroke="currentColor" strokeOpacity={0.5} />
            <text x={sx(t)} y={bottom + 14}>{formatTick(t)}</text>
          </g>
        ))}
      </g>
      <g data-testid={`${testId}-y-ticks`} fontSize="10" textAnchor="end" fill="currentColor">
        {axisTicks(y[0], y[1]).map((t) => (
          <g key={t}>
            <line x1={M.l - 4} y1={sy(t)} x2={M.l} y2={sy(t)} stroke="currentColor" strokeOpacity={0.5} />
            <text x={M.l - 6} y={sy(t) + 3}>{formatTick(t)}</text>
          </g>
        ))}
      </g>
      <text x={M.l + (W - M.l - M.r) / 2} y={H - 6} textAnchor="middle" fontSize="11" fill="currentColor">{xTitle}</text>
      <text x={11} y={M.t + (bottom - M.t) / 2} fontSize="11" transform={`rotate(-90 11 ${M.t + (bottom - M.t) / 2})`} textAnchor="middle" fill="currentColor">{yTitle}</text>
      <line x1={sx(guide[0])} y1={sy(guide[1])} x2={sx(guide[2])} y2={sy(guide[3])} stroke="#999" strokeDasharray="4 3" />
      {xs.map((a, i) => <circle key={i} cx={sx(a)} cy={sy(ys[i]!)} r={2.2} fill={color} fillOpacity={0.7} />)}
    </svg>
  );
}

/** Predicted vs true (with the y = x line) and residuals vs true, in SVG, with labelled axes. */
export function RegressionPlots({ predicted, actual }: { predicted: number[]; actual: number[] }) {
  const ok = actual.map((a, i) => Number.isFinite(a) && Number.isFinite(predicted[i]!));
  const xs = actual.filter((_, i) => ok[i]);
  const ps = predicted.filter((_, i) => ok[i]);
  if (!xs.length) return <div className="muted" data-testid="regression">No finite predictions to plot.</div>;
  // One range for both axes of the first plot, so the y = x line is the diagonal.
  const lo = Math.min(...xs, ...ps), hi = Math.max(...xs, ...ps);
  const res = ps.map((p, i) => p - xs[i]!);
  // Residual axis: the residuals' own range, always including 0 (the line of perfect predictions).
  const rlo = Math.min(0, ...res), rhi = Math.max(0, ...res);
  const tlo = Math.min(...xs), thi = Math.max(...xs);
  const mae = res.reduce((a, r) => a + Math.abs(r), 0) / res.length;
  return (
    <div className="ll-regression" data-testid="regression">
      <Scatter label="Predicted versus true values" testId="scatter-predicted" xs={xs} ys={ps} x={[lo, hi]} y={[lo, hi]}
        xTitle="true value" yTitle="predicted" color="#4c7dd8" guide={[lo, lo, hi, hi]} />
      <figure className="ll-regression-residuals">
        <Scatter label="Residuals" testId="scatter-residuals" xs={xs} ys={res} x={[tlo, thi]} y={[rlo, rhi]}
          xTitle="true value" yTitle="residual (predicted − true)" color="#e07b24" guide={[tlo, 0, thi, 0]} />
        <figcaption className="muted">MAE {formatTick(mae)}</figcaption>
      </figure>
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
                      <WhyButton run={run} sample={smp} trueLabel={classes?.[cell.t] ?? String(cell.t)} predictedLabel={classes?.[cell.p] ?? String(cell.p)} {...(classes ? { classes } : {})} />
                    </figure>
                  );
                })}
              </div>
            </div>
          )}
        </div>
      )}
      {ev?.regression && <RegressionPlots predicted={ev.regression.predicted} actual={ev.regression.actual} />}
      {!run.imported && <FairnessSection run={run} />}
    </div>
  );
}

/**
 * What a compression did: before/after figures (table and bars), agreement, per-class accuracy with
 * the class that lost much more than the average marked, the samples whose prediction changed
 * (thumbnails for images), and the new run's buttons.
 */
import type { CompressRunResult, ModelFigures } from '../../shared/compress';
import { isClassFlagged, meanDropOf } from '../../shared/compress';
import { compact } from '../editor/format';
import { isImageShape } from '../training/format';
import { SampleImage } from '../training/SampleImage';
import { formatBytes, percent, pointsChange, ratioLabel } from './format';

type Report = CompressRunResult['report'];

const ROWS: { key: string; label: string; cell(f: ModelFigures): string; change(b: ModelFigures, a: ModelFigures): string }[] = [
  { key: 'accuracy', label: 'Test accuracy', cell: (f) => percent(f.accuracy), change: (b, a) => pointsChange(b.accuracy, a.accuracy) },
  { key: 'loss', label: 'Test loss', cell: (f) => f.loss.toFixed(4), change: (b, a) => (a.loss - b.loss >= 0 ? '+' : '−') + Math.abs(a.loss - b.loss).toFixed(4) },
  { key: 'bytes', label: 'Weights', cell: (f) => formatBytes(f.bytes), change: (b, a) => ratioLabel(b.bytes, a.bytes) },
  { key: 'gzip', label: 'Weights, gzip', cell: (f) => formatBytes(f.gzipBytes), change: (b, a) => ratioLabel(b.gzipBytes, a.gzipBytes) },
  { key: 'params', label: 'Parameters', cell: (f) => f.params.toLocaleString('en-US'), change: (b, a) => ratioLabel(b.params, a.params, 'fewer', 'more') },
  { key: 'nonZero', label: 'Non-zero', cell: (f) => f.nonZero.toLocaleString('en-US'), change: (b, a) => ratioLabel(b.nonZero, a.nonZero, 'fewer', 'more') },
  { key: 'flops', label: 'FLOPs / sample', cell: (f) => compact(f.flops), change: (b, a) => ratioLabel(b.flops, a.flops, 'fewer', 'more') },
  {
    key: 'latency', label: 'Latency / sample', cell: (f) => (f.latencyMs === null ? 'not measured' : `${f.latencyMs.toFixed(3)} ms`),
    change: (b, a) => (b.latencyMs === null || a.latencyMs === null ? '—' : ratioLabel(b.latencyMs, a.latencyMs, 'faster', 'slower')),
  },
];

function FiguresTable({ r }: { r: Report }) {
  return (
    <table className="ll-table ll-compress-table" data-testid="compress-table">
      <thead><tr><th>{r.method}</th><th>before</th><th>after</th><th>change</th></tr></thead>
      <tbody>
        {ROWS.filter((row) => row.key !== 'accuracy' || r.before.accuracy !== undefined).map((row) => (
          <tr key={row.key} data-testid={`row-${row.key}`}>
            <td>{row.label}</td><td>{row.cell(r.before)}</td><td>{row.cell(r.after)}</td><td>{row.change(r.before, r.after)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Bars of the after figures as a share of the before ones (before = the full width). */
function FiguresChart({ r }: { r: Report }) {
  const bars: [string, number, number][] = [
    ['Weights', r.before.bytes, r.after.bytes],
    ['gzip', r.before.gzipBytes, r.after.gzipBytes],
    ['Non-zero', r.before.nonZero, r.after.nonZero],
    ['FLOPs', r.before.flops, r.after.flops],
    ...(r.before.accuracy !== undefined && r.after.accuracy !== undefined ? [['Accuracy', r.before.accuracy, r.after.accuracy] as [string, number, number]] : []),
  ];
  const w = 180, h = 16;
  return (
    <figure className="ll-compress-chart" data-testid="compress-chart">
      <figcaption>After, as a share of before</figcaption>
      <svg width={w + 150} height={bars.length * (h + 6)} role="img" aria-label="After as a share of before">
        {bars.map(([label, b, a], i) => {
          const share = b > 0 ? a / b : 1;
          return (
            <g key={label} transform={`translate(0, ${i * (h + 6)})`}>
              <text x={0} y={h - 4} fontSize={11} fill="currentColor">{label}</text>
              <rect x={70} y={0} width={w} height={h} fill="var(--border)" />
              <rect x={70} y={0} width={Math.min(1, share) * w} height={h} fill="var(--accent)" data-testid={`bar-${label}`} />
              <text x={75 + w} y={h - 4} fontSize={11} fill="currentColor">{(100 * share).toFixed(share < 0.1 ? 1 : 0)} %</text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

function PerClass({ r }: { r: Report }) {
  if (!r.perClass.length) return null;
  const mean = meanDropOf(r.perClass);
  return (
    <table className="ll-table" data-testid="compress-per-class">
      <caption>Per-class accuracy (mean change {pointsChange(0, -mean)})</caption>
      <thead><tr><th>class</th><th>before</th><th>after</th><th>change</th><th>samples</th></tr></thead>
      <tbody>
        {r.perClass.map((c) => {
          const flagged = isClassFlagged(c, mean);
          return (
            <tr key={c.label} className={flagged ? 'll-flagged' : undefined} data-testid={flagged ? 'class-flagged' : 'class-row'}>
              <td>{flagged ? '⚠ ' : ''}{c.label}</td>
              <td>{percent(c.before, 1)}</td>
              <td>
                <span className="ll-class-bar" style={{ width: `${Math.round(60 * c.after)}px` }} />
                {percent(c.after, 1)}
              </td>
              <td>{pointsChange(c.before, c.after)}</td>
              <td>{c.support}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function ChangedSamples({ result }: { result: CompressRunResult }) {
  const r = result.report;
  if (r.agreement === null) return null;
  const images = new Map(result.samples.map((s) => [s.index, s]));
  return (
    <div className="ll-compress-changed" data-testid="changed-samples">
      <h4>
        {r.changedTotal === 0
          ? 'No test prediction changed.'
          : `${r.changedTotal} of ${r.testSamples} test predictions changed${r.changed.length < r.changedTotal ? ` (first ${r.changed.length} shown)` : ''}`}
      </h4>
      <div className="ll-sample-grid">
        {r.changed.map((c) => {
          const img = images.get(c.index);
          const fixed = c.after === c.label, broke = c.before === c.label;
          return (
            <figure key={c.index} data-testid="changed-sample" className={broke ? 'll-broke' : fixed ? 'll-fixed' : undefined}
              title={`Sample #${c.index}, true class ${c.label}: predicted ${c.before} before, ${c.after} after`}>
              {img && isImageShape(img.shape) ? <SampleImage values={img.values} shape={img.shape} size={48} /> : null}
              <figcaption>#{c.index} · {c.label}: {c.before} → {c.after}</figcaption>
            </figure>
          );
        })}
      </div>
    </div>
  );
}

export function CompressResults({ result, actions }: { result: CompressRunResult; actions: React.ReactNode }) {
  const r = result.report;
  return (
    <section className="ll-compress-results" data-testid="compress-results" aria-label="Compression results">
      <div className="ll-actions">
        <strong data-testid="compress-summary">
          {r.method}: {ratioLabel(r.before.bytes, r.after.bytes)} weights
          {r.agreement !== null ? ` · agreement ${percent(r.agreement, 1)}` : ''}
          {r.before.accuracy !== undefined ? ` · accuracy ${pointsChange(r.before.accuracy, r.after.accuracy)}` : ''}
        </strong>
        {actions}
      </div>
      {r.warnings.map((w) => <div key={w} className="ll-warning" role="alert" data-testid="class-warning">{w}</div>)}
      {r.keptFloat.length > 0 && (
        <p className="muted" data-testid="kept-float">Kept in float: {r.keptFloat.map((k) => `${k.type} “${k.nodeId}” (${k.reason})`).join('; ')}</p>
      )}
      <div className="ll-eval-grid">
        <FiguresTable r={r} />
        <FiguresChart r={r} />
        <PerClass r={r} />
      </div>
      <ChangedSamples result={result} />
    </section>
  );
}

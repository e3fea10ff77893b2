/**
 * Before/after: audits of runs (and post-processed variants) by the same attributes, as a table and
 * as accuracy against the demographic-parity difference on one chart (with the gap's interval).
 */
import type { FairnessReport } from '../../shared/fairness';
import { overallAccuracy } from './fairness-logic';

export interface CompareEntry { label: string; report: FairnessReport; color: string }

const num = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(3));
const W = 340, H = 220, M = { l: 50, r: 12, t: 12, b: 40 };

function CompareChart({ entries }: { entries: CompareEntry[] }) {
  const pts = entries.map((e) => ({ ...e, acc: overallAccuracy(e.report), gap: e.report.summary.demographicParityDifference ?? null, ci: e.report.summary.ci.demographicParityDifference ?? null }))
    .filter((p): p is typeof p & { acc: number; gap: number } => p.acc !== null && p.gap !== null);
  if (!pts.length) return null;
  const gx = [0, Math.max(0.05, ...pts.map((p) => p.ci?.[1] ?? p.gap)) * 1.1];
  const ys = pts.map((p) => p.acc);
  const pad = Math.max(0.02, (Math.max(...ys) - Math.min(...ys)) * 0.3);
  const gy = [Math.max(0, Math.min(...ys) - pad), Math.min(1, Math.max(...ys) + pad)];
  const sx = (v: number) => M.l + ((v - gx[0]!) / (gx[1]! - gx[0]!)) * (W - M.l - M.r);
  const sy = (v: number) => H - M.b - ((v - gy[0]!) / (gy[1]! - gy[0]! || 1)) * (H - M.t - M.b);
  return (
    <svg width={W} height={H} role="img" aria-label="Accuracy against demographic-parity difference, one point per run" data-testid="fairness-compare-chart">
      <line x1={M.l} y1={H - M.b} x2={W - M.r} y2={H - M.b} stroke="currentColor" strokeOpacity={0.5} />
      <line x1={M.l} y1={M.t} x2={M.l} y2={H - M.b} stroke="currentColor" strokeOpacity={0.5} />
      <g fontSize="10" fill="currentColor">
        <text x={M.l} y={H - M.b + 14} textAnchor="middle">{gx[0]}</text>
        <text x={W - M.r} y={H - M.b + 14} textAnchor="end">{gx[1]!.toFixed(2)}</text>
        <text x={M.l - 4} y={sy(gy[0]!)} textAnchor="end">{gy[0]!.toFixed(2)}</text>
        <text x={M.l - 4} y={sy(gy[1]!) + 8} textAnchor="end">{gy[1]!.toFixed(2)}</text>
      </g>
      <text x={M.l + (W - M.l - M.r) / 2} y={H - 6} textAnchor="middle" fontSize="11" fill="currentColor">demographic-parity difference</text>
      <text x={11} y={H / 2} fontSize="11" fill="currentColor" textAnchor="middle" transform={`rotate(-90 11 ${H / 2})`}>accuracy</text>
      {pts.map((p) => (
        <g key={p.label} data-testid="fairness-compare-point">
          {p.ci && <line x1={sx(p.ci[0])} x2={sx(p.ci[1])} y1={sy(p.acc)} y2={sy(p.acc)} stroke={p.color} strokeOpacity={0.6} />}
          <circle cx={sx(p.gap)} cy={sy(p.acc)} r={5} fill={p.color}><title>{`${p.label}: accuracy ${p.acc.toFixed(3)}, gap ${p.gap.toFixed(3)}`}</title></circle>
          <text x={sx(p.gap) + 7} y={sy(p.acc) - 6} fontSize="10" fill="currentColor">{p.label}</text>
        </g>
      ))}
    </svg>
  );
}

export function CompareRuns({ entries }: { entries: CompareEntry[] }) {
  return (
    <div className="ll-fairness-compare" data-testid="fairness-compare">
      <table className="ll-table">
        <thead>
          <tr><th scope="col">run</th><th scope="col">accuracy</th><th scope="col">demographic-parity difference</th><th scope="col">equalised-odds difference</th><th scope="col">worst-group accuracy</th></tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.label} data-testid="fairness-compare-row">
              <th scope="row"><span style={{ color: e.color }}>●</span> {e.label}</th>
              <td>{num(overallAccuracy(e.report))}</td>
              <td>{num(e.report.summary.demographicParityDifference)}</td>
              <td>{num(e.report.summary.equalizedOddsDifference)}</td>
              <td>{num(e.report.summary.worstGroupAccuracy)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <CompareChart entries={entries} />
    </div>
  );
}

/** One metric per group as horizontal bars with their 95 % intervals (whiskers); small groups hatched. */
import type { FairnessReport, MetricName } from '../../shared/fairness';
import { METRIC_LABELS } from './fairness-logic';

const ROW = 26, LABEL_W = 130, BAR_W = 260, PAD = 8;

const isRate = (m: MetricName) => m !== 'mae' && m !== 'rmse';

export function GroupChart({ report, metric }: { report: FairnessReport; metric: MetricName }) {
  const rows = report.groups.map((g) => ({ name: g.name, v: g.metrics[metric] ?? null, ci: g.ci[metric] ?? null, small: g.smallGroup, n: g.support }));
  const top = isRate(metric) ? 1 : Math.max(1e-9, ...rows.flatMap((r) => [r.v ?? 0, r.ci?.[1] ?? 0]));
  const x = (v: number) => LABEL_W + (Math.max(0, Math.min(top, v)) / top) * BAR_W;
  const height = rows.length * ROW + 24;
  const label = `${METRIC_LABELS[metric]} per group with 95 % intervals`;
  return (
    <svg width={LABEL_W + BAR_W + PAD * 6} height={height} role="img" aria-label={label} data-testid="fairness-chart">
      <defs>
        <pattern id="ll-small-group" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
          <rect width="6" height="6" fill="#4c7dd8" fillOpacity="0.35" />
          <line x1="0" y1="0" x2="0" y2="6" stroke="#4c7dd8" strokeWidth="3" />
        </pattern>
      </defs>
      {rows.map((r, i) => {
        const y = i * ROW + 4;
        return (
          <g key={r.name} data-testid="fairness-bar">
            <text x={LABEL_W - 6} y={y + 14} textAnchor="end" fontSize="11" fill="currentColor">{r.name}{r.small ? ' ⚠' : ''}</text>
            {r.v === null
              ? <text x={LABEL_W + 4} y={y + 14} fontSize="11" fill="currentColor" opacity={0.6}>undefined</text>
              : <rect x={LABEL_W} y={y + 3} width={x(r.v) - LABEL_W} height={ROW - 10} fill={r.small ? 'url(#ll-small-group)' : '#4c7dd8'}>
                  <title>{`${r.name}: ${r.v.toFixed(3)}${r.ci ? ` [${r.ci[0].toFixed(3)}, ${r.ci[1].toFixed(3)}]` : ''} (n=${r.n})`}</title>
                </rect>}
            {r.ci && (
              <g stroke="currentColor" data-testid="fairness-whisker">
                <line x1={x(r.ci[0])} x2={x(r.ci[1])} y1={y + ROW / 2 - 2} y2={y + ROW / 2 - 2} />
                <line x1={x(r.ci[0])} x2={x(r.ci[0])} y1={y + 5} y2={y + ROW - 9} />
                <line x1={x(r.ci[1])} x2={x(r.ci[1])} y1={y + 5} y2={y + ROW - 9} />
              </g>
            )}
          </g>
        );
      })}
      <g fontSize="10" fill="currentColor" textAnchor="middle">
        <line x1={LABEL_W} x2={LABEL_W + BAR_W} y1={height - 20} y2={height - 20} stroke="currentColor" strokeOpacity={0.4} />
        {[0, 0.5, 1].map((f) => <text key={f} x={LABEL_W + f * BAR_W} y={height - 8}>{+(f * top).toPrecision(3)}</text>)}
      </g>
    </svg>
  );
}

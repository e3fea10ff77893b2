/** The per-group table (value and 95 % interval of each metric, support, small-group flag) and the gaps. */
import type { FairnessReport, Interval, SummaryName } from '../../shared/fairness';
import { METRIC_LABELS, metricsOf } from './fairness-logic';

const num = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(3));
const interval = (ci: Interval | undefined) => (ci ? `[${ci[0].toFixed(3)}, ${ci[1].toFixed(3)}]` : '');

export function GroupTable({ report }: { report: FairnessReport }) {
  const metrics = metricsOf(report);
  return (
    <table className="ll-table ll-fairness-table" data-testid="fairness-table">
      <thead>
        <tr><th scope="col">group</th><th scope="col">n</th>{metrics.map((m) => <th key={m} scope="col">{METRIC_LABELS[m]}</th>)}</tr>
      </thead>
      <tbody>
        {report.groups.map((g) => (
          <tr key={g.name} className={g.smallGroup ? 'll-small-group' : undefined} data-testid="fairness-row">
            <th scope="row">{g.name}</th>
            <td>{g.support}{g.smallGroup && <span className="ll-badge" title={`Fewer than ${report.minSupport} samples: its rates are noisy`}> small</span>}</td>
            {metrics.map((m) => (
              <td key={m}>{num(g.metrics[m])} <span className="muted">{interval(g.ci[m])}</span></td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The summaries a report has, with their definitions (docs/fairness.md). */
export const SUMMARY_INFO: { name: SummaryName; label: string; definition: string }[] = [
  { name: 'demographicParityDifference', label: 'demographic-parity difference', definition: 'largest minus smallest selection rate (how often the model says the positive class) between groups; 0 = every group selected at the same rate. Ignores the labels.' },
  { name: 'demographicParityRatio', label: 'demographic-parity ratio', definition: 'smallest over largest selection rate; the "four-fifths rule" asks at least 0.8.' },
  { name: 'equalizedOddsDifference', label: 'equalised-odds difference', definition: 'the larger of the true-positive-rate gap and the false-positive-rate gap: equal error rates on positives and on negatives. Measured against the labels, so biased labels can satisfy it.' },
  { name: 'equalOpportunityDifference', label: 'equal-opportunity difference', definition: 'the true-positive-rate gap: are real positives of every group found alike?' },
  { name: 'worstGroupAccuracy', label: 'worst-group accuracy', definition: 'the lowest accuracy of any group.' },
  { name: 'maeDifference', label: 'MAE difference', definition: 'largest minus smallest mean absolute error between groups.' },
  { name: 'worstGroupMae', label: 'worst-group MAE', definition: 'the highest mean absolute error of any group.' },
];

export function SummaryList({ report }: { report: FairnessReport }) {
  const shown = SUMMARY_INFO.filter((s) => report.summary[s.name] !== undefined);
  return (
    <div data-testid="fairness-summary">
      <ul className="ll-fairness-summary">
        {shown.map((s) => (
          <li key={s.name} data-testid={`summary-${s.name}`}>
            {s.label}: <strong>{num(report.summary[s.name])}</strong> <span className="muted">{interval(report.summary.ci[s.name])}</span>
            {s.name === 'worstGroupAccuracy' && report.summary.worstGroup ? <span className="muted"> ({report.summary.worstGroup})</span> : null}
          </li>
        ))}
      </ul>
      <details className="ll-definitions">
        <summary>What these mean, and what they cannot tell you</summary>
        <dl>
          {shown.map((s) => <div key={s.name}><dt>{s.label}</dt><dd>{s.definition}</dd></div>)}
        </dl>
        <p className="muted">
          Intervals are 95 % bootstrap intervals of the test split ({report.bootstrap.samples} resamples): sampling noise of this test set only,
          too narrow for small groups. The gaps measure agreement with the labels, cannot all be zero at once when base rates differ, and say nothing
          about groups you did not choose or about causes (docs/fairness.md).
        </p>
      </details>
    </div>
  );
}

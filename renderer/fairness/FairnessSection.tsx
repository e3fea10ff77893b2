/**
 * Evaluate › Fairness: choose a sensitive attribute (or two, crossed), audit the run's test split by
 * group (table and bar chart with 95 % intervals, warnings for small groups and large gaps), and
 * mitigate: train a reweighted run, or fit per-group thresholds (post-processing, measured here
 * only); compare with another run on accuracy against disparity. The logic is fairness-logic.ts.
 */
import { useEffect, useState } from 'react';
import type { JobProgress } from '../../shared/engine/job';
import type { AttributeRequest, FairnessReport, MetricName, ThresholdObjective, ThresholdRule } from '../../shared/fairness';
import { useEditor } from '../store';
import { isActive, runsOfDocument, type RunView } from '../store/runs';
import { CompareRuns, type CompareEntry } from './CompareRuns';
import {
  attributeColumns, attributeLabel, attributesKey, auditRun, canReweigh, CLASS_ATTRIBUTE, fitThresholds, METRIC_LABELS, metricsOf,
  reportKey, reweighedBy, trainReweighed, useFairness, type Job,
} from './fairness-logic';
import { GroupChart } from './GroupChart';
import { GroupTable, SummaryList } from './GroupTable';
import './fairness.css';

const CLASS_VALUE = '(class)';
const toAttr = (v: string): AttributeRequest | null => (v === '' ? null : v === CLASS_VALUE ? CLASS_ATTRIBUTE : { kind: 'column', column: v });
const valueOf = (a: AttributeRequest | undefined) => (!a ? '' : a.kind === 'class' ? CLASS_VALUE : a.column);

function AttributePicker({ columns, attrs, onChange }: { columns: string[]; attrs: AttributeRequest[]; onChange(a: AttributeRequest[]): void }) {
  const options = [...columns.map((c) => ({ value: c, label: c })), { value: CLASS_VALUE, label: 'the true class' }];
  const set = (i: 0 | 1, v: string) => {
    const next = [attrs[0], attrs[1]];
    next[i] = toAttr(v) ?? undefined;
    onChange(next.filter((a): a is AttributeRequest => !!a));
  };
  return (
    <div className="ll-fairness-attrs">
      <label>
        sensitive attribute{' '}
        <select data-testid="fairness-attribute" value={valueOf(attrs[0])} onChange={(e) => set(0, e.target.value)}>
          <option value="" disabled>choose…</option>
          {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
        </select>
      </label>
      <label>
        crossed with{' '}
        <select data-testid="fairness-attribute-2" value={valueOf(attrs[1])} disabled={!attrs[0]} onChange={(e) => set(1, e.target.value)}>
          <option value="">(none)</option>
          {options.filter((o) => o.value !== valueOf(attrs[0])).map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
        </select>
      </label>
    </div>
  );
}

function Progress({ p, job }: { p: JobProgress | null; job: Job | null }) {
  return (
    <div className="muted" role="status" data-testid="fairness-progress">
      {p?.message ?? 'Auditing'}… {p && p.total > 0 ? `${p.done}/${p.total}` : ''}
      {p?.etaSec !== undefined ? ` (about ${Math.ceil(p.etaSec)} s left)` : ''}{' '}
      {p && p.total > 0 && <progress max={p.total} value={p.done} />}
      {job && <button type="button" onClick={job.cancel}>Cancel</button>}
    </div>
  );
}

function useColumns(run: RunView) {
  const docPath = useEditor((s) => s.filePath);
  const [columns, setColumns] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setError(null);
    attributeColumns(run.doc.dataset, docPath).then((c) => live && setColumns(c)).catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [run.runId, docPath]);
  return { columns, error };
}

/** The mitigations: reweighing as a new run; per-group thresholds (binary classifiers) as post-processing. */
function Mitigations({ run, report, busy, onReweigh, onThresholds }: {
  run: RunView; report: FairnessReport; busy: boolean; onReweigh(): void; onThresholds(o: ThresholdObjective): void;
}) {
  const [objective, setObjective] = useState<ThresholdObjective>('demographicParity');
  const binary = report.task === 'classification' && report.classes?.length === 2 && !report.grouping.some((g) => g.kind === 'class');
  const by = attributesKey(report.grouping.map((g) => (g.kind === 'class' ? CLASS_ATTRIBUTE : { kind: 'column' as const, column: g.column })));
  return (
    <div className="ll-fairness-mitigate" data-testid="fairness-mitigations">
      <h4>Mitigate</h4>
      {canReweigh(run, report) && (
        <p>
          <button type="button" data-testid="fairness-reweigh" disabled={busy} onClick={onReweigh}>Train with reweighing by {by}</button>{' '}
          <span className="muted">A new run of this model: each training sample weighted so that {by} and the label are independent (Kamiran &amp; Calders).</span>
        </p>
      )}
      {binary && (
        <p>
          <button type="button" data-testid="fairness-thresholds" disabled={busy} onClick={() => onThresholds(objective)}>Fit group thresholds</button>{' '}
          <label>
            for{' '}
            <select value={objective} onChange={(e) => setObjective(e.target.value as ThresholdObjective)} data-testid="fairness-objective">
              <option value="demographicParity">demographic parity</option>
              <option value="equalizedOdds">equalised odds</option>
            </select>
          </label>{' '}
          <span className="muted">Post-processing: a decision threshold per group, chosen on the validation split.</span>
        </p>
      )}
    </div>
  );
}

function RuleView({ rule }: { rule: ThresholdRule }) {
  const v = rule.validation;
  return (
    <div className="ll-fairness-rule" data-testid="fairness-rule">
      <strong>Post-processed (per-group thresholds, {rule.objective === 'demographicParity' ? 'demographic parity' : 'equalised odds'}):</strong>{' '}
      {rule.thresholds.map((t) => `${t.group} > ${t.threshold.toFixed(2)}`).join(', ')}. Validation split ({v.samples}): accuracy{' '}
      {v.before.accuracy.toFixed(3)} → {v.after.accuracy.toFixed(3)}, gap {v.before.difference?.toFixed(3) ?? '—'} → {v.after.difference?.toFixed(3) ?? '—'}.
      <div className="ll-warning">
        Post-processing: measured in this audit and applied in Try it (where you choose the group) for this session; Evaluate's
        figures and the exports still predict with 0.5 for everyone. Applying it needs the sensitive attribute at prediction time,
        which treats people differently by group on purpose.
      </div>
    </div>
  );
}

function ReportView({ report }: { report: FairnessReport }) {
  const metrics = metricsOf(report);
  const [metric, setMetric] = useState<MetricName>(metrics.includes('selectionRate') ? 'selectionRate' : metrics[0]!);
  const shown = metrics.includes(metric) ? metric : metrics[0]!;
  return (
    <>
      {report.warnings.length > 0 && (
        <ul className="ll-warning ll-fairness-warnings" role="alert" data-testid="fairness-warnings">
          {report.warnings.map((w) => <li key={w}>{w}</li>)}
        </ul>
      )}
      <SummaryList report={report} />
      <GroupTable report={report} />
      <div>
        <label>
          chart{' '}
          <select value={shown} onChange={(e) => setMetric(e.target.value as MetricName)} data-testid="fairness-metric">
            {metrics.map((m) => <option key={m} value={m}>{METRIC_LABELS[m]}</option>)}
          </select>
        </label>
      </div>
      <GroupChart report={report} metric={shown} />
    </>
  );
}

function CompareSection({ run, attrs, own, post }: { run: RunView; attrs: AttributeRequest[]; own: FairnessReport; post: FairnessReport | undefined }) {
  const runs = useEditor(runsOfDocument);
  const others = runs.filter((r) => r.runId !== run.runId && !!r.end && !isActive(r.status));
  const compareWith = useFairness((s) => s.compareWith);
  const reports = useFairness((s) => s.reports);
  const [error, setError] = useState<string | null>(null);
  const other = others.find((r) => r.runId === compareWith);
  const otherReport = other ? reports[reportKey(other.runId, attrs)] : undefined;
  useEffect(() => {
    setError(null);
    if (other && !otherReport) auditRun(other, attrs).catch((e: Error) => setError(e.message));
  }, [other?.runId, attributesKey(attrs)]);
  const label = (r: RunView) => `${r.label}${reweighedBy(r) ? ` (reweighed by ${reweighedBy(r)})` : ''}`;
  const entries: CompareEntry[] = [
    ...(other && otherReport ? [{ label: label(other), report: otherReport, color: '#e07b24' }] : []),
    { label: label(run), report: own, color: '#4c7dd8' },
    ...(post ? [{ label: `${run.label} + group thresholds`, report: post, color: '#2ea043' }] : []),
  ];
  if (!others.length && !post) return null;
  return (
    <div className="ll-fairness-compare-section">
      <h4>Compare</h4>
      {others.length > 0 && (
        <label>
          with{' '}
          <select data-testid="fairness-compare-with" value={other?.runId ?? ''} onChange={(e) => useFairness.getState().setCompareWith(e.target.value || null)}>
            <option value="">(no other run)</option>
            {others.map((r) => <option key={r.runId} value={r.runId}>{label(r)}</option>)}
          </select>
        </label>
      )}
      {other && !otherReport && !error && <p className="muted">Auditing {other.label}…</p>}
      {error && <div className="ll-error" role="alert">{error}</div>}
      {entries.length > 1 && <CompareRuns entries={entries} />}
    </div>
  );
}

export function FairnessSection({ run }: { run: RunView }) {
  const { columns, error: columnsError } = useColumns(run);
  const attrs = useFairness((s) => s.attrs);
  const reports = useFairness((s) => s.reports);
  const rules = useFairness((s) => s.rules);
  const [busy, setBusy] = useState<{ progress: JobProgress | null; job: Job | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const report = attrs.length ? reports[reportKey(run.runId, attrs)] : undefined;
  const post = attrs.length ? reports[reportKey(run.runId, attrs, true)] : undefined;
  const rule = attrs.length ? rules[reportKey(run.runId, attrs)] : undefined;
  // An attribute chosen for another run's data that this run does not have is dropped.
  const valid = attrs.filter((a) => a.kind === 'class' || columns.includes(a.column));

  const track = async (work: (o: { onProgress(p: JobProgress): void; onStart(j: Job): void }) => Promise<unknown>) => {
    setError(null);
    setBusy({ progress: null, job: null });
    try {
      await work({ onProgress: (p) => setBusy((b) => b && { ...b, progress: p }), onStart: (job) => setBusy((b) => b && { ...b, job }) });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };
  const audit = () => track((o) => auditRun(run, attrs, o));
  const thresholds = (objective: ThresholdObjective) => track((o) => fitThresholds(run, attrs, objective, o));
  const reweigh = () => void trainReweighed(run, attrs);

  return (
    <section className="ll-fairness" data-testid="fairness-section" aria-labelledby="ll-fairness-title">
      <h3 id="ll-fairness-title">Fairness</h3>
      {reweighedBy(run) && <p className="muted" data-testid="fairness-reweighed">This run trained with reweighing by {reweighedBy(run)}.</p>}
      {columnsError && <div className="ll-error" role="alert">{columnsError}</div>}
      {!columns.length && !columnsError && run.doc.dataset?.source !== 'builtin' && run.doc.dataset?.source !== 'csv' && (
        <p className="muted">Image and array data have no columns here: the true class is offered; other attributes need a metadata CSV (<code>layerloom fairness --metadata</code>).</p>
      )}
      <div className="ll-actions">
        <AttributePicker columns={columns} attrs={valid} onChange={(a) => useFairness.getState().setAttrs(a)} />
        <button type="button" data-testid="fairness-audit" disabled={!valid.length || !!busy} onClick={() => void audit()}>
          {report ? 'Audit again' : `Audit by ${valid.length ? valid.map(attributeLabel).join(' × ') : '…'}`}
        </button>
      </div>
      {busy && <Progress p={busy.progress} job={busy.job} />}
      {error && <div className="ll-error" role="alert" data-testid="fairness-error">{error}</div>}
      {report && valid.length === attrs.length && (
        <>
          <ReportView report={report} />
          <Mitigations run={run} report={report} busy={!!busy} onReweigh={reweigh} onThresholds={(o) => void thresholds(o)} />
          {rule && <RuleView rule={rule} />}
          <CompareSection run={run} attrs={attrs} own={report} post={post} />
        </>
      )}
    </section>
  );
}

/**
 * What Evaluate › Fairness does apart from drawing: the attributes a run offers, the audit,
 * threshold and reweighing requests (with job progress and cancel), and the figures a comparison
 * of runs plots. Reports are kept per run and attribute choice for the session (not in the document).
 */
import { create } from 'zustand';
import type { DatasetConfig, LoomDocument } from '../../shared/document';
import { newJobId, type JobProgress } from '../../shared/engine/job';
import {
  BUILTIN_TABLE_COLUMNS, type AttributeRequest, type FairnessReport, type MetricName, type ThresholdObjective, type ThresholdRule,
} from '../../shared/fairness';
import { getApi } from '../platform/api';
import { useEditor } from '../store';
import type { RunView } from '../store/runs';

/** Bootstrap resamples of an audit in the app (the CLI's default). */
export const AUDIT_BOOTSTRAP = 1000;

export const CLASS_ATTRIBUTE: AttributeRequest = { kind: 'class' };

/** A column chosen as attribute, or the true class. */
export const attributeLabel = (a: AttributeRequest) => (a.kind === 'class' ? 'the true class' : a.column);
export const attributesKey = (attrs: readonly AttributeRequest[]) => attrs.map((a) => (a.kind === 'class' ? '(class)' : a.column)).join(' × ');

/**
 * The columns of a run's data that can be sensitive attributes: a CSV's columns (kept-aside ones
 * included) but the target, a built-in table's columns; none for images and arrays (they need a
 * metadata CSV: `layerloom fairness --metadata`).
 */
export async function attributeColumns(dataset: DatasetConfig | undefined, docPath: string | null): Promise<string[]> {
  if (!dataset) return [];
  if (dataset.source === 'builtin') return [...(BUILTIN_TABLE_COLUMNS[dataset.name] ?? [])];
  if (dataset.source !== 'csv') return [];
  const info = await getApi().data.describeCsv({ path: dataset.path, ...(docPath ? { docPath } : {}) });
  return info.columns.map((c) => c.name).filter((c) => c !== dataset.target);
}

/** The metrics a report's table shows, in order (those of its task). */
export function metricsOf(report: FairnessReport): MetricName[] {
  if (report.task === 'regression') return ['mae', 'rmse'];
  const binary = (report.classes?.length ?? 0) === 2;
  return binary ? ['accuracy', 'selectionRate', 'tpr', 'fpr', 'precision', 'f1'] : ['accuracy', 'tpr', 'fpr', 'precision', 'f1'];
}

export const METRIC_LABELS: Record<MetricName, string> = {
  accuracy: 'accuracy', selectionRate: 'selection rate', tpr: 'true-positive rate', fpr: 'false-positive rate',
  precision: 'precision', f1: 'F1', mae: 'MAE', rmse: 'RMSE',
};

/** Overall accuracy of the audited split: the groups' accuracies weighted by their support. */
export function overallAccuracy(report: FairnessReport): number | null {
  let hits = 0, n = 0;
  for (const g of report.groups) {
    if (g.metrics.accuracy === null || g.metrics.accuracy === undefined) continue;
    hits += g.metrics.accuracy * g.support;
    n += g.support;
  }
  return n > 0 ? hits / n : null;
}

/**
 * Whether a run can be trained again with reweighing: a classification run with a dataset, grouped
 * by columns (weights by the class itself would only rebalance the classes).
 */
export function canReweigh(run: RunView, report: FairnessReport): boolean {
  return report.task === 'classification' && !!run.doc.dataset && !run.imported && report.grouping.every((g) => g.kind !== 'class');
}

/** A run that trained with reweighing: by what. */
export function reweighedBy(run: RunView): string | null {
  const r = run.training.reweighing;
  return r ? attributesKey(r.sensitive) : null;
}

interface FairnessState {
  /** The attributes chosen (one, or two crossed). */
  attrs: AttributeRequest[];
  /** Reports by `runId|attributes` (`|thresholds` for a post-processed audit). */
  reports: Record<string, FairnessReport>;
  /** Threshold rules fitted per `runId|attributes`. */
  rules: Record<string, ThresholdRule>;
  /** The run the current one is compared with. */
  compareWith: string | null;
  setAttrs(attrs: AttributeRequest[]): void;
  setCompareWith(runId: string | null): void;
}

export const useFairness = create<FairnessState>((set) => ({
  attrs: [],
  reports: {},
  rules: {},
  compareWith: null,
  setAttrs: (attrs) => set({ attrs }),
  setCompareWith: (compareWith) => set({ compareWith }),
}));

export const reportKey = (runId: string, attrs: readonly AttributeRequest[], post = false) => `${runId}|${attributesKey(attrs)}${post ? '|thresholds' : ''}`;

const where = () => {
  const docPath = useEditor.getState().filePath;
  return docPath ? { docPath } : {};
};

/** A long request with its job id, progress and a cancel. */
export interface Job { jobId: string; cancel(): void }

async function asJob<T>(onProgress: (p: JobProgress) => void, onStart: (job: Job) => void, call: (jobId: string) => Promise<T>): Promise<T> {
  const api = getApi();
  const jobId = newJobId();
  const off = api.onJobProgress((p) => {
    if (p.jobId === jobId) onProgress(p);
  });
  onStart({ jobId, cancel: () => void api.engine.cancel({ jobId }).catch(() => undefined) });
  try {
    return await call(jobId);
  } finally {
    off();
  }
}

/** Audit a run (its test split) by the chosen attributes; with `rule`, its post-processed variant. Kept in the store. */
export async function auditRun(
  run: RunView, attrs: AttributeRequest[], opts: { rule?: ThresholdRule; onProgress?: (p: JobProgress) => void; onStart?: (job: Job) => void } = {},
): Promise<FairnessReport> {
  const report = await asJob(opts.onProgress ?? (() => {}), opts.onStart ?? (() => {}), (jobId) => getApi().fairness.audit({
    runId: run.runId, doc: run.doc, ...where(), jobId, sensitive: attrs, bootstrap: { samples: AUDIT_BOOTSTRAP },
    ...(opts.rule ? { thresholds: opts.rule } : {}),
  }));
  const key = reportKey(run.runId, attrs, !!opts.rule);
  useFairness.setState((s) => ({ reports: { ...s.reports, [key]: report } }));
  return report;
}

/** Fit per-group thresholds on the run's validation split, then audit the post-processed run. */
export async function fitThresholds(
  run: RunView, attrs: AttributeRequest[], objective: ThresholdObjective, opts: { onProgress?: (p: JobProgress) => void; onStart?: (job: Job) => void } = {},
): Promise<ThresholdRule> {
  const rule = await asJob(opts.onProgress ?? (() => {}), opts.onStart ?? (() => {}), (jobId) => getApi().fairness.thresholds({
    runId: run.runId, doc: run.doc, ...where(), jobId, sensitive: attrs, objective,
  }));
  useFairness.setState((s) => ({ rules: { ...s.rules, [reportKey(run.runId, attrs)]: rule } }));
  await auditRun(run, attrs, { ...opts, rule });
  return rule;
}

/**
 * Reweighing as a new run: the audited run's model trained again with Kamiran & Calders weights by
 * the chosen column(s); it becomes the current run and is compared with the audited one.
 */
export async function trainReweighed(run: RunView, attrs: AttributeRequest[]): Promise<string | null> {
  const doc: LoomDocument = run.doc;
  const id = await useEditor.getState().train({ doc, overrides: { reweighing: { sensitive: attrs } } });
  if (id) useFairness.setState({ compareWith: run.runId });
  return id;
}

/**
 * Fairness audits of trained runs (held by the engine, runs.ts): the groups of the split's samples
 * from sensitive columns kept aside (columns.ts), the run's predictions (predictions.ts), and the
 * pure audit of shared/fairness. Also the two mitigations' engine halves: reweighing weights for a
 * training split, and per-group thresholds fitted on the validation split.
 */
import type { JobControl } from '../../../shared/engine/job';
import {
  auditGroupsJob, classGrouping, crossGroups, defineAttribute, fitGroupThresholds, FairnessRequestSchema, groupBy, groupNameOf,
  predictsPositive, reweighing, ThresholdRequestSchema,
  type AttributeRequest, type FairnessReport, type FairnessRequest, type Grouping, type Reweighing, type ReweighingOption,
  type ThresholdRequest, type ThresholdRule,
} from '../../../shared/fairness';
import type { Dataset, DatasetConfig } from '../data/types';
import { getRun, type TrainedRun } from '../runs';
import { sensitiveTable, type SensitiveSource, type SensitiveTable } from './columns';
import { predictSplit, type SplitPredictions } from './predictions';

export { sensitiveTable, imageFolderFiles, type SensitiveTable } from './columns';
export { predictSplit, type SplitPredictions } from './predictions';

/** The table, read once and only when a column is asked for (the class slice needs none). */
function lazyTable(cfg: DatasetConfig | undefined, count: number, src: SensitiveSource): () => SensitiveTable {
  let t: SensitiveTable | undefined;
  return () => (t ??= sensitiveTable(cfg, count, src));
}

/** Groups of the samples `indices` (with true class ids `yTrue` for the class slice). */
export function groupingFor(
  attrs: readonly AttributeRequest[], table: () => SensitiveTable, ds: Dataset, indices: ArrayLike<number>, yTrue?: ArrayLike<number>,
): Grouping {
  const one = (a: AttributeRequest): Grouping => {
    if (a.kind === 'class') {
      if (!yTrue || !ds.classes || ds.task !== 'classification') throw new Error('The class slice needs a classification run');
      return classGrouping(yTrue, ds.classes);
    }
    const all = table().column(a.column);
    const def = defineAttribute(a.column, all, a.binning);
    return groupBy(def, Array.from(indices, (i) => all[i]!));
  };
  const [first, second] = attrs;
  if (!first) throw new Error('Choose a sensitive attribute');
  return second ? crossGroups(one(first), one(second)) : one(first);
}

function positiveIndex(ds: Dataset, name: string | undefined): number {
  const classes = ds.classes ?? [];
  if (name === undefined) return 1;
  const i = classes.indexOf(name);
  if (i < 0) throw new Error(`There is no class "${name}": the classes are ${classes.join(', ')}`);
  return i;
}

/** Group names of the samples under a rule's grouping (new rows are grouped the same way). */
function ruleGroups(rule: ThresholdRule, table: () => SensitiveTable, indices: ArrayLike<number>): string[] {
  const cols = rule.grouping.map((def) => {
    if (def.kind === 'class') throw new Error('Thresholds cannot depend on the true class');
    return { def, values: table().column(def.column) };
  });
  return Array.from(indices, (i) => cols.map((c) => groupNameOf(c.def, c.values[i]!)).join(' & '));
}

/** Class predictions with a rule's per-group thresholds applied (binary classifiers). */
function thresholded(p: SplitPredictions, rule: ThresholdRule, table: () => SensitiveTable): Float64Array {
  const classes = p.ds.classes ?? [];
  if (!p.classification || classes.length !== 2) throw new Error('Per-group thresholds apply to binary classifiers only');
  const pos = positiveIndex(p.ds, rule.positiveClass);
  const groups = ruleGroups(rule, table, p.indices);
  return Float64Array.from(groups, (g, i) => (predictsPositive(rule, g, p.probabilities![i * 2 + pos]!) ? pos : 1 - pos));
}

/**
 * Audit a trained run held by the engine (the engine API loads it from `runDir` first):
 * per-group metrics with intervals, and the gaps. A job: progress while predicting the split and
 * per bootstrap resample; `control.signal` cancels it between them.
 */
export async function fairnessReport(request: FairnessRequest, control: JobControl = {}): Promise<FairnessReport> {
  const r = FairnessRequestSchema.parse(request);
  const run = getRun(r.runId);
  const baseDir = r.baseDir;
  const p = await predictSplit(run, r.split, baseDir, control);
  const table = lazyTable(run.record.dataset, p.ds.count, { baseDir, metadataCsv: r.metadataCsv });
  const grouping = groupingFor(r.sensitive, table, p.ds, p.indices, p.classification ? p.yTrue : undefined);
  const opts = { bootstrap: r.bootstrap, minSupport: r.minSupport, split: r.split, thresholds: r.thresholds };
  if (!p.classification) return auditGroupsJob({ task: 'regression', yTrue: p.yTrue, yPred: p.yPred, width: p.width }, grouping, opts, control);
  const classes = p.ds.classes!;
  if (r.positiveClass !== undefined && classes.length !== 2) throw new Error('A positive class applies to binary classifiers only');
  const yPred = r.thresholds ? thresholded(p, r.thresholds, table) : p.yPred;
  return auditGroupsJob({ task: 'classification', classes, yTrue: p.yTrue, yPred }, grouping, { ...opts, positive: positiveIndex(p.ds, r.positiveClass) }, control);
}

/** Fit per-group thresholds of a binary classifier on its validation split (a job: progress while predicting it). */
export async function fitRunThresholds(request: ThresholdRequest, control: JobControl = {}): Promise<ThresholdRule> {
  const r = ThresholdRequestSchema.parse(request);
  const run: TrainedRun = getRun(r.runId);
  const baseDir = r.baseDir;
  const p = await predictSplit(run, 'validation', baseDir, control);
  if (!p.classification || p.ds.classes!.length !== 2) throw new Error('Per-group thresholds apply to binary classifiers only');
  const pos = positiveIndex(p.ds, r.positiveClass);
  const table = lazyTable(run.record.dataset, p.ds.count, { baseDir, metadataCsv: r.metadataCsv });
  const grouping = groupingFor(r.sensitive, table, p.ds, p.indices, p.yTrue);
  return fitGroupThresholds({
    scores: Array.from(p.indices, (_, i) => p.probabilities![i * 2 + pos]!),
    isPositive: Array.from(p.yTrue, (y) => y === pos),
    grouping, positiveClass: p.ds.classes![pos]!, objective: r.objective, tolerance: r.tolerance,
  });
}

/**
 * Reweighing weights for the training split of a classification dataset (the training loop's hook:
 * one weight per entry of `trainIndices`, groups from the dataset config's sensitive columns).
 */
export function reweighingForTraining(
  option: ReweighingOption, cfg: DatasetConfig, ds: Dataset, trainIndices: Int32Array, baseDir?: string,
): Reweighing {
  if (ds.task !== 'classification' || !ds.classes) throw new Error('Reweighing needs a classification dataset (weights come from group × class frequencies)');
  const table = lazyTable(cfg, ds.count, { baseDir, metadataCsv: option.metadataCsv });
  const labels = Int32Array.from(trainIndices, (i) => ds.y[i * ds.targetSize]!);
  const grouping = groupingFor(option.sensitive, table, ds, trainIndices, labels);
  return reweighing(grouping, labels, ds.classes);
}

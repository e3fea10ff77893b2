/**
 * The group audit: predictions + groups → per-group metrics with bootstrap intervals, the gaps
 * between groups, and warnings. Pure: the engine supplies predictions on the run's test split and
 * the groups of those samples (electron/engine/fairness).
 */
import { checkpoint, type JobControl } from '../engine/job';
import { bootstrapRng, Collector, resample } from './bootstrap';
import type { Grouping } from './groups';
import { classificationMetrics, regressionMetrics } from './metrics';
import {
  CLASS_METRIC_NAMES, CLASS_SUMMARY_NAMES, METRIC_NAMES, SUMMARY_NAMES,
  type BootstrapSettings, type ClassMetrics, type FairnessReport, type GroupReport, type Metrics, type ThresholdRule,
} from './schema';
import { classificationSummary, regressionSummary, type ClassSummaryValues, type SummaryValues } from './summary';

export type Predictions =
  | { task: 'classification'; classes: readonly string[]; yTrue: ArrayLike<number>; yPred: ArrayLike<number> }
  /** `width` values per sample (row-major), compared element by element. */
  | { task: 'regression'; yTrue: ArrayLike<number>; yPred: ArrayLike<number>; width: number };

export interface AuditOptions {
  bootstrap: BootstrapSettings;
  minSupport: number;
  split: 'test' | 'validation';
  /** Binary classification: index of the positive class (default 1). */
  positive?: number;
  /** Recorded in the report when the predictions were post-processed with it. */
  thresholds?: ThresholdRule;
}

export const CONFIDENCE_LEVEL = 0.95;
/** Gaps above this are called out in the warnings. */
export const GAP_WARNING = 0.1;

/** What every statistic is computed from: per group, per-sample codes and sums. */
interface Evaluated {
  metrics: Metrics[];
  perClass?: Required<ClassMetrics>[][];
  summary: SummaryValues;
  summaryPerClass?: ClassSummaryValues[];
  worst: number;
}

/** Classification: per group, each member's confusion cell (true * k + predicted). */
function cellCodes(pred: Extract<Predictions, { task: 'classification' }>, grouping: Grouping): Int32Array[] {
  const k = pred.classes.length;
  const counts = new Int32Array(grouping.names.length);
  for (let i = 0; i < grouping.of.length; i++) counts[grouping.of[i]!]!++;
  const codes = Array.from(counts, (c) => new Int32Array(c));
  const fill = new Int32Array(grouping.names.length);
  for (let i = 0; i < grouping.of.length; i++) {
    const t = pred.yTrue[i]!, p = pred.yPred[i]!;
    if (!(Number.isInteger(t) && Number.isInteger(p) && t >= 0 && t < k && p >= 0 && p < k)) {
      throw new Error(`Sample ${i}: class ids must be whole numbers in 0..${k - 1}, got true ${t}, predicted ${p}`);
    }
    const g = grouping.of[i]!;
    codes[g]![fill[g]!++] = t * k + p;
  }
  return codes;
}

function evaluateClassification(cms: Float64Array[], k: number, positive: number): Evaluated {
  const per = cms.map((cm) => classificationMetrics(cm, k, positive));
  const metrics = per.map((p) => p.metrics);
  const perClass = k > 2 ? per.map((p) => p.perClass!) : undefined;
  const s = classificationSummary(metrics, perClass);
  return { metrics, perClass, summary: s.values, summaryPerClass: s.perClass, worst: s.worst };
}

function evaluateRegression(sums: { abs: number; sq: number; count: number }[]): Evaluated {
  const metrics = sums.map((s) => regressionMetrics(s.abs, s.sq, s.count));
  const s = regressionSummary(metrics);
  return { metrics, summary: s.values, worst: s.worst };
}

function record(c: Collector, e: Evaluated): void {
  e.metrics.forEach((m, g) => {
    for (const name of METRIC_NAMES) if (name in m) c.add(`g${g}.${name}`, m[name]);
    e.perClass?.[g]!.forEach((cm, ci) => {
      for (const name of CLASS_METRIC_NAMES) c.add(`g${g}.c${ci}.${name}`, cm[name]);
    });
  });
  for (const name of SUMMARY_NAMES) if (name in e.summary) c.add(`s.${name}`, e.summary[name]);
  e.summaryPerClass?.forEach((v, ci) => {
    for (const name of CLASS_SUMMARY_NAMES) c.add(`s.c${ci}.${name}`, v[name]);
  });
}

/** Members of each resampling stratum: the group, or its samples of each true class. */
function strata(codes: Int32Array[], k: number, stratified: boolean): Int32Array[][] {
  if (!stratified) return codes.map((c) => [c]);
  return codes.map((c) => Array.from({ length: k }, (_, t) => c.filter((code) => Math.floor(code / k) === t)).filter((s) => s.length > 0));
}

/** The bootstrap, one replicate per `next()` (so that a caller can report progress and yield between them). */
interface Replicates {
  readonly collector: Collector;
  next(): void;
}

function classificationReplicates(codes: Int32Array[], k: number, positive: number, b: BootstrapSettings): Replicates {
  const collector = new Collector();
  const rng = bootstrapRng(b.seed);
  const pools = strata(codes, k, b.stratified);
  const next = () => {
    const cms = pools.map((ps) => {
      const cm = new Float64Array(k * k);
      for (const p of ps) resample(p, rng, (code) => cm[code]!++);
      return cm;
    });
    record(collector, evaluateClassification(cms, k, positive));
  };
  return { collector, next };
}

/** Regression: per group, each member's summed |error| and error² over its outputs. */
function errorSums(pred: Extract<Predictions, { task: 'regression' }>, grouping: Grouping): { abs: number[]; sq: number[] }[] {
  const out = grouping.names.map(() => ({ abs: [] as number[], sq: [] as number[] }));
  for (let i = 0; i < grouping.of.length; i++) {
    let abs = 0, sq = 0;
    for (let j = 0; j < pred.width; j++) {
      const t = pred.yTrue[i * pred.width + j]!, p = pred.yPred[i * pred.width + j]!;
      if (!Number.isFinite(t) || !Number.isFinite(p)) throw new Error(`Sample ${i}: the ${Number.isFinite(t) ? 'prediction' : 'target'} is not a finite number (${Number.isFinite(t) ? p : t})`);
      abs += Math.abs(p - t);
      sq += (p - t) ** 2;
    }
    out[grouping.of[i]!]!.abs.push(abs);
    out[grouping.of[i]!]!.sq.push(sq);
  }
  return out;
}

function regressionReplicates(errs: { abs: number[]; sq: number[] }[], width: number, b: BootstrapSettings): Replicates {
  const collector = new Collector();
  const rng = bootstrapRng(b.seed);
  const members = errs.map((e) => Int32Array.from(e.abs, (_, i) => i));
  const next = () => {
    const sums = errs.map((e, g) => {
      let abs = 0, sq = 0;
      resample(members[g]!, rng, (i) => {
        abs += e.abs[i]!;
        sq += e.sq[i]!;
      });
      return { abs, sq, count: e.abs.length * width };
    });
    record(collector, evaluateRegression(sums));
  };
  return { collector, next };
}

const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);

/** Audit predictions by group. Throws on mismatched lengths or invalid class ids / values. */
export function auditGroups(pred: Predictions, grouping: Grouping, opts: AuditOptions): FairnessReport {
  const audit = prepareAudit(pred, grouping, opts);
  for (let r = 0; r < opts.bootstrap.samples; r++) audit.replicates.next();
  return audit.finish();
}

/** auditGroups as a job: progress per bootstrap resample, cancelable between resamples (../engine/job.ts). */
export async function auditGroupsJob(pred: Predictions, grouping: Grouping, opts: AuditOptions, control: JobControl): Promise<FairnessReport> {
  const audit = prepareAudit(pred, grouping, opts);
  const total = opts.bootstrap.samples;
  for (let r = 0; r < total; r++) {
    await checkpoint(control);
    audit.replicates.next();
    control.onProgress?.(r + 1, total, 'Bootstrap resamples');
  }
  return audit.finish();
}

function prepareAudit(pred: Predictions, grouping: Grouping, opts: AuditOptions): { replicates: Replicates; finish(): FairnessReport } {
  const n = grouping.of.length;
  const width = pred.task === 'regression' ? pred.width : 1;
  if (pred.yTrue.length !== n * width || pred.yPred.length !== n * width) {
    throw new Error(`${grouping.attribute}: ${n} samples in the groups but ${pred.yTrue.length / width} targets and ${pred.yPred.length / width} predictions`);
  }
  const supports = grouping.names.map(() => 0);
  for (let i = 0; i < n; i++) supports[grouping.of[i]!]!++;
  let point: Evaluated;
  let replicates: Replicates;
  let confusion: number[][][] | undefined;
  const k = pred.task === 'classification' ? pred.classes.length : 0;
  const positive = opts.positive ?? 1;
  if (pred.task === 'classification') {
    if (k === 2 && (positive < 0 || positive > 1)) throw new Error(`The positive class index must be 0 or 1, got ${positive}`);
    const codes = cellCodes(pred, grouping);
    const cms = codes.map((cs) => {
      const cm = new Float64Array(k * k);
      for (const code of cs) cm[code]!++;
      return cm;
    });
    confusion = cms.map((cm) => Array.from({ length: k }, (_, t) => Array.from(cm.subarray(t * k, (t + 1) * k))));
    point = evaluateClassification(cms, k, positive);
    replicates = classificationReplicates(codes, k, positive, opts.bootstrap);
  } else {
    const errs = errorSums(pred, grouping);
    point = evaluateRegression(errs.map((e) => ({ abs: sum(e.abs), sq: sum(e.sq), count: e.abs.length * width })));
    replicates = regressionReplicates(errs, width, opts.bootstrap);
  }
  return { replicates, finish: () => assemble(pred, grouping, opts, { supports, point, ci: replicates.collector, confusion, positive }) };
}

function assemble(
  pred: Predictions, grouping: Grouping, opts: AuditOptions,
  r: { supports: number[]; point: Evaluated; ci: Collector; confusion?: number[][][]; positive: number },
): FairnessReport {
  const level = CONFIDENCE_LEVEL;
  const classes = pred.task === 'classification' ? [...pred.classes] : undefined;
  const groups: GroupReport[] = grouping.names.map((name, g) => {
    const m = r.point.metrics[g]!;
    const group: GroupReport = {
      name, support: r.supports[g]!, metrics: m,
      ci: Object.fromEntries(METRIC_NAMES.filter((k) => k in m).map((k) => [k, r.ci.interval(`g${g}.${k}`, level)])),
      smallGroup: r.supports[g]! < opts.minSupport,
    };
    if (r.confusion) group.confusion = r.confusion[g];
    if (r.point.perClass) {
      group.perClass = r.point.perClass[g]!.map((cm, c) => ({
        className: classes![c]!, metrics: cm,
        ci: Object.fromEntries(CLASS_METRIC_NAMES.map((k) => [k, r.ci.interval(`g${g}.c${c}.${k}`, level)])),
      }));
    }
    return group;
  });
  const s = r.point.summary;
  const summary: FairnessReport['summary'] = {
    ...s,
    worstGroup: r.point.worst >= 0 ? grouping.names[r.point.worst]! : null,
    ci: Object.fromEntries(SUMMARY_NAMES.filter((k) => k in s).map((k) => [k, r.ci.interval(`s.${k}`, level)])),
  };
  if (r.point.summaryPerClass) {
    summary.perClass = r.point.summaryPerClass.map((values, c) => ({
      className: classes![c]!, values,
      ci: Object.fromEntries(CLASS_SUMMARY_NAMES.map((k) => [k, r.ci.interval(`s.c${c}.${k}`, level)])),
    }));
  }
  const report: FairnessReport = {
    task: pred.task, attribute: grouping.attribute, grouping: grouping.definition, split: opts.split,
    samples: grouping.of.length, groups, summary,
    bootstrap: { ...opts.bootstrap, level }, minSupport: opts.minSupport, warnings: [],
  };
  if (classes) report.classes = classes;
  if (classes && classes.length === 2) report.positiveClass = classes[r.positive];
  if (opts.thresholds) report.thresholds = opts.thresholds;
  report.warnings = warningsFor(report);
  return report;
}

/** A gap between two rates, in percentage points. */
const points = (v: number) => `${(v * 100).toFixed(1)} percentage points`;

/** Sentences for people: small groups, large gaps, rates that no group can be measured on. */
export function warningsFor(r: FairnessReport): string[] {
  const out: string[] = [];
  if (r.groups.length < 2) out.push(`Only one group of ${r.attribute} in the ${r.split} split: there is nothing to compare.`);
  const small = r.groups.filter((g) => g.smallGroup);
  if (small.length) {
    out.push(`${small.length} group${small.length === 1 ? ' has' : 's have'} fewer than ${r.minSupport} samples (${small.map((g) => `${g.name}: ${g.support}`).join(', ')}): their rates are noisy; read their intervals, not their values.`);
  }
  const s = r.summary;
  const gap = (label: string, v: number | null | undefined) => {
    if (v !== null && v !== undefined && v > GAP_WARNING) out.push(`${label} differs by ${points(v)} between groups (more than ${points(GAP_WARNING)}).`);
  };
  gap('The selection rate', s.demographicParityDifference);
  gap('The true- or false-positive rate', s.equalizedOddsDifference);
  const acc = r.groups.map((g) => g.metrics.accuracy).filter((v): v is number => v !== null && v !== undefined);
  if (acc.length >= 2) gap('Accuracy', Math.max(...acc) - Math.min(...acc));
  const noTpr = r.groups.filter((g) => g.metrics.tpr === null);
  if (r.task === 'classification' && noTpr.length) {
    out.push(`The true-positive rate is undefined for ${noTpr.map((g) => g.name).join(', ')}: ${r.positiveClass ? `no sample of the class "${r.positiveClass}"` : 'no class has samples'} there.`);
  }
  return out;
}

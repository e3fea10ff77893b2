/**
 * The fairness audit's one contract: what is asked (a run, sensitive attributes, bootstrap settings)
 * and what comes back (per-group metrics with confidence intervals, summaries), plus the two
 * mitigations as plain data (reweighing weights, per-group decision thresholds). Types are inferred
 * from these schemas; the CLI's `--json` output is a FairnessReport.
 */
import { z } from 'zod';
import { RunRefSchema } from '../engine/run-id';

/** Metrics measured per group. Binary: for the positive class; multiclass: macro averages. */
export const METRIC_NAMES = ['accuracy', 'selectionRate', 'tpr', 'fpr', 'precision', 'f1', 'mae', 'rmse'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
/** Per-class (one-vs-rest) metrics of a multiclass model. */
export const CLASS_METRIC_NAMES = ['selectionRate', 'tpr', 'fpr', 'precision', 'f1'] as const;
export type ClassMetricName = (typeof CLASS_METRIC_NAMES)[number];
/** Gaps between groups. */
export const SUMMARY_NAMES = [
  'demographicParityDifference', 'demographicParityRatio', 'equalizedOddsDifference', 'equalOpportunityDifference',
  'worstGroupAccuracy', 'maeDifference', 'worstGroupMae',
] as const;
export type SummaryName = (typeof SUMMARY_NAMES)[number];
export const CLASS_SUMMARY_NAMES = ['demographicParityDifference', 'demographicParityRatio', 'equalizedOddsDifference', 'equalOpportunityDifference'] as const;
export type ClassSummaryName = (typeof CLASS_SUMMARY_NAMES)[number];

/** A value, or null where it is undefined (a rate whose denominator is 0 in that group). */
const value = z.number().nullable();
/** A 95 % percentile-bootstrap interval [low, high], or null (see docs/fairness.md). */
export const IntervalSchema = z.tuple([z.number(), z.number()]).nullable();
export type Interval = z.infer<typeof IntervalSchema>;

function valuesOf<K extends string>(names: readonly K[]) {
  return z.strictObject(Object.fromEntries(names.map((n) => [n, value.optional()])) as Record<K, z.ZodOptional<typeof value>>);
}
function intervalsOf<K extends string>(names: readonly K[]) {
  return z.strictObject(Object.fromEntries(names.map((n) => [n, IntervalSchema.optional()])) as Record<K, z.ZodOptional<typeof IntervalSchema>>);
}

export const MetricsSchema = valuesOf(METRIC_NAMES);
export const MetricIntervalsSchema = intervalsOf(METRIC_NAMES);
export const ClassMetricsSchema = valuesOf(CLASS_METRIC_NAMES);
export const ClassIntervalsSchema = intervalsOf(CLASS_METRIC_NAMES);
export type Metrics = z.infer<typeof MetricsSchema>;
export type MetricIntervals = z.infer<typeof MetricIntervalsSchema>;
export type ClassMetrics = z.infer<typeof ClassMetricsSchema>;
export type ClassIntervals = z.infer<typeof ClassIntervalsSchema>;

/**
 * How samples are put into groups, as data that can be applied again to a new row (Try it, exports):
 * a column's values as they are, a numeric column cut at edges, the true class, or a cross of two.
 */
export const AttributeDefinitionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('categorical'), column: z.string().min(1) }),
  /** Bins `< e0`, `[e0, e1)`, …, `≥ e_last`; edges strictly increasing. */
  z.strictObject({ kind: z.literal('bins'), column: z.string().min(1), edges: z.array(z.number()).min(1).max(100) }),
  z.strictObject({ kind: z.literal('class') }),
]);
export type AttributeDefinition = z.infer<typeof AttributeDefinitionSchema>;
/** One attribute, or two crossed (intersectional groups named `a & b`). */
export const GroupingDefinitionSchema = z.array(AttributeDefinitionSchema).min(1).max(2);
export type GroupingDefinition = z.infer<typeof GroupingDefinitionSchema>;

export const THRESHOLD_OBJECTIVES = ['demographicParity', 'equalizedOdds'] as const;
export type ThresholdObjective = (typeof THRESHOLD_OBJECTIVES)[number];

const validationFigures = z.strictObject({ accuracy: z.number(), difference: z.number().nullable() });

/**
 * Post-processing of a binary classifier: predict the positive class when its probability is
 * greater than the sample's group threshold (`fallbackThreshold` for a group not seen when fitting).
 * Fitted on the validation split; saved with the run for Try it and the exports' predict code.
 */
export const ThresholdRuleSchema = z.strictObject({
  grouping: GroupingDefinitionSchema,
  positiveClass: z.string(),
  objective: z.enum(THRESHOLD_OBJECTIVES),
  /** The largest gap the search allowed (at least 0.01, the step of its grid). */
  tolerance: z.number().min(0).max(1),
  thresholds: z.array(z.strictObject({ group: z.string(), threshold: z.number().min(0).max(1) })),
  fallbackThreshold: z.number().min(0).max(1),
  /** On the validation split: accuracy and the objective's gap at 0.5 for all, and after. */
  validation: z.strictObject({ samples: z.number().int(), before: validationFigures, after: validationFigures }),
});
export type ThresholdRule = z.infer<typeof ThresholdRuleSchema>;

export const GroupReportSchema = z.strictObject({
  /** The attribute's value (`Black`), bin (`[21, 30)`) or crossed values (`Black & Male`). */
  name: z.string(),
  support: z.number().int().min(0),
  metrics: MetricsSchema,
  ci: MetricIntervalsSchema,
  /** support < the report's minSupport: shown, but its rates are noisy. */
  smallGroup: z.boolean(),
  /** Classification: confusion[true][predicted] counts within the group. */
  confusion: z.array(z.array(z.number().int())).optional(),
  /** Multiclass: one-vs-rest metrics per class, in the report's class order. */
  perClass: z.array(z.strictObject({ className: z.string(), metrics: ClassMetricsSchema, ci: ClassIntervalsSchema })).optional(),
});
export type GroupReport = z.infer<typeof GroupReportSchema>;

export const SummarySchema = valuesOf(SUMMARY_NAMES).extend({
  /** The group with the lowest accuracy (classification) or highest MAE (regression). */
  worstGroup: z.string().nullable().optional(),
  ci: intervalsOf(SUMMARY_NAMES),
  /** Multiclass: the gaps per class (one-vs-rest); the top-level values are the largest of these. */
  perClass: z.array(z.strictObject({ className: z.string(), values: valuesOf(CLASS_SUMMARY_NAMES), ci: intervalsOf(CLASS_SUMMARY_NAMES) })).optional(),
});
export type Summary = z.infer<typeof SummarySchema>;

export const BootstrapSettingsSchema = z.strictObject({
  /** Resamples (0 = no intervals). */
  samples: z.number().int().min(0).max(20_000).default(1000),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  /** Resample within each (group, true class) cell instead of within each group. */
  stratified: z.boolean().default(false),
});
export type BootstrapSettings = z.infer<typeof BootstrapSettingsSchema>;

export const FairnessReportSchema = z.strictObject({
  task: z.enum(['classification', 'regression']),
  /** `colour`, `colour × sex`, `class`. */
  attribute: z.string(),
  grouping: GroupingDefinitionSchema,
  split: z.enum(['test', 'validation']),
  samples: z.number().int(),
  classes: z.array(z.string()).optional(),
  /** Binary classification: the class whose rates are reported (selection = predicted as it). */
  positiveClass: z.string().optional(),
  groups: z.array(GroupReportSchema),
  summary: SummarySchema,
  bootstrap: BootstrapSettingsSchema.extend({ level: z.number() }),
  minSupport: z.number().int(),
  /** Per-group thresholds applied before measuring (a post-processed run), when any. */
  thresholds: ThresholdRuleSchema.optional(),
  /** Small groups, large gaps, undefined rates: sentences for people. */
  warnings: z.array(z.string()),
});
export type FairnessReport = z.infer<typeof FairnessReportSchema>;

/** A sensitive attribute as asked for: a column (binned when numeric) or the true class. */
export const AttributeRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('column'), column: z.string().min(1).max(256),
    /** Numeric columns: quantile bins (default 4 when the column has more than 10 values) or edges. */
    binning: z.union([z.strictObject({ quantiles: z.number().int().min(2).max(20) }), z.strictObject({ edges: z.array(z.number()).min(1).max(100) })]).optional(),
  }),
  z.strictObject({ kind: z.literal('class') }),
]);
export type AttributeRequest = z.infer<typeof AttributeRequestSchema>;
export type Binning = NonNullable<Extract<AttributeRequest, { kind: 'column' }>['binning']>;

/**
 * What an audit asks (the engine request `fairness.audit` adds a run reference, the IPC request the
 * renderer's view of a run): the attributes, the split, the bootstrap.
 */
export const FairnessParamsSchema = z.strictObject({
  sensitive: z.array(AttributeRequestSchema).min(1).max(2),
  /** Image folders: a CSV `file,attribute,…` (file relative to the folder, or a unique file name); relative to the document's folder. */
  metadataCsv: z.string().min(1).max(4096).optional(),
  split: z.enum(['test', 'validation']).default('test'),
  bootstrap: BootstrapSettingsSchema.default({ samples: 1000, seed: 0, stratified: false }),
  minSupport: z.number().int().min(1).max(1_000_000).default(30),
  /** Binary classification: the positive class (default: the second class, e.g. `Yes` of No/Yes). */
  positiveClass: z.string().optional(),
  /** Measure the run with these per-group thresholds applied (its post-processed variant). */
  thresholds: ThresholdRuleSchema.optional(),
});
/** fairness.audit: audit one trained run on its test split. */
export const FairnessRequestSchema = RunRefSchema.extend(FairnessParamsSchema.shape);
export type FairnessRequest = z.input<typeof FairnessRequestSchema>;
export type FairnessRequestParsed = z.output<typeof FairnessRequestSchema>;

/** Per-group thresholds of a binary classifier, fitted on its validation split. */
export const ThresholdParamsSchema = z.strictObject({
  sensitive: z.array(AttributeRequestSchema).min(1).max(2),
  metadataCsv: z.string().min(1).max(4096).optional(),
  objective: z.enum(THRESHOLD_OBJECTIVES),
  tolerance: z.number().min(0.01).max(1).default(0.05),
  positiveClass: z.string().optional(),
});
/** fairness.thresholds: fit per-group thresholds of a binary classifier on its validation split. */
export const ThresholdRequestSchema = RunRefSchema.extend(ThresholdParamsSchema.shape);
export type ThresholdRequest = z.input<typeof ThresholdRequestSchema>;

/**
 * Reweighing as a training option (the document's `training.reweighing`, or a run's override): weight each
 * training sample by its (group, class) cell, counted on the training split (classification only).
 */
export const ReweighingOptionSchema = z.strictObject({
  sensitive: z.array(AttributeRequestSchema).min(1).max(2),
  /** Image folders and .npy arrays: the metadata CSV holding the attribute(s). */
  metadataCsv: z.string().min(1).max(4096).optional(),
});
export type ReweighingOption = z.infer<typeof ReweighingOptionSchema>;

/** Kamiran & Calders reweighing: one weight per (group, class) cell of the training split. */
export const ReweighingTableSchema = z.strictObject({
  grouping: GroupingDefinitionSchema,
  cells: z.array(z.strictObject({ group: z.string(), className: z.string(), count: z.number().int(), weight: z.number().positive() })),
});
export type ReweighingTable = z.infer<typeof ReweighingTableSchema>;

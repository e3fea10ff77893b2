/** Fairness and slices: groups, per-group metrics with intervals, gaps, and mitigations (pure). */
export * from './schema';
export * from './groups';
export { confusionMatrix, classMetrics, classificationMetrics, regressionMetrics } from './metrics';
export { spread, minOverMax, classGaps, classificationSummary, regressionSummary } from './summary';
export { auditGroups, auditGroupsJob, warningsFor, CONFIDENCE_LEVEL, GAP_WARNING, type Predictions, type AuditOptions } from './report';
export { reweighing, type Reweighing } from './reweighing';
export { fitGroupThresholds, thresholdFor, predictsPositive, DEFAULT_TOLERANCE, DEFAULT_THRESHOLD, type ThresholdFit } from './thresholds';
export { BUILTIN_TABLE_COLUMNS } from './builtin-columns';
export { biasedHiring, biasedHiringCsv, BIASED_FACTS, type BiasedRow } from './synthetic';

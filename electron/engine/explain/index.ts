/**
 * Explanations of a trained run's predictions (docs/explain.md). Plain data in and out, typed by
 * shared/explain/schema.ts; the methods themselves are model-agnostic (shared/explain), this folder
 * builds their callbacks from the run's TF.js model.
 */
export { explain, explainGlobal, sanityCheck } from './explain';
export { ExplainError, type ExplainErrorCode } from './errors';
export { modelFns, type ModelFns } from './model-fns';
export { convLayer, captureConv } from './gradcam';

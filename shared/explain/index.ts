/**
 * Explanations of a model's output, model-agnostic: every method takes batched callbacks (the
 * target's value, and for gradient methods its input gradient) and plain arrays. The engine
 * (electron/engine/explain) builds the callbacks from a trained run. See docs/explain.md.
 */
export * from './types';
export * from './features';
export { kernelShap, shapForwardPasses, type ShapOptions, type ShapResult } from './shap';
export { limeTabular, limeFeatures, quartiles, binOf, type LimeOptions, type LimeResult, type TabularLimeResult } from './lime';
export { integratedGradients, smoothGrad, gradientSaliency, igQuadrature, completenessGap, type IgOptions, type IgResult, type IgRule, type SmoothGradOptions } from './gradients';
export { occlusion, occlusionStarts, occlusionForwardPasses, type OcclusionOptions } from './occlusion';
export { gradCam, resizeBilinear, type GradCamResult } from './gradcam';
export { slic, gridSegments, enforceConnectivity, type Segmentation, type SlicOptions } from './segment';
export { gaussianBlur, makeBaseline, defaultBlurSigma, type BaselineKind } from './baselines';
export { meanAbsShap, permutationImportance, type GlobalImportance, type PermutationOptions } from './global';
export { spearman, ranks, sanityVerdict, SANITY_THRESHOLD, type SanityStep, type SanityVerdict } from './sanity';
export { sumPerToken, tokenIntegratedGradients, tokenOcclusion } from './text';
export { estimateForwardPasses, defaultOcclusionWindow, occlusionAxes, DEFAULTS, type CostFacts } from './cost';
export * from './schema';

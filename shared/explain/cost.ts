/**
 * How many model evaluations a request will take, before running it (the method picker's cost
 * estimate; multiply by the measured time per evaluation for seconds).
 */
import { occlusionForwardPasses } from './occlusion';
import type { MethodSpec } from './schema';
import { shapForwardPasses } from './shap';

export interface CostFacts {
  /** The sample's shape (e.g. [28, 28, 1] or [9]). */
  shape: number[];
  /** Features SHAP/LIME switch: columns, or the superpixels of the segmentation. */
  features: number;
  /** Whether the input is an image (features are superpixels, SHAP uses one baseline image). */
  image: boolean;
  /** Rows in the run's training split (a table's SHAP background is at most that many). */
  trainingRows?: number;
}

export const DEFAULTS = {
  shapBackground: 100,
  igSteps: 50,
  smoothGradSamples: 25,
  limeTabularSamples: 5000,
  limeImageSamples: 1000,
  segments: 50,
} as const;

/** The default occlusion window for a shape: a seventh of an image's shorter side, else 1. */
export function defaultOcclusionWindow(shape: readonly number[]): number {
  return shape.length === 3 ? Math.max(1, Math.round(Math.min(shape[0]!, shape[1]!) / 7)) : 1;
}

/** Window and stride per axis: spatial axes (or the first axis of a sequence) get `window`, the rest are whole. */
export function occlusionAxes(shape: readonly number[], window: number, stride: number): { window: number[]; stride: number[] } {
  const spatial = shape.length === 3 ? 2 : 1;
  return {
    window: shape.map((s, a) => (a < spatial ? Math.min(window, s) : s)),
    stride: shape.map((s, a) => (a < spatial ? stride : s)),
  };
}

export function estimateForwardPasses(spec: MethodSpec, facts: CostFacts): number {
  switch (spec.method) {
    case 'shap':
      return shapForwardPasses(facts.features, facts.image ? 1 : Math.min(spec.background ?? DEFAULTS.shapBackground, facts.trainingRows ?? Infinity), spec);
    case 'lime':
      return spec.samples ?? (facts.image ? DEFAULTS.limeImageSamples : DEFAULTS.limeTabularSamples);
    case 'ig':
      return (spec.steps ?? DEFAULTS.igSteps) + 1;
    case 'smoothgrad':
      return (spec.samples ?? DEFAULTS.smoothGradSamples) + 1;
    case 'gradcam':
    case 'gradient':
      return 1;
    case 'occlusion': {
      const w = spec.window ?? defaultOcclusionWindow(facts.shape);
      const a = occlusionAxes(facts.shape, w, spec.stride ?? w);
      return occlusionForwardPasses(facts.shape, a.window, a.stride);
    }
  }
}

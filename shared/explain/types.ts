/**
 * The contract between the attribution methods (pure math, here) and whatever runs the model (the
 * engine, a test's closed-form function). Inputs travel as flat row-major Float32Array batches:
 * row i of a batch is `batch.subarray(i * d, (i + 1) * d)`, d = the product of the sample shape.
 */
import type { JobControl } from '../engine/job';

/** The model's value for the explained target on n inputs: returns n numbers. */
export type ForwardFn = (batch: Float32Array, n: number) => Promise<Float32Array>;

/** The target's value and its gradient with respect to the input, for n inputs (grads: n·d numbers). */
export type GradientFn = (batch: Float32Array, n: number) => Promise<{ values: Float32Array; grads: Float32Array }>;

/**
 * Cooperative cancellation and progress, checked between batches (a job's control, shared/engine/job.ts):
 * `onProgress` is called after each batch with the model evaluations done so far and the total planned.
 */
export interface RunControl extends JobControl {
  /** At most this many input numbers per callback call (memory bound). Default 2^22. */
  maxBatchValues?: number;
}

export class ExplainCancelledError extends Error {
  constructor() {
    super('The explanation was cancelled');
    this.name = 'ExplainCancelledError';
  }
}

/** A method's answer, before the engine adds the target's name and timing. */
export interface AttributionResult {
  /** One number per input element (or per pixel for Grad-CAM), in input order. */
  attributions: Float64Array;
  /** f(x) for the target. */
  output: number;
  /**
   * The value the attributions are measured from, for additive methods: SHAP's E[f(background)],
   * IG's f(baseline), LIME's intercept. null for gradient, SmoothGrad, Grad-CAM and occlusion.
   */
  baseValue: number | null;
  /** Model evaluations (one per input row passed forward, with or without a backward pass). */
  forwardPasses: number;
}

/**
 * Per-token attributions for sequence and text models.
 *
 * - Integrated Gradients on the embedding output: token ids are not differentiable, so the path runs
 *   between the embedded baseline (e.g. the padding token's vectors) and the embedded input, a
 *   [T, D] tensor; the token's attribution is the sum of its D entries (completeness still holds
 *   over all T·D entries).
 * - Occlusion per token: replace one token at a time by a padding id (window 1 over the time axis).
 */
import { integratedGradients, type IgOptions, type IgResult } from './gradients';
import { occlusion } from './occlusion';
import type { AttributionResult, ForwardFn, GradientFn, RunControl } from './types';

/** Sum a [T, D] attribution map per step: T values. */
export function sumPerToken(attributions: ArrayLike<number>, steps: number): Float64Array {
  const d = attributions.length / steps;
  if (!Number.isInteger(d)) throw new Error(`${attributions.length} attributions do not split into ${steps} steps`);
  const out = new Float64Array(steps);
  for (let t = 0; t < steps; t++) for (let e = 0; e < d; e++) out[t]! += attributions[t * d + e]!;
  return out;
}

/**
 * IG per token: `g` is the gradient of the target with respect to the embedding output [T, D];
 * `embedded` and `baseline` are the input's and the baseline's embeddings.
 */
export async function tokenIntegratedGradients(g: GradientFn, embedded: Float32Array, baseline: Float32Array, steps: number, opts: IgOptions = {}): Promise<IgResult & { perToken: Float64Array }> {
  const r = await integratedGradients(g, embedded, baseline, opts);
  return { ...r, perToken: sumPerToken(r.attributions, steps) };
}

/** Occlusion per token of a [T] (token ids) or [T, D] input: each step replaced by `pad`. */
export async function tokenOcclusion(f: ForwardFn, x: Float32Array, shape: readonly number[], pad: number, control: RunControl = {}): Promise<AttributionResult & { perToken: Float64Array }> {
  const window = shape.map((s, a) => (a === 0 ? 1 : s));
  const r = await occlusion(f, x, shape, new Float32Array(x.length).fill(pad), { ...control, window });
  return { ...r, perToken: sumPerToken(r.attributions, shape[0]!).map((v) => v / (x.length / shape[0]!)) };
}

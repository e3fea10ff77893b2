/**
 * Occlusion (Zeiler & Fergus, 2014, as Captum computes it): slide a window over the input, replace
 * what it covers by the baseline, and give every element the mean of f(x) − f(occluded) over the
 * windows that cover it. Window and stride are given per axis of the sample shape (an image
 * [H, W, C] is typically occluded over all channels: window [k, k, C], stride [s, s, C]). Along an
 * axis of size N the windows start at 0, s, 2s, … up to ⌈(N − k)/s⌉·s (the last one clipped).
 */
import { forwardRows } from './batching';
import type { AttributionResult, ForwardFn, RunControl } from './types';

export interface OcclusionOptions extends RunControl {
  /** Window size per axis of the sample shape. */
  window: number[];
  /** Step per axis (default: the window, i.e. no overlap). */
  stride?: number[];
}

/** The window start positions along each axis. */
export function occlusionStarts(shape: readonly number[], window: readonly number[], stride: readonly number[]): number[][] {
  return shape.map((size, a) => {
    const k = Math.min(window[a]!, size);
    const s = stride[a]!;
    if (!(k >= 1) || !(s >= 1)) throw new Error(`Occlusion window and stride must be at least 1 on every axis (axis ${a}: window ${window[a]}, stride ${s})`);
    const count = Math.ceil((size - k) / s) + 1;
    return Array.from({ length: count }, (_, i) => i * s);
  });
}

export function occlusionForwardPasses(shape: readonly number[], window: readonly number[], stride: readonly number[] = window): number {
  return 1 + occlusionStarts(shape, window, stride).reduce((a, s) => a * s.length, 1);
}

export async function occlusion(f: ForwardFn, x: Float32Array, shape: readonly number[], baseline: Float32Array, opts: OcclusionOptions): Promise<AttributionResult> {
  const d = x.length;
  if (shape.reduce((a, b) => a * b, 1) !== d) throw new Error(`Shape [${shape.join(', ')}] does not hold ${d} numbers`);
  if (opts.window.length !== shape.length) throw new Error(`The occlusion window has ${opts.window.length} axes, the input ${shape.length}`);
  if (baseline.length !== d) throw new Error(`The baseline has ${baseline.length} numbers, the input ${d}`);
  const stride = opts.stride ?? opts.window;
  const starts = occlusionStarts(shape, opts.window, stride);
  const windows = starts.reduce((a, s) => a * s.length, 1);
  const strides = shape.map((_, a) => shape.slice(a + 1).reduce((p, q) => p * q, 1));
  const box = (w: number): { lo: number[]; hi: number[] } => {
    const lo: number[] = [];
    const hi: number[] = [];
    for (let a = shape.length - 1; a >= 0; a--) {
      const n = starts[a]!.length;
      const s = starts[a]![w % n]!;
      w = Math.floor(w / n);
      lo[a] = s;
      hi[a] = Math.min(shape[a]!, s + opts.window[a]!);
    }
    return { lo, hi };
  };
  const eachElement = (b: { lo: number[]; hi: number[] }, visit: (e: number) => void) => {
    const idx = [...b.lo];
    for (;;) {
      let e = 0;
      for (let a = 0; a < idx.length; a++) e += idx[a]! * strides[a]!;
      visit(e);
      let a = idx.length - 1;
      while (a >= 0 && ++idx[a]! >= b.hi[a]!) idx[a] = b.lo[a--]!;
      if (a < 0) return;
    }
  };
  // Row 0 is x itself; row w + 1 is x with window w occluded.
  const y = await forwardRows(f, d, windows + 1, (i, out, o) => {
    out.set(x, o);
    if (i > 0) eachElement(box(i - 1), (e) => { out[o + e] = baseline[e]!; });
  }, opts);
  const output = y[0]!;
  const sum = new Float64Array(d);
  const count = new Float64Array(d);
  for (let w = 0; w < windows; w++) {
    const diff = output - y[w + 1]!;
    eachElement(box(w), (e) => {
      sum[e]! += diff;
      count[e]!++;
    });
  }
  return { attributions: sum.map((s, e) => (count[e] ? s / count[e]! : 0)), output, baseValue: null, forwardPasses: windows + 1 };
}

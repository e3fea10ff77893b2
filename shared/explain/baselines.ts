/**
 * Reference inputs ("absence of signal") for Integrated Gradients, occlusion and the off features of
 * SHAP/LIME on images: zeros (black), the training data's mean, or a blurred copy of the input
 * (Sturmfels et al., 2020: keeps colours, removes edges).
 */

export type BaselineKind = 'zero' | 'mean' | 'blur';

/** Separable Gaussian blur of an [H, W, C] (or [H, W]) image, edges clamped. σ in pixels. */
export function gaussianBlur(x: ArrayLike<number>, shape: readonly number[], sigma: number): Float32Array {
  const [h, w] = shape;
  const c = shape[2] ?? 1;
  if (!h || !w || shape.length < 2 || shape.length > 3) throw new Error(`Blurring needs an image shape [height, width, channels], got [${shape.join(', ')}]`);
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const k = Float64Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const ks = k.reduce((a, b) => a + b, 0);
  for (let i = 0; i < k.length; i++) k[i]! /= ks;
  const tmp = new Float64Array(h * w * c);
  const out = new Float32Array(h * w * c);
  const clamp = (v: number, n: number) => (v < 0 ? 0 : v >= n ? n - 1 : v);
  for (let y = 0; y < h; y++) {
    for (let xx = 0; xx < w; xx++) {
      for (let ch = 0; ch < c; ch++) {
        let s = 0;
        for (let t = -radius; t <= radius; t++) s += k[t + radius]! * x[(y * w + clamp(xx + t, w)) * c + ch]!;
        tmp[(y * w + xx) * c + ch] = s;
      }
    }
  }
  for (let y = 0; y < h; y++) {
    for (let xx = 0; xx < w; xx++) {
      for (let ch = 0; ch < c; ch++) {
        let s = 0;
        for (let t = -radius; t <= radius; t++) s += k[t + radius]! * tmp[(clamp(y + t, h) * w + xx) * c + ch]!;
        out[(y * w + xx) * c + ch] = s;
      }
    }
  }
  return out;
}

/** The default blur for an image: σ = an eighth of its shorter side (at least 1 pixel). */
export function defaultBlurSigma(shape: readonly number[]): number {
  return Math.max(1, Math.min(shape[0] ?? 8, shape[1] ?? 8) / 8);
}

/**
 * The baseline of `kind` for input x: zeros; `mean` (one value per input element, e.g. the training
 * split's mean sample); a blur (images only).
 */
export function makeBaseline(kind: BaselineKind, x: Float32Array, shape: readonly number[], mean?: ArrayLike<number>): Float32Array {
  switch (kind) {
    case 'zero':
      return new Float32Array(x.length);
    case 'mean':
      if (!mean || mean.length !== x.length) throw new Error('The mean baseline needs the training data\'s mean sample');
      return Float32Array.from(mean);
    case 'blur':
      return gaussianBlur(x, shape, defaultBlurSigma(shape));
  }
}

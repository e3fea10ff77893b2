/**
 * Quantization arithmetic, in float32 exactly as ONNX's QuantizeLinear/DequantizeLinear, NumPy
 * float32 and TF.js compute it (every intermediate rounded with Math.fround):
 *
 *   weights      int8 symmetric per output channel: s[c] = max|w_c| / 127, q = clip(round(w / s), -127, 127)
 *                (the "restricted" range [-127, 127] of TFLite and onnxruntime, so 0 is exact and
 *                -q is representable); dequantized w' = q · s.
 *   biases       int32 with scale s_in · s_w[c] (what a QLinearConv/QGemm adds to its accumulator).
 *   activations  affine per tensor: s = (max − min) / (qmax − qmin) over a range that contains 0,
 *                zero point z = clip(round(qmin − min / s)), q = clip(round(x / s) + z), x' = (q − z) · s;
 *                uint8 [0, 255] (onnxruntime's default for activations) or int8 [-128, 127].
 *   float16      IEEE half, round to nearest even, overflow to ±Infinity.
 *
 * round() is round half to even everywhere (ONNX, NumPy and tf.round all use it).
 */

const f = Math.fround;

/** Round half to even (banker's rounding), as ONNX QuantizeLinear, np.round and tf.round. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x); // half up
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export type ActivationDtype = 'uint8' | 'int8';

export const QRANGE: Record<ActivationDtype | 'int8-weights' | 'int32', readonly [number, number]> = {
  uint8: [0, 255],
  int8: [-128, 127],
  'int8-weights': [-127, 127],
  int32: [-(2 ** 31), 2 ** 31 - 1],
};

/** A per-tensor affine quantization of an activation. */
export interface AffineParams {
  scale: number;
  zeroPoint: number;
  dtype: ActivationDtype;
}

/** A closed value range. */
export interface Range {
  min: number;
  max: number;
}

/**
 * Affine parameters for a calibrated range. The range is widened to contain 0 (so zero padding and
 * ReLU zeros are exact); an empty range (all zeros) gets scale 1.
 */
export function affineParams(range: Range, dtype: ActivationDtype = 'uint8'): AffineParams {
  if (!Number.isFinite(range.min) || !Number.isFinite(range.max) || range.min > range.max) {
    throw new Error(`Cannot quantize the range [${range.min}, ${range.max}]: it must be finite with min ≤ max`);
  }
  const [qmin, qmax] = QRANGE[dtype];
  const lo = f(Math.min(range.min, 0));
  const hi = f(Math.max(range.max, 0));
  let scale = f(f(hi - lo) / (qmax - qmin));
  if (scale === 0) scale = 1;
  const zeroPoint = Math.min(qmax, Math.max(qmin, roundHalfEven(f(qmin - f(lo / scale)))));
  return { scale, zeroPoint, dtype };
}

/** q = clip(round(x / s) + z, qmin, qmax). */
export function quantizeAffine(values: ArrayLike<number>, p: AffineParams): Int32Array {
  const [qmin, qmax] = QRANGE[p.dtype];
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    out[i] = Math.min(qmax, Math.max(qmin, roundHalfEven(f(values[i]! / p.scale)) + p.zeroPoint));
  }
  return out;
}

/** x' = (q − z) · s. */
export function dequantizeAffine(q: ArrayLike<number>, p: AffineParams): Float32Array {
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = f((q[i]! - p.zeroPoint) * p.scale);
  return out;
}

/** Quantize then dequantize (what a Q→DQ pair computes). */
export function fakeQuantAffine(values: ArrayLike<number>, p: AffineParams): Float32Array {
  return dequantizeAffine(quantizeAffine(values, p), p);
}

/**
 * Channels of a weight tensor: the product of its trailing `channelDims` dimensions (1 for a Dense or
 * convolution kernel, whose output channel is the last axis; 2 for a depthwise kernel
 * [kh, kw, in, multiplier], whose output channel is in·multiplier + j). Flat element i belongs to
 * channel i mod C.
 */
export function channelCount(shape: readonly number[], channelDims = 1): number {
  if (channelDims < 1 || channelDims > shape.length) throw new Error(`A weight of shape [${shape.join(', ')}] has no ${channelDims} trailing channel dimension(s)`);
  return shape.slice(shape.length - channelDims).reduce((a, b) => a * b, 1);
}

/** An int8 per-channel symmetric weight. */
export interface PerChannelWeight {
  q: Int8Array;
  /** One scale per output channel (float32 values). */
  scales: Float32Array;
  shape: number[];
  channelDims: number;
}

/** Largest |w| per channel. */
export function channelAbsMax(values: ArrayLike<number>, channels: number): Float32Array {
  const m = new Float32Array(channels);
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]!);
    const c = i % channels;
    if (a > m[c]!) m[c] = a;
  }
  return m;
}

/** Symmetric int8 per-channel quantization of a kernel. A channel of zeros gets scale 1. */
export function quantizePerChannel(values: ArrayLike<number>, shape: readonly number[], channelDims = 1): PerChannelWeight {
  const channels = channelCount(shape, channelDims);
  const [qmin, qmax] = QRANGE['int8-weights'];
  const scales = channelAbsMax(values, channels).map((m) => (m === 0 ? 1 : f(m / qmax)));
  const q = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    q[i] = Math.min(qmax, Math.max(qmin, roundHalfEven(f(values[i]! / scales[i % channels]!))));
  }
  return { q, scales, shape: [...shape], channelDims };
}

export function dequantizePerChannel(w: PerChannelWeight): Float32Array {
  const channels = w.scales.length;
  const out = new Float32Array(w.q.length);
  for (let i = 0; i < w.q.length; i++) out[i] = f(w.q[i]! * w.scales[i % channels]!);
  return out;
}

/**
 * A bias quantized to int32 with scale s_in · s_w[c] and dequantized: what an integer kernel adds to
 * its accumulator. Returns the dequantized bias and the int32 values.
 */
export function quantizeBias(bias: ArrayLike<number>, inputScale: number, weightScales: Float32Array): { q: Int32Array; scales: Float32Array; values: Float32Array } {
  if (bias.length !== weightScales.length) throw new Error(`A bias of ${bias.length} values does not match ${weightScales.length} weight channels`);
  const [qmin, qmax] = QRANGE.int32;
  const scales = weightScales.map((s) => f(inputScale * s));
  const q = new Int32Array(bias.length);
  const values = new Float32Array(bias.length);
  for (let c = 0; c < bias.length; c++) {
    q[c] = Math.min(qmax, Math.max(qmin, roundHalfEven(f(bias[c]! / scales[c]!))));
    values[c] = f(q[c]! * scales[c]!);
  }
  return { q, scales, values };
}

// ---- float16 ----

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE half bits of a number (round to nearest even; NaN stays NaN; overflow → ±Infinity). */
export function toFloat16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && (m & 1))) m++;
    return sign | m; // a carry into bit 10 is the smallest normal, correctly
  }
  let m = mant >>> 13;
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (m & 1))) {
    m++;
    if (m === 0x400) {
      m = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}

/** The number a half's bits encode. */
export function fromFloat16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** Values rounded to float16 and back (what a float16 weight file holds). */
export function float16RoundTrip(values: ArrayLike<number>): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = fromFloat16Bits(toFloat16Bits(values[i]!));
  return out;
}

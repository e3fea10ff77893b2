/**
 * Workarounds for two TF.js 4.22 bugs that stop a catalog layer from training on every backend.
 * Each patches the `call` of ONE stock layer instance (built by compile.ts), so the layer keeps its
 * class, config, name and weights (same names, shapes and order: the exporters read them). The
 * patched computation is used only while a gradient is recorded (or, for BatchNormalization, in
 * training mode, where the stock call throws); otherwise the stock call runs, unchanged.
 *
 * 1. BatchNormalization with `center: false` or `scale: false`: tfjs-layers' training path calls
 *    `this.beta.read()` / `this.gamma.read()` unconditionally (TypeError on the missing weight), and
 *    its inference path passes a null offset/scale to `tf.batchNorm`, whose gradient
 *    (FusedBatchNorm_grad) still returns an `offset`/`scale` derivative that the tape cannot match to
 *    an input. The patched call computes the same normalisation (and moving-average update) with
 *    elementwise ops, leaving out the missing term.
 *
 * 2. Conv1D/Conv2D with a dilation rate > 1: tfjs-layers runs them through `tf.fused.conv2d`, whose gradient
 *    (and the stock Conv2D gradient, used when the activation is not linear) asserts that the
 *    dilations are 1. The patched call convolves with the kernel dilated explicitly (d−1 zeros
 *    inserted between taps, by reshape/pad/slice, all differentiable) at dilation 1: the same output
 *    and padding (TF.js' 'same' padding is computed from the effective size (K−1)·d+1 either way),
 *    at (effective size / K)² times the forward FLOPs.
 */
import { tf, type tfl } from '../tfjs';

type Kwargs = Record<string, unknown>;

/**
 * Whether a gradient is being recorded (inside tf.grads / variableGrads / optimizer.minimize). When
 * not, the patched layers run the stock call, so inference (predict, evaluate, export parity) is
 * bit-identical to a stock TF.js model loading the same model.json.
 */
export const recordingGradients = () => (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0;
type Call = (inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs) => tf.Tensor;
interface Var { read(): tf.Tensor; write(v: tf.Tensor): void }

const one = (inputs: tf.Tensor | tf.Tensor[]) => (Array.isArray(inputs) ? inputs[0]! : inputs);

interface BatchNormInternals {
  axis: number; momentum: number; epsilon: number; center: boolean; scale: boolean;
  gamma: Var | null; beta: Var | null; movingMean: Var; movingVariance: Var; call: Call;
}

/** BatchNormalization that trains without beta and/or gamma (see 1. above); a no-op when it has both. */
export function fixBatchNormalization<L extends tfl.layers.Layer>(layer: L): L {
  const l = layer as unknown as BatchNormInternals;
  if (l.center && l.scale) return layer;
  const stock = l.call.bind(layer);
  l.call = (inputs, kwargs) => tf.tidy(() => {
    const training = kwargs.training === true;
    if (!training && !recordingGradients()) return stock(inputs, kwargs);
    const x = one(inputs);
    const ndim = x.rank;
    const axis = l.axis >= 0 ? l.axis : l.axis + ndim;
    const reductionAxes = [...Array(ndim).keys()].filter((a) => a !== axis);
    const bshape = x.shape.map((d, a) => (a === axis ? d : 1));
    const b = (t: tf.Tensor) => tf.reshape(t, bshape);
    // (x − mean)·rsqrt(var + ε)·gamma + beta with elementwise ops: tf.batchNorm's gradient also
    // mishandles a mean of the input's rank (tfjs-layers' non-last-axis path), so it is not used.
    const norm = (mean: tf.Tensor, variance: tf.Tensor) => {
      let y = tf.mul(tf.sub(x, b(mean)), tf.rsqrt(tf.add(b(variance), l.epsilon)));
      if (l.gamma) y = tf.mul(y, b(l.gamma.read()));
      if (l.beta) y = tf.add(y, b(l.beta.read()));
      return y;
    };
    if (!training) return norm(l.movingMean.read(), l.movingVariance.read());
    const { mean, variance } = tf.moments(x, reductionAxes);
    const normed = norm(mean, variance);
    // Moving averages exactly as tfjs-layers: v ← v − (v − value)·(1 − momentum).
    for (const [v, value] of [[l.movingMean, mean], [l.movingVariance, variance]] as const) {
      tf.tidy(() => {
        const orig = v.read();
        v.write(tf.sub(orig, tf.mul(tf.sub(orig, value), 1 - l.momentum)));
      });
    }
    return normed;
  });
  return layer;
}

interface Conv2DInternals {
  kernel: Var; bias: Var | null; useBias: boolean; strides: number[]; padding: 'valid' | 'same';
  dataFormat: string; dilationRate: number | number[]; activation: { apply(t: tf.Tensor): tf.Tensor }; call: Call;
}

/** kernel [KH,KW,Ci,Co] → [(KH−1)·dh+1, (KW−1)·dw+1, Ci, Co] with dh−1 / dw−1 zeros between taps. */
export function dilateKernel(kernel: tf.Tensor, dh: number, dw: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, ci, co] = kernel.shape as [number, number, number, number];
    let k = kernel as tf.Tensor4D;
    if (dh > 1) {
      const r = tf.pad(tf.reshape(k, [kh, 1, kw * ci * co]), [[0, 0], [0, dh - 1], [0, 0]]);
      k = tf.slice(tf.reshape(r, [kh * dh, kw, ci, co]), [0, 0, 0, 0], [(kh - 1) * dh + 1, kw, ci, co]) as tf.Tensor4D;
    }
    if (dw > 1) {
      const h = k.shape[0];
      const r = tf.pad(tf.reshape(k, [h, kw, 1, ci * co]), [[0, 0], [0, 0], [0, dw - 1], [0, 0]]);
      k = tf.slice(tf.reshape(r, [h, kw * dw, ci, co]), [0, 0, 0, 0], [h, (kw - 1) * dw + 1, ci, co]) as tf.Tensor4D;
    }
    return k;
  });
}

/**
 * Conv1D / Conv2D with a dilation rate > 1 that trains on every backend (see 2. above; Conv1D runs
 * through the same conv2d gradient, with dilations [1, d]); a no-op otherwise.
 */
export function fixDilatedConv<L extends tfl.layers.Layer>(layer: L): L {
  const l = layer as unknown as Conv2DInternals;
  const rates = Array.isArray(l.dilationRate) ? l.dilationRate : [l.dilationRate];
  const oneD = layer.getClassName() === 'Conv1D';
  const [dh, dw] = oneD ? [1, rates[0]!] : [rates[0]!, rates[1] ?? rates[0]!];
  if (dh === 1 && dw === 1) return layer;
  if (l.dataFormat !== 'channelsLast') throw new Error('a dilated convolution is built channels-last only');
  const stock = l.call.bind(layer);
  l.call = (inputs, kwargs) => tf.tidy(() => {
    if (!recordingGradients()) return stock(inputs, kwargs);
    const x = one(inputs);
    let y: tf.Tensor;
    if (oneD) {
      // [N, W, C] as [N, 1, W, C]; kernel [K, Ci, Co] as [1, K, Ci, Co].
      const [k, ci, co] = l.kernel.read().shape as [number, number, number];
      const kernel = dilateKernel(tf.reshape(l.kernel.read(), [1, k, ci, co]), 1, dw);
      const x4 = tf.expandDims(x, 1) as tf.Tensor4D;
      y = tf.squeeze(tf.conv2d(x4, kernel, [1, l.strides[0]!], l.padding, 'NHWC'), [1]);
    } else {
      y = tf.conv2d(x as tf.Tensor4D, dilateKernel(l.kernel.read(), dh, dw), l.strides as [number, number], l.padding, 'NHWC');
    }
    if (l.useBias && l.bias) y = tf.add(y, l.bias.read());
    return l.activation.apply(y);
  });
  return layer;
}

/**
 * Synchronised BatchNormalization for data-parallel training: every participant normalises its
 * share with the statistics of the WHOLE batch, and the backward pass uses the whole batch's sums,
 * so the run computes what one thread computes on the full batch (up to float rounding).
 *
 * Forward (per channel c; participant i holds m_i samples with local mean μ_i and variance σ²_i):
 *   μ = Σ m_i μ_i / n,  σ² = Σ m_i (σ²_i + (μ_i − μ)²) / n     (two all-reduces, float64)
 *   x̂ = (x − μ)/√(σ² + ε),  y = γ x̂ + β
 * Backward, with dy the derivative of the batch's loss (each participant differentiates its share
 * of it, see share.ts):
 *   dβ_i = Σ_i dy,  dγ_i = Σ_i dy·x̂        (local; the gradient sum over participants adds them up)
 *   dx = γ/√(σ² + ε) · (dy − Σ dy / n − x̂ · Σ dy·x̂ / n)   (the sums over all participants: one all-reduce)
 * The moving mean and variance are updated from μ and σ² exactly as tfjs-layers does
 * (v ← v − (v − value)·(1 − momentum)), so every participant holds the single-thread statistics.
 *
 * Applied by patching the `call` of each BatchNormalization instance (same class, config and
 * weights), on the main thread's model and every replica's; it acts only in training mode while a
 * parallel step is running (`withBatchNormSync`), the previous call otherwise.
 * `LAYERLOOM_SYNC_BN=off` leaves each thread its own share's statistics: the control in threads.test.ts.
 */
import { tf, type tfl } from '../tfjs';
import type { StepSync } from './shared';

type Kwargs = Record<string, unknown>;
type Call = (inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs) => tf.Tensor | tf.Tensor[];
interface Var { read(): tf.Tensor; write(v: tf.Tensor): void }
interface BatchNormInternals {
  axis: number; momentum: number; epsilon: number;
  gamma: Var | null; beta: Var | null; movingMean: Var; movingVariance: Var; call: Call;
  getClassName(): string;
}

let current: StepSync | null = null;

/** Run `f` (one participant's pass over its share) with the step's synchronisation. */
export function withBatchNormSync<T>(sync: StepSync, f: () => T): T {
  const prev = current;
  current = sync;
  try {
    return f();
  } finally {
    current = prev;
  }
}

const patched = new WeakSet<object>();

/** Patch every BatchNormalization layer of `model`; returns how many. */
export function syncBatchNormalization(model: tfl.LayersModel): number {
  let n = 0;
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization' || patched.has(layer)) continue;
    patched.add(layer);
    const l = layer as unknown as BatchNormInternals;
    const previous = l.call.bind(layer);
    l.call = (inputs, kwargs) => {
      const sync = current;
      if (!sync || kwargs.training !== true || process.env.LAYERLOOM_SYNC_BN === 'off') return previous(inputs, kwargs);
      return tf.tidy(() => synced(l, Array.isArray(inputs) ? inputs[0]! : inputs, sync));
    };
    n++;
  }
  return n;
}

function synced(l: BatchNormInternals, x: tf.Tensor, sync: StepSync): tf.Tensor {
  const ndim = x.rank;
  const axis = l.axis >= 0 ? l.axis : l.axis + ndim;
  const axes = [...Array(ndim).keys()].filter((a) => a !== axis);
  const C = x.shape[axis]!;
  const bshape = x.shape.map((d, a) => (a === axis ? d : 1));
  const m = x.size / C;
  // The whole batch's mean and (biased) variance, from every participant's.
  const local = tf.moments(x, axes);
  const lm = local.mean.dataSync(), lv = local.variance.dataSync();
  const s1 = sync.allReduce(Float64Array.from([m, ...Array.from(lm, (v) => v * m)]));
  const n = s1[0]!;
  const mean = Float64Array.from({ length: C }, (_, c) => s1[1 + c]! / n);
  const s2 = sync.allReduce(Float64Array.from({ length: C }, (_, c) => m * (lv[c]! + (lm[c]! - mean[c]!) ** 2)));
  const variance = Float64Array.from(s2, (v) => v / n);
  const meanT = tf.tensor1d(Float32Array.from(mean));
  const varT = tf.tensor1d(Float32Array.from(variance));
  const rstd = tf.reshape(tf.rsqrt(tf.add(varT, l.epsilon)), bshape);
  const gamma = l.gamma?.read() ?? null;
  const beta = l.beta?.read() ?? null;
  const inputs = [x, ...(gamma ? [gamma] : []), ...(beta ? [beta] : [])];
  const op = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const xin = args[0] as tf.Tensor;
    const xhat = tf.mul(tf.sub(xin, tf.reshape(meanT, bshape)), rstd);
    let y = xhat;
    if (gamma) y = tf.mul(y, tf.reshape(args[1] as tf.Tensor, bshape));
    if (beta) y = tf.add(y, tf.reshape(args[gamma ? 2 : 1] as tf.Tensor, bshape));
    save([xhat]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const xh = saved[0]!;
        const sdy = tf.sum(dy, axes);
        const sdyx = tf.sum(tf.mul(dy, xh), axes);
        const tot = sync.allReduce(Float64Array.from([...sdy.dataSync(), ...sdyx.dataSync()]));
        const mdy = tf.reshape(tf.tensor1d(Float32Array.from(tot.subarray(0, C), (v) => v / n)), bshape);
        const mdyx = tf.reshape(tf.tensor1d(Float32Array.from(tot.subarray(C), (v) => v / n)), bshape);
        const scale = gamma ? tf.mul(tf.reshape(gamma, bshape), rstd) : rstd;
        const dx = tf.mul(scale, tf.sub(tf.sub(dy, mdy), tf.mul(xh, mdyx)));
        return [dx, ...(gamma ? [sdyx] : []), ...(beta ? [sdy] : [])];
      },
    };
  }) as Parameters<typeof tf.customGrad<tf.Tensor>>[0]);
  const normed = op(...inputs);
  // Moving averages from the whole batch's statistics, exactly as tfjs-layers updates them.
  for (const [v, value] of [[l.movingMean, meanT], [l.movingVariance, varT]] as const) {
    tf.tidy(() => {
      const orig = v.read();
      v.write(tf.sub(orig, tf.mul(tf.sub(orig, value), 1 - l.momentum)));
    });
  }
  return normed;
}

/**
 * The mean training loss of a batch, `tf.mean(lossPerSample(spec, y, pred))` (losses.ts), with
 * one shortcut (per-step overhead): the cross-entropies on probabilities (a softmax
 * output, Keras' default) get a hand-written gradient. tfjs records that loss as ~10 ops and
 * differentiates it with ~30 more kernel calls (div, clip, log, mul, sum, neg, mean and their
 * gradients); here the forward pass is the same ops, recorded as one node, and the gradient is five
 * element-wise ops. Same value; gradients equal up to float rounding (loss.test.ts). About 15 % of
 * an MLP step on wasm; nothing measurable on the CNN.
 *
 * The math, per row (the last axis holds the k probabilities p, the targets y):
 *   s = Σp, q = p / s, c = clip(q, ε, 1 − ε), L = −Σ y·log c, loss = mean over the rows of L
 *   ∂loss/∂q = [ε ≤ q ≤ 1 − ε] · (−y / c) / rows     (clip passes the gradient only inside, as tfjs)
 *   ∂loss/∂p = (∂loss/∂q − Σ(∂loss/∂q · q)) / s
 */
import { engine, getGradient, getKernel, registerGradient, registerKernel, util, type NamedAttrMap, type Tensor, type TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from '../tfjs';
import { lossPerSample, type LossSpec } from '../losses';
import { fusedOpsActive } from '../layers/fused-dense';
import type { WasmBackend } from '../kernels/wasm-util';
import { asKernelFunc } from '../kernels/wasm-util';

const EPS = 1e-7; // losses.ts' epsilon

const crossEntropyOnProbabilities = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [p, y, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  const last = p.rank - 1;
  const s = tf.sum(p, last, true);
  const q = tf.div(p, s);
  const c = tf.clipByValue(q, EPS, 1 - EPS);
  const value = tf.mean(tf.neg(tf.sum(tf.mul(y, tf.log(c)), last))) as tf.Scalar;
  save([y, s, q, c]);
  return {
    value,
    gradFunc: (dy: tf.Scalar, saved: tf.Tensor[]) => {
      const [ys, ss, qs, cs] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const rows = qs.size / qs.shape[last]!;
      const inside = tf.logicalAnd(tf.greaterEqual(qs, EPS), tf.lessEqual(qs, 1 - EPS));
      const dq = tf.where(inside, tf.mul(tf.div(ys, cs), tf.mul(dy, -1 / rows)), tf.zerosLike(qs));
      return [tf.div(tf.sub(dq, tf.sum(tf.mul(dq, qs), last, true)), ss), tf.zerosLike(ys)];
    },
  };
}) as Parameters<typeof tf.customGrad<tf.Scalar>>[0]);

/**
 * The same loss and gradient as ONE kernel each on wasm (with the fused Dense, layers/fused-dense.ts;
 * `LAYERLOOM_FUSED_DENSE=0` turns both off): the ~25 kernel calls above, for a [64, 10] batch, cost
 * more in tfjs' dispatch than the arithmetic. Plain loops over the backend's heap, in double
 * precision (the value and gradient agree with the ops above to float32 rounding; loss.test.ts).
 */
const CE_KERNEL = 'LayerloomCrossEntropyProb';
const CE_GRAD_KERNEL = 'LayerloomCrossEntropyProbGrad';
// The bounds as float32, as tfjs' clipByValue/greaterEqual see them (1 − 1e-7 rounds down).
const LO = Math.fround(EPS), HI = Math.fround(1 - EPS);
const at = (b: WasmBackend, t: TensorInfo) => b.dataIdMap.get(t.dataId)!.memoryOffset / 4;
type Args = { inputs: Record<string, TensorInfo>; backend: WasmBackend };

function ceForward({ inputs: { p, y }, backend }: Args): TensorInfo {
  const k = p!.shape[p!.shape.length - 1]!;
  const rows = util.sizeFromShape(p!.shape) / k;
  const out = backend.makeOutput([], 'float32');
  const heap = backend.wasm.HEAPF32;
  const po = at(backend, p!), yo = at(backend, y!);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < k; c++) s += heap[po + r * k + c]!;
    s = Math.fround(s);
    let l = 0;
    for (let c = 0; c < k; c++) {
      const t = heap[yo + r * k + c]!;
      if (t !== 0) l -= t * Math.log(Math.min(Math.max(Math.fround(heap[po + r * k + c]! / s), LO), HI));
    }
    total += l;
  }
  heap[at(backend, out)] = total / rows;
  return out;
}

function ceGrad({ inputs: { dy, p, y }, backend }: Args): TensorInfo {
  const k = p!.shape[p!.shape.length - 1]!;
  const rows = util.sizeFromShape(p!.shape) / k;
  const out = backend.makeOutput(p!.shape, 'float32');
  const heap = backend.wasm.HEAPF32;
  const po = at(backend, p!), yo = at(backend, y!), oo = at(backend, out);
  const scale = -heap[at(backend, dy!)]! / rows;
  for (let r = 0; r < rows; r++) {
    const o = r * k;
    let s = 0;
    for (let c = 0; c < k; c++) s += heap[po + o + c]!;
    s = Math.fround(s);
    // dq (into out), then Σ dq·q
    let dot = 0;
    for (let c = 0; c < k; c++) {
      const q = Math.fround(heap[po + o + c]! / s);
      const dq = q >= LO && q <= HI ? (heap[yo + o + c]! / q) * scale : 0; // inside the clip: c = q
      heap[oo + o + c] = dq;
      dot += dq * q;
    }
    for (let c = 0; c < k; c++) heap[oo + o + c] = (heap[oo + o + c]! - dot) / s;
  }
  return out;
}

function registerCrossEntropyKernels(): void {
  if (getKernel(CE_KERNEL, 'wasm')) return;
  registerKernel({ kernelName: CE_KERNEL, backendName: 'wasm', kernelFunc: asKernelFunc(ceForward) });
  registerKernel({ kernelName: CE_GRAD_KERNEL, backendName: 'wasm', kernelFunc: asKernelFunc(ceGrad) });
  if (!getGradient(CE_KERNEL)) {
    registerGradient({
      kernelName: CE_KERNEL, inputsToSave: ['p', 'y'],
      gradFunc: (dy, saved) => {
        const [p, y] = saved as [Tensor, Tensor];
        return {
          p: () => engine().runKernel(CE_GRAD_KERNEL, { dy: dy as Tensor, p, y }, {} as NamedAttrMap) as Tensor,
          y: () => tf.zerosLike(y),
        };
      },
    });
  }
}

/** The batch's mean loss (a scalar), as `tf.mean(lossPerSample(spec, yTrue, yPred))`. */
export function meanLoss(spec: LossSpec, yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  const ce = spec.mode !== 'tokens' && (spec.loss === 'categoricalCrossentropy' || spec.loss === 'sparseCategoricalCrossentropy');
  if (ce && !spec.fromLogits && process.env.LAYERLOOM_FUSED_LOSS !== 'off') {
    const y = yTrue.dtype === yPred.dtype ? yTrue : tf.cast(yTrue, yPred.dtype);
    if (yPred.dtype === 'float32' && yPred.rank >= 1 && fusedOpsActive()) {
      registerCrossEntropyKernels();
      return engine().runKernel(CE_KERNEL, { p: yPred, y }, {}) as tf.Scalar;
    }
    return crossEntropyOnProbabilities(yPred, y) as tf.Scalar;
  }
  return tf.mean(lossPerSample(spec, yTrue, yPred)) as tf.Scalar;
}

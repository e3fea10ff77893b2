/**
 * One participant's part of a data-parallel step (the main thread's and every replica's, the same
 * code): the gradient of its share of the batch's mean loss, into its slot of the shared memory, and
 * its chunk of the summed gradient.
 *
 * Each participant differentiates `(m/n)·(mean loss over its m samples)` for a batch of n: the sum
 * over participants is the batch's mean loss, so the gradients are simply summed — and a layer that
 * exchanges statistics during the pass (synchronised BatchNormalization, sync-bn.ts) sees the
 * derivatives of the whole batch's loss, as one thread would.
 */
import type { LossSpec } from '../losses';
import { correctPerSample, maePerSample } from '../losses';
import { meanLoss } from '../optim/loss';
import { fusedOpsActive } from '../layers/fused-dense';
import { withRandom } from '../random';
import { argmaxAccuracy, targetTensor } from '../targets';
import { tf } from '../tfjs';
import type { SharedMemory } from './shared';

/** What a participant needs to compute its share exactly as a single thread would. */
export interface ShareModel {
  model: { apply(x: tf.Tensor, a: { training: boolean }): unknown };
  vars: tf.Variable[];
  spec: LossSpec;
  wantAcc: boolean;
  wantMae: boolean;
  inputShape: number[];
  inputDtype: 'float32' | 'int32';
  outShape: number[];
  rng: () => number;
}

/**
 * The share's gradient (of the weighted loss), written into `slot` variable after variable, and its
 * weighted [loss, acc?, mae?]. `x`, `y`: the share's samples.
 */
export function computeShare(s: ShareModel, x: Float32Array | Int32Array, y: Float32Array | Int32Array, m: number, weight: number, slot: Float32Array): number[] {
  const accInJs = s.wantAcc && s.spec.mode === 'onehot' && s.outShape.length === 1 && s.outShape[0]! > 1 && fusedOpsActive();
  const xt = tf.tensor(x, [m, ...s.inputShape], s.inputDtype);
  const yt = targetTensor(s.spec.mode, y, m, s.outShape, s.spec.classes);
  const extras: tf.Tensor[] = [];
  let kept: tf.Tensor | null = null;
  let out: { value: tf.Scalar; grads: tf.NamedTensorMap } | null = null;
  try {
    out = withRandom(s.rng, () => tf.variableGrads(() => {
      const pred = s.model.apply(xt, { training: true }) as tf.Tensor;
      if (accInJs) kept = tf.keep(pred);
      else if (s.wantAcc) extras.push(tf.keep(tf.mean(correctPerSample(s.spec, yt, pred))));
      if (s.wantMae) extras.push(tf.keep(tf.mean(maePerSample(s.spec, yt, pred))));
      const loss = meanLoss(s.spec, yt, pred);
      return weight === 1 ? loss : tf.mul(loss, weight) as tf.Scalar;
    }, s.vars));
    let at = 0;
    for (const v of s.vars) {
      const g = out.grads[v.name]!.dataSync() as Float32Array;
      slot.set(g, at);
      at += g.length;
    }
    const values = [out.value.dataSync()[0]!, ...extras.map((t) => t.dataSync()[0]! * weight)];
    if (kept) values.splice(1, 0, argmaxAccuracy((kept as tf.Tensor).dataSync() as Float32Array, y, m) * weight);
    return values;
  } finally {
    tf.dispose([xt, yt, ...extras, ...(kept ? [kept] : []), ...(out ? [out.value, ...Object.values(out.grads)] : [])]);
  }
}

/** sum[from, to) = Σ over the active participants' slots, in rank order (the same bits whoever sums). */
export function reduceChunk(mem: SharedMemory, active: number, from: number, to: number): void {
  const { sum, grads } = mem;
  sum.set(grads[0]!.subarray(from, to), from);
  for (let r = 1; r < active; r++) {
    const g = grads[r]!;
    for (let i = from; i < to; i++) sum[i] = sum[i]! + g[i]!;
  }
}

/** Put the shared weights into the variables (fresh tensors: XNNPACK caches packed weights by tensor id). */
export function loadWeights(mem: SharedMemory, vars: tf.Variable[]): void {
  vars.forEach((v, k) => {
    const t = tf.tensor(mem.weights.subarray(mem.offsets[k]!, mem.offsets[k]! + v.size), v.shape, 'float32');
    v.assign(t);
    t.dispose();
  });
}

/** Copy the variables' current values into the shared weights. */
export function storeWeights(mem: SharedMemory, vars: tf.Variable[]): void {
  vars.forEach((v, k) => mem.weights.set(v.dataSync() as Float32Array, mem.offsets[k]!));
}

/**
 * The batched callbacks the explanation methods (shared/explain) run on, built from a trained run:
 * inputs are RAW values (as the data holds them, before normalisation); the run's normalisation is
 * applied inside the graph, so gradients are with respect to the raw input. The target is one unit of
 * the output as callers see it (probabilities for classifiers: logits get their softmax/sigmoid).
 * One model call per batch (the methods pack many perturbed inputs into each).
 */
import type { ForwardFn, GradientFn } from '../../../shared/explain';
import type { Normalization } from '../data/types';
import { toOutputs } from '../losses';
import type { TrainedRun } from '../runs';
import { tf } from '../tfjs';

export interface ModelFns {
  inputShape: number[];
  /** Numbers per sample. */
  size: number;
  /** Token ids (int32): no input gradient. */
  tokens: boolean;
  /** Output units per sample. */
  width: number;
  /** Every output unit (probabilities for classifiers), n × width. */
  outputs(batch: Float32Array, n: number): Float32Array;
  forward(target: number): ForwardFn;
  gradient(target: number): GradientFn;
  /** A batch as the model's input tensor (int32 for token ids). */
  input(batch: Float32Array, n: number): tf.Tensor;
  /** The target's values as a tensor [n] for a RAW input tensor (inside a tidy / gradient). */
  targetOf(x: tf.Tensor, target: number): tf.Tensor;
}

/** (x − offset)·scale per feature group (the last axis), as data/normalize.ts applies it. */
export function normalizeTensor(x: tf.Tensor, norm: Normalization | undefined): tf.Tensor {
  if (!norm || norm.mode === 'none') return x;
  if (norm.groups === 1) return tf.mul(tf.sub(x, norm.offset[0]!), norm.scale[0]!);
  return tf.mul(tf.sub(x, tf.tensor1d(norm.offset)), tf.tensor1d(norm.scale));
}

export function modelFns(run: TrainedRun): ModelFns {
  const { compiled, spec } = run;
  const inputShape = compiled.inputShapes[0]!;
  const size = inputShape.reduce((a, b) => a * b, 1);
  const tokens = compiled.inputDtypes[0] === 'int32';
  const width = compiled.outputShapes[0]!.reduce((a, b) => a * b, 1);
  const input = (batch: Float32Array, n: number): tf.Tensor => (tokens ? tf.tensor(Int32Array.from(batch), [n, ...inputShape], 'int32') : tf.tensor(batch, [n, ...inputShape]));
  const all = (x: tf.Tensor): tf.Tensor => {
    const xn = tokens ? x : normalizeTensor(x, run.normalization);
    return tf.reshape(toOutputs(spec, compiled.model.apply(xn, { training: false }) as tf.Tensor), [x.shape[0]!, -1]);
  };
  const targetOf = (x: tf.Tensor, target: number) => tf.reshape(tf.slice(all(x), [0, target], [-1, 1]), [-1]);
  return {
    inputShape, size, tokens, width, targetOf, input,
    outputs: (batch, n) => {
      const y = tf.tidy(() => all(input(batch, n)));
      const v = Float32Array.from(y.dataSync());
      y.dispose();
      return v;
    },
    forward: (target) => async (batch, n) => {
      const y = tf.tidy(() => targetOf(input(batch, n), target));
      const v = Float32Array.from(y.dataSync());
      y.dispose();
      return v;
    },
    gradient: (target) => async (batch, n) => {
      let values = new Float32Array(0);
      const g = tf.tidy(() => tf.grad((x: tf.Tensor) => {
        const t = targetOf(x, target);
        values = Float32Array.from(t.dataSync());
        return tf.sum(t);
      })(input(batch, n)));
      const grads = Float32Array.from(g.dataSync());
      g.dispose();
      return { values, grads };
    },
  };
}

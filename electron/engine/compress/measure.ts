/**
 * Measuring a model before and after compression: test loss, accuracy and predictions under any
 * forward function (the float model, or the int8 simulation), the encoded weights' bytes and their
 * gzip size (node:zlib, level 9), and the median batch-1 latency on the engine's backend.
 */
import { gzipSync } from 'node:zlib';
import { countWeights, encodeWeights, type EncodedWeight } from '../../../shared/compress';
import { iterateBatches } from '../data/batch';
import type { Dataset, Normalization } from '../data/types';
import { correctPerSample, lossPerSample, toOutputs, type LossSpec } from '../losses';
import { tf } from '../tfjs';
import { targetTensor } from '../train';

/** Raw model outputs for a batch of inputs (a tensor the caller disposes). */
export type Forward = (x: tf.Tensor) => tf.Tensor;

export interface EvalTarget {
  ds: Dataset;
  indices: Int32Array;
  normalization?: Normalization;
  spec: LossSpec;
  inputShape: number[];
  inputDtype: 'float32' | 'int32';
  outShape: number[];
}

export interface Evaluated {
  loss: number;
  accuracy?: number;
  /** Predicted class per sample (classification), in `indices` order. */
  predicted?: Int32Array;
  truth?: Int32Array;
}

export function isClassification(t: Pick<EvalTarget, 'ds' | 'spec'>): boolean {
  return t.ds.task === 'classification' && !!t.ds.classes && t.spec.mode !== 'values';
}

/** Loss, accuracy and predictions of `forward` on the target's samples. */
export function evaluateWith(forward: Forward, t: EvalTarget): Evaluated {
  const classification = isClassification(t);
  const n = t.indices.length;
  const predicted = classification ? new Int32Array(n) : undefined;
  const truth = classification ? new Int32Array(n) : undefined;
  let lossSum = 0, correct = 0, o = 0;
  for (const b of iterateBatches(t.ds, t.indices, { batchSize: 256, shuffle: false, normalization: t.normalization })) {
    const [loss, hits, out] = tf.tidy(() => {
      const pred = forward(tf.tensor(b.x, [b.size, ...t.inputShape], t.inputDtype));
      const y = targetTensor(t.spec.mode, b.y, b.size, t.outShape, t.spec.classes);
      return [tf.sum(lossPerSample(t.spec, y, pred)), classification ? tf.sum(correctPerSample(t.spec, y, pred)) : tf.scalar(0), toOutputs(t.spec, pred)];
    });
    lossSum += loss!.dataSync()[0]!;
    correct += hits!.dataSync()[0]!;
    if (classification) {
      const v = out!.dataSync();
      const width = v.length / b.size;
      for (let i = 0; i < b.size; i++) {
        predicted![o + i] = width === 1 ? (v[i]! > 0.5 ? 1 : 0) : argmax(v, i * width, width);
        truth![o + i] = b.y[i]!;
      }
    }
    o += b.size;
    tf.dispose([loss!, hits!, out!]);
  }
  if (!Number.isFinite(lossSum)) throw new Error(`The compressed model's test loss is ${lossSum / n}: its outputs are not finite`);
  return { loss: lossSum / n, ...(classification ? { accuracy: correct / n, predicted, truth } : {}) };
}

function argmax(v: ArrayLike<number>, offset: number, width: number): number {
  let best = 0;
  for (let j = 1; j < width; j++) if (v[offset + j]! > v[offset + best]!) best = j;
  return best;
}

/** Bytes of some encoded weights, gzipped bytes, parameters and non-zeros (of the values a model computes with). */
export function sizeOf(encoded: readonly EncodedWeight[], values: readonly { values: ArrayLike<number> }[]): { bytes: number; gzipBytes: number; params: number; nonZero: number } {
  const buf = encodeWeights(encoded);
  return { bytes: buf.length, gzipBytes: gzipSync(buf, { level: 9 }).length, ...countWeights(values) };
}

/** Median milliseconds of `runs` batch-1 forward passes (after 3 warm-up runs); null for 0 runs. */
export function latencyMs(forward: Forward, sample: tf.Tensor, runs: number): number | null {
  if (runs <= 0) return null;
  const once = () => tf.tidy(() => { forward(sample).dataSync(); });
  for (let i = 0; i < 3; i++) once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    once();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

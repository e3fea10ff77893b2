/**
 * How a dataset's targets meet the model's output and loss: the loss spec (one-hot, binary or raw
 * values; probabilities or logits), the checks that refuse a mismatch naming the output node, and
 * the target tensors of a batch.
 */
import type { LoomDocument } from '../../shared/document';
import { buildGraph } from '../../shared/analysis';
import type { CompiledModel } from './compile';
import type { Dataset } from './data/types';
import type { LossSpec, TargetMode } from './losses';
import { RunError } from './run-error';
import { tf } from './tfjs';
import type { LossName } from './types';

const product = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** The activation that produces a node's values, looking through shape-only layers. */
export function outputActivation(doc: LoomDocument, compiled: CompiledModel, nodeId: string): string {
  const g = buildGraph(doc);
  let id: string | undefined = nodeId;
  for (let guard = 0; id && guard < 1000; guard++) {
    const info = compiled.analysis.nodes[id]!;
    const act = info.resolved?.activation;
    if (typeof act === 'string') return act;
    if (!['Dropout', 'Flatten', 'Reshape'].includes(info.type)) return 'linear';
    id = g.inputsOf.get(id)![0];
  }
  return 'linear';
}

/**
 * The share of rows whose largest prediction is at the label: `mean(argMax(pred) == argMax(onehot))`
 * as correctPerSample computes it (first maximum wins, NaN never does; the mean in float32).
 */
export function argmaxAccuracy(pred: Float32Array, labels: ArrayLike<number>, n: number): number {
  const k = pred.length / n;
  let hits = 0;
  for (let r = 0; r < n; r++) {
    let best = 0;
    let max = pred[r * k]!;
    for (let c = 1; c < k; c++) if (pred[r * k + c]! > max) { max = pred[r * k + c]!; best = c; }
    if (best === labels[r]) hits++;
  }
  return Math.fround(hits / n);
}

const CE: LossName[] = ['categoricalCrossentropy', 'sparseCategoricalCrossentropy'];

/** How the data's targets feed this loss and output; throws RunError('data') when they cannot. */
export function resolveLossSpec(loss: LossName, ds: Pick<Dataset, 'task' | 'classes' | 'targetSize' | 'targetShape' | 'vocabSize' | 'name'>, outShape: number[], outId: string, activation: string): LossSpec {
  const units = outShape[outShape.length - 1]!;
  const size = product(outShape);
  const fix = (msg: string) => new RunError('data', msg, { nodeId: outId });
  if (ds.task === 'language') return languageLossSpec(loss, ds, outShape, outId, activation);
  if (ds.task === 'classification') {
    const k = ds.classes?.length ?? 0;
    if (CE.includes(loss)) {
      if (outShape.length !== 1 || units !== k) {
        throw fix(`The output "${outId}" gives ${JSON.stringify(outShape)} per sample but the ${ds.name} data has ${k} classes: make it a Dense layer with ${k} units and softmax`);
      }
      return { loss, mode: 'onehot', fromLogits: activation !== 'softmax', classes: k };
    }
    if (loss === 'binaryCrossentropy') {
      if (size === 1 && k === 2) return { loss, mode: 'binary', fromLogits: activation !== 'sigmoid', classes: k };
      if (outShape.length === 1 && units === k) return { loss, mode: 'onehot', fromLogits: !['sigmoid', 'softmax'].includes(activation), classes: k };
      throw fix(`binaryCrossentropy needs the output "${outId}" to have 1 unit (sigmoid) for 2 classes, or ${k} units, but it gives ${JSON.stringify(outShape)}`);
    }
    if (outShape.length === 1 && units === k) return { loss, mode: 'onehot', fromLogits: false, classes: k };
    if (size === 1) return { loss, mode: 'values', fromLogits: false, classes: k };
    throw fix(`The output "${outId}" gives ${JSON.stringify(outShape)} per sample but the ${ds.name} data has ${k} classes: give it ${k} units`);
  }
  if (CE.includes(loss)) {
    throw new RunError('data', `The ${ds.name} data is a regression task (numeric targets): use the meanSquaredError, meanAbsoluteError or huber loss instead of ${loss}`);
  }
  if (size !== ds.targetSize) {
    throw fix(`The output "${outId}" gives ${size} value${size === 1 ? '' : 's'} per sample but the ${ds.name} data has ${ds.targetSize} target${ds.targetSize === 1 ? '' : 's'}: set its units to ${ds.targetSize}`);
  }
  return { loss, mode: 'values', fromLogits: loss === 'binaryCrossentropy' && activation !== 'sigmoid' };
}

/** Token targets [T] against per-position outputs [T, V ≥ the vocabulary]: the sequence loss. */
function languageLossSpec(loss: LossName, ds: Pick<Dataset, 'targetShape' | 'vocabSize' | 'name'>, outShape: number[], outId: string, activation: string): LossSpec {
  const fix = (msg: string) => new RunError('data', msg, { nodeId: outId });
  const T = ds.targetShape[0]!;
  const V = ds.vocabSize ?? 0;
  if (!CE.includes(loss)) {
    throw new RunError('data', `The ${ds.name} data has a token to predict at every position: use the sparseCategoricalCrossentropy loss (the sequence loss), not ${loss}`);
  }
  if (outShape.length !== 2 || outShape[0] !== T || outShape[1]! < V) {
    throw fix(`The output "${outId}" gives ${JSON.stringify(outShape)} per sample but the ${ds.name} data needs a score for each of its ${V} tokens at each of ${T} positions: end the model with a Dense layer of ${V} units on [${T}, features]`);
  }
  return { loss, mode: 'tokens', fromLogits: activation !== 'softmax', classes: outShape[1]! };
}

/**
 * A cross-entropy on numeric targets only makes sense for targets in [0, 1] (probabilities): on
 * others it trains to a negative, meaningless loss. Null when the targets fit the loss.
 */
export function checkTargetsForLoss(spec: LossSpec, ds: Pick<Dataset, 'y' | 'name'>): string | null {
  if (spec.mode !== 'values' || spec.loss !== 'binaryCrossentropy') return null;
  let lo = Infinity, hi = -Infinity;
  for (const v of ds.y) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo >= 0 && hi <= 1) return null;
  const f = (v: number) => Number(v.toPrecision(4));
  return `binaryCrossentropy needs targets between 0 and 1, but the ${ds.name} data's targets range from ${f(lo)} to ${f(hi)}: use meanSquaredError, meanAbsoluteError or huber for numeric targets`;
}

/** Targets of a batch as the loss wants them. */
export function targetTensor(mode: TargetMode, y: Int32Array | Float32Array, n: number, outShape: number[], classes?: number): tf.Tensor {
  if (mode === 'tokens') return tf.tensor2d(Int32Array.from(y.subarray(0, n * outShape[0]!)), [n, outShape[0]!], 'int32');
  if (mode === 'onehot') {
    const k = classes!;
    const buf = new Float32Array(n * k);
    for (let i = 0; i < n; i++) buf[i * k + y[i]!] = 1;
    return tf.tensor2d(buf, [n, k]);
  }
  return tf.tensor(Float32Array.from(y.subarray(0, n * product(outShape))), [n, ...outShape], 'float32');
}

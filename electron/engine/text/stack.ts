/**
 * A decoder-only language model seen as the chain generation walks step by step: token embedding →
 * (learned position embedding) → TransformerDecoder blocks → per-position head layers (Dense,
 * LayerNormalization, Dropout, Activation). `decoderOnlyStack` reads it off a TF.js model and
 * `runStack` runs it over new positions, with or without the blocks' key/value caches.
 */
import type { KvCache } from '../layers/attention-core';
import { TransformerDecoder } from '../layers/decoder';
import { tf, tfl } from '../tfjs';

export interface DecoderOnlyStack {
  embedding: tfl.layers.Layer;
  /** [contextLength, d]: the PositionalEmbedding's table, or null without one. */
  positions: tf.Tensor | null;
  blocks: TransformerDecoder[];
  head: tfl.layers.Layer[];
  contextLength: number;
  vocabSize: number;
  /** The head ends in a softmax: outputs are probabilities, sampled through their log. */
  outputsProbabilities: boolean;
}

export class NotDecoderOnlyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotDecoderOnlyError';
  }
}

const HEAD_TYPES = new Set(['Dense', 'LayerNormalization', 'Dropout', 'Activation']);
const CHAIN = 'Token-by-token generation needs a chain Input → Embedding → PositionalEmbedding → TransformerDecoder … → Dense';

/** The single layer feeding `layer` (its first call), or null for several/none. */
function parentOf(layer: tfl.layers.Layer): tfl.layers.Layer | null {
  const node = layer.inboundNodes[0];
  return node && node.inboundLayers.length === 1 ? node.inboundLayers[0]! : null;
}

export function decoderOnlyStack(model: tfl.LayersModel): DecoderOnlyStack {
  const layers = model.layers;
  const fail = (why: string) => {
    throw new NotDecoderOnlyError(`${CHAIN}: ${why}.`);
  };
  if (model.inputs.length !== 1 || model.outputs.length !== 1) fail(`the model has ${model.inputs.length} inputs and ${model.outputs.length} outputs`);
  const first = layers[0]?.getClassName() === 'InputLayer' ? 1 : 0;
  layers.forEach((l, k) => k > first && parentOf(l) !== layers[k - 1] && fail(`layer "${l.name}" does not take the previous layer's output alone`));
  const type = (k: number) => layers[k]?.getClassName();
  let i = first;
  if (type(i) !== 'Embedding') fail(`the first layer is ${type(i) ?? 'missing'}, not an Embedding`);
  const embedding = layers[i++]!;
  let positions: tf.Tensor | null = null;
  if (type(i) === 'PositionalEmbedding') positions = layers[i++]!.getWeights()[0]!;
  const blocks: TransformerDecoder[] = [];
  while (layers[i] instanceof TransformerDecoder) blocks.push(layers[i++] as TransformerDecoder);
  if (blocks.length === 0) fail('there is no TransformerDecoder after the embeddings');
  const head = layers.slice(i);
  head.forEach((l) => HEAD_TYPES.has(l.getClassName()) || fail(`layer "${l.name}" (${l.getClassName()}) is not applied position by position`));
  const inputT = model.inputs[0]!.shape[1];
  const contextLength = positions?.shape[0] ?? (typeof inputT === 'number' ? inputT : fail('the Input has no fixed length'));
  const out = model.outputs[0]!.shape;
  const last = head[head.length - 1];
  return {
    embedding, positions, blocks, head, contextLength, vocabSize: out[out.length - 1]!,
    outputsProbabilities: last?.getClassName() === 'Dense' && last.getConfig().activation === 'softmax',
  };
}

export interface StackRun {
  /** Logits of the last position, [vocabSize]. */
  logits: Float32Array;
  /** Every block's self-attention cache after this run (kept: dispose with disposeCaches). */
  caches: KvCache[];
}

/**
 * Runs `ids` at positions offset … offset + n - 1. With `caches` (from the previous run) the blocks
 * attend to the cached positions too; without, ids must start the window (offset 0).
 */
export function runStack(stack: DecoderOnlyStack, ids: readonly number[], offset: number, caches: KvCache[] | null): StackRun {
  const n = ids.length;
  const next: KvCache[] = [];
  const logits = tf.tidy(() => {
    let h = stack.embedding.apply(tf.tensor2d([...ids], [1, n], 'int32')) as tf.Tensor;
    if (stack.positions) h = tf.add(h, tf.slice(stack.positions, [offset, 0], [n, -1]));
    stack.blocks.forEach((block, b) => {
      const out = block.forward(h, null, { cache: caches ? { self: caches[b]!, cross: null } : undefined });
      h = out.y;
      next.push({ k: tf.keep(out.cache.self!.k), v: tf.keep(out.cache.self!.v) });
    });
    for (const layer of stack.head) h = layer.apply(h) as tf.Tensor;
    const last = tf.reshape(tf.slice(h, [0, n - 1, 0], [1, 1, -1]), [-1]);
    return stack.outputsProbabilities ? tf.log(tf.maximum(last, 1e-30)) : last;
  });
  const values = Float32Array.from(logits.dataSync());
  logits.dispose();
  return { logits: values, caches: next };
}

export function disposeCaches(caches: KvCache[] | null): void {
  if (caches) for (const c of caches) tf.dispose([c.k, c.v]);
}

/** Every block's self-attention weights for `ids` (one window from position 0): [heads][query][key] per block. */
export function stackAttention(stack: DecoderOnlyStack, ids: readonly number[]): number[][][][] {
  return tf.tidy(() => {
    let h = stack.embedding.apply(tf.tensor2d([...ids], [1, ids.length], 'int32')) as tf.Tensor;
    if (stack.positions) h = tf.add(h, tf.slice(stack.positions, [0, 0], [ids.length, -1]));
    return stack.blocks.map((block) => {
      const out = block.forward(h, null);
      h = out.y;
      return (out.selfWeights.arraySync() as number[][][][])[0]!;
    });
  });
}

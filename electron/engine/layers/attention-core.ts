/**
 * Multi-head attention, the one implementation every attention layer (MultiHeadAttention,
 * TransformerEncoder, TransformerDecoder) calls: an optional causal mask, a key/value cache for
 * token-by-token decoding, and the attention weights for inspection. Keras
 * weight layouts (query/key/value kernels [d, heads, headDim], output kernel [heads, valueDim, out]),
 * so trained weights map 1:1 onto keras.layers.MultiHeadAttention / keras_nlp.
 *
 * The causal mask is additive, as Keras' masked softmax: -1e9 on every key after the query's own
 * position, so those weights are exactly 0 after the softmax.
 */
import { tf, tfl } from '../tfjs';

export type LayerVariable = tfl.LayerVariable;
type Initializer = ReturnType<typeof tfl.initializers.zeros>;

export interface MhaWeights {
  q: LayerVariable; qb: LayerVariable | null;
  k: LayerVariable; kb: LayerVariable | null;
  v: LayerVariable; vb: LayerVariable | null;
  o: LayerVariable; ob: LayerVariable | null;
}

export interface MhaDims { heads: number; keyDim: number; valueDim: number; out: number; bias: boolean }

/** Keys and values of the positions seen so far, per head: [B, heads, T, keyDim] / [B, heads, T, valueDim]. */
export interface KvCache { k: tf.Tensor; v: tf.Tensor }

const MASKED = -1e9;

/** Creates a weight of the calling layer (its protected addWeight). */
export type AddWeight = (name: string, shape: number[], init: Initializer) => LayerVariable;

export function addMhaWeights(addWeight: AddWeight, prefix: string, dims: { q: number; k: number; v: number }, d: MhaDims): MhaWeights {
  const glorot = () => tfl.initializers.glorotUniform({});
  const zeros = () => tfl.initializers.zeros();
  const add = (name: string, shape: number[], init: Initializer) => addWeight(`${prefix}${name}`, shape, init);
  return {
    q: add('query/kernel', [dims.q, d.heads, d.keyDim], glorot()), qb: d.bias ? add('query/bias', [d.heads, d.keyDim], zeros()) : null,
    k: add('key/kernel', [dims.k, d.heads, d.keyDim], glorot()), kb: d.bias ? add('key/bias', [d.heads, d.keyDim], zeros()) : null,
    v: add('value/kernel', [dims.v, d.heads, d.valueDim], glorot()), vb: d.bias ? add('value/bias', [d.heads, d.valueDim], zeros()) : null,
    o: add('attention_output/kernel', [d.heads, d.valueDim, d.out], glorot()), ob: d.bias ? add('attention_output/bias', [d.out], zeros()) : null,
  };
}

/** Parameters of one attention block: query from width dq, key/value from width dkv. */
export function mhaParams(dq: number, dkv: number, d: MhaDims): number {
  const b = d.bias ? 1 : 0;
  const hk = d.heads * d.keyDim;
  const hv = d.heads * d.valueDim;
  return dq * hk + b * hk + dkv * hk + b * hk + dkv * hv + b * hv + hv * d.out + b * d.out;
}

/** x [..., din] · W [din, ...] (W flattened to [din, rest]) + b. */
export function project(x: tf.Tensor, w: LayerVariable, b: LayerVariable | null): tf.Tensor {
  const din = x.shape[x.shape.length - 1]!;
  const wv = w.read();
  const out = wv.size / din;
  const y = tf.matMul(tf.reshape(x, [-1, din]), tf.reshape(wv, [din, out]));
  const yb = b ? tf.add(y, tf.reshape(b.read(), [out])) : y;
  return tf.reshape(yb, [...x.shape.slice(0, -1), out]);
}

/** [B, T, heads * dim] → [B, heads, T, dim]. */
function splitHeads(x: tf.Tensor, heads: number, dim: number): tf.Tensor {
  const [b, t] = x.shape as number[];
  return tf.transpose(tf.reshape(x, [b!, t!, heads, dim]), [0, 2, 1, 3]);
}

/** [tq, tk] additive mask: query i (at absolute position offset + i) sees keys 0 … offset + i. */
export function causalMask(tq: number, tk: number, offset: number): tf.Tensor {
  const m = new Float32Array(tq * tk);
  for (let i = 0; i < tq; i++) for (let j = offset + i + 1; j < tk; j++) m[i * tk + j] = MASKED;
  return tf.tensor2d(m, [tq, tk]);
}

export interface AttendOptions {
  causal: boolean;
  dropout: number;
  training: boolean;
  /** Self-attention: the keys/values of earlier positions; the new ones are appended. */
  cache?: KvCache;
  /** Cross-attention: keys/values computed once from the encoder output (the `key`/`value` inputs are then ignored). */
  fixedKv?: KvCache;
}

export interface Attended {
  y: tf.Tensor;
  /** [B, heads, Tq, Tk]. */
  weights: tf.Tensor;
  /** Keys/values including the new positions (self-attention) or the fixed ones (cross-attention). */
  kv: KvCache;
}

/** Where keys and values come from: one tensor [B, Tk, d] for both, or separate key and value inputs. */
export type KvSource = tf.Tensor | { key: tf.Tensor; value: tf.Tensor };

/** Keys and values of `source` for every head. */
export function keysValues(w: MhaWeights, d: MhaDims, source: KvSource): KvCache {
  const { key, value } = source instanceof tf.Tensor ? { key: source, value: source } : source;
  return { k: splitHeads(project(key, w.k, w.kb), d.heads, d.keyDim), v: splitHeads(project(value, w.v, w.vb), d.heads, d.valueDim) };
}

/** Scaled dot-product attention over heads: query [B, Tq, dq], keys/values from `source` ([B, Tk, dkv]). */
export function attend(w: MhaWeights, d: MhaDims, query: tf.Tensor, source: KvSource | null, o: AttendOptions): Attended {
  const [b, tq] = query.shape as number[];
  const q = splitHeads(project(query, w.q, w.qb), d.heads, d.keyDim);
  let kv = o.fixedKv ?? keysValues(w, d, source!);
  if (o.cache) kv = { k: tf.concat([o.cache.k, kv.k], 2), v: tf.concat([o.cache.v, kv.v], 2) };
  const tk = kv.k.shape[2]!;
  let scores = tf.mul(tf.matMul(q, kv.k, false, true), 1 / Math.sqrt(d.keyDim));
  if (o.causal) scores = tf.add(scores, causalMask(tq!, tk, tk - tq!));
  const weights = tf.softmax(scores);
  const used = o.training && o.dropout > 0 ? tf.dropout(weights, o.dropout) : weights;
  const ctx = tf.reshape(tf.transpose(tf.matMul(used, kv.v), [0, 2, 1, 3]), [b!, tq!, d.heads * d.valueDim]);
  return { y: project(ctx, w.o, w.ob), weights, kv };
}

/** LayerNormalization over the last axis. */
export function layerNorm(x: tf.Tensor, gamma: LayerVariable, beta: LayerVariable, eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, x.rank - 1, true);
  const n = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
  return tf.add(tf.mul(n, gamma.read()), beta.read());
}

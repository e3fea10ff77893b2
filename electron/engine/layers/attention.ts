/**
 * Layers TensorFlow.js 4.22 does not ship, written as custom tfjs-layers Layers with Keras weight
 * layouts (so trained weights map 1:1 onto Keras/keras_nlp and the catalog's parameter counts):
 * - MultiHeadAttention (keras.layers.MultiHeadAttention): query/key/value kernels [d, heads, headDim],
 *   biases [heads, headDim], output kernel [heads, valueDim, out], bias [out].
 * - TransformerEncoder (keras_nlp.layers.TransformerEncoder): self-attention + feed-forward, each with
 *   dropout, a residual connection and LayerNormalization (post-norm, or pre-norm with normalizeFirst).
 * - PositionalEmbedding: x + a learned position vector per timestep (weights [sequenceLength, d]).
 * Each is registered for (de)serialisation under its Layerloom type name.
 */
import { tf, tfl } from '../tfjs';
import type { ActivationName } from '../../../shared/catalog';

type LayerVariable = tfl.LayerVariable;
type Shape = (number | null)[];
type Kwargs = Record<string, unknown>;
type Initializer = ReturnType<typeof tfl.initializers.zeros>;

const glorot = () => tfl.initializers.glorotUniform({});
const zeros = () => tfl.initializers.zeros();
const ones = () => tfl.initializers.ones();

/** x [..., din] · W [din, ...] (W flattened to [din, rest]) + b. */
function project(x: tf.Tensor, w: LayerVariable, b: LayerVariable | null): tf.Tensor {
  const din = x.shape[x.shape.length - 1]!;
  const wv = w.read();
  const out = wv.size / din;
  const y = tf.matMul(tf.reshape(x, [-1, din]), tf.reshape(wv, [din, out]));
  const yb = b ? tf.add(y, tf.reshape(b.read(), [out])) : y;
  return tf.reshape(yb, [...x.shape.slice(0, -1), out]);
}

const shapeOf = (s: Shape | Shape[]): Shape[] => (Array.isArray(s[0]) ? (s as Shape[]) : [s as Shape]);
const tensorsOf = (t: tf.Tensor | tf.Tensor[]): tf.Tensor[] => (Array.isArray(t) ? t : [t]);

interface MhaWeights {
  q: LayerVariable; qb: LayerVariable | null;
  k: LayerVariable; kb: LayerVariable | null;
  v: LayerVariable; vb: LayerVariable | null;
  o: LayerVariable; ob: LayerVariable | null;
}

interface MhaDims { heads: number; keyDim: number; valueDim: number; out: number; bias: boolean }

/** Creates one weight of the calling layer (its protected addWeight). */
type AddWeight = (name: string, shape: number[], init: Initializer) => LayerVariable;

function addMhaWeights(addWeight: AddWeight, prefix: string, dq: number, dk: number, dv: number, d: MhaDims): MhaWeights {
  const add: AddWeight = (name, shape, init) => addWeight(`${prefix}${name}`, shape, init);
  return {
    q: add('query/kernel', [dq, d.heads, d.keyDim], glorot()), qb: d.bias ? add('query/bias', [d.heads, d.keyDim], zeros()) : null,
    k: add('key/kernel', [dk, d.heads, d.keyDim], glorot()), kb: d.bias ? add('key/bias', [d.heads, d.keyDim], zeros()) : null,
    v: add('value/kernel', [dv, d.heads, d.valueDim], glorot()), vb: d.bias ? add('value/bias', [d.heads, d.valueDim], zeros()) : null,
    o: add('attention_output/kernel', [d.heads, d.valueDim, d.out], glorot()), ob: d.bias ? add('attention_output/bias', [d.out], zeros()) : null,
  };
}

/** Scaled dot-product attention over heads; query [B, Tq, dq], value/key [B, Tk, d]. */
function attend(w: MhaWeights, d: MhaDims, query: tf.Tensor, value: tf.Tensor, key: tf.Tensor, dropout: number, training: boolean): tf.Tensor {
  const [b, tq] = query.shape as number[];
  const tk = key.shape[1]!;
  const split = (x: tf.Tensor, t: number, dim: number) => tf.transpose(tf.reshape(x, [b!, t, d.heads, dim]), [0, 2, 1, 3]);
  const q = split(project(query, w.q, w.qb), tq!, d.keyDim);
  const k = split(project(key, w.k, w.kb), tk, d.keyDim);
  const v = split(project(value, w.v, w.vb), tk, d.valueDim);
  let scores = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(d.keyDim)));
  if (training && dropout > 0) scores = tf.dropout(scores, dropout);
  const ctx = tf.reshape(tf.transpose(tf.matMul(scores, v), [0, 2, 1, 3]), [b!, tq!, d.heads * d.valueDim]);
  return project(ctx, w.o, w.ob);
}

export interface MultiHeadAttentionArgs {
  name?: string;
  numHeads: number;
  keyDim: number;
  valueDim?: number | null;
  dropout?: number;
  useBias?: boolean;
  outputShape?: number | null;
}

export class MultiHeadAttention extends tfl.layers.Layer {
  static className = 'MultiHeadAttention';
  private readonly cfg: Required<Omit<MultiHeadAttentionArgs, 'name'>>;
  private w: MhaWeights | null = null;
  private dims: MhaDims | null = null;

  constructor(args: MultiHeadAttentionArgs) {
    super({ name: args.name });
    this.cfg = {
      numHeads: args.numHeads, keyDim: args.keyDim, valueDim: args.valueDim ?? null, dropout: args.dropout ?? 0,
      useBias: args.useBias ?? true, outputShape: args.outputShape ?? null,
    } as Required<Omit<MultiHeadAttentionArgs, 'name'>>;
  }

  override build(inputShape: Shape | Shape[]): void {
    const [q, v = q!, k = v] = shapeOf(inputShape);
    this.dims = {
      heads: this.cfg.numHeads, keyDim: this.cfg.keyDim, valueDim: this.cfg.valueDim ?? this.cfg.keyDim,
      out: this.cfg.outputShape ?? (q![q!.length - 1] as number), bias: this.cfg.useBias,
    };
    this.w = addMhaWeights((name, shape, init) => this.addWeight(name, shape, 'float32', init), '', q![q!.length - 1] as number, k![k!.length - 1] as number, v![v!.length - 1] as number, this.dims);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [q] = shapeOf(inputShape);
    return [...q!.slice(0, -1), this.cfg.outputShape ?? q![q!.length - 1]!];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const [q, v = q!, k = v] = tensorsOf(inputs);
      return attend(this.w!, this.dims!, q!, v, k, this.cfg.dropout, Boolean(kwargs.training));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.cfg };
  }
}

export interface TransformerEncoderArgs {
  name?: string;
  numHeads: number;
  intermediateDim: number;
  dropout?: number;
  activation?: ActivationName;
  layerNormEpsilon?: number;
  normalizeFirst?: boolean;
}

/** LayerNormalization over the last axis with gamma/beta weights. */
function layerNorm(x: tf.Tensor, gamma: LayerVariable, beta: LayerVariable, eps: number): tf.Tensor {
  const axis = x.rank - 1;
  const { mean, variance } = tf.moments(x, axis, true);
  const n = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
  return tf.add(tf.mul(n, gamma.read()), beta.read());
}

/** One keras_nlp-style Transformer encoder block. */
export class TransformerEncoder extends tfl.layers.Layer {
  static className = 'TransformerEncoder';
  private readonly cfg: Required<Omit<TransformerEncoderArgs, 'name'>>;
  private att: MhaWeights | null = null;
  private dims: MhaDims | null = null;
  private ln1: [LayerVariable, LayerVariable] | null = null;
  private ln2: [LayerVariable, LayerVariable] | null = null;
  private ff: [LayerVariable, LayerVariable, LayerVariable, LayerVariable] | null = null;
  private act: tfl.layers.Layer;

  constructor(args: TransformerEncoderArgs) {
    super({ name: args.name });
    this.cfg = {
      numHeads: args.numHeads, intermediateDim: args.intermediateDim, dropout: args.dropout ?? 0.1,
      activation: args.activation ?? 'relu', layerNormEpsilon: args.layerNormEpsilon ?? 1e-5,
      normalizeFirst: args.normalizeFirst ?? false,
    };
    this.act = tfl.layers.activation({ activation: this.cfg.activation });
  }

  override build(inputShape: Shape | Shape[]): void {
    const [s] = shapeOf(inputShape);
    const d = s![s!.length - 1] as number;
    const head = d / this.cfg.numHeads;
    if (!Number.isInteger(head)) throw new Error(`TransformerEncoder: width ${d} is not divisible by numHeads ${this.cfg.numHeads}`);
    this.dims = { heads: this.cfg.numHeads, keyDim: head, valueDim: head, out: d, bias: true };
    const add: AddWeight = (name, shape, init) => this.addWeight(name, shape, 'float32', init);
    this.att = addMhaWeights(add, 'self_attention/', d, d, d, this.dims);
    this.ln1 = [add('self_attention_layer_norm/gamma', [d], ones()), add('self_attention_layer_norm/beta', [d], zeros())];
    const f = this.cfg.intermediateDim;
    this.ff = [
      add('feedforward_intermediate_dense/kernel', [d, f], glorot()), add('feedforward_intermediate_dense/bias', [f], zeros()),
      add('feedforward_output_dense/kernel', [f, d], glorot()), add('feedforward_output_dense/bias', [d], zeros()),
    ];
    this.ln2 = [add('feedforward_layer_norm/gamma', [d], ones()), add('feedforward_layer_norm/beta', [d], zeros())];
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...shapeOf(inputShape)[0]!];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = tensorsOf(inputs)[0]!;
      const training = Boolean(kwargs.training);
      const { dropout: rate, layerNormEpsilon: eps, normalizeFirst: pre } = this.cfg;
      const drop = (t: tf.Tensor) => (training && rate > 0 ? tf.dropout(t, rate) : t);
      // Self-attention sub-layer.
      let h = pre ? layerNorm(x, ...this.ln1!, eps) : x;
      h = drop(attend(this.att!, this.dims!, h, h, h, rate, training));
      let y = tf.add(x, h);
      if (!pre) y = layerNorm(y, ...this.ln1!, eps);
      // Feed-forward sub-layer.
      const [w1, b1, w2, b2] = this.ff!;
      let f = pre ? layerNorm(y, ...this.ln2!, eps) : y;
      f = this.act.apply(project(f, w1, b1)) as tf.Tensor;
      f = drop(project(f, w2, b2));
      let z = tf.add(y, f);
      if (!pre) z = layerNorm(z, ...this.ln2!, eps);
      return z;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.cfg };
  }
}

export interface PositionalEmbeddingArgs {
  name?: string;
  sequenceLength: number;
}

/** Adds a learned vector per position: x [B, T, d] + P[:T]. */
export class PositionalEmbedding extends tfl.layers.Layer {
  static className = 'PositionalEmbedding';
  private readonly sequenceLength: number;
  private pos: LayerVariable | null = null;

  constructor(args: PositionalEmbeddingArgs) {
    super({ name: args.name });
    this.sequenceLength = args.sequenceLength;
  }

  override build(inputShape: Shape | Shape[]): void {
    const [s] = shapeOf(inputShape);
    this.pos = this.addWeight('embeddings', [this.sequenceLength, s![s!.length - 1] as number], 'float32', glorot());
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...shapeOf(inputShape)[0]!];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = tensorsOf(inputs)[0]!;
      const t = x.shape[1]!;
      const p = this.pos!.read();
      return tf.add(x, t === this.sequenceLength ? p : tf.slice(p, [0, 0], [t, p.shape[1]!]));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), sequenceLength: this.sequenceLength };
  }
}

tf.serialization.registerClass(MultiHeadAttention);
tf.serialization.registerClass(TransformerEncoder);
tf.serialization.registerClass(PositionalEmbedding);

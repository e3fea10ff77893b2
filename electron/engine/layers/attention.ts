/**
 * Layers TensorFlow.js 4.22 does not ship, written as custom tfjs-layers Layers with Keras weight
 * layouts (so trained weights map 1:1 onto Keras/keras_nlp and the catalog's parameter counts):
 * - MultiHeadAttention (keras.layers.MultiHeadAttention): query/key/value kernels [d, heads, headDim],
 *   biases [heads, headDim], output kernel [heads, valueDim, out], bias [out]; `causal` masks the keys
 *   after each query (Keras' `use_causal_mask=True`).
 * - TransformerEncoder (keras_nlp.layers.TransformerEncoder): self-attention + feed-forward, each with
 *   dropout, a residual connection and LayerNormalization (post-norm, or pre-norm with normalizeFirst).
 * - PositionalEmbedding: x + a learned position vector per timestep (weights [sequenceLength, d]).
 * - TransformerDecoder is in decoder.ts. All of them attend through attention-core.ts.
 * Each is registered for (de)serialisation under its Layerloom type name.
 */
import { tf, tfl } from '../tfjs';
import { type AddWeight, addMhaWeights, attend, layerNorm, project, type LayerVariable, type MhaDims, type MhaWeights } from './attention-core';
import type { ActivationName } from '../../../shared/catalog';

type Shape = (number | null)[];
type Kwargs = Record<string, unknown>;

const glorot = () => tfl.initializers.glorotUniform({});
const zeros = () => tfl.initializers.zeros();
const ones = () => tfl.initializers.ones();

const shapeOf = (s: Shape | Shape[]): Shape[] => (Array.isArray(s[0]) ? (s as Shape[]) : [s as Shape]);
const tensorsOf = (t: tf.Tensor | tf.Tensor[]): tf.Tensor[] => (Array.isArray(t) ? t : [t]);

export interface MultiHeadAttentionArgs {
  name?: string;
  numHeads: number;
  keyDim: number;
  valueDim?: number | null;
  dropout?: number;
  useBias?: boolean;
  outputShape?: number | null;
  causal?: boolean;
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
      useBias: args.useBias ?? true, outputShape: args.outputShape ?? null, causal: args.causal ?? false,
    } as Required<Omit<MultiHeadAttentionArgs, 'name'>>;
  }

  override build(inputShape: Shape | Shape[]): void {
    const [q, v = q!, k = v] = shapeOf(inputShape);
    this.dims = {
      heads: this.cfg.numHeads, keyDim: this.cfg.keyDim, valueDim: this.cfg.valueDim ?? this.cfg.keyDim,
      out: this.cfg.outputShape ?? (q![q!.length - 1] as number), bias: this.cfg.useBias,
    };
    const width = (s: Shape) => s[s.length - 1] as number;
    this.w = addMhaWeights((name, shape, init) => this.addWeight(name, shape, 'float32', init), '', { q: width(q!), k: width(k!), v: width(v!) }, this.dims);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [q] = shapeOf(inputShape);
    return [...q!.slice(0, -1), this.cfg.outputShape ?? q![q!.length - 1]!];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const [q, v = q!, k = v] = tensorsOf(inputs);
      const o = { causal: this.cfg.causal, dropout: this.cfg.dropout, training: Boolean(kwargs.training) };
      return attend(this.w!, this.dims!, q!, { key: k, value: v }, o).y;
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
    this.att = addMhaWeights(add, 'self_attention/', { q: d, k: d, v: d }, this.dims);
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
      h = drop(attend(this.att!, this.dims!, h, h, { causal: false, dropout: rate, training }).y);
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

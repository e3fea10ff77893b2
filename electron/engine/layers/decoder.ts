/**
 * TransformerDecoder (keras_nlp.layers.TransformerDecoder) as a custom tfjs-layers Layer:
 * causal self-attention, optional cross-attention on an encoder output given as a second input,
 * and a feed-forward network; each sub-layer has dropout, a residual connection and
 * LayerNormalization (post-norm, or pre-norm with normalizeFirst). Weight names and shapes are
 * keras_nlp's, so its parameter count is keras_nlp's (`transformerDecoderParams`).
 *
 * Besides `call` (training and Keras-style inference), `forward` decodes incrementally with a
 * key/value cache and can return every head's attention weights.
 */
import { tf, tfl } from '../tfjs';
import type { ActivationName } from '../../../shared/catalog';
import { type AddWeight, addMhaWeights, attend, keysValues, layerNorm, mhaParams, project, type KvCache, type LayerVariable, type MhaDims, type MhaWeights } from './attention-core';

type Shape = (number | null)[];
type Kwargs = Record<string, unknown>;

export interface TransformerDecoderArgs {
  name?: string;
  numHeads: number;
  intermediateDim: number;
  dropout?: number;
  activation?: ActivationName;
  layerNormEpsilon?: number;
  normalizeFirst?: boolean;
}
type DecoderConfig = Required<Omit<TransformerDecoderArgs, 'name'>>;

/**
 * keras_nlp's parameter count, d = the decoder's width, f = intermediateDim, e = the encoder
 * output's width (cross-attention only); heads split d, so every attention block holds four d·d-sized
 * kernels with biases:
 *   self-attention 4d² + 4d, its LayerNorm 2d,
 *   cross-attention 2d² + 2ed + 4d, its LayerNorm 2d (only with an encoder input),
 *   feed-forward df + f + fd + d, its LayerNorm 2d.
 */
export function transformerDecoderParams(d: number, f: number, heads: number, encoderWidth?: number): number {
  const dims: MhaDims = { heads, keyDim: d / heads, valueDim: d / heads, out: d, bias: true };
  const self = mhaParams(d, d, dims) + 2 * d;
  const cross = encoderWidth === undefined ? 0 : mhaParams(d, encoderWidth, dims) + 2 * d;
  return self + cross + (d * f + f + f * d + d) + 2 * d;
}

/** Per-block decoding state: the self-attention cache and, with an encoder, its fixed keys/values. */
export interface DecoderCache { self: KvCache | null; cross: KvCache | null }

export interface DecoderForward {
  y: tf.Tensor;
  cache: DecoderCache;
  /** [B, heads, Tq, Tk] self-attention weights. */
  selfWeights: tf.Tensor;
  /** [B, heads, Tq, Ts] cross-attention weights (with an encoder). */
  crossWeights: tf.Tensor | null;
}

type Norm = [LayerVariable, LayerVariable];

export class TransformerDecoder extends tfl.layers.Layer {
  static className = 'TransformerDecoder';
  readonly cfg: DecoderConfig;
  private selfAtt: MhaWeights | null = null;
  private crossAtt: MhaWeights | null = null;
  private dims: MhaDims | null = null;
  private norms: { self: Norm; cross: Norm | null; ff: Norm } | null = null;
  private ff: [LayerVariable, LayerVariable, LayerVariable, LayerVariable] | null = null;
  private readonly act: tfl.layers.Layer;

  constructor(args: TransformerDecoderArgs) {
    super({ name: args.name });
    this.cfg = {
      numHeads: args.numHeads, intermediateDim: args.intermediateDim, dropout: args.dropout ?? 0,
      activation: args.activation ?? 'relu', layerNormEpsilon: args.layerNormEpsilon ?? 1e-5, normalizeFirst: args.normalizeFirst ?? false,
    };
    this.act = tfl.layers.activation({ activation: this.cfg.activation });
  }

  get hasCrossAttention(): boolean {
    return this.crossAtt !== null;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shapes = Array.isArray(inputShape[0]) ? (inputShape as Shape[]) : [inputShape as Shape];
    const d = shapes[0]![shapes[0]!.length - 1] as number;
    const head = d / this.cfg.numHeads;
    if (!Number.isInteger(head)) throw new Error(`TransformerDecoder: width ${d} is not divisible by numHeads ${this.cfg.numHeads}`);
    this.dims = { heads: this.cfg.numHeads, keyDim: head, valueDim: head, out: d, bias: true };
    const norm = (name: string): Norm => [
      this.addWeight(`${name}/gamma`, [d], 'float32', tfl.initializers.ones()),
      this.addWeight(`${name}/beta`, [d], 'float32', tfl.initializers.zeros()),
    ];
    const add: AddWeight = (name, shape, init) => this.addWeight(name, shape, 'float32', init);
    this.selfAtt = addMhaWeights(add, 'self_attention/', { q: d, k: d, v: d }, this.dims);
    const selfNorm = norm('self_attention_layer_norm');
    let crossNorm: Norm | null = null;
    if (shapes.length > 1) {
      const e = shapes[1]![shapes[1]!.length - 1] as number;
      this.crossAtt = addMhaWeights(add, 'cross_attention/', { q: d, k: e, v: e }, this.dims);
      crossNorm = norm('cross_attention_layer_norm');
    }
    const f = this.cfg.intermediateDim;
    const glorot = () => tfl.initializers.glorotUniform({});
    this.ff = [
      this.addWeight('feedforward_intermediate_dense/kernel', [d, f], 'float32', glorot()),
      this.addWeight('feedforward_intermediate_dense/bias', [f], 'float32', tfl.initializers.zeros()),
      this.addWeight('feedforward_output_dense/kernel', [f, d], 'float32', glorot()),
      this.addWeight('feedforward_output_dense/bias', [d], 'float32', tfl.initializers.zeros()),
    ];
    this.norms = { self: selfNorm, cross: crossNorm, ff: norm('feedforward_layer_norm') };
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return Array.isArray(inputShape[0]) ? [...(inputShape as Shape[])[0]!] : [...(inputShape as Shape)];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const [x, enc] = Array.isArray(inputs) ? inputs : [inputs];
      return this.forward(x!, enc ?? null, { training: Boolean(kwargs.training) }).y;
    });
  }

  /**
   * One pass over new positions x [B, Tn, d]. With `cache`, x continues the sequence the cache holds
   * (its positions come after the cached ones); the returned cache covers both. The encoder output is
   * needed only when the cache has no cross-attention keys/values yet.
   */
  forward(x: tf.Tensor, encoder: tf.Tensor | null, opts: { training?: boolean; cache?: DecoderCache } = {}): DecoderForward {
    if (!this.built) throw new Error(`TransformerDecoder ${this.name} is not built`);
    const training = opts.training ?? false;
    const { dropout: rate, layerNormEpsilon: eps, normalizeFirst: pre } = this.cfg;
    const drop = (t: tf.Tensor) => (training && rate > 0 ? tf.dropout(t, rate) : t);
    const n = this.norms!;
    const sub = (input: tf.Tensor, norm: Norm, body: (h: tf.Tensor) => tf.Tensor) => {
      const out = tf.add(input, drop(body(pre ? layerNorm(input, ...norm, eps) : input)));
      return pre ? out : layerNorm(out, ...norm, eps);
    };
    let selfWeights: tf.Tensor | null = null;
    let selfKv: KvCache | null = null;
    let y = sub(x, n.self, (h) => {
      const a = attend(this.selfAtt!, this.dims!, h, h, { causal: true, dropout: rate, training, cache: opts.cache?.self ?? undefined });
      selfWeights = a.weights;
      selfKv = a.kv;
      return a.y;
    });
    let crossWeights: tf.Tensor | null = null;
    let crossKv: KvCache | null = null;
    if (this.crossAtt) {
      const fixed = opts.cache?.cross ?? (encoder ? keysValues(this.crossAtt, this.dims!, encoder) : null);
      if (!fixed) throw new Error(`TransformerDecoder ${this.name} has cross-attention: give it the encoder output as its second input.`);
      y = sub(y, n.cross!, (h) => {
        const a = attend(this.crossAtt!, this.dims!, h, null, { causal: false, dropout: rate, training, fixedKv: fixed });
        crossWeights = a.weights;
        crossKv = a.kv;
        return a.y;
      });
    } else if (encoder) {
      throw new Error(`TransformerDecoder ${this.name} was built without cross-attention: it takes one input.`);
    }
    const [w1, b1, w2, b2] = this.ff!;
    y = sub(y, n.ff, (h) => project(this.act.apply(project(h, w1, b1)) as tf.Tensor, w2, b2));
    return { y, cache: { self: selfKv, cross: crossKv }, selfWeights: selfWeights!, crossWeights };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.cfg };
  }
}

tf.serialization.registerClass(TransformerDecoder);

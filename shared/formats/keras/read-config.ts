/**
 * Keras / TF.js layer configs (snake_case) → Layerloom layer types and params (TF.js camelCase).
 * One reader per layer type (exhaustive: a new type needs its reader), plus the Keras classes that
 * map onto another type (ReLU → Activation, SpatialDropout2D → Dropout, ...). Values are passed
 * through as the document holds them; the analysis validates them like any document's.
 */
import { ACTIVATIONS, LAYER_TYPES, type ActivationName, type DocParams, type LayerType } from '../../catalog';
import { KERAS_CLASS } from './classes';

export { ACTIVATIONS, type ActivationName };

/** A parsed JSON object (a layer config, a nested layer). */
export type JsonObject = { readonly [key: string]: unknown };
/** A layer type with its document params, typed together. */
export interface DocLayer<T extends LayerType> {
  type: T;
  params: DocParams<T>;
}

type Mapped = { type: LayerType; params: Record<string, unknown>; warnings: string[] } | { reason: string };

class Unsupported extends Error {}
const fail = (reason: string): never => {
  throw new Unsupported(reason);
};

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
export const objectOf = (v: unknown): JsonObject => (isObject(v) ? v : {});

const ACT_ALIASES: Record<string, ActivationName> = {
  hard_sigmoid: 'hardSigmoid', silu: 'swish', swish: 'swish', linear: 'linear',
};

/** ReLU(max_value, negative_slope, threshold) as a named activation: plain relu, or relu6 (MobileNet's ReLU(6.0)). */
function reluOf(c: JsonObject): ActivationName {
  if (c.negative_slope || c.threshold) return fail(`ReLU with negative_slope=${String(c.negative_slope ?? 0)} / threshold=${String(c.threshold ?? 0)} is not supported (only plain ReLU and ReLU(max_value=6))`);
  if (c.max_value == null) return 'relu';
  if (Number(c.max_value) === 6) return 'relu6';
  return fail(`ReLU(max_value=${String(c.max_value)}) is not supported (only plain ReLU and ReLU(max_value=6))`);
}

/** Layer objects Keras accepts as a layer's `activation` (`Dense(activation=ReLU())`), as named activations. */
const ACTIVATION_LAYERS: Record<string, (c: JsonObject) => ActivationName> = {
  ReLU: reluOf,
  Softmax: (c) => (c.axis == null || c.axis === -1 || (Array.isArray(c.axis) && c.axis.length === 1 && c.axis[0] === -1) ? 'softmax' : fail('Softmax over an axis other than the last')),
  ELU: (c) => (c.alpha == null || Number(c.alpha) === 1 ? 'elu' : fail(`ELU(alpha=${String(c.alpha)}) is not supported (alpha 1 only)`)),
  Activation: (c) => activation(c.activation),
};

function activation(v: unknown, what = 'activation'): ActivationName {
  if (v === null || v === undefined) return 'linear';
  let raw: unknown = v;
  if (isObject(v)) {
    const cls = String(v.class_name);
    const layer = Object.prototype.hasOwnProperty.call(ACTIVATION_LAYERS, cls) ? ACTIVATION_LAYERS[cls] : undefined;
    if (layer) return layer(objectOf(v.config));
    // Keras 3 may serialize a function as {class_name: "function", config: "relu"}.
    raw = typeof v.config === 'string' ? v.config : objectOf(v.config).name ?? cls;
  }
  if (typeof raw !== 'string') return fail(`${what} ${JSON.stringify(v)} is not a named activation`);
  const name = raw.replace(/^keras\.activations\./, '');
  const lower = name.toLowerCase();
  return ACT_ALIASES[name] ?? ACTIVATIONS.find((x) => x === name || x.toLowerCase() === lower)
    ?? fail(`${what} "${name}" is not supported (known: ${ACTIVATIONS.join(', ')})`);
}

const size = (v: unknown) => (Array.isArray(v) ? v.map(Number) : Number(v));
const sampleAxis = (a: number) => (a > 0 ? a - 1 : a);

function channelsLast(c: JsonObject) {
  if (c.data_format && c.data_format !== 'channels_last') fail(`data_format "${String(c.data_format)}" (only channels_last is supported)`);
}

function padding(c: JsonObject): string {
  const p = c.padding ?? 'valid';
  if (p !== 'valid' && p !== 'same') fail(`padding "${String(p)}" is not supported (valid or same)`);
  return String(p);
}

function recurrent(c: JsonObject, cell: string, warnings: string[]) {
  for (const k of ['return_state', 'go_backwards', 'stateful']) if (c[k]) fail(`${k}=true is not supported`);
  if (cell === 'GRU' && c.reset_after) fail('reset_after=true (Keras 3 default GRU) is not supported: Layerloom\'s GRU is TF.js\' reset_after=false');
  if (c.dropout || c.recurrent_dropout) warnings.push('dropout/recurrent_dropout inside the recurrent layer were dropped');
  return {
    units: c.units, activation: activation(c.activation ?? 'tanh'),
    useBias: c.use_bias ?? true, returnSequences: Boolean(c.return_sequences),
  };
}
const gates = (c: JsonObject) => activation(c.recurrent_activation ?? 'sigmoid', 'recurrent_activation');

function conv(c: JsonObject) {
  channelsLast(c);
  return {
    kernelSize: size(c.kernel_size), strides: size(c.strides ?? 1), padding: padding(c),
    activation: activation(c.activation), useBias: c.use_bias ?? true,
  };
}
const dilation = (c: JsonObject) => (c.dilation_rate !== undefined ? { dilationRate: size(c.dilation_rate) } : {});

function pool(c: JsonObject) {
  channelsLast(c);
  const poolSize = size(c.pool_size ?? 2);
  // Strides equal to the pool size are the default (null) in Layerloom.
  const strides = c.strides == null || JSON.stringify([c.strides].flat()) === JSON.stringify([poolSize].flat()) ? null : size(c.strides);
  return { poolSize, strides, padding: padding(c) };
}

function globalPool(c: JsonObject) {
  channelsLast(c);
  if (c.keepdims) fail('keepdims=true is not supported');
  return {};
}

function norm(c: JsonObject, batch: boolean) {
  const axis = Array.isArray(c.axis) ? c.axis : [c.axis ?? -1];
  if (axis.length !== 1 || (axis[0] !== -1 && batch && axis[0] !== 3 && axis[0] !== 1 && axis[0] !== 2)) fail(`axis ${JSON.stringify(c.axis)} (only the last axis is supported)`);
  return { epsilon: c.epsilon ?? 0.001, center: c.center ?? true, scale: c.scale ?? true };
}

function transposed(c: JsonObject) {
  const p = { filters: c.filters, ...conv(c) };
  if (c.output_padding != null) fail('output_padding is not supported');
  if (c.dilation_rate && [c.dilation_rate].flat().some((d) => d !== 1)) fail('dilation is not supported');
  return p;
}

type Reader<T extends LayerType> = (c: JsonObject, warnings: string[]) => DocParams<T>;

/** One reader per layer type, for the Keras class the type is written as (KERAS_CLASS). */
const READERS: { readonly [T in LayerType]: Reader<T> } = {
  Input: (c) => {
    const shape = c.batch_input_shape ?? c.batch_shape ?? (Array.isArray(c.input_shape) ? [null, ...c.input_shape] : null);
    if (!Array.isArray(shape)) return fail('the input has no shape');
    const s: unknown[] = shape.slice(1);
    if (s.some((d) => d === null)) fail(`variable-size dimensions ${JSON.stringify(s)} are not supported: give every dimension`);
    return { shape: s, dtype: String(c.dtype ?? 'float32').startsWith('int') ? 'int32' : 'float32' };
  },
  Dense: (c) => ({ units: c.units, activation: activation(c.activation), useBias: c.use_bias ?? true }),
  Activation: (c) => ({ activation: activation(c.activation) }),
  Dropout: (c) => ({ rate: c.rate }),
  Embedding: (c, w) => {
    if (c.mask_zero) w.push('mask_zero was dropped (Layerloom does not mask)');
    return { inputDim: c.input_dim, outputDim: c.output_dim };
  },
  Conv1D: (c) => ({ filters: c.filters, ...conv(c), ...dilation(c) }),
  Conv2D: (c) => ({ filters: c.filters, ...conv(c), ...dilation(c) }),
  Conv1DTranspose: transposed,
  Conv2DTranspose: transposed,
  DepthwiseConv2D: (c) => ({ ...conv(c), depthMultiplier: c.depth_multiplier ?? 1 }),
  SeparableConv2D: (c) => ({ filters: c.filters, ...conv(c), depthMultiplier: c.depth_multiplier ?? 1 }),
  MaxPooling1D: pool,
  AveragePooling1D: pool,
  MaxPooling2D: pool,
  AveragePooling2D: pool,
  GlobalAveragePooling1D: globalPool,
  GlobalMaxPooling1D: globalPool,
  GlobalAveragePooling2D: globalPool,
  GlobalMaxPooling2D: globalPool,
  SimpleRNN: (c, w) => recurrent(c, 'SimpleRNN', w),
  LSTM: (c, w) => ({ ...recurrent(c, 'LSTM', w), recurrentActivation: gates(c) }),
  GRU: (c, w) => ({ ...recurrent(c, 'GRU', w), recurrentActivation: gates(c) }),
  Bidirectional: (c, w) => {
    const inner = objectOf(c.layer);
    const cls = String(inner.class_name);
    if (cls !== 'LSTM' && cls !== 'GRU' && cls !== 'SimpleRNN') return fail(`Bidirectional around ${cls} is not supported (LSTM, GRU or SimpleRNN)`);
    const config = objectOf(inner.config);
    const r = recurrent(config, cls, w);
    const sigmoidGates = cls === 'SimpleRNN' || gates(config) === 'sigmoid';
    if (r.activation !== 'tanh' || !sigmoidGates || !r.useBias) {
      fail('Bidirectional supports the default activations (tanh, sigmoid) with biases only');
    }
    if (c.merge_mode == null) fail('merge_mode=None (two outputs) is not supported');
    return { layer: cls, units: r.units, returnSequences: r.returnSequences, mergeMode: c.merge_mode ?? 'concat' };
  },
  MultiHeadAttention: (c) => {
    const out = Array.isArray(c.output_shape) ? (c.output_shape.length === 1 ? c.output_shape[0] : fail('multi-dimensional output_shape')) : c.output_shape;
    if (c.attention_axes != null) fail('attention_axes is not supported');
    return {
      numHeads: c.num_heads, keyDim: c.key_dim, valueDim: c.value_dim ?? null, dropout: c.dropout ?? 0, useBias: c.use_bias ?? true, outputShape: out ?? null,
      causal: Boolean(c.causal ?? false),
    };
  },
  TransformerEncoder: (c) => ({
    numHeads: c.num_heads, intermediateDim: c.intermediate_dim, dropout: c.dropout ?? 0, activation: activation(c.activation ?? 'relu'),
    layerNormEpsilon: c.layer_norm_epsilon ?? 1e-5, normalizeFirst: Boolean(c.normalize_first),
  }),
  TransformerDecoder: (c) => ({
    numHeads: c.num_heads, intermediateDim: c.intermediate_dim, dropout: c.dropout ?? 0, activation: activation(c.activation ?? 'relu'),
    layerNormEpsilon: c.layer_norm_epsilon ?? 1e-5, normalizeFirst: Boolean(c.normalize_first),
  }),
  PositionalEmbedding: (c) => ({ sequenceLength: c.sequence_length }),
  BatchNormalization: (c) => ({ momentum: c.momentum ?? 0.99, ...norm(c, true) }),
  LayerNormalization: (c) => norm(c, false),
  Add: () => ({}),
  Multiply: () => ({}),
  Concatenate: (c) => ({ axis: sampleAxis(Number(c.axis ?? -1)) }),
  Flatten: (c) => {
    channelsLast(c);
    return {};
  },
  Reshape: (c) => ({ targetShape: c.target_shape }),
  UpSampling2D: (c) => {
    channelsLast(c);
    return { size: size(c.size ?? 2), interpolation: c.interpolation ?? 'nearest' };
  },
  ZeroPadding2D: (c) => {
    channelsLast(c);
    return { padding: c.padding ?? 1 };
  },
};

function substitute(w: string[], what: string, rate: unknown, differs: string): DocLayer<'Dropout'> {
  const r = typeof rate === 'number' && rate >= 0 && rate < 1 ? rate : 0;
  w.push(`${what} became Dropout(rate=${r}): the same at inference (the identity); ${differs}`);
  return { type: 'Dropout', params: { rate: r } };
}

type Alias = (c: JsonObject, w: string[]) => DocLayer<'Activation'> | DocLayer<'Dropout'>;

/** Keras classes read as another layer type. */
const ALIASES: Record<string, Alias> = {
  ReLU: (c) => ({ type: 'Activation', params: { activation: reluOf(c) } }),
  Softmax: (c) => ({ type: 'Activation', params: { activation: ACTIVATION_LAYERS.Softmax!(c) } }),
  ELU: (c) => ({ type: 'Activation', params: { activation: ACTIVATION_LAYERS.ELU!(c) } }),
  // Regularisers that are the identity at inference: the nearest honest layer is Dropout (also the
  // identity at inference); only training differs, which the warning says.
  SpatialDropout1D: (c, w) => substitute(w, 'SpatialDropout1D', c.rate, 'drops single values instead of whole channels while training'),
  SpatialDropout2D: (c, w) => substitute(w, 'SpatialDropout2D', c.rate, 'drops single values instead of whole channels while training'),
  GaussianDropout: (c, w) => substitute(w, 'GaussianDropout', c.rate, 'drops values instead of multiplying by Gaussian noise while training'),
  AlphaDropout: (c, w) => substitute(w, 'AlphaDropout', c.rate, 'plain dropout while training (not SELU-preserving)'),
  GaussianNoise: (c, w) => substitute(w, `GaussianNoise(stddev=${String(c.stddev)})`, 0, 'no noise is added while training'),
};

const TYPE_OF_CLASS = new Map<string, LayerType>(LAYER_TYPES.map((type) => [KERAS_CLASS[type], type]));

const read = <T extends LayerType>(type: T, c: JsonObject, w: string[]): DocLayer<T> => ({ type, params: READERS[type](c, w) });

/** Map one layer; an unsupported class or setting gives `{ reason }`. */
export function analyzeLayerParams(className: string, config: unknown): Mapped {
  const type = TYPE_OF_CLASS.get(className);
  const alias = Object.prototype.hasOwnProperty.call(ALIASES, className) ? ALIASES[className] : undefined;
  if (!type && !alias) return { reason: `layer class "${className}" is not supported by Layerloom` };
  const warnings: string[] = [];
  try {
    const c = objectOf(config);
    const l = type ? read(type, c, warnings) : alias!(c, warnings);
    return { type: l.type, params: l.params, warnings };
  } catch (e) {
    if (e instanceof Unsupported) return { reason: e.message };
    return { reason: `unreadable config (${(e as Error).message})` };
  }
}

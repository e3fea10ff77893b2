/** Keras / TF.js layer configs (snake_case) → Layerloom layer types and params (TF.js camelCase). */
import { ACTIVATIONS, type ActivationName, type LayerType } from '../catalog';

export { ACTIVATIONS, type ActivationName };

type Json = Record<string, any>;
type Mapped = { type: LayerType; params: Record<string, unknown>; warnings: string[] } | { reason: string };

class Unsupported extends Error {}
const fail = (reason: string): never => {
  throw new Unsupported(reason);
};

const ACT_ALIASES: Record<string, ActivationName> = {
  hard_sigmoid: 'hardSigmoid', silu: 'swish', swish: 'swish', linear: 'linear',
};

function activation(v: unknown, what = 'activation'): ActivationName {
  if (v === null || v === undefined) return 'linear';
  let name = typeof v === 'string' ? v : (v as Json)?.config?.name ?? (v as Json)?.class_name;
  if (typeof name !== 'string') return fail(`${what} ${JSON.stringify(v)} is not a named activation`);
  name = name.replace(/^keras\.activations\./, '');
  const a = ACT_ALIASES[name] ?? (ACTIVATIONS as readonly string[]).find((x) => x === name || x.toLowerCase() === name.toLowerCase());
  return (a as ActivationName) ?? fail(`${what} "${name}" is not supported (known: ${ACTIVATIONS.join(', ')})`);
}

const size = (v: unknown) => (Array.isArray(v) ? v.map(Number) : Number(v));
const sampleAxis = (a: number) => (a > 0 ? a - 1 : a);

function channelsLast(c: Json) {
  if (c.data_format && c.data_format !== 'channels_last') fail(`data_format "${c.data_format}" (only channels_last is supported)`);
}

function padding(c: Json): string {
  const p = c.padding ?? 'valid';
  if (p !== 'valid' && p !== 'same') fail(`padding "${p}" is not supported (valid or same)`);
  return p;
}

function recurrent(c: Json, cell: string, warnings: string[]) {
  for (const k of ['return_state', 'go_backwards', 'stateful']) if (c[k]) fail(`${k}=true is not supported`);
  if (cell === 'GRU' && c.reset_after) fail('reset_after=true (Keras 3 default GRU) is not supported: Layerloom\'s GRU is TF.js\' reset_after=false');
  if (c.dropout || c.recurrent_dropout) warnings.push('dropout/recurrent_dropout inside the recurrent layer were dropped');
  return {
    units: c.units, activation: activation(c.activation ?? 'tanh'),
    ...(cell === 'SimpleRNN' ? {} : { recurrentActivation: activation(c.recurrent_activation ?? 'sigmoid', 'recurrent_activation') }),
    useBias: c.use_bias ?? true, returnSequences: Boolean(c.return_sequences),
  };
}

function conv(c: Json, rank: number, extra: Json = {}) {
  channelsLast(c);
  return {
    filters: c.filters, kernelSize: size(c.kernel_size), strides: size(c.strides ?? 1), padding: padding(c),
    ...(rank && c.dilation_rate !== undefined ? { dilationRate: size(c.dilation_rate) } : {}),
    activation: activation(c.activation), useBias: c.use_bias ?? true, ...extra,
  };
}

function pool(c: Json) {
  channelsLast(c);
  const poolSize = size(c.pool_size ?? 2);
  // Strides equal to the pool size are the default (null) in Layerloom.
  const strides = c.strides == null || JSON.stringify([c.strides].flat()) === JSON.stringify([poolSize].flat()) ? null : size(c.strides);
  return { poolSize, strides, padding: padding(c) };
}

function globalPool(c: Json) {
  channelsLast(c);
  if (c.keepdims) fail('keepdims=true is not supported');
  return {};
}

function norm(c: Json, batch: boolean) {
  const axis = Array.isArray(c.axis) ? c.axis : [c.axis ?? -1];
  if (axis.length !== 1 || (axis[0] !== -1 && batch && axis[0] !== 3 && axis[0] !== 1 && axis[0] !== 2)) fail(`axis ${JSON.stringify(c.axis)} (only the last axis is supported)`);
  return {
    ...(batch ? { momentum: c.momentum ?? 0.99 } : {}),
    epsilon: c.epsilon ?? 0.001, center: c.center ?? true, scale: c.scale ?? true,
  };
}

function substitute(w: string[], what: string, rate: unknown, differs: string): [LayerType, Record<string, unknown>] {
  const r = typeof rate === 'number' && rate >= 0 && rate < 1 ? rate : 0;
  w.push(`${what} became Dropout(rate=${r}): the same at inference (the identity); ${differs}`);
  return ['Dropout', { rate: r }];
}

const MAP: Record<string, (c: Json, w: string[]) => [LayerType, Record<string, unknown>]> = {
  InputLayer: (c) => {
    const shape = (c.batch_input_shape ?? c.batch_shape ?? (c.input_shape ? [null, ...c.input_shape] : null)) as (number | null)[] | null;
    if (!shape) fail('the input has no shape');
    const s = shape!.slice(1);
    if (s.some((d) => d === null)) fail(`variable-size dimensions ${JSON.stringify(s)} are not supported: give every dimension`);
    return ['Input', { shape: s, dtype: String(c.dtype ?? 'float32').startsWith('int') ? 'int32' : 'float32' }];
  },
  Dense: (c) => ['Dense', { units: c.units, activation: activation(c.activation), useBias: c.use_bias ?? true }],
  Activation: (c) => ['Activation', { activation: activation(c.activation) }],
  ReLU: (c) => {
    if (c.max_value != null || c.negative_slope || c.threshold) fail('ReLU with max_value/negative_slope/threshold is not supported');
    return ['Activation', { activation: 'relu' }];
  },
  Softmax: (c) => {
    if (c.axis != null && c.axis !== -1) fail('Softmax over an axis other than the last');
    return ['Activation', { activation: 'softmax' }];
  },
  Dropout: (c) => ['Dropout', { rate: c.rate }],
  // Regularisers that are the identity at inference: the nearest honest layer is Dropout (also the
  // identity at inference); only training differs, which the warning says.
  SpatialDropout1D: (c, w) => substitute(w, 'SpatialDropout1D', c.rate, 'drops single values instead of whole channels while training'),
  SpatialDropout2D: (c, w) => substitute(w, 'SpatialDropout2D', c.rate, 'drops single values instead of whole channels while training'),
  GaussianDropout: (c, w) => substitute(w, 'GaussianDropout', c.rate, 'drops values instead of multiplying by Gaussian noise while training'),
  AlphaDropout: (c, w) => substitute(w, 'AlphaDropout', c.rate, 'plain dropout while training (not SELU-preserving)'),
  GaussianNoise: (c, w) => substitute(w, `GaussianNoise(stddev=${c.stddev})`, 0, 'no noise is added while training'),
  Embedding: (c, w) => {
    if (c.mask_zero) w.push('mask_zero was dropped (Layerloom does not mask)');
    return ['Embedding', { inputDim: c.input_dim, outputDim: c.output_dim }];
  },
  Conv1D: (c) => ['Conv1D', conv(c, 1)],
  Conv2D: (c) => ['Conv2D', conv(c, 2)],
  Conv2DTranspose: (c) => {
    const p = conv(c, 0);
    if (c.output_padding != null) fail('output_padding is not supported');
    if (c.dilation_rate && [c.dilation_rate].flat().some((d: number) => d !== 1)) fail('dilation is not supported');
    return ['Conv2DTranspose', p];
  },
  DepthwiseConv2D: (c) => {
    const p: Json = conv(c, 0, { depthMultiplier: c.depth_multiplier ?? 1 });
    delete p.filters;
    return ['DepthwiseConv2D', p];
  },
  SeparableConv2D: (c) => ['SeparableConv2D', conv(c, 0, { depthMultiplier: c.depth_multiplier ?? 1 })],
  MaxPooling1D: (c) => ['MaxPooling1D', pool(c)],
  AveragePooling1D: (c) => ['AveragePooling1D', pool(c)],
  MaxPooling2D: (c) => ['MaxPooling2D', pool(c)],
  AveragePooling2D: (c) => ['AveragePooling2D', pool(c)],
  GlobalAveragePooling1D: (c) => ['GlobalAveragePooling1D', globalPool(c)],
  GlobalMaxPooling1D: (c) => ['GlobalMaxPooling1D', globalPool(c)],
  GlobalAveragePooling2D: (c) => ['GlobalAveragePooling2D', globalPool(c)],
  GlobalMaxPooling2D: (c) => ['GlobalMaxPooling2D', globalPool(c)],
  SimpleRNN: (c, w) => ['SimpleRNN', recurrent(c, 'SimpleRNN', w)],
  LSTM: (c, w) => ['LSTM', recurrent(c, 'LSTM', w)],
  GRU: (c, w) => ['GRU', recurrent(c, 'GRU', w)],
  Bidirectional: (c, w) => {
    const inner = c.layer ?? {};
    const cls = String(inner.class_name);
    if (!['LSTM', 'GRU', 'SimpleRNN'].includes(cls)) fail(`Bidirectional around ${cls} is not supported (LSTM, GRU or SimpleRNN)`);
    const r = recurrent(inner.config ?? {}, cls, w);
    if (r.activation !== 'tanh' || (('recurrentActivation' in r) && r.recurrentActivation !== 'sigmoid') || !r.useBias) {
      fail('Bidirectional supports the default activations (tanh, sigmoid) with biases only');
    }
    if (c.merge_mode == null) fail('merge_mode=None (two outputs) is not supported');
    return ['Bidirectional', { layer: cls, units: r.units, returnSequences: r.returnSequences, mergeMode: c.merge_mode ?? 'concat' }];
  },
  MultiHeadAttention: (c) => {
    const out = Array.isArray(c.output_shape) ? (c.output_shape.length === 1 ? c.output_shape[0] : fail('multi-dimensional output_shape')) : c.output_shape;
    if (c.attention_axes != null) fail('attention_axes is not supported');
    return ['MultiHeadAttention', {
      numHeads: c.num_heads, keyDim: c.key_dim, valueDim: c.value_dim ?? null, dropout: c.dropout ?? 0, useBias: c.use_bias ?? true, outputShape: out ?? null,
    }];
  },
  TransformerEncoder: (c) => ['TransformerEncoder', {
    numHeads: c.num_heads, intermediateDim: c.intermediate_dim, dropout: c.dropout ?? 0, activation: activation(c.activation ?? 'relu'),
    layerNormEpsilon: c.layer_norm_epsilon ?? 1e-5, normalizeFirst: Boolean(c.normalize_first),
  }],
  PositionalEmbedding: (c) => ['PositionalEmbedding', { sequenceLength: c.sequence_length }],
  BatchNormalization: (c) => ['BatchNormalization', norm(c, true)],
  LayerNormalization: (c) => ['LayerNormalization', norm(c, false)],
  Add: () => ['Add', {}],
  Multiply: () => ['Multiply', {}],
  Concatenate: (c) => ['Concatenate', { axis: sampleAxis(c.axis ?? -1) }],
  Flatten: (c) => {
    channelsLast(c);
    return ['Flatten', {}];
  },
  Reshape: (c) => ['Reshape', { targetShape: c.target_shape }],
  UpSampling2D: (c) => {
    channelsLast(c);
    return ['UpSampling2D', { size: size(c.size ?? 2), interpolation: c.interpolation ?? 'nearest' }];
  },
};

/** Map one layer; an unsupported class or setting gives `{ reason }`. */
export function analyzeLayerParams(className: string, config: Json): Mapped {
  const f = Object.prototype.hasOwnProperty.call(MAP, className) ? MAP[className] : undefined;
  if (!f) return { reason: `layer class "${className}" is not supported by Layerloom` };
  const warnings: string[] = [];
  try {
    const [type, params] = f(config ?? {}, warnings);
    return { type, params, warnings };
  } catch (e) {
    if (e instanceof Unsupported) return { reason: e.message };
    return { reason: `unreadable config (${(e as Error).message})` };
  }
}

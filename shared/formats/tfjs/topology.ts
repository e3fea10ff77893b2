/**
 * TF.js `model.json` topology (the Keras-format JSON `tf.loadLayersModel` reads) generated from a
 * document without TensorFlow.js: layer names and nesting as the engine's compiler makes them, so
 * that the engine's weights (`<layer>/<weight>`) load into it. Config keys are snake_case (the
 * loader converts them); settings left out take TF.js defaults.
 */
import type { LayerType } from '../../catalog';
import type { LoomDocument } from '../../document/schema';
import { KERAS_CLASS } from '../keras/classes';
import { planOf, type ExportPlan, type PlanNodeOf } from '../plan';

const VALID_NAME = /^[A-Za-z0-9][-A-Za-z0-9._]*$/;
/** The TF.js layer name of a node: its id, prefixed when TF.js would reject it (ids may start with `_`); the engine names its layers so. */
export const tfjsLayerName = (id: string) => (VALID_NAME.test(id) ? id : `n${id}`);

/** A layer's TF.js config (snake_case keys); its class is KERAS_CLASS of its type. */
type Cfg<T extends LayerType> = (n: PlanNodeOf<T>) => Record<string, unknown>;
/** A size as TF.js writes it: an int for 1-D layers, the tuple for 2-D ones. */
const sized = (v: readonly number[]) => (v.length === 1 ? v[0]! : v);

const conv = (n: PlanNodeOf<'Conv1D' | 'Conv2D' | 'Conv1DTranspose' | 'Conv2DTranspose' | 'DepthwiseConv2D' | 'SeparableConv2D'>) => ({
  kernel_size: sized(n.p.kernelSize), strides: sized(n.p.strides), padding: n.p.padding,
  ...('dilationRate' in n.p ? { dilation_rate: sized(n.p.dilationRate) } : {}),
  activation: n.p.activation, use_bias: n.p.useBias,
});
const pool: Cfg<'MaxPooling1D' | 'AveragePooling1D' | 'MaxPooling2D' | 'AveragePooling2D'> = (n) => ({
  pool_size: sized(n.p.poolSize), strides: sized(n.p.strides ?? n.p.poolSize), padding: n.p.padding,
});
const simple = () => ({});
const rnn: Cfg<'SimpleRNN' | 'LSTM' | 'GRU'> = (n) => ({
  units: n.p.units, activation: n.p.activation, use_bias: n.p.useBias, return_sequences: n.p.returnSequences,
  ...('recurrentActivation' in n.p ? { recurrent_activation: n.p.recurrentActivation } : {}),
  ...(n.type === 'GRU' ? { reset_after: false } : {}),
});

const CONFIG: { [T in LayerType]: Cfg<T> } = {
  Input: (n) => ({ batch_input_shape: [null, ...n.outShape], dtype: n.p.dtype, sparse: false }),
  Dense: (n) => ({ units: n.p.units, activation: n.p.activation, use_bias: n.p.useBias }),
  Activation: (n) => ({ activation: n.p.activation }),
  Dropout: (n) => ({ rate: n.p.rate }),
  Embedding: (n) => ({ input_dim: n.p.inputDim, output_dim: n.p.outputDim }),
  Conv1D: (n) => ({ filters: n.p.filters, ...conv(n) }),
  Conv2D: (n) => ({ filters: n.p.filters, ...conv(n) }),
  Conv1DTranspose: (n) => ({ filters: n.p.filters, ...conv(n) }),
  Conv2DTranspose: (n) => ({ filters: n.p.filters, ...conv(n) }),
  DepthwiseConv2D: (n) => ({ ...conv(n), depth_multiplier: n.p.depthMultiplier }),
  SeparableConv2D: (n) => ({ filters: n.p.filters, ...conv(n), depth_multiplier: n.p.depthMultiplier }),
  MaxPooling1D: pool,
  AveragePooling1D: pool,
  MaxPooling2D: pool,
  AveragePooling2D: pool,
  GlobalAveragePooling1D: simple,
  GlobalMaxPooling1D: simple,
  GlobalAveragePooling2D: simple,
  GlobalMaxPooling2D: simple,
  SimpleRNN: rnn,
  LSTM: rnn,
  GRU: rnn,
  Bidirectional: (n) => ({
    merge_mode: n.p.mergeMode,
    layer: {
      class_name: n.p.layer,
      config: {
        name: `${tfjsLayerName(n.id)}_${n.p.layer.toLowerCase()}`, units: n.p.units, return_sequences: n.p.returnSequences,
        ...(n.p.layer === 'SimpleRNN' ? {} : { recurrent_activation: 'sigmoid' }),
        ...(n.p.layer === 'GRU' ? { reset_after: false } : {}),
      },
    },
  }),
  MultiHeadAttention: (n) => ({
    num_heads: n.p.numHeads, key_dim: n.p.keyDim, value_dim: n.p.valueDim, dropout: n.p.dropout,
    use_bias: n.p.useBias, output_shape: n.p.outputShape, causal: n.p.causal,
  }),
  TransformerEncoder: (n) => ({
    num_heads: n.p.numHeads, intermediate_dim: n.p.intermediateDim, dropout: n.p.dropout, activation: n.p.activation,
    layer_norm_epsilon: n.p.layerNormEpsilon, normalize_first: n.p.normalizeFirst,
  }),
  TransformerDecoder: (n) => ({
    num_heads: n.p.numHeads, intermediate_dim: n.p.intermediateDim, dropout: n.p.dropout, activation: n.p.activation,
    layer_norm_epsilon: n.p.layerNormEpsilon, normalize_first: n.p.normalizeFirst,
  }),
  PositionalEmbedding: (n) => ({ sequence_length: n.p.sequenceLength }),
  BatchNormalization: (n) => ({ momentum: n.p.momentum, epsilon: n.p.epsilon, center: n.p.center, scale: n.p.scale }),
  LayerNormalization: (n) => ({ epsilon: n.p.epsilon, center: n.p.center, scale: n.p.scale }),
  Add: simple,
  Multiply: simple,
  Concatenate: (n) => ({ axis: n.p.axis < 0 ? n.p.axis : n.p.axis + 1 }),
  Flatten: simple,
  Reshape: (n) => ({ target_shape: n.outShape }),
  UpSampling2D: (n) => ({ size: n.p.size, interpolation: n.p.interpolation }),
  ZeroPadding2D: (n) => ({ padding: n.p.padding }),
};

const configOf = <T extends LayerType>(n: PlanNodeOf<T>) => CONFIG[n.type](n);

/** The `modelTopology` of model.json for a document (or its plan). */
export function generateTfjsTopology(doc: LoomDocument | ExportPlan): Record<string, unknown> {
  const plan = planOf(doc);
  const name = tfjsLayerName;
  const layers = plan.nodes.map((n) => ({
    name: name(n.id), class_name: KERAS_CLASS[n.type], config: { ...configOf(n), name: name(n.id), trainable: true },
    inbound_nodes: n.inputs.length ? [n.inputs.map((src) => [name(src), 0, 0, {}])] : [],
  }));
  const modelName = (plan.name.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[^A-Za-z0-9]+/, '')) || 'model';
  return {
    class_name: 'Model',
    config: {
      name: modelName, layers,
      input_layers: plan.inputs.map((id) => [name(id), 0, 0]),
      output_layers: plan.outputs.map((id) => [name(id), 0, 0]),
    },
    keras_version: 'tfjs-layers 4.22.0',
    backend: 'tensor_flow.js',
  };
}

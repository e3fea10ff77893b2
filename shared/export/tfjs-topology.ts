/**
 * TF.js `model.json` topology (the Keras-format JSON `tf.loadLayersModel` reads) generated from a
 * document without TensorFlow.js: layer names and nesting as the engine's compiler makes them, so
 * that the engine's weights (`<layer>/<weight>`) load into it. Config keys are snake_case (the
 * loader converts them); settings left out take TF.js defaults.
 */
import { lookup, type LayerType } from '../catalog';
import { makePlan, type PlanNode } from './plan';
import type { LoomDocument } from '../document/schema';

const VALID_NAME = /^[A-Za-z0-9][-A-Za-z0-9._]*$/;
/** The TF.js layer name of a node (as electron/engine/compile.ts names it). */
export const tfjsLayerName = (id: string) => (VALID_NAME.test(id) ? id : `n${id}`);

type Cfg = (n: PlanNode) => { class_name: string; config: Record<string, unknown> };
const first = (v: number[]) => v[0]!;

const conv = (n: PlanNode, rank: 1 | 2) => ({
  filters: n.p.filters, kernel_size: rank === 1 ? first(n.p.kernelSize) : n.p.kernelSize,
  strides: rank === 1 ? first(n.p.strides) : n.p.strides, padding: n.p.padding,
  ...(n.p.dilationRate ? { dilation_rate: rank === 1 ? first(n.p.dilationRate) : n.p.dilationRate } : {}),
  activation: n.p.activation, use_bias: n.p.useBias,
});
const pool = (cls: string, rank: 1 | 2): Cfg => (n) => ({
  class_name: cls,
  config: {
    pool_size: rank === 1 ? first(n.p.poolSize) : n.p.poolSize,
    strides: rank === 1 ? first(n.p.strides ?? n.p.poolSize) : n.p.strides ?? n.p.poolSize, padding: n.p.padding,
  },
});
const simple = (cls: string): Cfg => () => ({ class_name: cls, config: {} });
const rnn = (cls: string): Cfg => (n) => ({
  class_name: cls,
  config: {
    units: n.p.units, activation: n.p.activation, use_bias: n.p.useBias, return_sequences: n.p.returnSequences,
    ...(cls === 'SimpleRNN' ? {} : { recurrent_activation: n.p.recurrentActivation }),
    ...(cls === 'GRU' ? { reset_after: false } : {}),
  },
});

const CONFIG = {
  Input: (n) => ({ class_name: 'InputLayer', config: { batch_input_shape: [null, ...n.outShape], dtype: n.p.dtype, sparse: false } }),
  Dense: (n) => ({ class_name: 'Dense', config: { units: n.p.units, activation: n.p.activation, use_bias: n.p.useBias } }),
  Activation: (n) => ({ class_name: 'Activation', config: { activation: n.p.activation } }),
  Dropout: (n) => ({ class_name: 'Dropout', config: { rate: n.p.rate } }),
  Embedding: (n) => ({ class_name: 'Embedding', config: { input_dim: n.p.inputDim, output_dim: n.p.outputDim } }),
  Conv1D: (n) => ({ class_name: 'Conv1D', config: conv(n, 1) }),
  Conv2D: (n) => ({ class_name: 'Conv2D', config: conv(n, 2) }),
  Conv2DTranspose: (n) => ({ class_name: 'Conv2DTranspose', config: conv(n, 2) }),
  DepthwiseConv2D: (n) => {
    const { filters: _f, ...c } = conv(n, 2);
    return { class_name: 'DepthwiseConv2D', config: { ...c, depth_multiplier: n.p.depthMultiplier } };
  },
  SeparableConv2D: (n) => ({ class_name: 'SeparableConv2D', config: { ...conv(n, 2), depth_multiplier: n.p.depthMultiplier } }),
  MaxPooling1D: pool('MaxPooling1D', 1),
  AveragePooling1D: pool('AveragePooling1D', 1),
  MaxPooling2D: pool('MaxPooling2D', 2),
  AveragePooling2D: pool('AveragePooling2D', 2),
  GlobalAveragePooling1D: simple('GlobalAveragePooling1D'),
  GlobalMaxPooling1D: simple('GlobalMaxPooling1D'),
  GlobalAveragePooling2D: simple('GlobalAveragePooling2D'),
  GlobalMaxPooling2D: simple('GlobalMaxPooling2D'),
  SimpleRNN: rnn('SimpleRNN'),
  LSTM: rnn('LSTM'),
  GRU: rnn('GRU'),
  Bidirectional: (n) => ({
    class_name: 'Bidirectional',
    config: {
      merge_mode: n.p.mergeMode,
      layer: {
        class_name: n.p.layer,
        config: {
          name: `${tfjsLayerName(n.id)}_${String(n.p.layer).toLowerCase()}`, units: n.p.units, return_sequences: n.p.returnSequences,
          ...(n.p.layer === 'SimpleRNN' ? {} : { recurrent_activation: 'sigmoid' }),
          ...(n.p.layer === 'GRU' ? { reset_after: false } : {}),
        },
      },
    },
  }),
  MultiHeadAttention: (n) => ({
    class_name: 'MultiHeadAttention',
    config: {
      num_heads: n.p.numHeads, key_dim: n.p.keyDim, value_dim: n.p.valueDim, dropout: n.p.dropout,
      use_bias: n.p.useBias, output_shape: n.p.outputShape,
    },
  }),
  TransformerEncoder: (n) => ({
    class_name: 'TransformerEncoder',
    config: {
      num_heads: n.p.numHeads, intermediate_dim: n.p.intermediateDim, dropout: n.p.dropout, activation: n.p.activation,
      layer_norm_epsilon: n.p.layerNormEpsilon, normalize_first: n.p.normalizeFirst,
    },
  }),
  PositionalEmbedding: (n) => ({ class_name: 'PositionalEmbedding', config: { sequence_length: n.p.sequenceLength } }),
  BatchNormalization: (n) => ({ class_name: 'BatchNormalization', config: { momentum: n.p.momentum, epsilon: n.p.epsilon, center: n.p.center, scale: n.p.scale } }),
  LayerNormalization: (n) => ({ class_name: 'LayerNormalization', config: { epsilon: n.p.epsilon, center: n.p.center, scale: n.p.scale } }),
  Add: simple('Add'),
  Multiply: simple('Multiply'),
  Concatenate: (n) => ({ class_name: 'Concatenate', config: { axis: n.p.axis < 0 ? n.p.axis : n.p.axis + 1 } }),
  Flatten: simple('Flatten'),
  Reshape: (n) => ({ class_name: 'Reshape', config: { target_shape: n.outShape } }),
  UpSampling2D: (n) => ({ class_name: 'UpSampling2D', config: { size: n.p.size, interpolation: n.p.interpolation } }),
} satisfies Record<LayerType, Cfg>;

/** The `modelTopology` of model.json for a document. */
export function generateTfjsTopology(doc: LoomDocument): Record<string, unknown> {
  const plan = makePlan(doc);
  const name = tfjsLayerName;
  const layers = plan.nodes.map((n) => {
    const { class_name, config } = lookup(CONFIG, n.type, n.id)(n);
    return {
      name: name(n.id), class_name, config: { ...config, name: name(n.id), trainable: true },
      inbound_nodes: n.inputs.length ? [n.inputs.map((src) => [name(src), 0, 0, {}])] : [],
    };
  });
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

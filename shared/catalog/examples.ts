/**
 * Example configurations for every catalog entry: small enough to build and train in a test, varied
 * enough to cover the interesting params (strides, padding, returnSequences, ...). Used by the
 * catalog round-trip test (shape inference vs a real TF.js model), the engine's per-layer training
 * test and the exporters' parity tests.
 */
import type { LoomDocument } from '../document/schema';
import type { DocParams, LayerType, Shape } from './index';

/** An example of layer type T; without T, of any type (params as plain data). */
export interface LayerExample<T extends LayerType = never> {
  /** Input shapes (one Input node per entry), batch excluded. */
  inputs: Shape[];
  params: [T] extends [never] ? Readonly<Record<string, unknown>> : DocParams<T>;
  /** int32 inputs hold token ids in [0, vocab). */
  intInputs?: { vocab: number };
}

const img: Shape = [8, 8, 3];
const seq: Shape = [6, 4];

export const LAYER_EXAMPLES: { readonly [T in LayerType]: readonly LayerExample<T>[] } = {
  Input: [{ inputs: [], params: { shape: [5] } }],
  Dense: [
    { inputs: [[7]], params: { units: 3, activation: 'relu' } },
    { inputs: [seq], params: { units: 5, useBias: false } },
  ],
  Activation: [
    { inputs: [[6]], params: { activation: 'softmax' } },
    { inputs: [[6]], params: { activation: 'gelu' } },
    { inputs: [[6]], params: { activation: 'hardSigmoid' } },
  ],
  Dropout: [{ inputs: [[6]], params: { rate: 0.3 } }],
  Embedding: [{ inputs: [[5]], params: { inputDim: 11, outputDim: 4 }, intInputs: { vocab: 11 } }],
  Conv1D: [
    { inputs: [seq], params: { filters: 3, kernelSize: 3, activation: 'relu' } },
    { inputs: [[9, 2]], params: { filters: 2, kernelSize: 2, strides: 2, padding: 'same' } },
    { inputs: [seq], params: { filters: 2, kernelSize: 3, dilationRate: 2, padding: 'same' } },
  ],
  Conv2D: [
    { inputs: [img], params: { filters: 4, kernelSize: 3 } },
    { inputs: [img], params: { filters: 2, kernelSize: [3, 2], strides: 2, padding: 'same', activation: 'relu' } },
    { inputs: [[9, 9, 2]], params: { filters: 3, kernelSize: 5, strides: [2, 3], useBias: false } },
    { inputs: [img], params: { filters: 2, kernelSize: 3, dilationRate: 2, padding: 'same' } },
  ],
  Conv1DTranspose: [
    { inputs: [[5, 3]], params: { filters: 2, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' } },
    { inputs: [[4, 2]], params: { filters: 3, kernelSize: 2, strides: 3, useBias: false } },
    { inputs: [[6, 2]], params: { filters: 2, kernelSize: 4, strides: 1 } },
  ],
  Conv2DTranspose: [
    { inputs: [[4, 4, 3]], params: { filters: 2, kernelSize: 3, strides: 2, padding: 'same' } },
    { inputs: [[4, 5, 2]], params: { filters: 3, kernelSize: 2, strides: 1 } },
  ],
  DepthwiseConv2D: [{ inputs: [img], params: { kernelSize: 3, depthMultiplier: 2, padding: 'same' } }],
  SeparableConv2D: [{ inputs: [img], params: { filters: 5, kernelSize: 3, strides: 2 } }],
  MaxPooling1D: [{ inputs: [seq], params: { poolSize: 2 } }],
  AveragePooling1D: [{ inputs: [[7, 3]], params: { poolSize: 3, strides: 2, padding: 'same' } }],
  MaxPooling2D: [
    { inputs: [img], params: { poolSize: 2 } },
    { inputs: [[7, 7, 2]], params: { poolSize: 3, strides: 2, padding: 'same' } },
  ],
  AveragePooling2D: [{ inputs: [img], params: { poolSize: [2, 3] } }],
  GlobalAveragePooling1D: [{ inputs: [seq], params: {} }],
  GlobalMaxPooling1D: [{ inputs: [seq], params: {} }],
  GlobalAveragePooling2D: [{ inputs: [img], params: {} }],
  GlobalMaxPooling2D: [{ inputs: [img], params: {} }],
  SimpleRNN: [
    { inputs: [seq], params: { units: 5 } },
    { inputs: [seq], params: { units: 3, returnSequences: true } },
  ],
  LSTM: [
    { inputs: [seq], params: { units: 5 } },
    { inputs: [seq], params: { units: 3, returnSequences: true } },
  ],
  GRU: [
    { inputs: [seq], params: { units: 5 } },
    { inputs: [seq], params: { units: 3, returnSequences: true } },
  ],
  Bidirectional: [
    { inputs: [seq], params: { layer: 'LSTM', units: 3 } },
    { inputs: [seq], params: { layer: 'GRU', units: 2, returnSequences: true, mergeMode: 'sum' } },
  ],
  MultiHeadAttention: [
    { inputs: [seq], params: { numHeads: 2, keyDim: 3 } },
    { inputs: [seq, [5, 6]], params: { numHeads: 2, keyDim: 2, valueDim: 3, outputShape: 7 } },
    { inputs: [seq], params: { numHeads: 2, keyDim: 3, causal: true } },
  ],
  TransformerEncoder: [{ inputs: [[6, 8]], params: { numHeads: 2, intermediateDim: 16, dropout: 0 } }],
  TransformerDecoder: [
    { inputs: [[6, 8]], params: { numHeads: 2, intermediateDim: 16 } },
    { inputs: [[6, 8], [5, 4]], params: { numHeads: 4, intermediateDim: 12, normalizeFirst: true, activation: 'gelu' } },
  ],
  PositionalEmbedding: [{ inputs: [seq], params: { sequenceLength: 10 } }],
  BatchNormalization: [
    { inputs: [img], params: {} },
    { inputs: [[6]], params: { momentum: 0.9, epsilon: 1e-5, center: false } },
  ],
  LayerNormalization: [{ inputs: [seq], params: { epsilon: 1e-6 } }],
  Add: [{ inputs: [seq, seq], params: {} }, { inputs: [[4], [4], [4]], params: {} }],
  Multiply: [{ inputs: [[5], [5]], params: {} }],
  Concatenate: [
    { inputs: [[4, 4, 2], [4, 4, 3]], params: {} },
    { inputs: [[2, 3], [5, 3]], params: { axis: 0 } },
  ],
  Flatten: [{ inputs: [img], params: {} }],
  Reshape: [{ inputs: [img], params: { targetShape: [16, -1] } }],
  UpSampling2D: [{ inputs: [[3, 4, 2]], params: { size: [2, 3] } }],
  ZeroPadding2D: [
    { inputs: [[3, 4, 2]], params: {} },
    { inputs: [[3, 4, 2]], params: { padding: [2, 1] } },
    { inputs: [[4, 3, 1]], params: { padding: [[1, 2], [0, 3]] } },
  ],
};

/** A one-layer model document for an example: Input node(s) `in0`, `in1`, … feeding node `layer`. */
export function exampleDocument<T extends LayerType>(type: T, ex: LayerExample<T> | LayerExample): LoomDocument {
  if (type === 'Input') {
    return { format: 'layerloom.model', version: 1, name: 'Input example', nodes: [{ id: 'layer', type: 'Input', params: ex.params }], edges: [] };
  }
  const inputs = ex.inputs.map((shape, i) => ({
    id: `in${i}`, type: 'Input', params: ex.intInputs ? { shape, dtype: 'int32' } : { shape },
  }));
  return {
    format: 'layerloom.model', version: 1, name: `${type} example`,
    nodes: [...inputs, { id: 'layer', type, params: ex.params }],
    edges: inputs.map((n) => ({ from: n.id, to: 'layer' })),
  };
}

/** Tests only: documents and engine answers that several renderer tests share. */
import type { LoomDocument } from '../shared/document';

/** The iris MLP: 4 features → 3 softmax classes, with its training settings and no dataset chosen. */
export const irisMlp: LoomDocument = {
  format: 'layerloom.model', version: 1, name: 'iris-mlp',
  nodes: [
    { id: 'x', type: 'Input', params: { shape: [4] } },
    { id: 'out', type: 'Dense', params: { units: 3, activation: 'softmax' } },
  ],
  edges: [{ from: 'x', to: 'out' }],
  layout: {},
  training: { optimizer: 'adam', learningRate: 0.01, momentum: 0, nesterov: false, loss: 'categoricalCrossentropy', metrics: ['accuracy'], batchSize: 8, epochs: 2, validationSplit: 0.2, shuffle: true },
};

/** The iris MLP on the built-in iris data. */
export const irisMlpOnIris: LoomDocument = { ...irisMlp, dataset: { source: 'builtin', name: 'iris' } };

/** engine.backend's answer on a machine without tfjs-node. */
export const wasmBackend = { name: 'wasm' as const, native: false, reason: 'native TensorFlow (@tensorflow/tfjs-node) is not installed' };

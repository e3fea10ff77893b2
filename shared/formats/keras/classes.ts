/**
 * Keras layer classes: the class each layer type is written as (Keras model.py, TF.js model.json,
 * the Keras 3 weights layout) and read back from (import), and the order Keras 3 lists a
 * functional model's layers in.
 */
import type { LayerType } from '../../catalog';
import type { ExportPlan } from '../plan';

/** The Keras (and TF.js) class of each layer type; only Input differs (InputLayer). */
export const KERAS_CLASS: { readonly [T in LayerType]: string } = {
  Input: 'InputLayer', Dense: 'Dense', Activation: 'Activation', Dropout: 'Dropout', Embedding: 'Embedding',
  Conv1D: 'Conv1D', Conv2D: 'Conv2D', Conv1DTranspose: 'Conv1DTranspose', Conv2DTranspose: 'Conv2DTranspose', DepthwiseConv2D: 'DepthwiseConv2D',
  SeparableConv2D: 'SeparableConv2D', MaxPooling1D: 'MaxPooling1D', AveragePooling1D: 'AveragePooling1D',
  MaxPooling2D: 'MaxPooling2D', AveragePooling2D: 'AveragePooling2D', GlobalAveragePooling1D: 'GlobalAveragePooling1D',
  GlobalMaxPooling1D: 'GlobalMaxPooling1D', GlobalAveragePooling2D: 'GlobalAveragePooling2D', GlobalMaxPooling2D: 'GlobalMaxPooling2D',
  SimpleRNN: 'SimpleRNN', LSTM: 'LSTM', GRU: 'GRU', Bidirectional: 'Bidirectional', MultiHeadAttention: 'MultiHeadAttention',
  TransformerEncoder: 'TransformerEncoder', TransformerDecoder: 'TransformerDecoder', PositionalEmbedding: 'PositionalEmbedding', BatchNormalization: 'BatchNormalization',
  LayerNormalization: 'LayerNormalization', Add: 'Add', Multiply: 'Multiply', Concatenate: 'Concatenate', Flatten: 'Flatten',
  Reshape: 'Reshape', UpSampling2D: 'UpSampling2D', ZeroPadding2D: 'ZeroPadding2D',
};

/** Keras' `naming.to_snake_case`. */
export function toSnakeCase(name: string): string {
  return name.replace(/\W+/g, '').replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

/**
 * Node ids in the order Keras 3's Functional lists its layers (inputs included): by depth from the
 * outputs (deepest first), ties by first visit in a depth-first walk from the outputs.
 */
export function kerasLayerOrder(plan: ExportPlan): string[] {
  const index = new Map<string, number>();
  const post: string[] = [];
  const done = new Set<string>();
  const visit = (id: string) => {
    if (done.has(id)) return;
    if (!index.has(id)) index.set(id, index.size);
    for (const src of plan.byId.get(id)!.inputs) visit(src);
    done.add(id);
    post.push(id);
  };
  plan.outputs.forEach(visit);
  const depth = new Map<string, number>();
  for (const id of [...post].reverse()) {
    const d = depth.get(id) ?? 0;
    depth.set(id, d);
    for (const src of plan.byId.get(id)!.inputs) depth.set(src, Math.max(d + 1, depth.get(src) ?? 0));
  }
  for (const id of plan.inputs) {
    if (!depth.has(id)) {
      depth.set(id, 0);
      index.set(id, -1);
    }
  }
  return [...depth.keys()].sort((a, b) => depth.get(b)! - depth.get(a)! || index.get(a)! - index.get(b)!);
}


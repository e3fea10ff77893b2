/**
 * The layer catalog: every layer type Layerloom knows, declared once.
 * Adding a layer type = one entry here (in its category file) + its engine builder + its exporters;
 * the palette and inspector pick it up from this table.
 */
import * as core from './layers/core';
import * as convolution from './layers/convolution';
import * as pooling from './layers/pooling';
import * as recurrent from './layers/recurrent';
import * as attention from './layers/attention';
import * as normalization from './layers/normalization';
import * as merge from './layers/merge';
import * as reshape from './layers/reshape';
import type { LayerDef } from './types';

export * from './types';
export { resolveParams, type ParamIssue } from './resolve';

/** Every layer type name, in palette order. */
export const LAYER_TYPES = [
  'Input', 'Dense', 'Activation', 'Dropout', 'Embedding',
  'Conv1D', 'Conv2D', 'Conv2DTranspose', 'DepthwiseConv2D', 'SeparableConv2D',
  'MaxPooling1D', 'AveragePooling1D', 'MaxPooling2D', 'AveragePooling2D',
  'GlobalAveragePooling1D', 'GlobalMaxPooling1D', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D',
  'SimpleRNN', 'LSTM', 'GRU', 'Bidirectional',
  'MultiHeadAttention', 'TransformerEncoder', 'PositionalEmbedding',
  'BatchNormalization', 'LayerNormalization',
  'Add', 'Multiply', 'Concatenate',
  'Flatten', 'Reshape', 'UpSampling2D',
] as const;

/** A layer type name known to the catalog. */
export type LayerType = (typeof LAYER_TYPES)[number];

/** The catalog itself. Exhaustive: a missing or extra entry is a type error. */
export const CATALOG: Readonly<Record<LayerType, LayerDef>> = {
  ...core, ...convolution, ...pooling, ...recurrent, ...attention, ...normalization, ...merge, ...reshape,
} satisfies Record<LayerType, LayerDef>;

/** Thrown by builders and exporters for a type the catalog does not know. */
export class UnknownLayerTypeError extends Error {
  constructor(readonly layerType: string, readonly nodeId?: string) {
    super(`Unknown layer type "${layerType}"${nodeId ? ` (node "${nodeId}")` : ''}: this version of Layerloom knows ${LAYER_TYPES.length} types, e.g. Dense, Conv2D, LSTM`);
    this.name = 'UnknownLayerTypeError';
  }
}

export function isLayerType(type: string): type is LayerType {
  return Object.prototype.hasOwnProperty.call(CATALOG, type);
}

/** The catalog entry for a type, or throws UnknownLayerTypeError. */
export function getLayerDef(type: string, nodeId?: string): LayerDef {
  if (!isLayerType(type)) throw new UnknownLayerTypeError(type, nodeId);
  return CATALOG[type];
}

/**
 * Look up a per-type implementation in an exhaustive map (builders, exporters), with a named error
 * for unknown types. Use with `satisfies Record<LayerType, T>` at the map's definition.
 */
export function lookup<T>(map: Record<LayerType, T>, type: string, nodeId?: string): T {
  if (!isLayerType(type)) throw new UnknownLayerTypeError(type, nodeId);
  return map[type];
}

/**
 * The layer catalog: every layer type Layerloom knows, declared once. The types of everything
 * per layer elsewhere derive from it: `ParamsOf<T>` (resolved params), `WeightNameOf<T>`, and the
 * per-layer maps typed `{ [T in LayerType]: … }` (engine builders, exporters, importer), so that
 * adding a type here makes the compiler name every map that lacks it (docs/DESIGN.md, "Add a
 * layer type").
 */
import { Activation, Dense, Dropout, Embedding, Input } from './layers/core';
import { Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D } from './layers/convolution';
import {
  AveragePooling1D, AveragePooling2D, GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D, GlobalMaxPooling2D,
  MaxPooling1D, MaxPooling2D,
} from './layers/pooling';
import { Bidirectional, GRU, LSTM, SimpleRNN } from './layers/recurrent';
import { MultiHeadAttention, PositionalEmbedding, TransformerDecoder, TransformerEncoder } from './layers/attention';
import { BatchNormalization, LayerNormalization } from './layers/normalization';
import { Add, Concatenate, Multiply } from './layers/merge';
import { Flatten, Reshape, UpSampling2D, ZeroPadding2D } from './layers/reshape';
import { resolveParams, type ParamIssue } from './resolve';
import type { LayerDef, ParamsFrom, Shape, WeightSpec } from './types';

export * from './types';
export { resolveParams, type ParamIssue } from './resolve';
export type { Pads2D, SizeTuple } from './params';

/** Every layer type name, in palette order. */
export const LAYER_TYPES = [
  'Input', 'Dense', 'Activation', 'Dropout', 'Embedding',
  'Conv1D', 'Conv2D', 'Conv1DTranspose', 'Conv2DTranspose', 'DepthwiseConv2D', 'SeparableConv2D',
  'MaxPooling1D', 'AveragePooling1D', 'MaxPooling2D', 'AveragePooling2D',
  'GlobalAveragePooling1D', 'GlobalMaxPooling1D', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D',
  'SimpleRNN', 'LSTM', 'GRU', 'Bidirectional',
  'MultiHeadAttention', 'TransformerEncoder', 'TransformerDecoder', 'PositionalEmbedding',
  'BatchNormalization', 'LayerNormalization',
  'Add', 'Multiply', 'Concatenate',
  'Flatten', 'Reshape', 'UpSampling2D', 'ZeroPadding2D',
] as const;

/** A layer type name known to the catalog. */
export type LayerType = (typeof LAYER_TYPES)[number];

/** The entries, each under its own name (listed, not spread, so that a missing or extra one is a type error). */
const DEFS = {
  Input, Dense, Activation, Dropout, Embedding,
  Conv1D, Conv2D, Conv1DTranspose, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D,
  MaxPooling1D, AveragePooling1D, MaxPooling2D, AveragePooling2D,
  GlobalAveragePooling1D, GlobalMaxPooling1D, GlobalAveragePooling2D, GlobalMaxPooling2D,
  SimpleRNN, LSTM, GRU, Bidirectional,
  MultiHeadAttention, TransformerEncoder, TransformerDecoder, PositionalEmbedding,
  BatchNormalization, LayerNormalization,
  Add, Multiply, Concatenate,
  Flatten, Reshape, UpSampling2D, ZeroPadding2D,
} satisfies { [T in LayerType]: LayerDef<T> };

type Defs = typeof DEFS;
/** The declared param list of a layer type. */
export type ParamSpecsOf<T extends LayerType> = Defs[T]['params'];
/** The resolved params of a layer type (sizes as int tuples, enums as literal unions, nullable as `| null`). */
export type ParamsOf<T extends LayerType> = ParamsFrom<ParamSpecsOf<T>>;
/** The names of a layer type's weights (`'kernel' | 'bias'` for Dense). */
export type WeightNameOf<T extends LayerType> = ReturnType<Defs[T]['weights']>[number]['name'];
/** The catalog entry of a layer type, with its declared types. */
export type LayerDefOf<T extends LayerType> = LayerDef<T, ParamSpecsOf<T>, WeightNameOf<T>>;

/** The catalog itself. Exhaustive: a missing or extra entry is a type error. */
export const CATALOG: { readonly [T in LayerType]: LayerDefOf<T> } = DEFS;

/** Params as a document holds them for a type: the declared names only, any value (the analysis validates them). */
export type DocParams<T extends LayerType> = { [K in keyof ParamsOf<T>]?: unknown };

/** A layer type with its resolved params, typed together. */
export interface LayerOf<T extends LayerType> {
  type: T;
  p: ParamsOf<T>;
}
/** Any layer with its params (`type` narrows to one layer with `isLayer`). */
export type AnyLayer = LayerOf<LayerType>;

/** Narrow a layer (or an export plan node) to one type, params included. */
export function isLayer<T extends LayerType, L extends AnyLayer>(l: L, type: T): l is L & LayerOf<T> {
  return l.type === type;
}

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

/** Look up an entry of a per-type map by a type name read from data, with a named error for unknown types. */
export function lookup<M extends { readonly [T in LayerType]: unknown }>(map: M, type: string, nodeId?: string): M[LayerType] {
  if (!isLayerType(type)) throw new UnknownLayerTypeError(type, nodeId);
  return map[type];
}

/** Validate a node's raw params against its type's entry: typed params (defaults where invalid) and the issues. */
export function resolveLayer<T extends LayerType>(type: T, raw: Record<string, unknown>): { layer: LayerOf<T>; issues: ParamIssue[] } {
  const { params, issues } = resolveParams(CATALOG[type], raw);
  return { layer: { type, p: params }, issues };
}

/** The weights a layer holds for its input shapes, in TF.js order. */
export function weightSpecs<T extends LayerType>(l: LayerOf<T>, inputs: Shape[]): readonly WeightSpec<WeightNameOf<T>>[] {
  return CATALOG[l.type].weights({ inputs, p: l.p });
}

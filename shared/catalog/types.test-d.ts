/**
 * Type-level tests, checked by `tsc -p .` (vitest does not run `*.test-d.ts`). Each line after a
 * `@ts-expect-error` must fail to compile; if it ever compiles (the check it stands for is gone),
 * tsc reports the unused directive and the typecheck fails.
 */
import { CATALOG, type LayerDef, type LayerType, type ParamsOf, type WeightNameOf } from './index';
import { KERAS_CLASS } from '../formats/keras/classes';
import type { LayerExample } from './examples';

// (a) Params are typed by their declarations: a misspelt read fails, values have their resolved types.
declare const depthwise: ParamsOf<'DepthwiseConv2D'>;
declare const attention: ParamsOf<'MultiHeadAttention'>;
declare const conv2d: ParamsOf<'Conv2D'>;
export const multiplier: number = depthwise.depthMultiplier;
// @ts-expect-error misspelt param
export const misspelt = depthwise.depthMultipler;
export const kernel: [number, number] = depthwise.kernelSize;
// @ts-expect-error a 2-D size is a pair, not a 1-tuple
export const kernel1: [number] = depthwise.kernelSize;
// @ts-expect-error enums are literal unions
export const causal: ParamsOf<'Conv1D'>['padding'] = 'causal';
// @ts-expect-error nullable params include null: not a plain number
export const valueDim: number = attention.valueDim;
// @ts-expect-error a param of another layer
export const units = conv2d.units;

// Weights are named by their declarations too.
export const bias: WeightNameOf<'SeparableConv2D'> = 'pointwise_kernel';
// @ts-expect-error misspelt weight
export const kernal: WeightNameOf<'Dense'> = 'kernal';
// @ts-expect-error layers without weights name none
export const noWeight: WeightNameOf<'Flatten'> = 'kernel';

// (b) A per-layer map lacking a layer type fails (every map is typed `{ [T in LayerType]: … }`).
const { Reshape: _reshape, ...lackingReshape } = KERAS_CLASS;
// @ts-expect-error Reshape is missing
export const lacking: typeof KERAS_CLASS = lackingReshape;
const { UpSampling2D: _up, ...lackingUp } = CATALOG;
// @ts-expect-error the catalog lacks UpSampling2D
export const lackingCatalog = lackingUp satisfies { [T in LayerType]: LayerDef<T> };

// (c) An extra entry fails, in a map and in the catalog.
// @ts-expect-error Dense2 is not a layer type
export const extra: typeof KERAS_CLASS = { ...KERAS_CLASS, Dense2: 'Dense' };
// @ts-expect-error the catalog has no Dense2
export const extraCatalog = { ...CATALOG, Dense2: CATALOG.Dense } satisfies { [T in LayerType]: LayerDef<T> };

// A map whose entries receive each type's params: an entry reading another type's param fails.
type Reader<T extends LayerType> = (p: ParamsOf<T>) => unknown;
export const readers: Pick<{ [T in LayerType]: Reader<T> }, 'Dense' | 'Conv2D'> = {
  Dense: (p) => p.units,
  // @ts-expect-error Conv2D has filters, not units
  Conv2D: (p) => p.units,
};

// The examples every parity suite runs are typed per layer too: a misspelt example param fails.
// @ts-expect-error Dense has units, not unit
export const example: LayerExample<'Dense'> = { inputs: [[3]], params: { unit: 3 } };

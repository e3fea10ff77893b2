/**
 * Terse constructors for param declarations, so catalog entries read like a table. Each returns a
 * `ParamSpec<name, value type>`: the name as a literal and the type the value resolves to, from
 * which `ParamsOf<T>` is derived.
 */
import { ACTIVATIONS, type ActivationName, type ParamSpec } from './types';

type Opts = Partial<Pick<ParamSpec, 'min' | 'max' | 'exclusiveMax' | 'allowInfer' | 'key'>>;
/** A size of `R` spatial dims, resolved to a tuple of `R` ints. */
export type SizeTuple<R extends 1 | 2> = R extends 1 ? [number] : [number, number];
/** 2-D padding resolved to [[top, bottom], [left, right]]. */
export type Pads2D = [[number, number], [number, number]];

const spec = <N extends string, V>(s: ParamSpec<N, V>): ParamSpec<N, V> => s;

export const int = <const N extends string>(name: N, def: number, doc: string, o: Opts = {}) =>
  spec<N, number>({ name, type: 'int', default: def, doc, ...o });
/** An int that may be left empty (`null`): derived from the input, as the doc says. */
export const optionalInt = <const N extends string>(name: N, doc: string, o: Opts = {}) =>
  spec<N, number | null>({ name, type: 'int', default: null, nullable: true, doc, ...o });
export const float = <const N extends string>(name: N, def: number, doc: string, o: Opts = {}) =>
  spec<N, number>({ name, type: 'float', default: def, doc, ...o });
export const bool = <const N extends string>(name: N, def: boolean, doc: string, o: Opts = {}) =>
  spec<N, boolean>({ name, type: 'bool', default: def, doc, ...o });
export const oneOf = <const N extends string, const E extends readonly string[]>(name: N, values: E, def: E[number], doc: string, o: Opts = {}) =>
  spec<N, E[number]>({ name, type: 'enum', enum: values, default: def, doc, ...o });
export const size = <const N extends string, R extends 1 | 2>(name: N, rank: R, def: number | number[], doc: string, o: Opts = {}) =>
  spec<N, SizeTuple<R>>({ name, type: 'size', rank, default: def, min: 1, doc, ...o });
/** A size that may be left empty (`null`), e.g. pooling strides defaulting to the pool size. */
export const optionalSize = <const N extends string, R extends 1 | 2>(name: N, rank: R, doc: string, o: Opts = {}) =>
  spec<N, SizeTuple<R> | null>({ name, type: 'size', rank, default: null, nullable: true, min: 1, doc, ...o });
export const shape = <const N extends string>(name: N, def: number[], doc: string, o: Opts = {}) =>
  spec<N, number[]>({ name, type: 'shape', default: def, doc, ...o });
export const pads2d = <const N extends string>(name: N, def: number, doc: string, o: Opts = {}) =>
  spec<N, Pads2D>({ name, type: 'pads', rank: 2, default: def, min: 0, doc, ...o });

export const activation = (def: ActivationName = 'linear', key = true) =>
  oneOf('activation', ACTIVATIONS, def, 'Applied to the output; "linear" means none.', { key });
export const recurrentActivation = oneOf('recurrentActivation', ACTIVATIONS, 'sigmoid', 'Activation of the gates.');
export const useBias = bool('useBias', true, 'Learn an additive bias.');
export const padding = oneOf('padding', ['valid', 'same'], 'valid',
  '"valid": no padding, the output shrinks; "same": zero-pad so that stride 1 keeps the size.', { key: true });
export const units = (def: number, doc = 'Number of output features.') => int('units', def, doc, { min: 1, key: true });
export const rate = <const N extends string>(name: N, def: number, doc: string) => float(name, def, doc, { min: 0, max: 1, exclusiveMax: true });

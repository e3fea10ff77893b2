/** Terse constructors for param declarations, so catalog entries read like a table. */
import { ACTIVATIONS, type ParamSpec } from './types';

type Opts = Partial<Omit<ParamSpec, 'name' | 'type' | 'default' | 'doc'>>;

export const int = (name: string, def: number | null, doc: string, o: Opts = {}): ParamSpec =>
  ({ name, type: 'int', default: def, doc, ...o });
export const float = (name: string, def: number, doc: string, o: Opts = {}): ParamSpec =>
  ({ name, type: 'float', default: def, doc, ...o });
export const bool = (name: string, def: boolean, doc: string, o: Opts = {}): ParamSpec =>
  ({ name, type: 'bool', default: def, doc, ...o });
export const oneOf = (name: string, values: readonly string[], def: string, doc: string, o: Opts = {}): ParamSpec =>
  ({ name, type: 'enum', enum: values, default: def, doc, ...o });
export const size = (name: string, rank: number, def: number | number[] | null, doc: string, o: Opts = {}): ParamSpec =>
  ({ name, type: 'size', rank, default: def, min: 1, doc, ...o });
export const shape = (name: string, def: number[], doc: string, o: Opts = {}): ParamSpec =>
  ({ name, type: 'shape', default: def, doc, ...o });

export const activation = (def = 'linear', key = true): ParamSpec =>
  oneOf('activation', ACTIVATIONS, def, 'Applied to the output; "linear" means none.', { key });
export const useBias = bool('useBias', true, 'Learn an additive bias.');
export const padding = oneOf('padding', ['valid', 'same'], 'valid',
  '"valid": no padding, the output shrinks; "same": zero-pad so that stride 1 keeps the size.', { key: true });
export const units = (def: number, doc = 'Number of output features.') => int('units', def, doc, { min: 1, key: true });
export const rate = (name: string, def: number, doc: string) => float(name, def, doc, { min: 0, max: 1, exclusiveMax: true });

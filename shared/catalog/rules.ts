/** Small helpers shared by the shape rules of the catalog entries. */
import { ShapeError, type Shape } from './types';

export const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;
export const product = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** The single input of a one-input layer. */
export function one(inputs: Shape[]): Shape {
  return inputs[0]!;
}

/**
 * Require a per-sample rank; the message says what the layer expects and what fix applies.
 * @param what e.g. "a 3-D input per sample [height, width, channels]"
 */
export function requireRank(type: string, s: Shape, rank: number, what: string): void {
  if (s.length === rank) return;
  let hint = '';
  if (rank === 1 && s.length > 1) {
    throw new ShapeError(`${type} expects a 1-D input per sample but gets ${fmt(s)}: insert Flatten`, {
      kind: 'insertBefore', layerType: 'Flatten', label: 'Insert Flatten',
    });
  }
  if (rank === 3 && s.length === 1) hint = ': reshape it to [height, width, channels] first (insert Reshape)';
  if (rank === 2 && s.length === 1) hint = ': sequence layers need [timesteps, features] (insert Reshape, or an Embedding for token ids)';
  if (rank === 2 && s.length === 3) hint = ': for images use the 2-D variant, or Reshape to [timesteps, features]';
  throw new ShapeError(`${type} expects ${what} but gets ${fmt(s)}${hint}`);
}

/** Output length of a convolution or pooling window along one axis (TF.js `convOutputLength`). */
export function convLength(input: number, kernel: number, stride: number, padding: string, dilation = 1): number {
  const k = (kernel - 1) * dilation + 1;
  if (padding === 'same') return Math.ceil(input / stride);
  return Math.floor((input - k) / stride) + 1;
}

/** Output length of a transposed convolution along one axis (TF.js `deconvLength`). */
export function deconvLength(input: number, kernel: number, stride: number, padding: string): number {
  if (padding === 'same') return input * stride;
  return input * stride + Math.max(kernel - stride, 0);
}

/** Spatial output of a sliding window, with a clear error when the window does not fit. */
export function windowed(
  type: string, spatial: readonly number[], kernel: readonly number[], strides: readonly number[],
  padding: string, dilation: readonly number[] | undefined, what: 'kernel' | 'pool',
): number[] {
  const out = spatial.map((d, i) => convLength(d, kernel[i]!, strides[i]!, padding, dilation?.[i] ?? 1));
  if (out.some((d) => d < 1)) {
    const param = what === 'kernel' ? 'kernelSize' : 'poolSize';
    throw new ShapeError(
      `${type}: the ${what} ${fmt(kernel)} does not fit the input ${fmt(spatial)} with "valid" padding: ` +
        `use padding "same" or a smaller ${param}`,
      { kind: 'setParam', param: 'padding', value: 'same', label: 'Use padding "same"' },
      param,
    );
  }
  return out;
}


import { ShapeError } from '../types';
import { activation, int, padding, size, useBias } from '../params';
import { defineLayer, weight } from '../define';
import { deconvLength, one, requireRank, windowed } from '../rules';

const filters = (def = 32) => int('filters', def, 'Number of output channels (feature maps).', { min: 1, key: true });
const image = 'a 3-D input per sample [height, width, channels]';
const channels = (inputs: number[][]) => one(inputs)[one(inputs).length - 1]!;
const withBias = (useBias: boolean, n: number) => (useBias ? [weight('bias', 'bias', [n])] : []);

export const Conv1D = defineLayer({
  type: 'Conv1D', category: 'Convolution',
  doc: 'Slides learned filters along a sequence: [steps, channels] → [newSteps, filters].',
  params: [
    filters(), size('kernelSize', 1, 3, 'Window length.', { key: true }), size('strides', 1, 1, 'Step between windows.'),
    padding, size('dilationRate', 1, 1, 'Spacing between kernel taps.'), activation(), useBias,
  ],
  inputs: { min: 1, max: 1 },
  output: ({ inputs, p }) => {
    const s = one(inputs);
    requireRank('Conv1D', s, 2, 'a 2-D input per sample [steps, channels]');
    const [steps] = windowed('Conv1D', [s[0]!], p.kernelSize, p.strides, p.padding, p.dilationRate, 'kernel');
    return { shape: [steps!, p.filters], flops: 2 * p.kernelSize[0] * s[1]! * p.filters * steps! };
  },
  weights: ({ inputs, p }) => [weight('kernel', 'kernel', [p.kernelSize[0], channels(inputs), p.filters]), ...withBias(p.useBias, p.filters)],
});

export const Conv2D = defineLayer({
  type: 'Conv2D', category: 'Convolution',
  doc: 'Slides learned filters over an image: [height, width, channels] → [newHeight, newWidth, filters].',
  params: [
    filters(), size('kernelSize', 2, [3, 3], 'Filter height and width.', { key: true }),
    size('strides', 2, [1, 1], 'Step between windows.'), padding,
    size('dilationRate', 2, [1, 1], 'Spacing between kernel taps (atrous convolution).'), activation(), useBias,
  ],
  inputs: { min: 1, max: 1 },
  output: ({ inputs, p }) => {
    const s = one(inputs);
    requireRank('Conv2D', s, 3, image);
    if (p.strides.some((v) => v > 1) && p.dilationRate.some((v) => v > 1)) {
      throw new ShapeError('Conv2D cannot combine strides > 1 with dilationRate > 1', undefined, 'dilationRate');
    }
    const [h, w] = windowed('Conv2D', s.slice(0, 2), p.kernelSize, p.strides, p.padding, p.dilationRate, 'kernel');
    const kk = p.kernelSize[0] * p.kernelSize[1];
    return { shape: [h!, w!, p.filters], flops: 2 * kk * s[2]! * p.filters * h! * w! };
  },
  weights: ({ inputs, p }) => [weight('kernel', 'kernel', [...p.kernelSize, channels(inputs), p.filters]), ...withBias(p.useBias, p.filters)],
});

export const Conv2DTranspose = defineLayer({
  type: 'Conv2DTranspose', category: 'Convolution',
  doc: 'Transposed ("de-") convolution: learned upsampling, e.g. in decoders and GANs.',
  params: [
    filters(), size('kernelSize', 2, [3, 3], 'Filter height and width.', { key: true }),
    size('strides', 2, [1, 1], 'Upsampling factor per axis.', { key: true }), padding, activation(), useBias,
  ],
  inputs: { min: 1, max: 1 },
  output: ({ inputs, p }) => {
    const s = one(inputs);
    requireRank('Conv2DTranspose', s, 3, image);
    const h = deconvLength(s[0]!, p.kernelSize[0], p.strides[0], p.padding);
    const w = deconvLength(s[1]!, p.kernelSize[1], p.strides[1], p.padding);
    const kk = p.kernelSize[0] * p.kernelSize[1];
    return { shape: [h, w, p.filters], flops: 2 * kk * s[2]! * p.filters * s[0]! * s[1]! };
  },
  // TF.js keeps a transposed kernel as [kh, kw, out, in].
  weights: ({ inputs, p }) => [weight('kernel', 'kernel', [...p.kernelSize, p.filters, channels(inputs)]), ...withBias(p.useBias, p.filters)],
});

export const Conv1DTranspose = defineLayer({
  type: 'Conv1DTranspose', category: 'Convolution',
  doc: 'Transposed convolution along a sequence: learned upsampling of [steps, channels], e.g. in sequence autoencoders.',
  params: [
    filters(), size('kernelSize', 1, 3, 'Window length.', { key: true }),
    size('strides', 1, 1, 'Upsampling factor.', { key: true }), padding, activation(), useBias,
  ],
  inputs: { min: 1, max: 1 },
  output: ({ inputs, p }) => {
    const s = one(inputs);
    requireRank('Conv1DTranspose', s, 2, 'a 2-D input per sample [steps, channels]');
    const steps = deconvLength(s[0]!, p.kernelSize[0], p.strides[0], p.padding);
    return { shape: [steps, p.filters], flops: 2 * p.kernelSize[0] * s[1]! * p.filters * s[0]! };
  },
  // Like Conv2DTranspose, the kernel keeps out before in: [k, out, in] (Keras' layout).
  weights: ({ inputs, p }) => [weight('kernel', 'kernel', [p.kernelSize[0], p.filters, channels(inputs)]), ...withBias(p.useBias, p.filters)],
});

const depthMultiplier = int('depthMultiplier', 1, 'Output channels per input channel in the depthwise step.', { min: 1 });

export const DepthwiseConv2D = defineLayer({
  type: 'DepthwiseConv2D', category: 'Convolution',
  doc: 'Convolves each input channel with its own filter(s): cheap spatial filtering (MobileNet).',
  params: [
    size('kernelSize', 2, [3, 3], 'Filter height and width.', { key: true }), size('strides', 2, [1, 1], 'Step between windows.'),
    padding, depthMultiplier, activation(), useBias,
  ],
  inputs: { min: 1, max: 1 },
  output: ({ inputs, p }) => {
    const s = one(inputs);
    requireRank('DepthwiseConv2D', s, 3, image);
    const [h, w] = windowed('DepthwiseConv2D', s.slice(0, 2), p.kernelSize, p.strides, p.padding, undefined, 'kernel');
    const cout = s[2]! * p.depthMultiplier;
    return { shape: [h!, w!, cout], flops: 2 * p.kernelSize[0] * p.kernelSize[1] * cout * h! * w! };
  },
  weights: ({ inputs, p }) => [
    weight('depthwise_kernel', 'depthwise_kernel', [...p.kernelSize, channels(inputs), p.depthMultiplier]),
    ...withBias(p.useBias, channels(inputs) * p.depthMultiplier),
  ],
});

export const SeparableConv2D = defineLayer({
  type: 'SeparableConv2D', category: 'Convolution',
  doc: 'A depthwise convolution followed by a 1x1 pointwise convolution: most of Conv2D for far fewer weights.',
  params: [
    filters(), size('kernelSize', 2, [3, 3], 'Filter height and width.', { key: true }), size('strides', 2, [1, 1], 'Step between windows.'),
    padding, depthMultiplier, activation(), useBias,
  ],
  inputs: { min: 1, max: 1 },
  output: ({ inputs, p }) => {
    const s = one(inputs);
    requireRank('SeparableConv2D', s, 3, image);
    const [h, w] = windowed('SeparableConv2D', s.slice(0, 2), p.kernelSize, p.strides, p.padding, undefined, 'kernel');
    const mid = s[2]! * p.depthMultiplier;
    const kk = p.kernelSize[0] * p.kernelSize[1];
    return { shape: [h!, w!, p.filters], flops: 2 * (kk * mid + mid * p.filters) * h! * w! };
  },
  weights: ({ inputs, p }) => [
    weight('depthwise_kernel', 'depthwise_kernel', [...p.kernelSize, channels(inputs), p.depthMultiplier]),
    weight('pointwise_kernel', 'pointwise_kernel', [1, 1, channels(inputs) * p.depthMultiplier, p.filters]),
    ...withBias(p.useBias, p.filters),
  ],
});

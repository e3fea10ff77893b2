import { ShapeError, type LayerDef } from '../types';
import { activation, int, padding, size, useBias } from '../params';
import { deconvLength, one, requireRank, windowed } from '../rules';

const filters = (def = 32) => int('filters', def, 'Number of output channels (feature maps).', { min: 1, key: true });

export const Conv1D = {
  type: 'Conv1D', category: 'Convolution',
  doc: 'Slides learned filters along a sequence: [steps, channels] → [newSteps, filters].',
  params: [
    filters(), size('kernelSize', 1, 3, 'Window length.', { key: true }), size('strides', 1, 1, 'Step between windows.'),
    padding, size('dilationRate', 1, 1, 'Spacing between kernel taps.'), activation(), useBias,
  ],
  inputs: { min: 1, max: 1 },
  infer: ({ inputs, p }) => {
    const s = one(inputs);
    requireRank('Conv1D', s, 2, 'a 2-D input per sample [steps, channels]');
    const [steps] = windowed('Conv1D', [s[0]!], p.kernelSize, p.strides, p.padding, p.dilationRate, 'kernel');
    const cin = s[1]!;
    const k = p.kernelSize[0];
    return { shape: [steps!, p.filters], params: k * cin * p.filters + (p.useBias ? p.filters : 0), flops: 2 * k * cin * p.filters * steps! };
  },
} satisfies LayerDef;

export const Conv2D = {
  type: 'Conv2D', category: 'Convolution',
  doc: 'Slides learned filters over an image: [height, width, channels] → [newHeight, newWidth, filters].',
  params: [
    filters(), size('kernelSize', 2, [3, 3], 'Filter height and width.', { key: true }),
    size('strides', 2, [1, 1], 'Step between windows.'), padding,
    size('dilationRate', 2, [1, 1], 'Spacing between kernel taps (atrous convolution).'), activation(), useBias,
  ],
  inputs: { min: 1, max: 1 },
  infer: ({ inputs, p }) => {
    const s = one(inputs);
    requireRank('Conv2D', s, 3, 'a 3-D input per sample [height, width, channels]');
    if (p.strides.some((v: number) => v > 1) && p.dilationRate.some((v: number) => v > 1)) {
      throw new ShapeError('Conv2D cannot combine strides > 1 with dilationRate > 1', undefined, 'dilationRate');
    }
    const [h, w] = windowed('Conv2D', s.slice(0, 2), p.kernelSize, p.strides, p.padding, p.dilationRate, 'kernel');
    const cin = s[2]!;
    const kk = p.kernelSize[0] * p.kernelSize[1];
    return {
      shape: [h!, w!, p.filters],
      params: kk * cin * p.filters + (p.useBias ? p.filters : 0),
      flops: 2 * kk * cin * p.filters * h! * w!,
    };
  },
} satisfies LayerDef;

export const Conv2DTranspose = {
  type: 'Conv2DTranspose', category: 'Convolution',
  doc: 'Transposed ("de-") convolution: learned upsampling, e.g. in decoders and GANs.',
  params: [
    filters(), size('kernelSize', 2, [3, 3], 'Filter height and width.', { key: true }),
    size('strides', 2, [1, 1], 'Upsampling factor per axis.', { key: true }), padding, activation(), useBias,
  ],
  inputs: { min: 1, max: 1 },
  infer: ({ inputs, p }) => {
    const s = one(inputs);
    requireRank('Conv2DTranspose', s, 3, 'a 3-D input per sample [height, width, channels]');
    const h = deconvLength(s[0]!, p.kernelSize[0], p.strides[0], p.padding);
    const w = deconvLength(s[1]!, p.kernelSize[1], p.strides[1], p.padding);
    const cin = s[2]!;
    const kk = p.kernelSize[0] * p.kernelSize[1];
    return {
      shape: [h, w, p.filters],
      params: kk * cin * p.filters + (p.useBias ? p.filters : 0),
      flops: 2 * kk * cin * p.filters * s[0]! * s[1]!,
    };
  },
} satisfies LayerDef;

const depthMultiplier = int('depthMultiplier', 1, 'Output channels per input channel in the depthwise step.', { min: 1 });

export const DepthwiseConv2D = {
  type: 'DepthwiseConv2D', category: 'Convolution',
  doc: 'Convolves each input channel with its own filter(s): cheap spatial filtering (MobileNet).',
  params: [
    size('kernelSize', 2, [3, 3], 'Filter height and width.', { key: true }), size('strides', 2, [1, 1], 'Step between windows.'),
    padding, depthMultiplier, activation(), useBias,
  ],
  inputs: { min: 1, max: 1 },
  infer: ({ inputs, p }) => {
    const s = one(inputs);
    requireRank('DepthwiseConv2D', s, 3, 'a 3-D input per sample [height, width, channels]');
    const [h, w] = windowed('DepthwiseConv2D', s.slice(0, 2), p.kernelSize, p.strides, p.padding, undefined, 'kernel');
    const cout = s[2]! * p.depthMultiplier;
    const kk = p.kernelSize[0] * p.kernelSize[1];
    return { shape: [h!, w!, cout], params: kk * cout + (p.useBias ? cout : 0), flops: 2 * kk * cout * h! * w! };
  },
} satisfies LayerDef;

export const SeparableConv2D = {
  type: 'SeparableConv2D', category: 'Convolution',
  doc: 'A depthwise convolution followed by a 1x1 pointwise convolution: most of Conv2D for far fewer weights.',
  params: [
    filters(), size('kernelSize', 2, [3, 3], 'Filter height and width.', { key: true }), size('strides', 2, [1, 1], 'Step between windows.'),
    padding, depthMultiplier, activation(), useBias,
  ],
  inputs: { min: 1, max: 1 },
  infer: ({ inputs, p }) => {
    const s = one(inputs);
    requireRank('SeparableConv2D', s, 3, 'a 3-D input per sample [height, width, channels]');
    const [h, w] = windowed('SeparableConv2D', s.slice(0, 2), p.kernelSize, p.strides, p.padding, undefined, 'kernel');
    const mid = s[2]! * p.depthMultiplier;
    const kk = p.kernelSize[0] * p.kernelSize[1];
    return {
      shape: [h!, w!, p.filters],
      params: kk * mid + mid * p.filters + (p.useBias ? p.filters : 0),
      flops: 2 * (kk * mid + mid * p.filters) * h! * w!,
    };
  },
} satisfies LayerDef;


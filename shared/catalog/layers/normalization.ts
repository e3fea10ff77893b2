import { bool, float } from '../params';
import { defineLayer, weight } from '../define';
import { one, product } from '../rules';

const center = bool('center', true, 'Learn an offset (beta).');
const scale = bool('scale', true, 'Learn a scale (gamma).');
const epsilon = float('epsilon', 0.001, 'Added to the variance to avoid dividing by zero.', { min: 0 });
const lastAxis = (inputs: number[][]) => one(inputs)[one(inputs).length - 1]!;

/** gamma (scale) then beta (center), each only when switched on, as TF.js orders them. */
const affine = (p: { center: boolean; scale: boolean }, c: number) => [
  ...(p.scale ? [weight('gamma', 'gamma', [c])] : []),
  ...(p.center ? [weight('beta', 'beta', [c])] : []),
];

export const BatchNormalization = defineLayer({
  type: 'BatchNormalization', category: 'Normalization',
  doc: 'Normalises each channel with batch statistics while training and moving averages at inference.',
  params: [
    float('momentum', 0.99, 'Momentum of the moving mean/variance (Keras convention; PyTorch uses 1 - this).', { min: 0, max: 1 }),
    epsilon, center, scale,
  ],
  inputs: { min: 1, max: 1 },
  output: ({ inputs }) => ({ shape: [...one(inputs)], flops: 2 * product(one(inputs)) }),
  weights: ({ inputs, p }) => [
    ...affine(p, lastAxis(inputs)),
    weight('moving_mean', 'moving_mean', [lastAxis(inputs)], false),
    weight('moving_variance', 'moving_variance', [lastAxis(inputs)], false),
  ],
});

export const LayerNormalization = defineLayer({
  type: 'LayerNormalization', category: 'Normalization',
  doc: 'Normalises each sample over its last axis (as in Transformers); no batch statistics.',
  params: [epsilon, center, scale],
  inputs: { min: 1, max: 1 },
  output: ({ inputs }) => ({ shape: [...one(inputs)], flops: 5 * product(one(inputs)) }),
  weights: ({ inputs, p }) => affine(p, lastAxis(inputs)),
});

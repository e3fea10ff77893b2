import type { LayerDef } from '../types';
import { bool, float } from '../params';
import { one } from '../rules';

export const BatchNormalization = {
  type: 'BatchNormalization', category: 'Normalization',
  doc: 'Normalises each channel with batch statistics while training and moving averages at inference.',
  params: [
    float('momentum', 0.99, 'Momentum of the moving mean/variance (Keras convention; PyTorch uses 1 - this).', { min: 0, max: 1 }),
    float('epsilon', 0.001, 'Added to the variance to avoid dividing by zero.', { min: 0 }),
    bool('center', true, 'Learn an offset (beta).'),
    bool('scale', true, 'Learn a scale (gamma).'),
  ],
  inputs: { min: 1, max: 1 },
  infer: ({ inputs, p }) => {
    const s = one(inputs);
    const c = s[s.length - 1]!;
    return { shape: [...s], params: (Number(p.center) + Number(p.scale)) * c, nonTrainable: 2 * c, flops: 2 * s.reduce((a, b) => a * b, 1) };
  },
} satisfies LayerDef;

export const LayerNormalization = {
  type: 'LayerNormalization', category: 'Normalization',
  doc: 'Normalises each sample over its last axis (as in Transformers); no batch statistics.',
  params: [
    float('epsilon', 0.001, 'Added to the variance to avoid dividing by zero.', { min: 0 }),
    bool('center', true, 'Learn an offset (beta).'),
    bool('scale', true, 'Learn a scale (gamma).'),
  ],
  inputs: { min: 1, max: 1 },
  infer: ({ inputs, p }) => {
    const s = one(inputs);
    const c = s[s.length - 1]!;
    return { shape: [...s], params: (Number(p.center) + Number(p.scale)) * c, flops: 5 * s.reduce((a, b) => a * b, 1) };
  },
} satisfies LayerDef;

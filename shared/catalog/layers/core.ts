import { ShapeError } from '../types';
import { activation, int, oneOf, rate, shape, units, useBias } from '../params';
import { defineLayer, noWeights, weight } from '../define';
import { fmt, one, requireRank } from '../rules';

export const Input = defineLayer({
  type: 'Input', category: 'Core',
  doc: 'The model input: the shape of one sample (no batch dimension), channels last.',
  params: [
    shape('shape', [28, 28, 1], 'Shape of one sample, e.g. [28, 28, 1] for a grayscale image or [100] for 100 token ids.', { key: true, min: 1 }),
    oneOf('dtype', ['float32', 'int32'], 'float32', 'int32 for token ids feeding an Embedding.'),
  ],
  inputs: { min: 0, max: 0 },
  output: ({ p }) => ({ shape: [...p.shape] }),
  weights: noWeights,
});

export const Dense = defineLayer({
  type: 'Dense', category: 'Core',
  doc: 'Fully connected layer: every output is a weighted sum of all inputs. On a sequence it applies to each timestep.',
  params: [units(32), activation(), useBias],
  inputs: { min: 1, max: 1 },
  output: ({ inputs, p }) => {
    const s = one(inputs);
    // Keras accepts any rank (it maps the last axis) but on image feature maps this is almost always a
    // forgotten Flatten, which later breaks the loss with an opaque error. Sequences stay allowed.
    if (s.length > 2) requireRank('Dense', s, 1, 'a 1-D input per sample');
    const fin = s[s.length - 1]!;
    const steps = s.length === 2 ? s[0]! : 1;
    return { shape: [...s.slice(0, -1), p.units], flops: 2 * fin * p.units * steps };
  },
  weights: ({ inputs, p }) => {
    const s = one(inputs);
    return [weight('kernel', 'kernel', [s[s.length - 1]!, p.units]), ...(p.useBias ? [weight('bias', 'bias', [p.units])] : [])];
  },
});

export const Activation = defineLayer({
  type: 'Activation', category: 'Core',
  doc: 'Applies an activation function element-wise (softmax over the last axis).',
  params: [activation('relu')],
  inputs: { min: 1, max: 1 },
  output: ({ inputs }) => ({ shape: [...one(inputs)] }),
  weights: noWeights,
});

export const Dropout = defineLayer({
  type: 'Dropout', category: 'Core',
  doc: 'During training, zeroes a random fraction of its inputs (and rescales the rest) to reduce overfitting.',
  params: [rate('rate', 0.5, 'Fraction of inputs to drop, in [0, 1).')],
  inputs: { min: 1, max: 1 },
  output: ({ inputs }) => ({ shape: [...one(inputs)] }),
  weights: noWeights,
});

export const Embedding = defineLayer({
  type: 'Embedding', category: 'Core',
  doc: 'Maps integer token ids in [0, inputDim) to learned vectors: [timesteps] → [timesteps, outputDim].',
  params: [
    int('inputDim', 1000, 'Vocabulary size: token ids must be smaller than this.', { min: 1, key: true }),
    int('outputDim', 64, 'Length of each embedding vector.', { min: 1, key: true }),
  ],
  inputs: { min: 1, max: 1 },
  output: ({ inputs, p }) => {
    const s = one(inputs);
    if (s.length !== 1) {
      throw new ShapeError(`Embedding expects a 1-D sequence of token ids per sample but gets ${fmt(s)}`);
    }
    return { shape: [s[0]!, p.outputDim] };
  },
  weights: ({ p }) => [weight('embeddings', 'embeddings', [p.inputDim, p.outputDim])],
});

import { ShapeError, type LayerDef } from '../types';
import { activation, bool, float, int, rate } from '../params';
import { fmt, requireRank } from '../rules';
import { mhaParams } from '../counts';


export const MultiHeadAttention = {
  type: 'MultiHeadAttention', category: 'Attention',
  doc: 'Scaled dot-product attention with several heads. One input: self-attention; inputs in order: query, value[, key].',
  params: [
    int('numHeads', 2, 'Number of attention heads.', { min: 1, key: true }),
    int('keyDim', 32, 'Size of each head for query and key.', { min: 1, key: true }),
    int('valueDim', null, 'Size of each head for value; empty = keyDim.', { min: 1, nullable: true }),
    rate('dropout', 0, 'Dropout on the attention weights while training.'),
    bool('useBias', true, 'Learn biases in the projections.'),
    int('outputShape', null, 'Size of the output features; empty = the query\'s last dimension.', { min: 1, nullable: true }),
  ],
  inputs: { min: 1, max: 3 },
  infer: ({ inputs, p }) => {
    const [q, v = q!, k = v] = inputs as [number[], number[]?, number[]?];
    for (const [s, role] of [[q, 'query'], [v, 'value'], [k, 'key']] as const) {
      requireRank(`MultiHeadAttention (${role})`, s, 2, 'a 2-D input per sample [timesteps, features]');
    }
    if (v[0] !== k[0]) throw new ShapeError(`MultiHeadAttention: value ${fmt(v)} and key ${fmt(k)} must have the same number of timesteps`);
    const valueDim = p.valueDim ?? p.keyDim;
    const out = p.outputShape ?? q[1]!;
    const params = mhaParams(q[1]!, k[1]!, v[1]!, p.numHeads, p.keyDim, valueDim, out, p.useBias);
    const flops = 2 * (q[0]! * params) + 2 * p.numHeads * q[0]! * v[0]! * (p.keyDim + valueDim);
    return { shape: [q[0]!, out], params, flops };
  },
} satisfies LayerDef;

export const TransformerEncoder = {
  type: 'TransformerEncoder', category: 'Attention',
  doc: 'One Transformer encoder block (as keras_nlp): self-attention + feed-forward, each with a residual connection and LayerNormalization.',
  params: [
    int('numHeads', 2, 'Attention heads; the model width must be divisible by it.', { min: 1, key: true }),
    int('intermediateDim', 128, 'Hidden size of the feed-forward network.', { min: 1, key: true }),
    rate('dropout', 0.1, 'Dropout after attention and feed-forward while training.'),
    activation('relu', false),
    float('layerNormEpsilon', 1e-5, 'Epsilon of both LayerNormalizations.', { min: 0 }),
    bool('normalizeFirst', false, 'Pre-norm (LayerNormalization before each sub-layer) instead of post-norm.'),
  ],
  inputs: { min: 1, max: 1 },
  infer: ({ inputs, p }) => {
    const s = inputs[0]!;
    requireRank('TransformerEncoder', s, 2, 'a 2-D input per sample [timesteps, features]');
    const [t, d] = s as [number, number];
    if (d % p.numHeads !== 0) {
      const h = [8, 4, 2, 1].find((n) => d % n === 0 && n <= p.numHeads) ?? 1;
      throw new ShapeError(
        `TransformerEncoder: the model width ${d} is not divisible by numHeads ${p.numHeads}`,
        { kind: 'setParam', param: 'numHeads', value: h, label: `Set numHeads to ${h}` }, 'numHeads');
    }
    const ff = p.intermediateDim;
    const params = mhaParams(d, d, d, p.numHeads, d / p.numHeads, d / p.numHeads, d, true) + 4 * d + d * ff + ff + ff * d + d;
    return { shape: [t, d], params, flops: 2 * t * params + 4 * t * t * d };
  },
} satisfies LayerDef;

export const PositionalEmbedding = {
  type: 'PositionalEmbedding', category: 'Attention',
  doc: 'Adds a learned position vector to each timestep of [timesteps, features] so attention knows word order.',
  params: [int('sequenceLength', 128, 'Longest sequence supported (positions learned).', { min: 1, key: true })],
  inputs: { min: 1, max: 1 },
  infer: ({ inputs, p }) => {
    const s = inputs[0]!;
    requireRank('PositionalEmbedding', s, 2, 'a 2-D input per sample [timesteps, features] (put it after an Embedding)');
    if (s[0]! > p.sequenceLength) {
      throw new ShapeError(
        `PositionalEmbedding: sequenceLength ${p.sequenceLength} is shorter than the input's ${s[0]} timesteps`,
        { kind: 'setParam', param: 'sequenceLength', value: s[0], label: `Set sequenceLength to ${s[0]}` }, 'sequenceLength');
    }
    return { shape: [...s], params: p.sequenceLength * s[1]!, flops: s[0]! * s[1]! };
  },
} satisfies LayerDef;

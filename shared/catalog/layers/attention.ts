import { ShapeError, type WeightSpec } from '../types';
import { activation, bool, float, int, optionalInt, rate } from '../params';
import { defineLayer, weight } from '../define';
import { fmt, product, requireRank } from '../rules';

type Projection = 'query' | 'key' | 'value' | 'attention_output';
type MhaWeight<Pre extends string> = `${Pre}${Projection}/${'kernel' | 'bias'}`;

interface MhaDims { dq: number; dk: number; dv: number; heads: number; keyDim: number; valueDim: number; out: number; bias: boolean }

/**
 * Keras MultiHeadAttention's weights, in the order the engine creates them: q/k/v projections
 * [d, heads, dim] (+ bias [heads, dim]) and the output projection [heads, valueDim, out] (+ bias [out]).
 */
function mhaWeights<const Pre extends string>(prefix: Pre, d: MhaDims): WeightSpec<MhaWeight<Pre>>[] {
  const out: WeightSpec<MhaWeight<Pre>>[] = [];
  const add = (proj: Projection, kernel: number[], bias: number[]) => {
    out.push(weight(`${prefix}${proj}/kernel`, 'kernel', kernel));
    if (d.bias) out.push(weight(`${prefix}${proj}/bias`, 'bias', bias));
  };
  add('query', [d.dq, d.heads, d.keyDim], [d.heads, d.keyDim]);
  add('key', [d.dk, d.heads, d.keyDim], [d.heads, d.keyDim]);
  add('value', [d.dv, d.heads, d.valueDim], [d.heads, d.valueDim]);
  add('attention_output', [d.heads, d.valueDim, d.out], [d.out]);
  return out;
}

const count = (ws: readonly WeightSpec[]) => ws.reduce((a, w) => a + product(w.shape), 0);

const mhaParams = [
  int('numHeads', 2, 'Number of attention heads.', { min: 1, key: true }),
  int('keyDim', 32, 'Size of each head for query and key.', { min: 1, key: true }),
  optionalInt('valueDim', 'Size of each head for value; empty = keyDim.', { min: 1 }),
  rate('dropout', 0, 'Dropout on the attention weights while training.'),
  bool('useBias', true, 'Learn biases in the projections.'),
  optionalInt('outputShape', 'Size of the output features; empty = the query\'s last dimension.', { min: 1 }),
  bool('causal', false, 'Causal mask: each position attends only to itself and earlier positions (for language models).'),
] as const;

/** Query, value and key shapes of a MultiHeadAttention (value defaults to query, key to value). */
function qvk(inputs: number[][]): [number[], number[], number[]] {
  const [q, v = q!, k = v] = inputs as [number[], number[]?, number[]?];
  return [q, v, k];
}

export const MultiHeadAttention = defineLayer({
  type: 'MultiHeadAttention', category: 'Attention',
  doc: 'Scaled dot-product attention with several heads. One input: self-attention; inputs in order: query, value[, key].',
  params: mhaParams,
  inputs: { min: 1, max: 3 },
  output: ({ inputs, p }) => {
    const [q, v, k] = qvk(inputs);
    for (const [s, role] of [[q, 'query'], [v, 'value'], [k, 'key']] as const) {
      requireRank(`MultiHeadAttention (${role})`, s, 2, 'a 2-D input per sample [timesteps, features]');
    }
    if (v[0] !== k[0]) throw new ShapeError(`MultiHeadAttention: value ${fmt(v)} and key ${fmt(k)} must have the same number of timesteps`);
    if (p.causal && q[0] !== k[0]) {
      throw new ShapeError(`MultiHeadAttention: a causal mask needs as many query as key timesteps (query ${fmt(q)}, key ${fmt(k)})`,
        { kind: 'setParam', param: 'causal', value: false, label: 'Turn causal off' }, 'causal');
    }
    const valueDim = p.valueDim ?? p.keyDim;
    const params = count(mhaWeightsOf(inputs, p));
    const flops = 2 * (q[0]! * params) + 2 * p.numHeads * q[0]! * v[0]! * (p.keyDim + valueDim);
    return { shape: [q[0]!, p.outputShape ?? q[1]!], flops };
  },
  weights: ({ inputs, p }) => mhaWeightsOf(inputs, p),
});

function mhaWeightsOf(inputs: number[][], p: { numHeads: number; keyDim: number; valueDim: number | null; useBias: boolean; outputShape: number | null }) {
  const [q, v, k] = qvk(inputs);
  return mhaWeights('', {
    dq: q[1]!, dk: k[1]!, dv: v[1]!, heads: p.numHeads, keyDim: p.keyDim, valueDim: p.valueDim ?? p.keyDim,
    out: p.outputShape ?? q[1]!, bias: p.useBias,
  });
}

/** keras_nlp's encoder block: self-attention, its LayerNorm, a two-layer feed-forward network, its LayerNorm. */
function encoderWeights(d: number, heads: number, ff: number) {
  return [
    ...mhaWeights('self_attention/', { dq: d, dk: d, dv: d, heads, keyDim: d / heads, valueDim: d / heads, out: d, bias: true }),
    weight('self_attention_layer_norm/gamma', 'gamma', [d]), weight('self_attention_layer_norm/beta', 'beta', [d]),
    weight('feedforward_intermediate_dense/kernel', 'kernel', [d, ff]), weight('feedforward_intermediate_dense/bias', 'bias', [ff]),
    weight('feedforward_output_dense/kernel', 'kernel', [ff, d]), weight('feedforward_output_dense/bias', 'bias', [d]),
    weight('feedforward_layer_norm/gamma', 'gamma', [d]), weight('feedforward_layer_norm/beta', 'beta', [d]),
  ];
}

export const TransformerEncoder = defineLayer({
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
  output: ({ inputs, p }) => {
    const s = inputs[0]!;
    requireRank('TransformerEncoder', s, 2, 'a 2-D input per sample [timesteps, features]');
    const [t, d] = s as [number, number];
    requireHeadsDivide('TransformerEncoder', d, p.numHeads);
    const params = count(encoderWeights(d, p.numHeads, p.intermediateDim));
    return { shape: [t, d], flops: 2 * t * params + 4 * t * t * d };
  },
  weights: ({ inputs, p }) => encoderWeights(inputs[0]![1]!, p.numHeads, p.intermediateDim),
});

/** The width check shared by the Transformer blocks, with a quick fix to a numHeads that divides it. */
function requireHeadsDivide(type: string, d: number, numHeads: number): void {
  if (d % numHeads === 0) return;
  const h = [8, 4, 2, 1].find((n) => d % n === 0 && n <= numHeads) ?? 1;
  throw new ShapeError(
    `${type}: the model width ${d} is not divisible by numHeads ${numHeads}`,
    { kind: 'setParam', param: 'numHeads', value: h, label: `Set numHeads to ${h}` }, 'numHeads');
}

/**
 * keras_nlp's decoder block: causal self-attention, (cross-attention on the encoder output, with a
 * second input), feed-forward; each with a LayerNorm. Weights in the engine's creation order.
 */
function decoderWeights(d: number, heads: number, ff: number, encoderWidth: number | null) {
  const head = d / heads;
  const cross = encoderWidth === null ? [] : [
    ...mhaWeights('cross_attention/', { dq: d, dk: encoderWidth, dv: encoderWidth, heads, keyDim: head, valueDim: head, out: d, bias: true }),
    weight('cross_attention_layer_norm/gamma', 'gamma', [d]), weight('cross_attention_layer_norm/beta', 'beta', [d]),
  ];
  return [
    ...mhaWeights('self_attention/', { dq: d, dk: d, dv: d, heads, keyDim: head, valueDim: head, out: d, bias: true }),
    weight('self_attention_layer_norm/gamma', 'gamma', [d]), weight('self_attention_layer_norm/beta', 'beta', [d]),
    ...cross,
    weight('feedforward_intermediate_dense/kernel', 'kernel', [d, ff]), weight('feedforward_intermediate_dense/bias', 'bias', [ff]),
    weight('feedforward_output_dense/kernel', 'kernel', [ff, d]), weight('feedforward_output_dense/bias', 'bias', [d]),
    weight('feedforward_layer_norm/gamma', 'gamma', [d]), weight('feedforward_layer_norm/beta', 'beta', [d]),
  ];
}

export const TransformerDecoder = defineLayer({
  type: 'TransformerDecoder', category: 'Attention',
  doc: 'One Transformer decoder block (as keras_nlp): causal self-attention, cross-attention on an encoder output (second input, optional), feed-forward; each with a residual connection and LayerNormalization. Inputs in order: decoder sequence, encoder output.',
  params: [
    int('numHeads', 2, 'Attention heads; the model width must be divisible by it.', { min: 1, key: true }),
    int('intermediateDim', 128, 'Hidden size of the feed-forward network.', { min: 1, key: true }),
    rate('dropout', 0, 'Dropout after attention and feed-forward while training.'),
    activation('relu', false),
    float('layerNormEpsilon', 1e-5, 'Epsilon of the LayerNormalizations.', { min: 0 }),
    bool('normalizeFirst', false, 'Pre-norm (LayerNormalization before each sub-layer, as GPT-2) instead of post-norm.'),
  ],
  inputs: { min: 1, max: 2 },
  output: ({ inputs, p }) => {
    const s = inputs[0]!;
    requireRank('TransformerDecoder', s, 2, 'a 2-D input per sample [timesteps, features]');
    const enc = inputs[1] ?? null;
    if (enc) requireRank('TransformerDecoder (encoder output)', enc, 2, 'a 2-D encoder output per sample [timesteps, features]');
    const [t, d] = s as [number, number];
    requireHeadsDivide('TransformerDecoder', d, p.numHeads);
    const params = count(decoderWeights(d, p.numHeads, p.intermediateDim, enc ? enc[1]! : null));
    return { shape: [t, d], flops: 2 * t * params + 4 * t * t * d + (enc ? 4 * t * enc[0]! * d : 0) };
  },
  weights: ({ inputs, p }) => decoderWeights(inputs[0]![1]!, p.numHeads, p.intermediateDim, inputs[1] ? inputs[1][1]! : null),
});

export const PositionalEmbedding = defineLayer({
  type: 'PositionalEmbedding', category: 'Attention',
  doc: 'Adds a learned position vector to each timestep of [timesteps, features] so attention knows word order.',
  params: [int('sequenceLength', 128, 'Longest sequence supported (positions learned).', { min: 1, key: true })],
  inputs: { min: 1, max: 1 },
  output: ({ inputs, p }) => {
    const s = inputs[0]!;
    requireRank('PositionalEmbedding', s, 2, 'a 2-D input per sample [timesteps, features] (put it after an Embedding)');
    if (s[0]! > p.sequenceLength) {
      throw new ShapeError(
        `PositionalEmbedding: sequenceLength ${p.sequenceLength} is shorter than the input's ${s[0]} timesteps`,
        { kind: 'setParam', param: 'sequenceLength', value: s[0], label: `Set sequenceLength to ${s[0]}` }, 'sequenceLength');
    }
    return { shape: [...s], flops: s[0]! * s[1]! };
  },
  weights: ({ inputs, p }) => [weight('embeddings', 'embeddings', [p.sequenceLength, inputs[0]![1]!])],
});

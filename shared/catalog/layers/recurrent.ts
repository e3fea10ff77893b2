import type { Shape, WeightSpec } from '../types';
import { activation, bool, oneOf, recurrentActivation, units, useBias } from '../params';
import { defineLayer, weight } from '../define';
import { one, product, requireRank } from '../rules';

const returnSequences = bool('returnSequences', false,
  'Output every timestep [steps, units] (to stack recurrent layers) instead of only the last one [units].', { key: true });

export type RecurrentCell = 'SimpleRNN' | 'LSTM' | 'GRU';

/**
 * One recurrent cell's weights as TF.js holds them: kernel, recurrent kernel and ONE bias vector,
 * gates side by side (LSTM 4, GRU 3 in TF.js' reset_after=False form, SimpleRNN 1).
 */
function cellWeights<const Pre extends string>(prefix: Pre, cell: RecurrentCell, u: number, features: number, bias: boolean) {
  const g = cell === 'LSTM' ? 4 : cell === 'GRU' ? 3 : 1;
  const out: WeightSpec<`${Pre}kernel` | `${Pre}recurrent_kernel` | `${Pre}bias`>[] = [
    weight(`${prefix}kernel`, 'kernel', [features, g * u]), weight(`${prefix}recurrent_kernel`, 'recurrent_kernel', [u, g * u]),
  ];
  if (bias) out.push(weight(`${prefix}bias`, 'bias', [g * u]));
  return out;
}

function sequenceOut(type: string, inputs: Shape[], returnAll: boolean, width: number, weights: () => readonly WeightSpec[]) {
  const s = one(inputs);
  requireRank(type, s, 2, 'a 2-D input per sample [timesteps, features]');
  const count = weights().reduce((a, w) => a + product(w.shape), 0);
  return { shape: returnAll ? [s[0]!, width] : [width], flops: 2 * count * s[0]! };
}

export const SimpleRNN = defineLayer({
  type: 'SimpleRNN', category: 'Recurrent',
  doc: 'A fully connected recurrent layer: h = act(W·x + U·h + b) at each timestep.',
  params: [units(32, 'Size of the hidden state.'), activation('tanh', false), useBias, returnSequences],
  inputs: { min: 1, max: 1 },
  output: ({ inputs, p }) => sequenceOut('SimpleRNN', inputs, p.returnSequences, p.units, () => cellWeights('', 'SimpleRNN', p.units, one(inputs)[1]!, p.useBias)),
  weights: ({ inputs, p }) => cellWeights('', 'SimpleRNN', p.units, one(inputs)[1]!, p.useBias),
});

function gated<const T extends 'LSTM' | 'GRU'>(type: T, doc: string) {
  return defineLayer({
    type, category: 'Recurrent', doc,
    params: [units(32, 'Size of the hidden state.'), activation('tanh', false), recurrentActivation, useBias, returnSequences],
    inputs: { min: 1, max: 1 },
    output: ({ inputs, p }) => sequenceOut(type, inputs, p.returnSequences, p.units, () => cellWeights('', type, p.units, one(inputs)[1]!, p.useBias)),
    weights: ({ inputs, p }) => cellWeights('', type, p.units, one(inputs)[1]!, p.useBias),
  });
}

export const LSTM = gated('LSTM', 'Long short-term memory: gated recurrence that keeps information over long sequences.');
export const GRU = gated('GRU', 'Gated recurrent unit: a lighter LSTM with 3 gates (TF.js convention: reset gate before the matmul).');

/** The wrapped layers always have biases (Keras' default); the forward layer's weights come first. */
const bidirectionalWeights = (cell: RecurrentCell, u: number, inputs: Shape[]) => [
  ...cellWeights('forward/', cell, u, one(inputs)[1]!, true),
  ...cellWeights('backward/', cell, u, one(inputs)[1]!, true),
];

export const Bidirectional = defineLayer({
  type: 'Bidirectional', category: 'Recurrent',
  doc: 'Runs a recurrent layer forwards and backwards over the sequence and merges both outputs.',
  params: [
    oneOf('layer', ['LSTM', 'GRU', 'SimpleRNN'], 'LSTM', 'The wrapped recurrent layer.', { key: true }),
    units(32, 'Hidden size of each direction.'), returnSequences,
    oneOf('mergeMode', ['concat', 'sum', 'mul', 'ave'], 'concat', 'How the two directions combine; concat doubles the width.'),
  ],
  inputs: { min: 1, max: 1 },
  output: ({ inputs, p }) => {
    const width = p.mergeMode === 'concat' ? 2 * p.units : p.units;
    return sequenceOut('Bidirectional', inputs, p.returnSequences, width, () => bidirectionalWeights(p.layer, p.units, inputs));
  },
  weights: ({ inputs, p }) => bidirectionalWeights(p.layer, p.units, inputs),
});

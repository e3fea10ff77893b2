import type { LayerDef, ResolvedParams } from '../types';
import { activation, bool, oneOf, units, useBias } from '../params';
import { one, requireRank } from '../rules';
import { rnnParams } from '../counts';


const returnSequences = bool('returnSequences', false,
  'Output every timestep [steps, units] (to stack recurrent layers) instead of only the last one [units].', { key: true });

function recurrentOut(type: string, s: number[], p: ResolvedParams, width: number) {
  requireRank(type, s, 2, 'a 2-D input per sample [timesteps, features]');
  return p.returnSequences ? [s[0]!, width] : [width];
}

function rnn(type: 'SimpleRNN' | 'LSTM' | 'GRU', doc: string): LayerDef {
  return {
    type, category: 'Recurrent', doc,
    params: [
      units(32, 'Size of the hidden state.'), activation('tanh', false),
      ...(type === 'SimpleRNN' ? [] : [{ ...activation('sigmoid', false), name: 'recurrentActivation', doc: 'Activation of the gates.' }]),
      useBias, returnSequences,
    ],
    inputs: { min: 1, max: 1 },
    infer: ({ inputs, p }) => {
      const s = one(inputs);
      const shape = recurrentOut(type, s, p, p.units);
      const params = rnnParams(type, p.units, s[1]!, p.useBias);
      return { shape, params, flops: 2 * params * s[0]! };
    },
  };
}

export const SimpleRNN = rnn('SimpleRNN', 'A fully connected recurrent layer: h = act(W·x + U·h + b) at each timestep.');
export const LSTM = rnn('LSTM', 'Long short-term memory: gated recurrence that keeps information over long sequences.');
export const GRU = rnn('GRU', 'Gated recurrent unit: a lighter LSTM with 3 gates (TF.js convention: reset gate before the matmul).');

export const Bidirectional = {
  type: 'Bidirectional', category: 'Recurrent',
  doc: 'Runs a recurrent layer forwards and backwards over the sequence and merges both outputs.',
  params: [
    oneOf('layer', ['LSTM', 'GRU', 'SimpleRNN'], 'LSTM', 'The wrapped recurrent layer.', { key: true }),
    units(32, 'Hidden size of each direction.'), returnSequences,
    oneOf('mergeMode', ['concat', 'sum', 'mul', 'ave'], 'concat', 'How the two directions combine; concat doubles the width.'),
  ],
  inputs: { min: 1, max: 1 },
  infer: ({ inputs, p }) => {
    const s = one(inputs);
    const width = p.mergeMode === 'concat' ? 2 * p.units : p.units;
    const shape = recurrentOut('Bidirectional', s, p, width);
    const params = 2 * rnnParams(p.layer, p.units, s[1]!, true);
    return { shape, params, flops: 2 * params * s[0]! };
  },
} satisfies LayerDef;

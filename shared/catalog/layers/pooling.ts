import { optionalSize, padding, size } from '../params';
import { defineLayer, noWeights } from '../define';
import { one, product, requireRank, windowed } from '../rules';

const what = (rank: 1 | 2) => (rank === 1 ? 'a 2-D input per sample [steps, channels]' : 'a 3-D input per sample [height, width, channels]');

function pool<const T extends string, R extends 1 | 2>(type: T, rank: R) {
  const isMax = type.startsWith('Max');
  return defineLayer({
    type, category: 'Pooling',
    doc: `${isMax ? 'Keeps the largest' : 'Averages the'} value${isMax ? '' : 's'} of each window, shrinking the ${rank === 1 ? 'sequence' : 'image'}.`,
    params: [
      size('poolSize', rank, rank === 1 ? 2 : [2, 2], 'Window size.', { key: true }),
      optionalSize('strides', rank, 'Step between windows; empty = the pool size.'),
      padding,
    ],
    inputs: { min: 1, max: 1 },
    output: ({ inputs, p }) => {
      const s = one(inputs);
      requireRank(type, s, rank + 1, what(rank));
      const out = windowed(type, s.slice(0, rank), p.poolSize, p.strides ?? p.poolSize, p.padding, undefined, 'pool');
      const c = s[rank]!;
      return { shape: [...out, c], flops: product(out) * c * product(p.poolSize) };
    },
    weights: noWeights,
  });
}

function globalPool<const T extends string>(type: T, rank: 1 | 2) {
  const isMax = type.startsWith('GlobalMax');
  return defineLayer({
    type, category: 'Pooling',
    doc: `${isMax ? 'Takes the maximum' : 'Averages'} over all ${rank === 1 ? 'steps' : 'positions'} of each channel: → [channels].`,
    params: [],
    inputs: { min: 1, max: 1 },
    output: ({ inputs }) => {
      const s = one(inputs);
      requireRank(type, s, rank + 1, what(rank));
      return { shape: [s[rank]!], flops: product(s) };
    },
    weights: noWeights,
  });
}

export const MaxPooling1D = pool('MaxPooling1D', 1);
export const AveragePooling1D = pool('AveragePooling1D', 1);
export const MaxPooling2D = pool('MaxPooling2D', 2);
export const AveragePooling2D = pool('AveragePooling2D', 2);
export const GlobalAveragePooling1D = globalPool('GlobalAveragePooling1D', 1);
export const GlobalMaxPooling1D = globalPool('GlobalMaxPooling1D', 1);
export const GlobalAveragePooling2D = globalPool('GlobalAveragePooling2D', 2);
export const GlobalMaxPooling2D = globalPool('GlobalMaxPooling2D', 2);

import type { LayerDef } from '../types';
import { padding, size } from '../params';
import { one, requireRank, windowed } from '../rules';

function pool(type: string, rank: 1 | 2): LayerDef {
  const isMax = type.startsWith('Max');
  const what = rank === 1 ? 'a 2-D input per sample [steps, channels]' : 'a 3-D input per sample [height, width, channels]';
  return {
    type, category: 'Pooling',
    doc: `${isMax ? 'Keeps the largest' : 'Averages the'} value${isMax ? '' : 's'} of each window, shrinking the ${rank === 1 ? 'sequence' : 'image'}.`,
    params: [
      size('poolSize', rank, rank === 1 ? 2 : [2, 2], 'Window size.', { key: true }),
      size('strides', rank, null, 'Step between windows; empty = the pool size.', { nullable: true }),
      padding,
    ],
    inputs: { min: 1, max: 1 },
    infer: ({ inputs, p }) => {
      const s = one(inputs);
      requireRank(type, s, rank + 1, what);
      const strides = p.strides ?? p.poolSize;
      const out = windowed(type, s.slice(0, rank), p.poolSize, strides, p.padding, undefined, 'pool');
      const c = s[rank]!;
      const outSize = out.reduce((a, b) => a * b, 1) * c;
      return { shape: [...out, c], params: 0, flops: outSize * p.poolSize.reduce((a: number, b: number) => a * b, 1) };
    },
  };
}

function globalPool(type: string, rank: 1 | 2): LayerDef {
  const isMax = type.startsWith('GlobalMax');
  const what = rank === 1 ? 'a 2-D input per sample [steps, channels]' : 'a 3-D input per sample [height, width, channels]';
  return {
    type, category: 'Pooling',
    doc: `${isMax ? 'Takes the maximum' : 'Averages'} over all ${rank === 1 ? 'steps' : 'positions'} of each channel: → [channels].`,
    params: [],
    inputs: { min: 1, max: 1 },
    infer: ({ inputs }) => {
      const s = one(inputs);
      requireRank(type, s, rank + 1, what);
      return { shape: [s[rank]!], params: 0, flops: s.reduce((a, b) => a * b, 1) };
    },
  };
}

export const MaxPooling1D = pool('MaxPooling1D', 1);
export const AveragePooling1D = pool('AveragePooling1D', 1);
export const MaxPooling2D = pool('MaxPooling2D', 2);
export const AveragePooling2D = pool('AveragePooling2D', 2);
export const GlobalAveragePooling1D = globalPool('GlobalAveragePooling1D', 1);
export const GlobalMaxPooling1D = globalPool('GlobalMaxPooling1D', 1);
export const GlobalAveragePooling2D = globalPool('GlobalAveragePooling2D', 2);
export const GlobalMaxPooling2D = globalPool('GlobalMaxPooling2D', 2);

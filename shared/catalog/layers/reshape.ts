import { ShapeError } from '../types';
import { oneOf, pads2d, shape, size } from '../params';
import { defineLayer, noWeights } from '../define';
import { fmt, one, product, requireRank } from '../rules';

export const Flatten = defineLayer({
  type: 'Flatten', category: 'Reshape',
  doc: 'Unrolls each sample into a 1-D vector (row-major, channels last), e.g. before Dense layers.',
  params: [],
  inputs: { min: 1, max: 1 },
  output: ({ inputs }) => ({ shape: [product(one(inputs))] }),
  weights: noWeights,
});

export const Reshape = defineLayer({
  type: 'Reshape', category: 'Reshape',
  doc: 'Gives each sample a new shape with the same number of values; one dimension may be -1 (inferred).',
  params: [shape('targetShape', [-1], 'New shape of one sample, e.g. [4096] or [7, 7, 64]; one entry may be -1.', { key: true, allowInfer: true })],
  inputs: { min: 1, max: 1 },
  output: ({ inputs, p }) => {
    const s = one(inputs);
    const total = product(s);
    const target = p.targetShape;
    const inferAt = target.indexOf(-1);
    const known = product(target.filter((d) => d !== -1));
    // A 1-D target has an obvious correct value: offer it as a quick fix.
    const fix = target.length === 1
      ? { kind: 'setParam' as const, param: 'targetShape', value: [total], label: `Set Reshape target to [${total}]` }
      : undefined;
    if (inferAt >= 0) {
      if (total % known !== 0) {
        throw new ShapeError(`Reshape to ${fmt(target)}: ${total} values (input ${fmt(s)}) cannot be split into parts of ${known}`, fix, 'targetShape');
      }
      const out = [...target];
      out[inferAt] = total / known;
      return { shape: out };
    }
    if (known !== total) {
      throw new ShapeError(`Reshape to ${fmt(target)} cannot hold ${total} values (input ${fmt(s)})`, fix, 'targetShape');
    }
    return { shape: [...target] };
  },
  weights: noWeights,
});

export const UpSampling2D = defineLayer({
  type: 'UpSampling2D', category: 'Reshape',
  doc: 'Repeats rows and columns to enlarge an image: [h, w, c] → [h·sh, w·sw, c].',
  params: [
    size('size', 2, [2, 2], 'Upsampling factor for height and width.', { key: true }),
    oneOf('interpolation', ['nearest', 'bilinear'], 'nearest', 'How new pixels are filled.'),
  ],
  inputs: { min: 1, max: 1 },
  output: ({ inputs, p }) => {
    const s = one(inputs);
    requireRank('UpSampling2D', s, 3, 'a 3-D input per sample [height, width, channels]');
    return { shape: [s[0]! * p.size[0], s[1]! * p.size[1], s[2]!] };
  },
  weights: noWeights,
});

export const ZeroPadding2D = defineLayer({
  type: 'ZeroPadding2D', category: 'Reshape',
  doc: 'Adds rows and columns of zeros around an image: [h, w, c] → [h + top + bottom, w + left + right, c].',
  params: [
    pads2d('padding', 1, 'Zeros to add: one number for every side, [vertical, horizontal], or [[top, bottom], [left, right]].', { key: true }),
  ],
  inputs: { min: 1, max: 1 },
  output: ({ inputs, p }) => {
    const s = one(inputs);
    requireRank('ZeroPadding2D', s, 3, 'a 3-D input per sample [height, width, channels]');
    const [[top, bottom], [left, right]] = p.padding;
    return { shape: [s[0]! + top + bottom, s[1]! + left + right, s[2]!] };
  },
  weights: noWeights,
});

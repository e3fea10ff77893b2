import { ShapeError, type Shape } from '../types';
import { int } from '../params';
import { defineLayer, noWeights } from '../define';
import { fmt, product } from '../rules';

const same = (a: Shape, b: Shape) => a.length === b.length && a.every((d, i) => d === b[i]);

function elementwise<const T extends string>(type: T, verb: string) {
  return defineLayer({
    type, category: 'Merge',
    doc: `${verb} two or more tensors of the same shape, element-wise (e.g. a residual connection).`,
    params: [],
    inputs: { min: 2, max: Infinity },
    output: ({ inputs }) => {
      const first = inputs[0]!;
      const bad = inputs.findIndex((s) => !same(s, first));
      if (bad >= 0) {
        throw new ShapeError(`${type} needs inputs of the same shape, but input 1 is ${fmt(first)} and input ${bad + 1} is ${fmt(inputs[bad]!)}`);
      }
      return { shape: [...first], flops: product(first) * (inputs.length - 1) };
    },
    weights: noWeights,
  });
}

export const Add = elementwise('Add', 'Adds');
export const Multiply = elementwise('Multiply', 'Multiplies');

export const Concatenate = defineLayer({
  type: 'Concatenate', category: 'Merge',
  doc: 'Joins two or more tensors along one axis (the channels by default); all other dimensions must match.',
  params: [int('axis', -1, 'Axis to join along, counted without the batch dimension; -1 = last.', { key: true })],
  inputs: { min: 2, max: Infinity },
  output: ({ inputs, p }) => {
    const first = inputs[0]!;
    const rank = first.length;
    const axis = p.axis < 0 ? rank + p.axis : p.axis;
    if (axis < 0 || axis >= rank) {
      throw new ShapeError(`Concatenate: axis ${p.axis} does not exist for inputs of rank ${rank} (${fmt(first)})`, undefined, 'axis');
    }
    let total = 0;
    inputs.forEach((s, i) => {
      const ok = s.length === rank && s.every((d, j) => j === axis || d === first[j]);
      if (!ok) {
        throw new ShapeError(
          `Concatenate along axis ${p.axis}: input ${i + 1} ${fmt(s)} does not match input 1 ${fmt(first)} outside that axis`);
      }
      total += s[axis]!;
    });
    const shape = [...first];
    shape[axis] = total;
    return { shape };
  },
  weights: noWeights,
});

/**
 * The parity comparison cannot be fooled: NaN or infinity anywhere, a missing or extra output, a
 * wrong shape or a short tensor each fail, whatever the tolerance.
 */
import { outputDiff, outputMismatch, type OutputTensor } from './parity';

const t = (data: number[], shape: number[]): OutputTensor => ({ data: Float32Array.from(data), shape });
const want = [t([1, 2, 3, 4], [2, 2]), t([5], [1, 1])];

describe('outputMismatch', () => {
  it('passes equal outputs and measures the difference', () => {
    expect(outputMismatch(want, want, 0)).toBeNull();
    expect(outputDiff([t([1, 2, 3, 4.5], [2, 2]), want[1]!], want)).toBeCloseTo(0.5, 6);
    expect(outputMismatch([t([1, 2, 3, 4.5], [2, 2]), want[1]!], want, 1e-4)).toMatch(/max abs difference 0\.5/);
  });

  it.each([
    ['NaN in an output', [t([1, NaN, 3, 4], [2, 2]), want[1]!], /output 0\[1\]: NaN.*not finite/],
    ['NaN in every value', [t([NaN, NaN, NaN, NaN], [2, 2]), want[1]!], /not finite/],
    ['Infinity in an output', [want[0]!, t([Infinity], [1, 1])], /output 1\[0\]: Infinity/],
    ['-Infinity in an output', [want[0]!, t([-Infinity], [1, 1])], /not finite/],
    ['a missing output', [want[0]!], /1 outputs, the engine has 2/],
    ['an extra output', [...want, want[1]!], /3 outputs, the engine has 2/],
    ['no output at all', [], /0 outputs/],
    ['a wrong shape, same size', [t([1, 2, 3, 4], [4, 1]), want[1]!], /output 0: shape \[4, 1\], the engine's is \[2, 2\]/],
    ['a wrong rank', [t([1, 2, 3, 4], [4]), want[1]!], /shape \[4\]/],
    ['too few values for the shape', [t([1, 2, 3], [2, 2]), want[1]!], /3 values/],
  ] as [string, OutputTensor[], RegExp][])('fails on %s, at any tolerance', (_, got, message) => {
    expect(outputMismatch(got, want, Infinity)).toMatch(message);
  });

  it('fails when the reference itself holds a NaN', () => {
    expect(outputMismatch([t([NaN], [1])], [t([NaN], [1])], Infinity)).toMatch(/not finite/);
  });
});

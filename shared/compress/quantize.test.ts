import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import {
  affineParams, channelCount, dequantizeAffine, dequantizePerChannel, fakeQuantAffine, float16RoundTrip, fromFloat16Bits,
  quantizeAffine, quantizeBias, quantizePerChannel, roundHalfEven, toFloat16Bits,
} from './quantize';

const f = Math.fround;

describe('rounding', () => {
  it('rounds half to even, like ONNX QuantizeLinear and np.round', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, 2.5001, 3].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, -2, 2, 3, 3]);
  });
});

describe('affine activations', () => {
  it('uint8: the range is widened to hold 0, the zero point maps 0 exactly, round trip within half a step', () => {
    const p = affineParams({ min: 0.5, max: 6 }, 'uint8');
    expect(p.scale).toBe(f(f(6) / 255));
    expect(p.zeroPoint).toBe(0);
    const q = affineParams({ min: -1, max: 3 }, 'uint8');
    expect(q.scale).toBe(f(4 / 255));
    expect(q.zeroPoint).toBe(roundHalfEven(f(0 - f(-1 / q.scale))));
    expect(Array.from(fakeQuantAffine([0], q))).toEqual([0]);
    const r = mulberry32(1);
    const xs = Array.from({ length: 2000 }, () => -1 + 4 * r());
    const back = fakeQuantAffine(xs, q);
    for (let i = 0; i < xs.length; i++) expect(Math.abs(back[i]! - xs[i]!)).toBeLessThanOrEqual(q.scale / 2 + 1e-6);
  });

  it('int8: [-128, 127]; values outside the range saturate', () => {
    const p = affineParams({ min: -2, max: 2 }, 'int8');
    expect(p.scale).toBe(f(4 / 255));
    const q = quantizeAffine([-100, -2, 0, 2, 100], p);
    expect(q[0]).toBe(-128);
    expect(q[4]).toBe(127);
    expect(q[2]).toBe(p.zeroPoint);
    expect(dequantizeAffine(q, p)[0]).toBeCloseTo((-128 - p.zeroPoint) * p.scale, 6);
  });

  it('an all-zero range gets scale 1; a non-finite or reversed range is refused by name', () => {
    expect(affineParams({ min: 0, max: 0 })).toEqual({ scale: 1, zeroPoint: 0, dtype: 'uint8' });
    expect(() => affineParams({ min: 0, max: Infinity })).toThrow(/Cannot quantize the range \[0, Infinity\]/);
    expect(() => affineParams({ min: 2, max: 1 })).toThrow(/min ≤ max/);
  });
});

describe('int8 per-channel weights', () => {
  it('one scale per output channel = max|w_c| / 127; the largest weight of each channel maps to ±127', () => {
    // Dense kernel [3 inputs, 2 units]: channel = column.
    const w = [0.5, -2, -1, 1, 0.25, 0.5];
    const q = quantizePerChannel(w, [3, 2]);
    expect(Array.from(q.scales)).toEqual([f(1 / 127), f(2 / 127)]);
    expect(Array.from(q.q)).toEqual([roundHalfEven(f(0.5 / f(1 / 127))), -127, -127, roundHalfEven(f(1 / f(2 / 127))), roundHalfEven(f(0.25 / f(1 / 127))), roundHalfEven(f(0.5 / f(2 / 127)))]);
    const back = dequantizePerChannel(q);
    for (let i = 0; i < w.length; i++) expect(Math.abs(back[i]! - w[i]!)).toBeLessThanOrEqual(q.scales[i % 2]! / 2 + 1e-7);
  });

  it('a convolution kernel [kh, kw, in, out] and a depthwise kernel [kh, kw, in, mult] (channels in·mult)', () => {
    const r = mulberry32(3);
    const shape = [3, 3, 4, 5];
    const w = Float32Array.from({ length: 180 }, () => r() * 2 - 1);
    w[7] = 0; // channel 2 (7 mod 5) keeps its own max
    const q = quantizePerChannel(w, shape);
    expect(q.scales).toHaveLength(5);
    for (let c = 0; c < 5; c++) {
      let m = 0;
      for (let i = c; i < w.length; i += 5) m = Math.max(m, Math.abs(w[i]!));
      expect(q.scales[c]).toBe(f(m / 127));
      expect(Math.max(...Array.from(q.q).filter((_, i) => i % 5 === c).map(Math.abs))).toBe(127);
    }
    expect(channelCount([3, 3, 4, 2], 2)).toBe(8);
    expect(quantizePerChannel(w.subarray(0, 72), [3, 3, 4, 2], 2).scales).toHaveLength(8);
    expect(() => channelCount([3], 2)).toThrow(/no 2 trailing channel/);
  });

  it('a channel of zeros gets scale 1 and stays zero', () => {
    const q = quantizePerChannel([0, 1, 0, -3], [2, 2]);
    expect(q.scales[0]).toBe(1);
    expect(Array.from(dequantizePerChannel(q))).toEqual([0, f(42 * f(3 / 127)), 0, -3]);
  });

  it('biases: int32 at scale s_in · s_w[c]', () => {
    const b = quantizeBias([0.1, -0.37], f(0.02), Float32Array.of(f(0.01), f(0.003)));
    expect(Array.from(b.scales)).toEqual([f(f(0.02) * f(0.01)), f(f(0.02) * f(0.003))]);
    expect(Array.from(b.q)).toEqual([roundHalfEven(f(f(0.1) / b.scales[0]!)), roundHalfEven(f(f(-0.37) / b.scales[1]!))]);
    expect(Math.abs(b.values[1]! + 0.37)).toBeLessThanOrEqual(b.scales[1]! / 2 + 1e-9);
    expect(() => quantizeBias([1], 1, Float32Array.of(1, 2))).toThrow(/does not match 2 weight channels/);
  });
});

describe('float16', () => {
  it('special values: max half, overflow, subnormals, ties to even, NaN', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(65520)).toBe(0x7c00);
    expect(toFloat16Bits(-(2 ** -24))).toBe(0x8001);
    expect(toFloat16Bits(2 ** -25)).toBe(0); // exactly half the smallest subnormal: ties to even
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie → even mantissa
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(fromFloat16Bits(toFloat16Bits(NaN))).toBeNaN();
    expect(fromFloat16Bits(0x7bff)).toBe(65504);
  });

  it('round trips equal NumPy\'s float16 on 20,000 values across the whole range', () => {
    const r = mulberry32(7);
    const xs = Float32Array.from({ length: 20_000 }, (_, i) => (r() - 0.5) * 2 ** ((i % 44) - 28));
    const ours = float16RoundTrip(xs);
    const out = execFileSync('/usr/bin/python3', ['-c', [
      'import sys, numpy as np',
      'x = np.frombuffer(sys.stdin.buffer.read(), dtype="<f4")',
      'sys.stdout.buffer.write(x.astype(np.float16).astype("<f4").tobytes())',
    ].join('\n')], { input: Buffer.from(xs.buffer) });
    const ref = new Float32Array(out.buffer, out.byteOffset, out.length / 4);
    expect(ref).toHaveLength(xs.length);
    let diff = 0;
    for (let i = 0; i < xs.length; i++) if (!Object.is(ours[i], ref[i])) diff++;
    expect(diff).toBe(0);
  });
});

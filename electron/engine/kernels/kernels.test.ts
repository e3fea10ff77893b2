/**
 * Every kernel/gradient Layerloom registers for wasm gives the cpu backend's result (within 1e-4) on
 * random inputs, over strides, paddings, kernel sizes and dilations.
 */
import * as tf from '@tensorflow/tfjs-core';
import { installFastKernels } from './index';
import { simdKernels } from './simd';
import type { WasmBackend } from './wasm-util';
import { initWasm, onBackend } from './test-backends';
import { mulberry32 } from '../../../shared/random';

type Arrays = number[][];

/** Deterministic pseudo-random values in [-1, 1) (mulberry32). */
function rand(n: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = r() * 2 - 1;
  return out;
}
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
const rnd = (shape: number[], seed: number) => tf.tensor(rand(size(shape), seed), shape);

/** Run f on cpu then on wasm; every returned tensor must match within 1e-4 (relative above 1). */
async function expectSame(label: string, f: () => tf.Tensor[]): Promise<void> {
  const run = (): Arrays => tf.tidy(() => f().map((t) => Array.from(t.dataSync())));
  const cpu = await onBackend('cpu', run);
  const wasm = await onBackend('wasm', run);
  expect(wasm.length, label).toBe(cpu.length);
  cpu.forEach((ref, i) => {
    const got = wasm[i]!;
    expect(got.length, `${label} output ${i} size`).toBe(ref.length);
    let worst = 0;
    for (let j = 0; j < ref.length; j++) {
      const err = Math.abs(got[j]! - ref[j]!) / Math.max(1, Math.abs(ref[j]!));
      if (!(err <= worst)) worst = Number.isNaN(err) ? Infinity : err;
    }
    expect(worst, `${label} output ${i}`).toBeLessThanOrEqual(1e-4);
  });
}

beforeAll(async () => {
  await initWasm();
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('installFastKernels', () => {
  it('is idempotent and registers the kernels wasm lacks', async () => {
    const a = installFastKernels().installed;
    const b = installFastKernels().installed;
    expect(b).toEqual(a);
    for (const k of ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'UnsortedSegmentSum']) {
      expect(tf.getKernel(k, 'wasm'), k).toBeDefined();
    }
    const wasm = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
    const missing = tf.getKernelsForBackend('cpu').map((k) => k.kernelName).filter((k) => !wasm.has(k));
    expect(missing).toEqual([]);
  });
});

// [H, W, KH, KW, strideH, strideW, pad, Cin, Cout, N]
const CONV_CASES: [number, number, number, number, number, number, 'same' | 'valid', number, number, number][] = [
  [8, 8, 3, 3, 1, 1, 'same', 2, 3, 2],
  [8, 8, 3, 3, 1, 1, 'valid', 2, 3, 2],
  [9, 9, 5, 5, 2, 3, 'valid', 2, 3, 1],
  [8, 8, 3, 2, 2, 2, 'same', 3, 2, 2],
  [7, 7, 3, 3, 2, 2, 'same', 1, 4, 3],
  [7, 6, 2, 4, 3, 1, 'valid', 2, 2, 2],
  [10, 10, 4, 4, 2, 2, 'same', 2, 2, 1],
  [6, 9, 1, 1, 1, 2, 'valid', 3, 2, 2],
  [5, 5, 5, 5, 1, 1, 'same', 2, 2, 2],
];

describe('Conv2D gradients (forward-convolution rewrite)', () => {
  it.each(CONV_CASES)('x %ix%i k %ix%i s %i,%i %s ci %i co %i n %i', async (H, W, KH, KW, sH, sW, pad, ci, co, n) => {
    await expectSame('conv2d grads', () => {
      const x = rnd([n, H, W, ci], 1);
      const w = rnd([KH, KW, ci, co], 2);
      const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, [sH, sW], pad);
      const dy = rnd(y.shape, 3);
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, [sH, sW], pad))([x, w], dy);
      return [y, dx!, dw!];
    });
  });

  it.each([['patches'], ['conv']])('filter gradient, %s formulation forced, stride 1, several channel counts', async (form) => {
    process.env.LAYERLOOM_CONV_FILTER_GRAD = form;
    try {
      for (const [ci, co, pad] of [[1, 8, 'same'], [1, 3, 'valid'], [3, 6, 'valid'], [4, 2, 'same']] as const) {
        await expectSame(`filter grad ${form} ci ${ci} co ${co} ${pad}`, () => {
          const x = rnd([3, 7, 6, ci], 8);
          const w = rnd([3, 2, ci, co], 9);
          const f = (k: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, 1, pad);
          return [tf.grad(f)(w, rnd(f(w).shape, 10))];
        });
      }
    } finally {
      delete process.env.LAYERLOOM_CONV_FILTER_GRAD;
    }
  });

  it('matches through a fused conv with bias and relu (the Conv2D layer path)', async () => {
    await expectSame('fused conv', () => {
      const x = rnd([2, 7, 7, 3], 4);
      const w = rnd([3, 3, 3, 4], 5);
      const b = rnd([4], 6);
      const f = (a: tf.Tensor, k: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(
        tf.fused.conv2d({ x: a as tf.Tensor4D, filter: k as tf.Tensor4D, bias: c, strides: 2, pad: 'same', activation: 'relu' }),
        rnd([2, 4, 4, 4], 7)));
      return tf.grads(f)([x, w, b]);
    });
  });

  it.each([[1, 2, 'same'], [2, 1, 'valid'], [2, 3, 'same']] as const)('dilation %i,%i %s on wasm equals the dilated-filter reference on cpu', async (dH, dW, pad) => {
    const KH = 3, KW = 2, ci = 2, co = 3;
    const x0 = rand(2 * 9 * 9 * ci, 11), w0 = rand(KH * KW * ci * co, 12);
    // Reference: an ordinary conv with the filter dilated by zero insertion (gather from [0; w]).
    const eh = (KH - 1) * dH + 1, ew = (KW - 1) * dW + 1;
    const idx: number[] = [];
    for (let i = 0; i < eh; i++) for (let j = 0; j < ew; j++) idx.push(i % dH === 0 && j % dW === 0 ? 1 + (i / dH) * KW + j / dW : 0);
    const ref = await onBackend('cpu', () => tf.tidy(() => {
      const x = tf.tensor4d(x0, [2, 9, 9, ci]);
      const w = tf.tensor4d(w0, [KH, KW, ci, co]);
      const f = (a: tf.Tensor, k: tf.Tensor) => {
        const flat = tf.concat([tf.zeros([1, ci * co]), tf.reshape(k, [KH * KW, ci * co])]);
        const wd = tf.reshape(tf.gather(flat, tf.tensor1d(idx, 'int32')), [eh, ew, ci, co]);
        return tf.conv2d(a as tf.Tensor4D, wd as tf.Tensor4D, 1, pad);
      };
      const y = f(x, w);
      const dy = tf.tensor(rand(size(y.shape), 13), y.shape);
      return [y, ...tf.grads(f)([x, w], dy)].map((t) => Array.from(t.dataSync()));
    }));
    const got = await onBackend('wasm', () => tf.tidy(() => {
      const x = tf.tensor4d(x0, [2, 9, 9, ci]);
      const w = tf.tensor4d(w0, [KH, KW, ci, co]);
      const lin = (a: tf.Tensor, k: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, k as tf.Tensor4D, 1, pad, 'NHWC', [dH, dW]);
      const y = lin(x, w);
      const dy = tf.tensor(rand(size(y.shape), 13), y.shape);
      return [y, ...tf.grads(lin)([x, w], dy)].map((t) => Array.from(t.dataSync()));
    }));
    ref.forEach((r, i) => {
      const g = got[i]!;
      expect(g.length).toBe(r.length);
      expect(Math.max(...r.map((v, j) => Math.abs(v - g[j]!)))).toBeLessThanOrEqual(1e-4);
    });
  });

  it.each([[4, 4, 3, 2, 'same', 3, 2], [4, 5, 2, 1, 'valid', 2, 3], [3, 3, 3, 3, 'valid', 2, 2], [5, 4, 4, 2, 'same', 1, 3]] as const)(
    'Conv2DTranspose %ix%i k%i s%i %s forward and gradients', async (H, W, K, s, pad, ci, co) => {
      await expectSame('conv2dTranspose', () => {
        const x = rnd([2, H, W, ci], 21);
        const w = rnd([K, K, co, ci], 22);
        const outShape: [number, number, number, number] = pad === 'same' ? [2, H * s, W * s, co] : [2, (H - 1) * s + K, (W - 1) * s + K, co];
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, outShape, s, pad);
        const y = f(x, w);
        return [y, ...tf.grads(f)([x, w], rnd(y.shape, 23))];
      });
    });

  it('Conv1D (via conv2d) gradients', async () => {
    await expectSame('conv1d', () => {
      const x = rnd([3, 9, 2], 31);
      const w = rnd([3, 2, 4], 32);
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv1d(a as tf.Tensor3D, b as tf.Tensor3D, 2, 'same');
      const y = f(x, w);
      return [y, ...tf.grads(f)([x, w], rnd(y.shape, 33))];
    });
  });
});

describe('SIMD kernels (./simd)', () => {
  it('are active on wasm, so the cases above ran them', async () => {
    expect(await onBackend('wasm', () => simdKernels(tf.backend() as unknown as WasmBackend))).not.toBeNull();
  });

  // Random shapes: odd sizes and channel counts (tails of the 4- and 8-wide tiles), strides,
  // padding, more output positions than one 64-position block. (Dilation: the test above, against a
  // dilated-filter reference: the cpu backend has no dilated gradient. Strides larger than the
  // kernel: the test below.)
  const r = mulberry32(2026);
  const pick = <T,>(v: readonly T[]) => v[Math.floor(r() * v.length)]!;
  const cases = Array.from({ length: 14 }, () => {
    const KH = pick([1, 2, 3, 5]), KW = pick([1, 2, 3, 4]);
    const H = KH + Math.floor(r() * 9), W = KW + Math.floor(r() * 9);
    return [pick([1, 2, 3]), H, W, KH, KW, Math.min(KH, pick([1, 2, 3])), Math.min(KW, pick([1, 2])),
      pick(['same', 'valid'] as const), pick([1, 2, 3, 4, 5, 8, 9, 12]), pick([1, 3, 4, 6, 8, 9, 17])] as const;
  });
  it.each(cases)('n %i x %ix%i k %ix%i s %i,%i %s ci %i co %i', async (n, H, W, KH, KW, sH, sW, pad, ci, co) => {
    await expectSame('simd conv grads', () => {
      const x = rnd([n, H, W, ci], 101);
      const w = rnd([KH, KW, ci, co], 102);
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, [sH, sW], pad);
      const y = f(x, w);
      return [y, ...tf.grads(f)([x, w], rnd(y.shape, 103))];
    });
  });

  it.each(cases)('forward forced onto SIMD: n %i x %ix%i k %ix%i s %i,%i %s ci %i co %i', async (n, H, W, KH, KW, sH, sW, pad, ci, co) => {
    process.env.LAYERLOOM_CONV_FORWARD = 'simd';
    try {
      await expectSame('simd conv forward', () => [tf.conv2d(rnd([n, H, W, ci], 101) as tf.Tensor4D, rnd([KH, KW, ci, co], 102) as tf.Tensor4D, [sH, sW], pad)]);
    } finally {
      delete process.env.LAYERLOOM_CONV_FORWARD;
    }
  });

  it.each([[3, 7, 5, 3, 'same', 32], [1, 9, 9, 2, 'valid', 40]] as const)('forward with ≥ 32 output channels (SIMD by default), odd positions: n %i %ix%i ci %i %s co %i', async (n, H, W, ci, pad, co) => {
    await expectSame('simd conv forward 32+', () => {
      const x = rnd([n, H, W, ci], 123);
      const w = rnd([3, 3, ci, co], 124);
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, pad);
      const y = f(x, w);
      return [y, ...tf.grads(f)([x, w], rnd(y.shape, 125))];
    });
  });

  it.each([[3, 3, 2, 1, 3, 2, 'same'], [7, 8, 1, 2, 3, 3, 'valid'], [9, 9, 2, 2, 3, 3, 'same'], [6, 5, 1, 1, 2, 2, 'valid']] as const)(
    'stride larger than the kernel (stock wasm returns zeros for some): x %ix%i k %ix%i s %i,%i %s', async (H, W, KH, KW, sH, sW, pad) => {
      await expectSame('stride > kernel', () => {
        const x = rnd([2, H, W, 2], 141);
        const w = rnd([KH, KW, 2, 3], 142);
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, [sH, sW], pad);
        const y = f(x, w);
        return [y, ...tf.grads(f)([x, w], rnd(y.shape, 143))];
      });
    });

  it.each([[2, 7, 9, 9, 5, 'same'], [2, 12, 13, 9, 10, 'same'], [1, 8, 8, 8, 33, 'valid'], [3, 6, 11, 10, 12, 'same'], [2, 5, 5, 16, 9, 'valid'], [1, 12, 9, 13, 8, 'same']] as const)(
    'Winograd 3×3 (forward and input gradient): n %i x %ix%i ci %i co %i %s', async (n, H, W, ci, co, pad) => {
      process.env.LAYERLOOM_CONV_FORWARD = 'simd';
      try {
        await expectSame('winograd', () => {
          const x = rnd([n, H, W, ci], 144);
          const w = rnd([3, 3, ci, co], 145);
          const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, pad);
          const y = f(x, w);
          return [y, ...tf.grads(f)([x, w], rnd(y.shape, 146))];
        });
      } finally {
        delete process.env.LAYERLOOM_CONV_FORWARD;
      }
    });

  it('the MNIST CNN\'s conv2 shape (several blocks, Ci 32, Co 64)', async () => {
    await expectSame('cnn conv2', () => {
      const x = rnd([2, 13, 13, 32], 104);
      const w = rnd([3, 3, 32, 64], 105);
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'valid');
      return tf.grads(f)([x, w], rnd([2, 11, 11, 64], 106));
    });
  });

  it('LAYERLOOM_SIMD_KERNELS=off runs the forward-convolution and JS formulations, also correct', async () => {
    process.env.LAYERLOOM_SIMD_KERNELS = 'off';
    try {
      expect(await onBackend('wasm', () => simdKernels(tf.backend() as unknown as WasmBackend))).toBeNull();
      for (const [H, W, K, s, pad, ci, co] of [[8, 8, 3, 1, 'same', 2, 3], [9, 7, 3, 2, 'valid', 3, 5]] as const) {
        await expectSame(`off: conv ${H}x${W} k${K} s${s} ${pad}`, () => {
          const x = rnd([2, H, W, ci], 107);
          const w = rnd([K, K, ci, co], 108);
          const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad);
          return tf.grads(f)([x, w], rnd(f(x, w).shape, 109));
        });
      }
      await expectSame('off: pools', () => {
        const x = tf.relu(tf.div(tf.round(tf.mul(rnd([2, 7, 7, 6], 110), 3)), 3));
        const mp = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 3, 2, 'same');
        const ap = (a: tf.Tensor) => tf.avgPool(a as tf.Tensor4D, 2, 2, 'valid');
        return [tf.grad(mp)(x, rnd(mp(x).shape, 111)), tf.grad(ap)(x, rnd(ap(x).shape, 112))];
      });
    } finally {
      delete process.env.LAYERLOOM_SIMD_KERNELS;
    }
  });
});

describe('one-pass element-wise kernels', () => {
  it.each([[[4, 5, 6, 8]], [[3, 7]], [[2, 3, 5, 3]], [[1]]])('Relu gradient of %j (zeros and negatives)', async (shape) => {
    await expectSame('relu grad', () => {
      const x = tf.tensor(rand(size(shape), 131).map((e, i) => (i % 7 === 0 ? 0 : e)), shape);
      return [tf.relu(x), tf.grad((a: tf.Tensor) => tf.relu(a))(x, rnd(shape, 132))];
    });
  });
  it('Relu gradient is NaN where x is NaN (as step(x) on cpu)', async () => {
    const g = (await Promise.all((['cpu', 'wasm'] as const).map((b) => onBackend(b, () => tf.tidy(() =>
      Array.from(tf.grad((a: tf.Tensor) => tf.relu(a))(tf.tensor([NaN, 1, -1, 0, NaN, 2]), tf.ones([6])).dataSync())))))) as number[][];
    expect(g[0]).toEqual([NaN, 1, 0, 0, NaN, 1]);
    expect(g[1]).toEqual(g[0]);
  });
  it.each([[[4, 5, 6, 8], [8]], [[3, 7], [7]], [[2, 3, 5, 3], [1, 1, 3]], [[6, 9], [1, 9]], [[5, 4], [5, 4]], [[3, 1], [3]], [[4], [4]]])(
    'Add %j + %j (bias vectors one pass, others stock)', async (sa, sb) => {
      await expectSame('add', () => [tf.add(rnd(sa, 133), rnd(sb, 134)), tf.add(rnd(sb, 135), rnd(sa, 136))]);
    });
  it('Dense and Conv2D layers with relu train the same (bias add and relu gradients)', async () => {
    await expectSame('layer grads', () => {
      const x = rnd([3, 6, 6, 4], 137);
      const w = rnd([3, 3, 4, 5], 138);
      const b = rnd([5], 139);
      const f = (a: tf.Tensor, k: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(tf.relu(tf.add(tf.conv2d(a as tf.Tensor4D, k as tf.Tensor4D, 1, 'same'), c)), rnd([3, 6, 6, 5], 140)));
      return tf.grads(f)([x, w, b]);
    });
  });
});

describe('DepthwiseConv2dNative gradients', () => {
  it.each([[8, 8, 3, 1, 'same', 2, 1], [8, 8, 3, 2, 'same', 3, 2], [9, 7, 2, 2, 'valid', 2, 3], [6, 6, 5, 1, 'valid', 1, 2], [7, 7, 3, 3, 'same', 2, 1]] as const)(
    'x %ix%i k%i s%i %s C %i M %i', async (H, W, K, s, pad, C, M) => {
      await expectSame('depthwise', () => {
        const x = rnd([2, H, W, C], 41);
        const w = rnd([K, K, C, M], 42);
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad);
        const y = f(x, w);
        return [y, ...tf.grads(f)([x, w], rnd(y.shape, 43))];
      });
    });

  it('separable conv (depthwise + pointwise) gradients', async () => {
    await expectSame('separable', () => {
      const x = rnd([2, 8, 8, 3], 44);
      const dw = rnd([3, 3, 3, 2], 45);
      const pw = rnd([1, 1, 6, 5], 46);
      const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.separableConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D, 2, 'valid');
      const y = f(x, dw, pw);
      return [y, ...tf.grads(f)([x, dw, pw], rnd(y.shape, 47))];
    });
  });
});

describe('UnsortedSegmentSum and the Gather (Embedding) gradient', () => {
  it('unsortedSegmentSum over rows, with repeated and out-of-range ids', async () => {
    await expectSame('segment sum', () => {
      const x = rnd([7, 3, 2], 51);
      const ids = tf.tensor1d([0, 4, 4, 1, 0, 9, 2], 'int32');
      return [tf.unsortedSegmentSum(x, ids, 5)];
    });
  });

  it('embedding lookup gradient', async () => {
    await expectSame('gather grad', () => {
      const table = rnd([11, 4], 52);
      const ids = tf.tensor2d([[1, 3, 3, 10], [0, 1, 5, 5]], [2, 4], 'int32');
      const f = (t: tf.Tensor) => tf.gather(t, ids);
      const y = f(table);
      return [y, tf.grad(f)(table, rnd(y.shape, 53))];
    });
  });
});

describe('pooling gradients', () => {
  // Values rounded to a coarse grid create ties, and relu zeros create all-tie windows.
  const tied = (shape: number[], seed: number) => tf.relu(tf.div(tf.round(tf.mul(rnd(shape, seed), 3)), 3));
  it.each([[8, 8, 2, 2, 'valid', 3], [7, 7, 3, 2, 'same', 2], [6, 9, 2, 3, 'same', 4], [5, 5, 3, 1, 'valid', 1], [8, 6, 2, 2, 'same', 2],
    [7, 9, 2, 2, 'valid', 7], [9, 8, 3, 2, 'same', 9], [6, 6, 2, 1, 'same', 12]] as const)(
    'x %ix%i pool %i stride %i %s C %i', async (H, W, K, s, pad, C) => {
      await expectSame('pool grads', () => {
        const x = tied([2, H, W, C], 61);
        const mp = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, K, s, pad);
        const ap = (a: tf.Tensor) => tf.avgPool(a as tf.Tensor4D, [K, K], s, pad);
        const y = mp(x);
        return [y, tf.grad(mp)(x, rnd(y.shape, 62)), tf.grad(ap)(x, rnd(y.shape, 63))];
      });
    });

  it('1D pooling via 2D, rectangular windows', async () => {
    await expectSame('pool1d', () => {
      const x = tied([3, 1, 7, 3], 64);
      const mp = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, [1, 3], [1, 2], 'same');
      const ap = (a: tf.Tensor) => tf.avgPool(a as tf.Tensor4D, [1, 2], [1, 2], 'valid');
      return [tf.grad(mp)(x, rnd(mp(x).shape, 65)), tf.grad(ap)(x, rnd(ap(x).shape, 66))];
    });
  });
});

describe('cpu fallback for kernels wasm lacks', () => {
  it('Einsum runs on wasm through the fallback', async () => {
    await expectSame('einsum', () => [tf.einsum('ij,jk->ik', rnd([3, 4], 71), rnd([4, 2], 72))]);
  });
  it('does not leak tensors on either side', async () => {
    await onBackend('wasm', () => {
      const before = tf.memory().numTensors;
      tf.tidy(() => tf.einsum('ij,jk->ik', rnd([3, 4], 73), rnd([4, 2], 74)).dataSync());
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});

describe('transposed matrix products', () => {
  it.each([[false, false], [true, false], [false, true], [true, true]])('matMul transposeA=%s transposeB=%s, batched and 2D', async (ta, tb) => {
    await expectSame('matmul', () => {
      const a2 = rnd(ta ? [5, 3] : [3, 5], 81);
      const b2 = rnd(tb ? [4, 5] : [5, 4], 82);
      const a3 = rnd(ta ? [2, 5, 3] : [2, 3, 5], 83);
      const b3 = rnd(tb ? [2, 4, 5] : [2, 5, 4], 84);
      return [tf.matMul(a2, b2, ta, tb), tf.matMul(a3, b3, ta, tb)];
    });
  });
  it.each([[70, 13, 9], [5, 131, 17], [64, 33, 1], [1, 7, 66], [6, 10, 16]])('SIMD products, odd sizes and several 64-row blocks: M %i K %i N %i', async (M, K, N) => {
    await expectSame('simd matmul', () => [
      tf.matMul(rnd([K, M], 113), rnd([K, N], 114), true, false),
      tf.matMul(rnd([M, K], 115), rnd([N, K], 116), false, true),
      tf.matMul(rnd([3, K, M], 117), rnd([3, K, N], 118), true, false),
      tf.matMul(rnd([2, M, K], 119), rnd([2, N, K], 120), false, true),
      tf.matMul(rnd([2, M, K], 121), rnd([1, N, K], 122), false, true), // broadcast batch: explicit transpose
      tf.matMul(rnd([M, K], 126), rnd([K, N], 127)),
      tf.matMul(rnd([3, M, K], 128), rnd([3, K, N], 129)),
    ]);
  });
  it('fused matMul (Dense) with bias and relu: forward and gradients', async () => {
    await expectSame('fused matmul', () => {
      const x = rnd([6, 7], 85);
      const w = rnd([7, 4], 86);
      const b = rnd([4], 87);
      const f = (a: tf.Tensor, k: tf.Tensor, c: tf.Tensor) => tf.fused.matMul({ a: a as tf.Tensor2D, b: k as tf.Tensor2D, bias: c, activation: 'relu' });
      const y = f(x, w, b);
      return [y, ...tf.grads(f)([x, w, b], rnd(y.shape, 88))];
    });
  });
});

describe('layout kernels', () => {
  it.each([[[6, 5, 4, 9], [0, 1, 2]], [[6, 5, 4, 9], [0]], [[40, 9], [0]], [[3, 50, 8], [0, 1]], [[6, 5, 4, 9], [1, 2]], [[6, 5, 4, 9], [0, 1, 2, 3]], [[6, 5, 4, 9], [-1]],
    [[7, 11, 37], [0, 1]], [[2001, 20], [0]], [[3, 64, 5, 33], [0, 1, 2]]] as const)(
    'sum of %j over axes %j (and keepDims)', async (shape, axes) => {
      await expectSame('sum', () => {
        const x = rnd([...shape], 91);
        return [tf.sum(x, [...axes]), tf.sum(x, [...axes], true)];
      });
    });
  it('bias-add gradient (sum over N, H, W)', async () => {
    await expectSame('bias grad', () => {
      const x = rnd([4, 6, 6, 8], 92);
      const b = rnd([8], 93);
      return [tf.grad((c: tf.Tensor) => tf.sum(tf.mul(tf.add(x, c), rnd([4, 6, 6, 8], 94))))(b)];
    });
  });
  it.each([[[4, 5, 6, 9], [1, 2, 0, 3]], [[4, 5, 6, 9], [2, 0, 1, 3]], [[3, 4, 16], [1, 0, 2]], [[2, 3, 4, 5, 8], [4, 3, 2, 1, 0]], [[4, 5, 6, 9], [3, 1, 2, 0]], [[5, 7, 3], [1, 0, 2]]] as const)(
    'transpose %j by %j', async (shape, perm) => {
      await expectSame('transpose', () => [tf.transpose(rnd([...shape], 95), [...perm]), tf.transpose(tf.cast(tf.mul(rnd([...shape], 96), 100), 'int32'), [...perm])]);
    });
});

describe('slicing without full copies', () => {
  it.each([
    [[7, 5], [2, 0], [3, 5]], [[7, 5], [1, 1], [4, 3]], [[4, 6, 5], [1, 2, 0], [2, 3, 5]], [[4, 6, 5], [0, 1, 2], [4, 4, 2]],
    [[3, 4, 5, 6], [1, 0, 2, 1], [2, 4, 3, 4]], [[2, 3, 4, 5, 2], [1, 1, 0, 2, 0], [1, 2, 4, 3, 2]], [[9], [3], [4]], [[6, 4], [0, 0], [6, 4]], [[5, 3], [2, 1], [0, 2]],
  ] as const)('slice %j from %j size %j (float32, int32, bool)', async (shape, begin, sz) => {
    await expectSame('slice', () => {
      const x = rnd([...shape], 97);
      return [tf.slice(x, [...begin], [...sz]), tf.slice(tf.cast(tf.mul(x, 50), 'int32'), [...begin], [...sz]), tf.cast(tf.slice(tf.greater(x, 0), [...begin], [...sz]), 'float32')];
    });
  });
  it.each([[0], [1], [2], [-1]])('unstack along axis %i and its gradient', async (axis) => {
    await expectSame('unstack', () => {
      const x = rnd([3, 4, 5], 98);
      const parts = tf.unstack(x, axis);
      const g = tf.grad((t: tf.Tensor) => tf.addN(tf.unstack(t, axis).map((p, i) => tf.mul(p, i + 1))))(x);
      return [...parts, g];
    });
  });
  it('strided slice and an LSTM-like time loop', async () => {
    await expectSame('strided', () => {
      const x = rnd([4, 7, 6], 99);
      return [tf.stridedSlice(x, [0, 1, 0], [4, 7, 6], [1, 2, 1]), tf.stridedSlice(x, [1, 0, 2], [3, 7, 5], [1, 3, 1])];
    });
  });
});

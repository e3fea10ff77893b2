/**
 * Microbenchmark of Layerloom's wasm kernels on the benchmarked MNIST CNN's and LeNet's exact shapes
 * (batch 64), A/B in one process: the SIMD kernels against LAYERLOOM_SIMD_KERNELS=off, interleaved
 * call by call, so machine load hits both alike. Prints the median CPU ms
 * per call (process.cpuUsage; steadier than wall time on a shared machine), GFLOP/s for the
 * convolutions, and the ratio to the first variant. Not part of npm test.
 *
 *   npx tsx bench/kernels.ts [--reps 15]
 */
import * as tf from '@tensorflow/tfjs-core';
import { initWasm } from '../electron/engine/kernels/test-backends';

const repsArg = process.argv.indexOf('--reps');
const REPS = repsArg >= 0 ? Number(process.argv[repsArg + 1]) : 15;

type Env = Record<string, string | undefined>;
interface Case { name: string; flops?: number; variants: [string, Env][]; run: () => tf.Tensor }

/**
 * simd: the current kernels; before: LAYERLOOM_SIMD_KERNELS=off, i.e. what ran before the SIMD module
 * (XNNPACK forward convolutions and products plus layout transposes, JS pooling loops, the
 * ones-product Sum, stock element-wise kernels).
 */
const AB: [string, Env][] = [['simd', {}], ['before', { LAYERLOOM_SIMD_KERNELS: 'off' }]];

const ENV_KEYS = ['LAYERLOOM_WINOGRAD', 'LAYERLOOM_CONV_FORWARD', 'LAYERLOOM_SUM', 'LAYERLOOM_MATMUL', 'LAYERLOOM_CONV_FILTER_GRAD', 'LAYERLOOM_CONV_INPUT_GRAD', 'LAYERLOOM_POOL_GRAD', 'LAYERLOOM_SIMD_KERNELS'];
function setEnv(env: Env) {
  for (const k of ENV_KEYS) delete process.env[k];
  Object.assign(process.env, env);
}

function cpuMs(f: () => void): number {
  const t0 = process.cpuUsage();
  f();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const rnd = (shape: number[]) => tf.randomUniform(shape, -1, 1, 'float32', 1);

function convCases(tag: string, n: number, h: number, w: number, ci: number, k: number, co: number, pad: 'valid' | 'same', inputGrad: boolean): Case[] {
  const x = rnd([n, h, w, ci]) as tf.Tensor4D;
  const f = rnd([k, k, ci, co]) as tf.Tensor4D;
  const y = tf.conv2d(x, f, 1, pad);
  const dy = rnd(y.shape);
  const macs = y.size * k * k * ci;
  const attrs = { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1] };
  const cases: Case[] = [
    // A new filter tensor per call, as in training (XNNPACK builds an operator per filter tensor).
    {
      name: `${tag} forward, new filter`, flops: 2 * macs, variants: [...AB, ['gemm', { LAYERLOOM_WINOGRAD: 'off' }]],
      run: () => tf.tidy(() => tf.conv2d(x, tf.mul(f, 1) as tf.Tensor4D, 1, pad)),
    },
    { name: `${tag} forward, same filter`, flops: 2 * macs, variants: AB, run: () => tf.conv2d(x, f, 1, pad) },
    {
      name: `${tag} filter grad`, flops: 2 * macs,
      variants: [...AB, ['gemm', { LAYERLOOM_WINOGRAD: 'off' }]],
      run: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: f.shape }) as tf.Tensor,
    },
  ];
  if (inputGrad) {
    cases.push({
      name: `${tag} input grad`, flops: 2 * macs,
      variants: [...AB, ['gemm', { LAYERLOOM_WINOGRAD: 'off' }]],
      run: () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: f }, { ...attrs, inputShape: x.shape }) as tf.Tensor,
    });
  }
  return cases;
}

function poolCases(tag: string, n: number, h: number, w: number, c: number): Case[] {
  const x = rnd([n, h, w, c]) as tf.Tensor4D;
  const y = tf.maxPool(x, 2, 2, 'valid');
  const dy = rnd(y.shape);
  const attrs = { filterSize: [2, 2], strides: [2, 2], pad: 'valid' };
  const variants = AB;
  return [
    { name: `${tag} MaxPoolGrad`, variants, run: () => tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, attrs) as tf.Tensor },
    { name: `${tag} AvgPoolGrad`, variants, run: () => tf.engine().runKernel('AvgPoolGrad', { dy, input: x }, attrs) as tf.Tensor },
  ];
}

function sumCases(tag: string, shape: number[]): Case[] {
  const x = rnd(shape);
  const axes = shape.slice(0, -1).map((_, i) => i);
  return [{ name: tag, variants: AB, run: () => tf.sum(x, axes) }];
}

function elementwiseCases(tag: string, shape: number[]): Case[] {
  const x = rnd(shape);
  const dy = rnd(shape);
  const b = rnd([shape[shape.length - 1]!]);
  const variants = AB;
  const relu = tf.grad((a: tf.Tensor) => tf.relu(a));
  return [
    { name: `${tag} Relu gradient`, variants, run: () => relu(x, dy) },
    { name: `${tag} bias Add`, variants, run: () => tf.add(x, b) },
  ];
}

function denseCases(tag: string, n: number, i: number, o: number): Case[] {
  const x = rnd([n, i]);
  const w = rnd([i, o]);
  const dy = rnd([n, o]);
  const variants = AB;
  const flops = 2 * n * i * o;
  return [
    { name: `${tag} forward, new weights`, flops, variants: AB, run: () => tf.tidy(() => tf.matMul(x, tf.mul(w, 1))) },
    { name: `${tag} forward, same weights`, flops, variants: AB, run: () => tf.matMul(x, w) },
    { name: `${tag} dW = xᵀ·dy`, flops, variants, run: () => tf.matMul(x, dy, true, false) },
    { name: `${tag} dx = dy·Wᵀ`, flops, variants, run: () => tf.matMul(dy, w, false, true) },
  ];
}

async function main() {
  await initWasm();
  await tf.setBackend('wasm');
  // The networks npm run bench trains (assets/templates/mnist-cnn.loom, cifar-lenet.loom).
  const cases: Case[] = [
    ...convCases('CNN conv1 28x28x1→28x28x32 same', 64, 28, 28, 1, 3, 32, 'same', false),
    ...convCases('CNN conv2 14x14x32→14x14x64 same', 64, 14, 14, 32, 3, 64, 'same', true),
    ...poolCases('CNN pool1 28x28x32', 64, 28, 28, 32),
    ...poolCases('CNN pool2 14x14x64', 64, 14, 14, 64),
    ...sumCases('CNN conv1 bias grad [64,28,28,32]', [64, 28, 28, 32]),
    ...elementwiseCases('CNN conv1 [64,28,28,32]', [64, 28, 28, 32]),
    ...sumCases('CNN conv2 bias grad [64,14,14,64]', [64, 14, 14, 64]),
    ...denseCases('CNN dense 3136→128', 64, 3136, 128),
    ...denseCases('CNN dense 128→10', 64, 128, 10),
    ...convCases('LeNet conv1 32x32x3→28x28x6 k5', 64, 32, 32, 3, 5, 6, 'valid', false),
    ...convCases('LeNet conv2 14x14x6→10x10x16 k5', 64, 14, 14, 6, 5, 16, 'valid', true),
    ...poolCases('LeNet pool1 28x28x6', 64, 28, 28, 6),
    ...denseCases('MLP dense 784→128', 64, 784, 128),
  ];
  console.log(`median CPU ms per call over ${REPS} interleaved calls; (N.NNx simd) = this time / the simd time (load ${(await import('node:os')).loadavg()[0]!.toFixed(1)})`);
  for (const c of cases) {
    const times = c.variants.map(() => [] as number[]);
    for (let r = 0; r < REPS + 2; r++) {
      c.variants.forEach(([, env], i) => {
        setEnv(env);
        let out: tf.Tensor | null = null;
        const ms = cpuMs(() => { out = c.run(); });
        (out as tf.Tensor | null)?.dispose();
        if (r >= 2) times[i]!.push(ms);
      });
    }
    setEnv({});
    const med = times.map(median);
    const parts = c.variants.map(([label], i) => {
      const gf = c.flops ? ` ${(c.flops / med[i]! / 1e6).toFixed(1)} GFLOP/s` : '';
      const ratio = i === 0 ? '' : ` (${(med[i]! / med[0]!).toFixed(2)}x ${c.variants[0]![0]})`;
      return `${label} ${med[i]!.toFixed(2)} ms${gf}${ratio}`;
    });
    console.log(`${c.name.padEnd(42)} ${parts.join(' | ')}`);
  }
}

void main();

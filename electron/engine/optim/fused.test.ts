/**
 * The fused wasm optimizers give the stock tf.train optimizers' weights bit for bit: the same small
 * CNN trained from the same seed for several steps (real forward/backward passes, so the updated
 * weights also reach XNNPACK's cached convolution/matmul operators), compared weight by weight.
 */
import { tf } from '../tfjs';
import { compileModel } from '../compile';
import type { LoomDocument } from '../../../shared/document';
import { initWasm } from '../kernels/test-backends';
import { FusedAdam, FusedSGD, fusedUpdatePath, makeRunOptimizer } from './fused';

const DOC: LoomDocument = {
  format: 'layerloom.model', version: 1, name: 'tiny',
  nodes: [
    { id: 'in', type: 'Input', params: { shape: [6, 6, 2] } },
    { id: 'conv', type: 'Conv2D', params: { filters: 3, kernelSize: 3, activation: 'relu', padding: 'same' } },
    { id: 'flat', type: 'Flatten', params: {} },
    { id: 'hidden', type: 'Dense', params: { units: 8, activation: 'tanh' } },
    { id: 'out', type: 'Dense', params: { units: 3, activation: 'softmax' } },
  ],
  edges: [{ from: 'in', to: 'conv' }, { from: 'conv', to: 'flat' }, { from: 'flat', to: 'hidden' }, { from: 'hidden', to: 'out' }],
};

const N = 12;
const STEPS = 6;

function batch(step: number) {
  const x = Float32Array.from({ length: N * 72 }, (_, i) => Math.sin(i * 0.37 + step * 1.3));
  const y = new Float32Array(N * 3);
  for (let i = 0; i < N; i++) y[i * 3 + ((i * 7 + step) % 3)] = 1;
  return { x, y };
}

/** Train STEPS steps with `opt` from seed 3; returns the weights. */
function train(opt: tf.Optimizer): Float32Array[] {
  const model = compileModel(DOC, { seed: 3 }).model;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  try {
    for (let s = 0; s < STEPS; s++) {
      const { x, y } = batch(s);
      tf.dispose(opt.minimize(() => tf.tidy(() => {
        const p = model.apply(tf.tensor4d(x, [N, 6, 6, 2]), { training: true }) as tf.Tensor;
        return tf.neg(tf.mean(tf.sum(tf.mul(tf.tensor2d(y, [N, 3]), tf.log(tf.clipByValue(p, 1e-7, 1))), -1))) as tf.Scalar;
      }), true, vars)!);
    }
    return model.getWeights().map((w) => w.dataSync() as Float32Array);
  } finally {
    model.dispose();
    opt.dispose();
  }
}

/** How many float32 values differ in their bits (NaN included: a NaN weight never equals anything here). */
function differingBits(a: Float32Array[], b: Float32Array[]): number {
  let n = 0;
  a.forEach((w, k) => {
    expect(b[k]!.length).toBe(w.length);
    const ua = new Uint32Array(w.buffer, w.byteOffset, w.length);
    const ub = new Uint32Array(b[k]!.buffer, b[k]!.byteOffset, w.length);
    for (let j = 0; j < w.length; j++) if (ua[j] !== ub[j] || Number.isNaN(w[j])) n++;
  });
  return n;
}

function maxRelErr(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((w, k) => {
    for (let j = 0; j < w.length; j++) worst = Math.max(worst, Math.abs(w[j]! - b[k]![j]!) / Math.max(1e-3, Math.abs(w[j]!)));
  });
  return worst;
}

beforeAll(async () => {
  await initWasm();
  await tf.setBackend('wasm');
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

const CASES = [
  ['adam', () => tf.train.adam(0.01, 0.9, 0.999, 1e-7), () => new FusedAdam(0.01, 0.9, 0.999, 1e-7)],
  ['adam (other betas)', () => tf.train.adam(0.003, 0.8, 0.99, 1e-4), () => new FusedAdam(0.003, 0.8, 0.99, 1e-4)],
  ['sgd', () => tf.train.sgd(0.1), () => new FusedSGD(0.1)],
  ['momentum', () => tf.train.momentum(0.05, 0.9), () => new FusedSGD(0.05, 0.9)],
  ['nesterov', () => tf.train.momentum(0.05, 0.9, true), () => new FusedSGD(0.05, 0.9, true)],
] as const;

describe.each(['simd', 'js'] as const)('the %s update', (path) => {
  beforeEach(() => {
    if (path === 'js') process.env.LAYERLOOM_FUSED_OPTIMIZER = 'js';
  });
  afterEach(() => {
    delete process.env.LAYERLOOM_FUSED_OPTIMIZER;
  });

  it.each(CASES)('%s matches the stock optimizer over several steps on wasm', (_name, stock, fused) => {
    expect(fusedUpdatePath()).toBe(path);
    const init = train(new FusedSGD(0)); // lr 0: the initial weights
    const a = train(stock());
    // (measured around the fused run only: tf.train.momentum's dispose leaks its momentum scalar)
    const before = tf.memory().numTensors;
    const b = train(fused());
    expect(tf.memory().numTensors).toBe(before);
    // The run really moved the weights (a broken update would otherwise pass as "equal").
    expect(maxRelErr(init, a)).toBeGreaterThan(1e-3);
    // Same float32 operations in the same order: every weight has the same bits.
    expect(differingBits(a, b)).toBe(0);
    expect(maxRelErr(a, b)).toBe(0);
  });
});

it('keeps the stock optimizer off wasm and refuses to run on another backend', async () => {
  await tf.setBackend('cpu');
  try {
    const opt = makeRunOptimizer({ optimizer: 'adam', learningRate: 0.01, momentum: 0, nesterov: false });
    // (instanceof is duck-typed for every tf.Optimizer: compare class names)
    expect(opt.getClassName()).toBe('Adam');
    opt.dispose();
    const v = tf.variable(tf.zeros([2]));
    const g = tf.ones([2]);
    expect(() => new FusedAdam(0.1).applyGradients({ [v.name]: g })).toThrow(/wasm backend only/);
    tf.dispose([v, g]);
  } finally {
    await tf.setBackend('wasm');
  }
  const name = (o: Parameters<typeof makeRunOptimizer>[0]['optimizer'], momentum = 0) => {
    const opt = makeRunOptimizer({ optimizer: o, learningRate: 0.01, momentum, nesterov: false });
    opt.dispose();
    return opt.getClassName();
  };
  expect(name('adam')).toBe('FusedAdam');
  expect(name('sgd')).toBe('FusedSGD');
  expect(name('sgd', 0.9)).toBe('FusedSGD');
  expect(name('rmsprop')).toBe('RMSProp');
  expect(name('adagrad')).toBe('Adagrad');
});

/**
 * The fused Dense op (wasm) against stock ops on the cpu backend: forward values and the gradients
 * of x, W and b for several shapes and activations (batch 1, odd sizes, no bias, rank 3); a tiny
 * MLP trained a few Adam steps with the fused path equals the stock path; the patched layer keeps
 * its class and weights and leaves inference to the stock call.
 */
import { tf } from '../tfjs';
import { compileModel } from '../compile';
import { initWasm } from '../kernels/test-backends';
import { makeRunOptimizer } from '../optim/fused';
import { meanLoss } from '../optim/loss';
import { trainingDefaults, type LoomDocument } from '../../../shared/document';
import { fusedDense, type FusedActivation } from './fused-dense';

const vals = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(i * 0.71 + seed * 1.37) * (1 + (i % 3)) * 0.5);
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

interface Case { name: string; x: number[]; units: number; act: FusedActivation; bias: boolean }
const CASES: Case[] = [
  { name: 'batch 1, relu', x: [1, 5], units: 3, act: 'relu', bias: true },
  { name: 'odd sizes, softmax', x: [7, 13], units: 9, act: 'softmax', bias: true },
  { name: 'linear, no bias', x: [64, 33], units: 17, act: 'linear', bias: false },
  { name: 'relu, no bias, one unit', x: [5, 8], units: 1, act: 'relu', bias: false },
  { name: 'rank 3 input, relu', x: [2, 3, 4], units: 5, act: 'relu', bias: true },
  { name: 'MLP-sized softmax', x: [64, 128], units: 10, act: 'softmax', bias: true },
];

/** y and the gradients of sum(y · r) w.r.t. x, W, b, with `dense` computing y. */
function run(c: Case, dense: (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor | null) => tf.Tensor) {
  return tf.tidy(() => {
    const K = c.x[c.x.length - 1]!;
    const x = tf.tensor(vals(size(c.x), 1), c.x);
    const w = tf.tensor(vals(K * c.units, 2), [K, c.units]);
    const b = c.bias ? tf.tensor(vals(c.units, 3), [c.units]) : null;
    const yShape = [...c.x.slice(0, -1), c.units];
    const r = tf.tensor(vals(size(yShape), 4), yShape);
    const args = b ? [x, w, b] : [x, w];
    const f = (...t: tf.Tensor[]) => tf.sum(tf.mul(dense(t[0]!, t[1]!, t[2] ?? null), r)) as tf.Scalar;
    const grads = tf.grads(f)(args);
    const y = dense(x, w, b);
    return { y: Array.from(y.dataSync()), yShape: y.shape, grads: grads.map((g) => ({ shape: g.shape, v: Array.from(g.dataSync()) })) };
  });
}

const stock = (act: FusedActivation) => (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor | null) => {
  let z = tf.matMul(tf.reshape(x, [-1, w.shape[0]!]), w);
  if (b) z = tf.add(z, b);
  z = act === 'relu' ? tf.relu(z) : act === 'softmax' ? tf.softmax(z) : z;
  return tf.reshape(z, [...x.shape.slice(0, -1), w.shape[1]!]);
};

const close = (got: number[], ref: number[], what: string) => {
  expect(got.length).toBe(ref.length);
  got.forEach((g, i) => expect(Math.abs(g - ref[i]!), `${what}[${i}] ${g} vs ${ref[i]}`).toBeLessThanOrEqual(2e-5 * Math.max(1, Math.abs(ref[i]!))));
};

const MLP: LoomDocument = {
  format: 'layerloom.model', version: 1, name: 'tiny-mlp',
  nodes: [
    { id: 'in', type: 'Input', params: { shape: [3, 4] } },
    { id: 'flat', type: 'Flatten', params: {} },
    { id: 'hidden', type: 'Dense', params: { units: 7, activation: 'relu' } },
    { id: 'mid', type: 'Dense', params: { units: 5, activation: 'linear', useBias: false } },
    { id: 'out', type: 'Dense', params: { units: 3, activation: 'softmax' } },
  ],
  edges: [{ from: 'in', to: 'flat' }, { from: 'flat', to: 'hidden' }, { from: 'hidden', to: 'mid' }, { from: 'mid', to: 'out' }],
};

/** STEPS Adam steps of the tiny MLP from seed 5; the losses and final weights. */
function trainMlp(fused: boolean, steps = 5) {
  process.env.LAYERLOOM_FUSED_DENSE = fused ? '1' : '0';
  const { model } = compileModel(MLP, { seed: 5 });
  const opt = makeRunOptimizer(trainingDefaults({ optimizer: 'adam', learningRate: 0.05 }));
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const spec = { loss: 'categoricalCrossentropy', mode: 'onehot', fromLogits: false, classes: 3 } as const;
  const losses: number[] = [];
  try {
    for (let s = 0; s < steps; s++) {
      const n = 9;
      const x = tf.tensor(vals(n * 12, 10 + s), [n, 3, 4]);
      const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Array.from({ length: n }, (_, i) => (i * 2 + s) % 3), 'int32'), 3), 'float32'));
      const loss = opt.minimize(() => meanLoss(spec, y, model.apply(x, { training: true }) as tf.Tensor), true, vars)!;
      losses.push(loss.dataSync()[0]!);
      tf.dispose([x, y, loss]);
    }
    return { losses, weights: model.getWeights().map((w) => Array.from(w.dataSync())), names: model.weights.map((w) => w.originalName) };
  } finally {
    opt.dispose();
    model.dispose();
    delete process.env.LAYERLOOM_FUSED_DENSE;
  }
}

afterAll(async () => {
  delete process.env.LAYERLOOM_FUSED_DENSE;
  await tf.setBackend('cpu');
});

describe('fused Dense op', () => {
  beforeAll(async () => {
    await initWasm();
  });

  it.each(CASES)('equals stock ops on cpu: $name', async (c) => {
    await tf.setBackend('cpu');
    const ref = run(c, stock(c.act));
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const got = run(c, (x, w, b) => fusedDense(x, w, b, c.act));
    expect(tf.memory().numTensors).toBe(before);
    expect(got.yShape).toEqual(ref.yShape);
    close(got.y, ref.y, 'y');
    expect(got.grads.map((g) => g.shape)).toEqual(ref.grads.map((g) => g.shape));
    got.grads.forEach((g, i) => close(g.v, ref.grads[i]!.v, ['dx', 'dW', 'db'][i]!));
  });

  it.each(CASES.filter((c) => c.act !== 'linear'))('equals stock ops without the SIMD kernels (JS loops, stock products): $name', async (c) => {
    await tf.setBackend('cpu');
    const ref = run(c, stock(c.act));
    await tf.setBackend('wasm');
    process.env.LAYERLOOM_SIMD_KERNELS = 'off';
    try {
      const got = run(c, (x, w, b) => fusedDense(x, w, b, c.act));
      close(got.y, ref.y, 'y');
      got.grads.forEach((g, i) => close(g.v, ref.grads[i]!.v, ['dx', 'dW', 'db'][i]!));
    } finally {
      delete process.env.LAYERLOOM_SIMD_KERNELS;
    }
  });

  it('runs as one kernel per layer while training, and not when switched off', async () => {
    await tf.setBackend('wasm');
    const { model } = compileModel(MLP, { seed: 1 });
    const x = tf.tensor(vals(4 * 12, 1), [4, 3, 4]);
    const names = async (v: string) => {
      process.env.LAYERLOOM_FUSED_DENSE = v;
      const p = await tf.profile(() => { tf.dispose(tf.variableGrads(() => tf.sum(model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar)); });
      return p.kernels.map((k) => k.name);
    };
    try {
      const on = await names('1');
      expect(on.filter((n) => n === 'LayerloomDense')).toHaveLength(3);
      expect(on).not.toContain('Softmax');
      // dx only where the tape needs it: the first layer's input is the data
      expect(on.filter((n) => n === 'LayerloomDenseGradX')).toHaveLength(2);
      const off = await names('0');
      expect(off).not.toContain('LayerloomDense');
      expect(off).toContain('Softmax');
    } finally {
      delete process.env.LAYERLOOM_FUSED_DENSE;
      x.dispose();
      model.dispose();
    }
  });

  it('trains a tiny MLP with Adam exactly as the stock path (wasm)', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const stockRun = trainMlp(false);
    const fusedRun = trainMlp(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(fusedRun.names).toEqual(stockRun.names);
    close(fusedRun.losses, stockRun.losses, 'loss');
    expect(fusedRun.losses[4]!).toBeLessThan(fusedRun.losses[0]!); // it learns
    fusedRun.weights.forEach((w, i) => close(w, stockRun.weights[i]!, stockRun.names[i]!));
  });

  it('keeps the Dense class, config and weights; inference runs the stock call', async () => {
    await tf.setBackend('wasm');
    const { model } = compileModel(MLP, { seed: 2 });
    try {
      const layer = model.getLayer('out');
      expect(layer.getClassName()).toBe('Dense');
      expect(layer.getConfig().activation).toBe('softmax');
      expect(model.weights.map((w) => w.originalName)).toEqual(['hidden/kernel', 'hidden/bias', 'mid/kernel', 'out/kernel', 'out/bias']);
      const x = tf.tensor(vals(2 * 12, 3), [2, 3, 4]);
      const p = await tf.profile(() => { tf.dispose(model.predict(x) as tf.Tensor); });
      expect(p.kernels.map((k) => k.name)).not.toContain('LayerloomDense');
      x.dispose();
    } finally {
      model.dispose();
    }
  });

  it('leaves the cpu backend to the stock call', async () => {
    await tf.setBackend('cpu');
    const { model } = compileModel(MLP, { seed: 2 });
    const x = tf.tensor(vals(2 * 12, 3), [2, 3, 4]);
    try {
      const p = await tf.profile(() => { tf.dispose(tf.variableGrads(() => tf.sum(model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar)); });
      expect(p.kernels.map((k) => k.name)).not.toContain('LayerloomDense');
    } finally {
      x.dispose();
      model.dispose();
    }
  });
});

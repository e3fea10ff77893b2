/**
 * A small CNN (conv → pool → conv → pool → dense, compiled from a model document) trained on the wasm
 * backend on a subset of the built-in digits beats chance (10 %) clearly on held-out digits; and the
 * optimized wasm training (SIMD conv/pool gradients, rewritten products) follows the cpu backend's
 * reference gradients and weights step by step.
 */
import { tf } from '../tfjs';
import { compileModel } from '../compile';
import { loadDataset } from '../data';
import type { LoomDocument } from '../../../shared/document';
import { initWasm } from './test-backends';
import { simdKernels } from './simd';
import type { WasmBackend } from './wasm-util';

const DOC: LoomDocument = {
  format: 'layerloom.model', version: 1, name: 'small-cnn',
  nodes: [
    { id: 'image', type: 'Input', params: { shape: [28, 28, 1] } },
    { id: 'conv1', type: 'Conv2D', params: { filters: 8, kernelSize: 3, activation: 'relu', padding: 'same' } },
    { id: 'pool1', type: 'MaxPooling2D', params: { poolSize: 2 } },
    { id: 'conv2', type: 'Conv2D', params: { filters: 16, kernelSize: 3, activation: 'relu', padding: 'same' } },
    { id: 'pool2', type: 'MaxPooling2D', params: { poolSize: 2 } },
    { id: 'flat', type: 'Flatten', params: {} },
    { id: 'digit', type: 'Dense', params: { units: 10, activation: 'softmax' } },
  ],
  edges: [
    { from: 'image', to: 'conv1' }, { from: 'conv1', to: 'pool1' }, { from: 'pool1', to: 'conv2' },
    { from: 'conv2', to: 'pool2' }, { from: 'pool2', to: 'flat' }, { from: 'flat', to: 'digit' },
  ],
};

const TRAIN = 1536;
const TEST = 500;
const BATCH = 32;

afterAll(async () => {
  await tf.setBackend('cpu');
});

it('a small CNN learns the built-in digits on wasm', async () => {
  await initWasm();
  await tf.setBackend('wasm');
  const ds = await loadDataset({ source: 'builtin', name: 'digits' });
  expect(ds.sampleShape).toEqual([28, 28, 1]);
  const s = ds.sampleSize;
  const images = (from: number, n: number) => {
    const x = new Float32Array(n * s);
    for (let i = 0; i < n * s; i++) x[i] = ds.x[from * s + i]! / 255;
    return tf.tensor4d(x, [n, 28, 28, 1]);
  };
  const labels = (from: number, n: number) => tf.tidy(() => tf.oneHot(tf.tensor1d(ds.y.subarray(from, from + n) as Int32Array, 'int32'), 10));

  const before = tf.memory().numTensors;
  const { model } = compileModel(DOC, { seed: 1 });
  const opt = tf.train.adam(0.003);
  const xTrain = images(0, TRAIN);
  const yTrain = labels(0, TRAIN);
  let firstLoss = NaN;
  let lastLoss = NaN;
  for (let epoch = 0; epoch < 2; epoch++) {
    for (let b = 0; b < TRAIN / BATCH; b++) {
      const loss = opt.minimize(() => tf.tidy(() => {
        const x = tf.slice(xTrain, [b * BATCH, 0, 0, 0], [BATCH, 28, 28, 1]);
        const y = tf.slice(yTrain, [b * BATCH, 0], [BATCH, 10]);
        return tf.losses.softmaxCrossEntropy(y, tf.log(tf.add(model.apply(x, { training: true }) as tf.Tensor, 1e-7))) as tf.Scalar;
      }), true)!;
      const v = loss.dataSync()[0]!;
      loss.dispose();
      expect(Number.isFinite(v)).toBe(true);
      if (Number.isNaN(firstLoss)) firstLoss = v;
      lastLoss = v;
    }
  }
  const accuracy = tf.tidy(() => {
    const x = images(TRAIN, TEST);
    const pred = tf.argMax(model.predict(x) as tf.Tensor, -1);
    const truth = tf.tensor1d(ds.y.subarray(TRAIN, TRAIN + TEST) as Int32Array, 'int32');
    return tf.mean(tf.cast(tf.equal(pred, truth), 'float32')).dataSync()[0]!;
  });
  tf.dispose([xTrain, yTrain]);
  opt.dispose();
  model.dispose();
  expect(lastLoss).toBeLessThan(firstLoss);
  expect(accuracy, `held-out accuracy after 2 epochs on ${TRAIN} digits`).toBeGreaterThan(0.7);
  expect(tf.memory().numTensors).toBe(before);
});

/** Largest |a − b| / max(1, max |b|) over two equally long arrays. */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst / scale;
}

it('optimized wasm training matches the cpu backend: gradients, then weights after SGD steps', async () => {
  await initWasm();
  const ds = await loadDataset({ source: 'builtin', name: 'digits' });
  const n = 16;
  const pixels = Float32Array.from(ds.x.subarray(0, n * ds.sampleSize), (v) => v / 255);
  const ids = Int32Array.from(ds.y.subarray(0, n));
  // Every path of the SIMD kernels: conv 'same' with 1 input channel (im2col GEMM), 3×3 stride 1
  // with 8 → 32 channels (Winograd forward and gradients), 'valid' stride 2 (im2col GEMM), max and
  // average pooling, Dense products.
  const doc: LoomDocument = {
    format: 'layerloom.model', version: 1, name: 'simd-paths',
    nodes: [
      { id: 'image', type: 'Input', params: { shape: [28, 28, 1] } },
      { id: 'conv1', type: 'Conv2D', params: { filters: 8, kernelSize: 3, activation: 'relu', padding: 'same' } },
      { id: 'pool1', type: 'MaxPooling2D', params: { poolSize: 2 } },
      { id: 'conv2', type: 'Conv2D', params: { filters: 32, kernelSize: 3, activation: 'relu', padding: 'same' } },
      { id: 'conv3', type: 'Conv2D', params: { filters: 16, kernelSize: 3, activation: 'relu', padding: 'valid', strides: 2 } },
      { id: 'pool2', type: 'AveragePooling2D', params: { poolSize: 2 } },
      { id: 'flat', type: 'Flatten', params: {} },
      { id: 'digit', type: 'Dense', params: { units: 10, activation: 'softmax' } },
    ],
    edges: [
      { from: 'image', to: 'conv1' }, { from: 'conv1', to: 'pool1' }, { from: 'pool1', to: 'conv2' }, { from: 'conv2', to: 'conv3' },
      { from: 'conv3', to: 'pool2' }, { from: 'pool2', to: 'flat' }, { from: 'flat', to: 'digit' },
    ],
  };
  const steps = 3;
  /** Per step: the gradient of every trainable weight; then the final weights. */
  const trace = async (backend: 'cpu' | 'wasm', init?: Float32Array[]) => {
    await tf.setBackend(backend);
    const { model } = compileModel(doc, { seed: 7 });
    if (init) model.trainableWeights.forEach((w, i) => w.write(tf.tensor(init[i]!, w.shape as number[])));
    const start = model.trainableWeights.map((w) => w.read().dataSync().slice() as Float32Array);
    const x = tf.tensor4d(pixels, [n, 28, 28, 1]);
    const y = tf.oneHot(tf.tensor1d(ids, 'int32'), 10);
    const opt = tf.train.sgd(0.5);
    const grads: Float32Array[][] = [];
    for (let s = 0; s < steps; s++) {
      const { grads: g } = tf.variableGrads(() => tf.tidy(() =>
        tf.losses.softmaxCrossEntropy(y, tf.log(tf.add(model.apply(x, { training: true }) as tf.Tensor, 1e-7))) as tf.Scalar));
      grads.push(model.trainableWeights.map((w) => g[w.name]!.dataSync().slice() as Float32Array));
      opt.applyGradients(g);
      tf.dispose(Object.values(g));
    }
    const end = model.trainableWeights.map((w) => w.read().dataSync().slice() as Float32Array);
    const names = model.trainableWeights.map((w) => w.originalName);
    const simd = backend === 'wasm' && simdKernels(tf.backend() as unknown as WasmBackend) !== null;
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
    return { start, grads, end, names, simd };
  };
  const cpu = await trace('cpu');
  const wasm = await trace('wasm', cpu.start);
  expect(wasm.simd, 'the SIMD kernels ran').toBe(true);
  expect(wasm.names).toEqual(cpu.names);
  expect(cpu.names.filter((nm) => nm.endsWith('/kernel'))).toEqual(['conv1/kernel', 'conv2/kernel', 'conv3/kernel', 'digit/kernel']);
  for (let s = 0; s < steps; s++) {
    cpu.names.forEach((nm, i) => {
      expect(relDiff(wasm.grads[s]![i]!, cpu.grads[s]![i]!), `step ${s} gradient of ${nm}`).toBeLessThanOrEqual(1e-4);
    });
  }
  cpu.names.forEach((nm, i) => {
    expect(relDiff(wasm.end[i]!, cpu.start[i]!), `${nm} moved`).toBeGreaterThan(1e-4);
    expect(relDiff(wasm.end[i]!, cpu.end[i]!), `${nm} after ${steps} steps`).toBeLessThanOrEqual(1e-4);
  });
});

/**
 * A small CNN (conv → pool → conv → pool → dense, compiled from a model document) trained on the wasm
 * backend on a subset of the built-in digits beats chance (10 %) clearly on held-out digits.
 */
import { tf } from '../tfjs';
import { compileModel } from '../compile';
import { loadDataset } from '../data';
import type { LoomDocument } from '../../../shared/document';
import { initWasm } from './test-backends';

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

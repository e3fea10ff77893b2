/**
 * Sharing saved tensors and same-dtype casts on wasm: gradients (first and second order) are the
 * ones the cpu backend computes, no tensor leaks, and the copies are really gone.
 */
import { tf } from '../tfjs';
import { compileModel } from '../compile';
import type { LoomDocument } from '../../../shared/document';
import { initWasm } from '../kernels/test-backends';
import { shareSavedTensorsOnWasm } from './overhead';

const DOC: LoomDocument = {
  format: 'layerloom.model', version: 1, name: 'tiny',
  nodes: [
    { id: 'in', type: 'Input', params: { shape: [6, 6, 2] } },
    { id: 'conv', type: 'Conv2D', params: { filters: 3, kernelSize: 3, activation: 'relu' } },
    { id: 'flat', type: 'Flatten', params: {} },
    { id: 'out', type: 'Dense', params: { units: 3, activation: 'softmax' } },
  ],
  edges: [{ from: 'in', to: 'conv' }, { from: 'conv', to: 'flat' }, { from: 'flat', to: 'out' }],
};

/** Gradients of a small CNN's loss on `backend`, as plain arrays. */
async function cnnGrads(backend: 'cpu' | 'wasm'): Promise<number[][]> {
  await tf.setBackend(backend);
  const model = compileModel(DOC, { seed: 2 }).model;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  try {
    return tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from({ length: 4 * 72 }, (_, i) => Math.cos(i * 0.3)), [4, 6, 6, 2]);
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
      const { grads } = tf.variableGrads(() => tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(model.apply(x, { training: true }) as tf.Tensor)), -1))) as tf.Scalar, vars);
      return vars.map((v) => Array.from(grads[v.name]!.dataSync()));
    });
  } finally {
    model.dispose();
  }
}

beforeAll(async () => {
  await initWasm();
  shareSavedTensorsOnWasm();
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

it('gives the cpu backend\'s gradients, without copying saved tensors or leaking', async () => {
  const ref = await cnnGrads('cpu');
  await tf.setBackend('wasm');
  const before = tf.memory().numTensors;
  let identities = 0;
  const prof = await tf.profile(async () => { await cnnGrads('wasm'); });
  for (const k of prof.kernels) if (k.name === 'Identity') identities++;
  expect(identities).toBeLessThanOrEqual(1); // stock wasm: 20 (one copy per saved tensor); left: Cast's gradient (dy.clone())
  const got = await cnnGrads('wasm');
  expect(tf.memory().numTensors).toBe(before);
  got.forEach((g, k) => g.forEach((v, j) => expect(v, `grad ${k}[${j}]`).toBeCloseTo(ref[k]![j]!, 4)));
});

it('still differentiates twice', async () => {
  await tf.setBackend('wasm');
  // d²/dx² (x³ · sigmoid(x)) through saved tensors of both passes; checked against cpu.
  const f = (x: tf.Tensor) => tf.mul(tf.pow(x, 3), tf.sigmoid(x));
  const second = () => tf.tidy(() => Array.from(tf.grad(tf.grad(f))(tf.tensor1d([-1.5, 0.3, 2])).dataSync()));
  const onWasm = second();
  await tf.setBackend('cpu');
  const onCpu = second();
  onWasm.forEach((v, i) => expect(v).toBeCloseTo(onCpu[i]!, 4));
});

it('a same-dtype Cast shares the data; a real cast converts', async () => {
  await tf.setBackend('wasm');
  const x = tf.tensor1d([1.7, -2.2, 3]);
  const same = tf.cast(x, 'float32');
  const ints = tf.cast(x, 'int32');
  expect(same.dataId).toBe(x.dataId);
  expect(Array.from(ints.dataSync())).toEqual([1, -2, 3]);
  expect(ints.dtype).toBe('int32');
  x.dispose();
  expect(Array.from(same.dataSync())).toEqual([1.7, -2.2, 3].map(Math.fround)); // still alive
  tf.dispose([same, ints]);
});

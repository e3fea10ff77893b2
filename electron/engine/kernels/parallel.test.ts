/**
 * Data-parallel training (a worker thread + the main thread, each on its own wasm backend) matches
 * single-threaded training on the same seed: same gradients, same weights after a few Adam steps.
 */
import { tf } from '../tfjs';
import { compileModel } from '../compile';
import type { LoomDocument } from '../../../shared/document';
import { batchLoss, DataParallelTrainer } from './parallel';
import { initWasm } from './test-backends';

const DOC: LoomDocument = {
  format: 'layerloom.model', version: 1, name: 'tiny-cnn',
  nodes: [
    { id: 'in', type: 'Input', params: { shape: [8, 8, 2] } },
    { id: 'conv', type: 'Conv2D', params: { filters: 4, kernelSize: 3, activation: 'relu', padding: 'same' } },
    { id: 'pool', type: 'MaxPooling2D', params: { poolSize: 2 } },
    { id: 'flat', type: 'Flatten', params: {} },
    { id: 'out', type: 'Dense', params: { units: 3, activation: 'softmax' } },
  ],
  edges: [{ from: 'in', to: 'conv' }, { from: 'conv', to: 'pool' }, { from: 'pool', to: 'flat' }, { from: 'flat', to: 'out' }],
};

const N = 10; // odd split on purpose: 5 + 5 with 2 replicas
function batch(step: number) {
  const x = Float32Array.from({ length: N * 8 * 8 * 2 }, (_, i) => Math.sin(i * 0.37 + step));
  const y = new Float32Array(N * 3);
  for (let i = 0; i < N; i++) y[i * 3 + ((i + step) % 3)] = 1;
  return { x, y };
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

it('matches single-threaded gradients and Adam steps on the same seed', async () => {
  await initWasm();
  await tf.setBackend('wasm');
  const ref = compileModel(DOC, { seed: 5 }).model;
  const refVars = ref.trainableWeights.map((w) => w.read() as tf.Variable);
  const refOpt = tf.train.adam(0.01);
  const par = new DataParallelTrainer({ doc: DOC, seed: 5, loss: 'categoricalCrossentropy', workers: 1, optimizer: tf.train.adam(0.01) });
  try {
    for (let step = 0; step < 3; step++) {
      const { x, y } = batch(step);
      const full = tf.tidy(() => {
        const xt = tf.tensor4d(x, [N, 8, 8, 2]);
        const yt = tf.tensor2d(y, [N, 3]);
        const { grads } = tf.variableGrads(() => batchLoss('categoricalCrossentropy', yt, ref.apply(xt, { training: true }) as tf.Tensor), refVars);
        return refVars.map((v) => Array.from(grads[v.name]!.dataSync()));
      });
      const g = await par.gradients(x, [N, 8, 8, 2], y, [N, 3]);
      g.forEach((gi, k) => {
        const scale = Math.max(1e-3, ...full[k]!.map(Math.abs));
        const err = Math.max(...Array.from(gi, (v, j) => Math.abs(v - full[k]![j]!))) / scale;
        expect(err, `gradient ${k} at step ${step}`).toBeLessThan(1e-4);
      });
      refOpt.minimize(() => tf.tidy(() => batchLoss('categoricalCrossentropy', tf.tensor2d(y, [N, 3]), ref.apply(tf.tensor4d(x, [N, 8, 8, 2]), { training: true }) as tf.Tensor)), false, refVars);
      await par.step(x, [N, 8, 8, 2], y, [N, 3]);
    }
    const a = ref.getWeights().map((w) => Array.from(w.dataSync()));
    const b = par.model.getWeights().map((w) => Array.from(w.dataSync()));
    a.forEach((w, k) => {
      expect(Math.max(...w.map((v, j) => Math.abs(v - b[k]![j]!))), `weights ${k} after 3 Adam steps`).toBeLessThan(1e-4);
    });
  } finally {
    await par.dispose();
    ref.dispose();
    refOpt.dispose();
  }
}, 120_000);

/**
 * A replica (worker thread with its own wasm backend) computes the same gradient and loss as the
 * main thread on the same share, and averageShares of two halves gives the full batch's gradient.
 */
import { tf } from '../tfjs';
import { compileModel } from '../compile';
import { lossPerSample, type LossSpec } from '../losses';
import { targetTensor } from '../train';
import { averageShares, ReplicaPool } from './replicas';
import { initWasm, tinyCnnDoc } from '../kernels/test-backends';

const DOC = tinyCnnDoc(2);
const SPEC: LossSpec = { loss: 'sparseCategoricalCrossentropy', mode: 'onehot', fromLogits: false, classes: 3 };
const N = 10; // split 5 + 5

afterAll(async () => {
  await tf.setBackend('cpu');
});

it('replica gradients combine into the full batch gradient', async () => {
  await initWasm();
  await tf.setBackend('wasm');
  const model = compileModel(DOC, { seed: 5 }).model;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const pool = await ReplicaPool.start({
    doc: DOC, seed: 99 /* other init: the weights sent must win */, spec: SPEC, wantAcc: false, wantMae: false,
    inputShape: [8, 8, 2], inputDtype: 'float32', outShape: [3], dropoutSeed: 1,
  }, 1);
  try {
    const x = Float32Array.from({ length: N * 128 }, (_, i) => Math.sin(i * 0.37));
    const y = Int32Array.from({ length: N }, (_, i) => i % 3);
    const grad = (from: number, to: number) => tf.tidy(() => {
      const xt = tf.tensor4d(x.subarray(from * 128, to * 128), [to - from, 8, 8, 2]);
      const yt = targetTensor('onehot', y.subarray(from, to), to - from, [3], 3);
      const { value, grads } = tf.variableGrads(() => tf.mean(lossPerSample(SPEC, yt, model.apply(xt, { training: true }) as tf.Tensor)) as tf.Scalar, vars);
      return [value, ...vars.map((v) => grads[v.name]!)];
    });
    const read = (ts: tf.Tensor[]) => {
      const out = ts.map((t) => t.dataSync() as Float32Array);
      tf.dispose(ts);
      return out;
    };
    const [fullLoss, ...full] = read(grad(0, N));
    const [firstLoss, ...first] = read(grad(0, 5));
    const [second] = await pool.compute([{ x: x.slice(5 * 128), y: y.slice(5), size: 5 }], vars.map((v) => v.dataSync() as Float32Array));
    const firstT = first.map((g, k) => tf.tensor(g, vars[k]!.shape));
    const { grads: avgT, values } = averageShares({ grads: firstT, values: [firstLoss![0]!], size: 5 }, [second!]);
    const grads = read(avgT);
    tf.dispose(firstT);
    expect(values[0]).toBeCloseTo(fullLoss![0]!, 5);
    grads.forEach((g, k) => {
      const scale = Math.max(1e-3, ...Array.from(full[k]!, Math.abs));
      let err = 0;
      for (let j = 0; j < g.length; j++) err = Math.max(err, Math.abs(g[j]! - full[k]![j]!));
      expect(err / scale, `gradient ${k}`).toBeLessThan(1e-5);
    });
  } finally {
    await pool.dispose();
    model.dispose();
  }
}, 120_000);

/**
 * The shared-memory step at the level of one batch: the main thread and two replicas (worker
 * threads with their own wasm backend) each compute their share's gradient, sum it chunk by chunk,
 * and the optimizer receives the full batch's gradient (checked against one thread's gradient of
 * the same batch); a batch smaller than the threads leaves a replica out; the split and chunk rules.
 */
import { tf } from '../tfjs';
import { compileModel } from '../compile';
import type { LossSpec } from '../losses';
import { meanLoss } from '../optim/loss';
import { targetTensor } from '../train';
import { parallelStep } from '../threads';
import { ReplicaPool } from './replicas';
import { SharedMemory } from './shared';
import { initWasm, tinyCnnDoc } from '../kernels/test-backends';

const DOC = tinyCnnDoc(2);
const SPEC: LossSpec = { loss: 'sparseCategoricalCrossentropy', mode: 'onehot', fromLogits: false, classes: 3 };

afterAll(async () => {
  await tf.setBackend('cpu');
});

it('shares are contiguous and differ by at most one sample; chunks cover the parameters', () => {
  const shares = [0, 1, 2].map((r) => SharedMemory.share(10, 3, r));
  expect(shares).toEqual([[0, 3], [3, 6], [6, 10]]);
  const mem = SharedMemory.create({ participants: 3, sizes: [10, 7], maxBatch: 4, sampleSize: 2, targetSize: 1, xDtype: 'float32', yDtype: 'int32', collective: 0 });
  const chunks = [0, 1, 2].map((r) => mem.chunk(3, r));
  expect(chunks[0]![0]).toBe(0);
  expect(chunks[2]![1]).toBe(17);
  for (let r = 1; r < 3; r++) expect(chunks[r]![0]).toBe(chunks[r - 1]![1]);
  expect(mem.y).toBeInstanceOf(Int32Array);
});

it('the main thread and two replicas give the optimizer the full batch\'s gradient and loss', async () => {
  await initWasm();
  await tf.setBackend('wasm');
  const model = compileModel(DOC, { seed: 5 }).model;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const sizes = vars.map((v) => v.size);
  const pool = await ReplicaPool.start({
    doc: DOC, seed: 99 /* other init: the shared weights must win */, spec: SPEC, wantAcc: false, wantMae: false,
    inputShape: [8, 8, 2], inputDtype: 'float32', outShape: [3], dropoutSeed: 1,
  }, { sizes, maxBatch: 10, sampleSize: 128, targetSize: 1, xDtype: 'float32', yDtype: 'int32', collective: 0 }, 2);
  let got: Float32Array[] = [];
  const optimizer = { applyGradients: (list: { tensor: tf.Tensor }[]) => { got = list.map((g) => g.tensor.dataSync().slice() as Float32Array); } } as unknown as tf.Optimizer;
  try {
    const step = parallelStep({
      pool, optimizer, sampleSize: 128, targetSize: 1,
      share: { model, vars, spec: SPEC, wantAcc: false, wantMae: false, inputShape: [8, 8, 2], inputDtype: 'float32', outShape: [3], rng: Math.random },
    });
    for (const n of [10, 2]) { // 10: shares 3/3/4; 2: one replica sits the step out
      const x = Float32Array.from({ length: n * 128 }, (_, i) => Math.sin(i * 0.37 + n));
      const y = Int32Array.from({ length: n }, (_, i) => (i + n) % 3);
      const [loss] = await step({ x, y, size: n, indices: new Int32Array(n), index: 0 });
      const [full, ...grads] = tf.tidy(() => {
        const xt = tf.tensor4d(x, [n, 8, 8, 2]);
        const yt = targetTensor('onehot', y, n, [3], 3);
        const { value, grads: g } = tf.variableGrads(() => meanLoss(SPEC, yt, model.apply(xt, { training: true }) as tf.Tensor), vars);
        return [value, ...vars.map((v) => g[v.name]!)];
      }).map((t) => { const d = t.dataSync().slice(); t.dispose(); return d; });
      expect(loss).toBeCloseTo(full![0]!, 5);
      expect(got.length).toBe(vars.length);
      grads.forEach((g, k) => {
        const scale = Math.max(1e-3, ...Array.from(g, Math.abs));
        let err = 0;
        for (let j = 0; j < g.length; j++) err = Math.max(err, Math.abs(got[k]![j]! - g[j]!));
        expect(err / scale, `batch ${n}, gradient ${k}`).toBeLessThan(1e-5);
      });
    }
  } finally {
    await pool.dispose();
    model.dispose();
  }
}, 120_000);

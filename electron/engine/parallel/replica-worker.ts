/**
 * A data-parallel replica (see parallel.ts): a worker thread with its own wasm backend and model
 * copy. Per job it takes the current trainable weights and a share of the batch, and answers with
 * the gradient of the mean loss on that share and its [loss, accuracy?, mae?] means, computed
 * exactly as the main thread's training step does (train.ts: same loss spec, targets and metrics).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { tf } from '../tfjs';
import { initBackend } from '../backend';
import { compileModel } from '../compile';
import { correctPerSample, maePerSample } from '../losses';
import { meanLoss } from '../optim/loss';
import { shareSavedTensorsOnWasm } from '../optim/overhead';
import { mulberry32, withRandom } from '../random';
import { targetTensor } from '../train';
import type { LoomDocument } from '../../../shared/document';
import type { ReplicaSpec } from './replicas';

interface Job { id: number; weights: Float32Array[]; x: Float32Array | Int32Array; y: Float32Array | Int32Array; size: number }

async function main() {
  const { spec: s } = workerData as { spec: ReplicaSpec };
  const backend = await initBackend('wasm');
  shareSavedTensorsOnWasm();
  const model = compileModel(s.doc as LoomDocument, { seed: s.seed }).model;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const rng = mulberry32(s.dropoutSeed);
  const crashAt = Number(process.env.LAYERLOOM_TEST_REPLICA_CRASH_AT ?? NaN); // tests: a replica dying mid-run
  let jobs = 0;
  parentPort!.on('message', (job: Job) => {
    if (++jobs === crashAt) process.exit(3);
    try {
      tf.tidy(() => vars.forEach((v, k) => v.assign(tf.tensor(job.weights[k]!, v.shape))));
      const x = tf.tensor(job.x, [job.size, ...s.inputShape], s.inputDtype);
      const y = targetTensor(s.spec.mode, job.y, job.size, s.outShape, s.spec.classes);
      const extras: tf.Tensor[] = [];
      let out: { value: tf.Scalar; grads: tf.NamedTensorMap } | null = null;
      try {
        out = withRandom(rng, () => tf.variableGrads(() => {
          const pred = model.apply(x, { training: true }) as tf.Tensor;
          if (s.wantAcc) extras.push(tf.keep(tf.mean(correctPerSample(s.spec, y, pred))));
          if (s.wantMae) extras.push(tf.keep(tf.mean(maePerSample(s.spec, y, pred))));
          return meanLoss(s.spec, y, pred);
        }, vars));
        const grads = vars.map((v) => out!.grads[v.name]!.dataSync() as Float32Array);
        const values = [out.value, ...extras].map((t) => t.dataSync()[0]!);
        parentPort!.postMessage({ id: job.id, grads, values }, grads.map((g) => g.buffer as ArrayBuffer));
      } finally {
        tf.dispose([x, y, ...extras, ...(out ? [out.value, ...Object.values(out.grads)] : [])]);
      }
    } catch (e) {
      parentPort!.postMessage({ id: job.id, error: (e as Error).message });
    }
  });
  parentPort!.postMessage({ ready: true, backend: backend.name });
}

main().catch((e) => parentPort!.postMessage({ error: (e as Error).message }));

/**
 * A data-parallel replica (see parallel.ts): its own wasm backend and model copy. Receives the
 * current weights and a share of the batch, replies with the gradients of the mean loss on it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { tf } from '../tfjs';
import { initBackend } from '../backend';
import { compileModel } from '../compile';
import { batchLoss, type ParallelLoss } from './parallel';

interface Job { id: number; weights: Float32Array[]; x: Float32Array | Int32Array; xShape: number[]; xDtype: 'float32' | 'int32'; y: Float32Array; yShape: number[] }

async function main() {
  const { doc, seed, loss } = workerData as { doc: Parameters<typeof compileModel>[0]; seed: number; loss: ParallelLoss };
  const backend = await initBackend('wasm');
  const model = compileModel(doc, { seed }).model;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  parentPort!.on('message', (job: Job) => {
    try {
      tf.tidy(() => vars.forEach((v, k) => v.assign(tf.tensor(job.weights[k]!, v.shape))));
      const gradT = tf.tidy(() => {
        const x = tf.tensor(job.x, job.xShape, job.xDtype);
        const y = tf.tensor(job.y, job.yShape);
        const { grads: g } = tf.variableGrads(() => batchLoss(loss, y, model.apply(x, { training: true }) as tf.Tensor), vars);
        return vars.map((v) => g[v.name]!);
      });
      const grads = gradT.map((t) => t.dataSync() as Float32Array);
      tf.dispose(gradT);
      parentPort!.postMessage({ id: job.id, grads }, grads.map((g) => g.buffer as ArrayBuffer));
    } catch (e) {
      parentPort!.postMessage({ id: job.id, error: (e as Error).message });
    }
  });
  parentPort!.postMessage({ ready: true, backend: backend.name });
}

main().catch((e) => parentPort!.postMessage({ error: (e as Error).message }));

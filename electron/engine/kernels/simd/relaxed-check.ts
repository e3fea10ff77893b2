/**
 * Test helper for relaxed.test.ts, run in a child process (with or without
 * --experimental-wasm-relaxed-simd): the engine on the wasm backend computes the values and
 * gradients of small models whose every product goes through the SIMD kernels' GEMM (Dense, im2col
 * and Winograd convolutions, the fused LSTM), then trains one of them for a few Adam steps. Prints
 * one JSON line: { flavor, values: { name: number[] } }.
 */
import { tf } from '../../tfjs';
import { initBackend } from '../../backend';
import { compileModel } from '../../compile';
import { makeRunOptimizer } from '../../optim/fused';
import { simdFlavor } from './index';
import type { LoomDocument } from '../../../../shared/document';

const doc = (name: string, shape: number[], layers: { type: string; params: Record<string, unknown> }[]): LoomDocument => ({
  format: 'layerloom.model', version: 1, name,
  nodes: [{ id: 'in', type: 'Input', params: { shape } }, ...layers.map((l, i) => ({ id: `l${i}`, ...l }))] as LoomDocument['nodes'],
  edges: layers.map((_, i) => ({ from: i ? `l${i - 1}` : 'in', to: `l${i}` })),
});

/** Every product on the SIMD GEMM: im2col (5×5, 'valid', stride 2), Winograd (3×3, ≥ 8 channels), Dense. */
export const CHECK_CNN = doc('cnn', [12, 12, 3], [
  { type: 'Conv2D', params: { filters: 8, kernelSize: 5, strides: 1, activation: 'relu' } },
  { type: 'Conv2D', params: { filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' } },
  { type: 'Conv2D', params: { filters: 16, kernelSize: 3, strides: 2, activation: 'relu' } },
  { type: 'Flatten', params: {} },
  { type: 'Dense', params: { units: 24, activation: 'relu' } },
  { type: 'Dense', params: { units: 5, activation: 'softmax' } },
]);
export const CHECK_LSTM = doc('lstm', [9, 6], [
  { type: 'LSTM', params: { units: 12, returnSequences: true } },
  { type: 'LSTM', params: { units: 8 } },
  { type: 'Dense', params: { units: 1 } },
]);

function wave(n: number, f: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * f) * 0.8 + Math.cos(i * 0.11) * 0.3);
}

/** The loss and every gradient of `d` on a fixed batch, flattened. */
function gradients(d: LoomDocument, batch: number, out: number, classes: boolean): Record<string, number[]> {
  const { model } = compileModel(d, { seed: 3 });
  const inShape = model.inputs[0]!.shape.slice(1) as number[];
  const size = inShape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(wave(batch * size, 0.37), [batch, ...inShape]);
  const y = classes ? tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % out), 'int32'), out) : tf.tensor(wave(batch * out, 0.9), [batch, out]);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => {
    const p = model.apply(x, { training: true }) as tf.Tensor;
    return (classes ? tf.losses.softmaxCrossEntropy(y, p) : tf.losses.meanSquaredError(y, p)) as tf.Scalar;
  }, vars);
  const res: Record<string, number[]> = { [`${d.name} loss`]: Array.from(value.dataSync()) };
  for (const v of vars) res[`${d.name} d${v.name}`] = Array.from(grads[v.name]!.dataSync());
  tf.dispose([x, y, value, ...Object.values(grads)]);
  model.dispose();
  return res;
}

/** Weights after a few fused-Adam steps on the CNN (errors compound through the updates). */
function trained(steps: number): Record<string, number[]> {
  const { model } = compileModel(CHECK_CNN, { seed: 4 });
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const opt = makeRunOptimizer({ optimizer: 'adam', learningRate: 1e-2, momentum: 0, nesterov: false });
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    tf.tidy(() => {
      const x = tf.tensor(wave(16 * 432, 0.21 + s * 0.01), [16, 12, 12, 3]);
      const y = tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => (i + s) % 5), 'int32'), 5);
      const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true, vars)!;
      losses.push(loss.dataSync()[0]!);
    });
  }
  const res: Record<string, number[]> = { 'trained losses': losses };
  for (const v of vars) res[`trained ${v.name}`] = Array.from(v.dataSync());
  opt.dispose();
  model.dispose();
  return res;
}

async function main() {
  process.env.LAYERLOOM_CONV_FORWARD = 'simd'; // the SIMD forward convolution even for few channels
  const b = await initBackend('wasm');
  if (b.name !== 'wasm') throw new Error(`wasm backend expected, got ${b.name}`);
  const values = { ...gradients(CHECK_CNN, 6, 5, true), ...gradients(CHECK_LSTM, 5, 1, false), ...trained(5) };
  process.stdout.write(`${JSON.stringify({ flavor: simdFlavor()?.flavor ?? null, reason: b.reason, values })}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});

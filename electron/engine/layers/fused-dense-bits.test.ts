/**
 * What "bit-identical" means for the fused Dense op (fused-dense.ts), proven against the stock Dense
 * layer on the same (wasm) backend: a linear or relu layer's training forward values and weight
 * gradients have the same bits; a softmax layer's forward values agree within 1e-6 relative (a
 * different exp/sum order); inference runs the stock call, so its predictions have the same bits
 * whatever the switch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoomDocument } from '../../../shared/document';
import { compileModel } from '../compile';
import { initWasm } from '../kernels/test-backends';
import { tf } from '../tfjs';

const doc = (activation: string, units: number, inDim: number): LoomDocument => ({
  format: 'layerloom.model', version: 1, name: 'dense',
  nodes: [{ id: 'in', type: 'Input', params: { shape: [inDim] } }, { id: 'h', type: 'Dense', params: { units, activation } }],
  edges: [{ from: 'in', to: 'h' }],
});

const input = (n: number, d: number) => tf.tensor2d(Float32Array.from({ length: n * d }, (_, i) => Math.sin(i * 0.731) * 2), [n, d]);

/** One training forward/backward pass of the layer (seed 7), fused or stock: its output, weight gradients and the kernels that ran. */
async function trainingPass(fused: boolean, activation: string, units: number, inDim: number, n: number) {
  process.env.LAYERLOOM_FUSED_DENSE = fused ? '1' : '0';
  const { model } = compileModel(doc(activation, units, inDim), { seed: 7 });
  const x = input(n, inDim);
  const upstream = tf.tensor2d(Float32Array.from({ length: n * units }, (_, i) => Math.cos(i)), [n, units]);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let y: tf.Tensor | null = null;
  let grads: Float32Array[] = [];
  try {
    const profile = await tf.profile(() => {
      const r = tf.variableGrads(() => {
        const out = model.apply(x, { training: true }) as tf.Tensor;
        y = tf.keep(out.clone());
        return tf.sum(tf.mul(out, upstream)) as tf.Scalar;
      }, vars);
      grads = vars.map((v) => r.grads[v.name]!.dataSync() as Float32Array);
      tf.dispose([r.value, ...Object.values(r.grads)]);
    });
    return { y: y!.dataSync() as Float32Array, grads, kernels: profile.kernels.map((k) => k.name) };
  } finally {
    tf.dispose([x, upstream, ...(y ? [y] : [])]);
    model.dispose();
  }
}

function predict(fused: boolean, activation: string): Float32Array {
  process.env.LAYERLOOM_FUSED_DENSE = fused ? '1' : '0';
  const { model } = compileModel(doc(activation, 33, 65), { seed: 7 });
  const x = input(17, 65);
  try {
    return (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
  } finally {
    x.dispose();
    model.dispose();
  }
}

const sameBits = (a: Float32Array, b: Float32Array) => {
  expect(b.length).toBe(a.length);
  expect(a.length).toBeGreaterThan(0);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let differ = 0;
  for (let i = 0; i < a.length; i++) if (ua[i] !== ub[i] || Number.isNaN(a[i])) differ++;
  return differ;
};

const SHAPES = [[7, 12, 9], [33, 65, 17], [128, 784, 64]] as const; // units, inputs, batch: odd tails and the MLP's layer

describe('fused Dense against the stock Dense layer on wasm', () => {
  beforeAll(async () => {
    await initWasm();
    await tf.setBackend('wasm');
  });
  afterAll(async () => {
    delete process.env.LAYERLOOM_FUSED_DENSE;
    await tf.setBackend('cpu');
  });

  it.each(['linear', 'relu'])('%s: training forward values and weight gradients have the same bits', async (activation) => {
    for (const [units, inDim, n] of SHAPES) {
      const stock = await trainingPass(false, activation, units, inDim, n);
      const fused = await trainingPass(true, activation, units, inDim, n);
      expect(fused.kernels).toContain('LayerloomDense'); // really the fused op against the stock one
      expect(stock.kernels).not.toContain('LayerloomDense');
      expect(sameBits(stock.y, fused.y), `y ${units}x${inDim}`).toBe(0);
      expect(fused.grads).toHaveLength(2);
      fused.grads.forEach((g, i) => expect(sameBits(stock.grads[i]!, g), `${['dW', 'db'][i]} ${units}x${inDim}`).toBe(0));
    }
  });

  it('softmax: forward values within 1e-6 relative (not bit-identical)', async () => {
    for (const [units, inDim, n] of SHAPES) {
      const stock = await trainingPass(false, 'softmax', units, inDim, n);
      const fused = await trainingPass(true, 'softmax', units, inDim, n);
      expect(fused.kernels).toContain('LayerloomDense');
      expect(fused.y.length).toBe(stock.y.length);
      let worst = 0;
      stock.y.forEach((v, i) => { worst = Math.max(worst, Math.abs(fused.y[i]! - v) / Math.max(1e-30, Math.abs(v))); });
      expect(worst).toBeLessThan(1e-6);
    }
  });

  it.each(['linear', 'relu', 'softmax'])('%s: inference runs the stock call (same bits either way)', (activation) => {
    expect(sameBits(predict(false, activation), predict(true, activation))).toBe(0);
  });
});

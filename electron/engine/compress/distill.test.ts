/**
 * Distillation in the engine: the TF.js loss equals the plain-number reference (itself checked against
 * a hand computation), for logit and softmax teachers; α = 0 is exactly the student trained alone;
 * a distilled student trains.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { distillationLoss, logSoftmax } from '../../../shared/compress';
import type { LoomDocument } from '../../../shared/document';
import { mulberry32 } from '../../../shared/random';
import { initBackend } from '../backend';
import { compileModel } from '../compile';
import { tf } from '../tfjs';
import { distil, distillationLossTensor } from './distill';
import { readNodeWeights } from './layers';
import { fit } from './loop';
import { ADAM, blobs, SPEC } from './test-fixtures';

beforeAll(async () => { await initBackend('wasm'); });

const mlp = (units: number): LoomDocument => ({
  format: 'layerloom.model', version: 1, name: 'm',
  nodes: [{ id: 'in', type: 'Input', params: { shape: [4] } }, { id: 'h', type: 'Dense', params: { units, activation: 'relu' } }, { id: 'o', type: 'Dense', params: { units: 3, activation: 'softmax' } }],
  edges: [{ from: 'in', to: 'h' }, { from: 'h', to: 'o' }],
});

describe('distillation loss in TF.js', () => {
  it('equals the reference on a batch, from teacher logits and from teacher probabilities', () => {
    const r = mulberry32(2);
    const n = 6, k = 4;
    const t = Array.from({ length: n }, () => Array.from({ length: k }, () => 4 * r() - 2));
    const s = Array.from({ length: n }, () => Array.from({ length: k }, () => 4 * r() - 2));
    const labels = Array.from({ length: n }, (_, i) => i % k);
    for (const o of [{ temperature: 3, alpha: 0.7 }, { temperature: 1, alpha: 1 }, { temperature: 5, alpha: 0 }]) {
      const want = labels.reduce((a, l, i) => a + distillationLoss(t[i]!, s[i]!, l, o), 0) / n;
      const got = tf.tidy(() => {
        const y = tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), k), 'float32');
        const sProb = tf.softmax(tf.tensor2d(s)); // a softmax student
        const spec = { loss: 'categoricalCrossentropy' as const, mode: 'onehot' as const, fromLogits: false, classes: k };
        return [
          distillationLossTensor(tf.tensor2d(t), true, sProb, spec, y, o).dataSync()[0]!,
          distillationLossTensor(tf.tensor2d(t.map((z) => logSoftmax(z).map(Math.exp))), false, sProb, spec, y, o).dataSync()[0]!,
          distillationLossTensor(tf.tensor2d(t), true, tf.tensor2d(s), { ...spec, fromLogits: true }, y, o).dataSync()[0]!,
        ];
      });
      for (const g of got) expect(Math.abs(g - want)).toBeLessThan(2e-5 * Math.max(1, want));
    }
  });
});

describe('distillation training', () => {
  it('α = 0 trains exactly the student alone; a distilled student learns from a trained teacher', async () => {
    const data = blobs();
    const teacher = compileModel(mlp(32), { seed: 1 });
    await fit({ compiled: teacher, spec: SPEC, data, training: ADAM, epochs: 4, seed: 1 });

    const common = { teacher: { compiled: teacher, fromLogits: false }, student: mlp(4), spec: SPEC, fit: { data, training: ADAM, epochs: 2, seed: 7 } };
    const alone = await distil({ ...common, temperature: 4, alpha: 0 });
    const plain = compileModel(mlp(4), { seed: 7 });
    const plainHistory = await fit({ compiled: plain, spec: SPEC, data, training: ADAM, epochs: 2, seed: 7 });
    expect(readNodeWeights(alone.compiled)).toEqual(readNodeWeights(plain));
    expect(alone.history).toEqual(plainHistory);

    const taught = await distil({ ...common, temperature: 4, alpha: 0.9 });
    expect(taught.history.every((h) => Number.isFinite(h.loss))).toBe(true);
    expect(taught.history[1]!.loss).toBeLessThan(taught.history[0]!.loss);
    expect(readNodeWeights(taught.compiled)).not.toEqual(readNodeWeights(plain));
    await expect(distil({ ...common, student: { ...mlp(4), nodes: mlp(4).nodes.map((n) => (n.id === 'o' ? { ...n, params: { units: 2, activation: 'softmax' } } : n)) }, temperature: 4, alpha: 0.5 }))
      .rejects.toThrow(/student's output \[2\] does not match the teacher's \[3\]/);
    [teacher, alone.compiled, plain, taught.compiled].forEach((c) => c.model.dispose());
  });
});

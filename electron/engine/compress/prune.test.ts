/**
 * Pruning in the engine: masks hold through fine-tuning (every forward pass sees the pruned weights at
 * exactly 0, although the optimizer moves them), grow monotonically along the schedule, and end at the
 * target; structured pruning computes what the original computes with the pruned channels'
 * contribution removed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../../shared/analysis';
import { zeroPrunedContributions, type Mask } from '../../../shared/compress';
import { mulberry32 } from '../../../shared/random';
import { initBackend } from '../backend';
import { compileModel } from '../compile';
import { tf } from '../tfjs';
import { readNodeWeights, writeNodeWeights } from './layers';
import { fit } from './loop';
import { ADAM, blobs, chain, SPEC } from './test-fixtures';
import { KernelMasks, prunableKernels, pruneChannels, pruneWhileFineTuning } from './prune';

const mlp = chain([4], [['Dense', { units: 16, activation: 'relu' }], ['Dense', { units: 3, activation: 'softmax' }]]);

beforeAll(async () => { await initBackend('wasm'); });

describe('unstructured pruning', () => {
  it('masks re-applied after each step hold through fine-tuning; without them the optimizer revives pruned weights', async () => {
    for (const reapply of [true, false]) {
      const c = compileModel(mlp, { seed: 3 });
      const masks = new KernelMasks(prunableKernels(c), 'layer');
      masks.update(0.5);
      const fixed = masks.current();
      let revived = 0;
      await fit({
        compiled: c, spec: SPEC, data: blobs(), training: ADAM, epochs: 2, seed: 1,
        beforeStep: () => masks.kernels.forEach((k, i) => {
          const v = k.variable.read().dataSync();
          for (let j = 0; j < v.length; j++) if (!fixed[i]![j] && v[j] !== 0) revived++;
        }),
        ...(reapply ? { afterStep: () => masks.apply() } : {}),
      });
      if (reapply) {
        expect(revived).toBe(0);
        expect(masks.current()).toEqual(fixed);
      } else {
        expect(revived).toBeGreaterThan(0);
      }
      masks.dispose();
      c.model.dispose();
    }
  });

  it('gradual: masks only grow, reach the target, pruned weights end at 0 and kept ones trained', async () => {
    const c = compileModel(mlp, { seed: 4 });
    const start = readNodeWeights(c);
    const updates: { step: number; masks: Mask[] }[] = [];
    const r = await pruneWhileFineTuning({ compiled: c, spec: SPEC, data: blobs(), training: ADAM, epochs: 3, seed: 2 }, 0.75, 'layer',
      (step, masks) => updates.push({ step, masks }));
    expect(updates.length).toBeGreaterThan(3);
    for (let u = 1; u < updates.length; u++) {
      updates[u]!.masks.forEach((m, i) => m.forEach((keep, j) => { if (!updates[u - 1]!.masks[i]![j]) expect(keep).toBe(0); }));
    }
    expect(r.sparsity).toEqual([
      { nodeId: 'l0', weight: 'kernel', sparsity: 0.75 }, { nodeId: 'l1', weight: 'kernel', sparsity: Math.round(0.75 * 48) / 48 },
    ]);
    const end = readNodeWeights(c);
    const final = updates.at(-1)!.masks;
    ['l0', 'l1'].forEach((id, i) => {
      const v = end[id]!.kernel!.values;
      v.forEach((w, j) => expect(final[i]![j] ? true : w === 0).toBe(true));
      const moved = Array.from(v).filter((w, j) => final[i]![j] && w !== start[id]!.kernel!.values[j]).length;
      expect(moved).toBe(final[i]!.filter((m) => m).length); // every kept weight was trained
    });
    expect(r.history.every((h) => Number.isFinite(h.loss))).toBe(true);
    c.model.dispose();
  });

  it('global scope prunes across layers with one threshold', async () => {
    const c = compileModel(mlp, { seed: 5 });
    const r = await pruneWhileFineTuning({ compiled: c, spec: SPEC, data: blobs(), training: ADAM, epochs: 0, seed: 2 }, 0.5, 'global');
    const total = 64 + 48;
    const pruned = r.sparsity[0]!.sparsity * 64 + r.sparsity[1]!.sparsity * 48;
    expect(Math.round(pruned)).toBe(total / 2);
    expect(r.sparsity[0]!.sparsity).not.toBe(r.sparsity[1]!.sparsity);
    c.model.dispose();
  });
});

describe('structured pruning', () => {
  const cnn = chain([10, 10, 2], [
    ['Conv2D', { filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }],
    ['BatchNormalization', {}],
    ['MaxPooling2D', { poolSize: 2 }],
    ['Conv2D', { filters: 8, kernelSize: 3, activation: 'tanh' }],
    ['Flatten', {}],
    ['Dense', { units: 12, activation: 'sigmoid' }],
    ['Dense', { units: 3, activation: 'softmax' }],
  ]);

  it('the smaller model equals the original with the pruned channels\' contribution removed', () => {
    const original = compileModel(cnn, { seed: 6 });
    // Non-trivial batch-norm statistics, so a pruned channel's normalised output is not 0.
    const w = readNodeWeights(original);
    const r = mulberry32(8);
    for (const k of ['gamma', 'beta', 'moving_mean', 'moving_variance'] as const) w.l1![k]!.values = w.l1![k]!.values.map(() => 0.5 + r());
    writeNodeWeights(original, w);
    const { plan, doc, compiled: small } = pruneChannels(original, cnn, 0.5, 6);
    expect(plan.cuts.map((c) => [c.nodeId, c.keep.length])).toEqual([['l0', 3], ['l3', 4], ['l5', 6]]);
    expect(small.model.countParams()).toBe(analyze(doc).totalParams);
    const reference = compileModel(cnn, { seed: 6 });
    writeNodeWeights(reference, zeroPrunedContributions(w, plan));
    const x = tf.tensor(Float32Array.from({ length: 7 * 200 }, () => r() * 2 - 1), [7, 10, 10, 2]);
    const [a, b, o] = [small, reference, original].map((m) => (m.model.predict(x) as tf.Tensor).dataSync());
    const maxDiff = (p: ArrayLike<number>, q: ArrayLike<number>) => Math.max(...Array.from(p).map((v, i) => Math.abs(v - q[i]!)));
    expect(a!.length).toBe(21);
    expect(a!.every(Number.isFinite)).toBe(true);
    expect(maxDiff(a!, b!)).toBeLessThan(1e-5);
    expect(maxDiff(a!, o!)).toBeGreaterThan(1e-3); // the pruning did change the function
    x.dispose();
    [original, small, reference].forEach((m) => m.model.dispose());
  });
});

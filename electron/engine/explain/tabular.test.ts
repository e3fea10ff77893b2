/**
 * The proofs on trained tabular models (wasm backend): Kernel SHAP's efficiency, exactness on a
 * linear model and zero for an ignored feature; the sampled estimator against exact enumeration;
 * Integrated Gradients' completeness; LIME's signs and ranking on a linear model; global importance;
 * named errors; no tensor leak; parity with PyTorch on the exported MLP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExplanationSchema, GlobalExplanationSchema, igQuadrature, type Explanation } from '../../../shared/explain';
import { initBackend } from '../backend';
import { disposeRun, getRun } from '../runs';
import { tf } from '../tfjs';
import { ExplainError, explain, explainGlobal } from './index';
import { mlp, table, trainRun } from './test-models';
import { parityError, torchAttributions } from './torch-parity';

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);
const efficiencyGap = (r: Explanation) => Math.abs(r.baseValue! + sum(r.attributions) - r.output);

/** The first test-split sample of a run's data. */
const firstTest = (runId: string) => ({ kind: 'sample' as const, index: getRun(runId).split!.test[0]! });

describe('explanations of trained tabular models', () => {
  const W = [3, -2, 1, -0.5];
  beforeAll(async () => {
    await initBackend('wasm');
    // A classifier with interactions: class = [f0·f1 + f2 > 0.3 + f4²].
    await trainRun('cls', mlp(5, [[16, 'relu'], [2, 'softmax']], { loss: 'sparseCategoricalCrossentropy', epochs: 30 }),
      table(300, 5, (r) => (r[0]! * r[1]! + r[2]! > 0.3 + r[4]! ** 2 ? 1 : 0), { classes: ['no', 'yes'] }));
    // A linear regressor y = 3f0 − 2f1 + f2 − 0.5f3 + 0.2, standardised inputs; 90 training rows.
    await trainRun('lin', mlp(4, [[1, 'linear']], { loss: 'meanSquaredError', epochs: 150, learningRate: 0.05, batchSize: 16 }),
      table(150, 4, (r) => W.reduce((a, w, j) => a + w * r[j]!, 0.2)));
  }, 120_000);
  afterAll(() => ['cls', 'lin'].forEach(disposeRun));

  it('exact Kernel SHAP: base value + Σ attributions = output within 1e-4; the same for every sample', async () => {
    const run = getRun('cls');
    for (const index of Array.from(run.split!.test.slice(0, 3))) {
      const r = ExplanationSchema.parse(await explain({ runId: 'cls', input: { kind: 'sample', index }, spec: { method: 'shap' } }));
      expect(r.details).toMatchObject({ exact: true, coalitions: 32 });
      expect(efficiencyGap(r)).toBeLessThan(1e-4);
      expect(r.completenessGap).toBeLessThan(1e-4);
      expect(r.featureNames).toEqual(['f0', 'f1', 'f2', 'f3', 'f4']);
      expect(r.forwardPasses).toBe(32 * 100);
      expect(r.target.label).toBe(r.target.index ? 'yes' : 'no');
    }
  });

  it('on a trained linear model SHAP equals wᵢ·(xᵢ − E[xᵢ]) exactly, sampled or not', async () => {
    const run = getRun('lin');
    const { dataset: ds, split, normalization: norm } = { dataset: run.dataset!, split: run.split!, normalization: run.normalization! };
    const kernel = run.compiled.model.getWeights()[0]!.dataSync();
    const wRaw = W.map((_, j) => kernel[j]! * norm.scale[j]!); // the model in raw units
    wRaw.forEach((w, j) => expect(w).toBeCloseTo(W[j]!, 1));
    const mean = W.map((_, j) => sum(Array.from(split.train, (s) => ds.x[s * 4 + j]!)) / split.train.length);
    expect(split.train.length).toBeLessThanOrEqual(100); // so the background is the whole training split
    const input = firstTest('lin');
    const x = Array.from(ds.x.subarray(input.index * 4, input.index * 4 + 4));
    for (const spec of [{ method: 'shap' as const }, { method: 'shap' as const, exactMaxFeatures: 0, coalitions: 64 }]) {
      const r = await explain({ runId: 'lin', input, spec });
      r.attributions.forEach((a, j) => expect(Math.abs(a - wRaw[j]! * (x[j]! - mean[j]!))).toBeLessThan(1e-4));
      expect(efficiencyGap(r)).toBeLessThan(1e-4);
    }
  });

  it('a feature the model ignores gets exactly 0 (SHAP, permutation importance)', async () => {
    const run = getRun('cls');
    const saved = run.compiled.model.getWeights().map((w) => w.clone());
    try {
      const [k, ...rest] = run.compiled.model.getWeights();
      const zeroed = k!.arraySync() as number[][];
      zeroed[3] = zeroed[3]!.map(() => 0); // feature f3 no longer reaches the hidden layer
      const t = tf.tensor(zeroed);
      run.compiled.model.setWeights([t, ...rest]);
      t.dispose();
      const r = await explain({ runId: 'cls', input: firstTest('cls'), spec: { method: 'shap' } });
      expect(r.attributions[3]).toBe(0);
      expect(r.attributions.some((a, j) => j !== 3 && Math.abs(a) > 1e-3)).toBe(true);
      const g = GlobalExplanationSchema.parse(await explainGlobal({ runId: 'cls', method: 'permutation', repeats: 2 }));
      expect(Math.abs(g.importance[3]!)).toBe(0);
      expect(g.score?.name).toBe('accuracy');
      expect(Math.max(...g.importance)).toBeGreaterThan(0.05);
    } finally {
      run.compiled.model.setWeights(saved);
      tf.dispose(saved);
    }
  });

  it('sampled Kernel SHAP (2,048 paired coalitions) keeps efficiency within 1e-4 and is within 2 % of the largest exact value on 14 features', async () => {
    await trainRun('wide', mlp(14, [[16, 'tanh'], [1, 'linear']], { loss: 'meanSquaredError', epochs: 15 }),
      table(300, 14, (r) => Math.sin(3 * r[0]!) + r[1]! * r[2]! - r[5]! ** 2 + 0.3 * r[9]! - r[13]! * r[4]!));
    try {
      const input = firstTest('wide');
      const exact = await explain({ runId: 'wide', input, spec: { method: 'shap', exactMaxFeatures: 14, background: 10, seed: 5 } });
      const sampled = await explain({ runId: 'wide', input, spec: { method: 'shap', background: 10, coalitions: 2048, seed: 5 } });
      expect(exact.details?.exact).toBe(true);
      expect(sampled.details).toMatchObject({ exact: false, coalitions: 2050 });
      expect(efficiencyGap(exact)).toBeLessThan(1e-4);
      expect(efficiencyGap(sampled)).toBeLessThan(1e-4);
      const scale = Math.max(...exact.attributions.map(Math.abs));
      const err = Math.max(...sampled.attributions.map((a, j) => Math.abs(a - exact.attributions[j]!)));
      expect(err).toBeLessThan(0.02 * scale); // measured: 0.3 %
      expect(sampled.forwardPasses).toBe(2050 * 10);
    } finally {
      disposeRun('wide');
    }
  });

  it('Integrated Gradients: Σ attributions = f(x) − f(baseline) (gap < 1 % at 50 steps, shrinking with steps)', async () => {
    // A test row whose output differs from the mean row's (IG explains that difference).
    let input = firstTest('cls');
    for (const index of getRun('cls').split!.test) {
      input = { kind: 'sample', index };
      const g = await explain({ runId: 'cls', input, spec: { method: 'ig', steps: 1 } });
      if (Math.abs(g.output - g.baseValue!) > 0.2) break;
    }
    const r50 = ExplanationSchema.parse(await explain({ runId: 'cls', input, spec: { method: 'ig', steps: 50 } }));
    expect(r50.details).toMatchObject({ baseline: 'mean', steps: 50 });
    expect(r50.completenessGap).toBeLessThan(0.01);
    const r400 = await explain({ runId: 'cls', input, spec: { method: 'ig', steps: 400 } });
    expect(Math.abs(sum(r400.attributions) - (r400.output - r400.baseValue!))).toBeLessThan(1e-3 * Math.abs(r400.output - r400.baseValue!) + 1e-6);
    expect(Math.abs(r400.output - r400.baseValue!)).toBeGreaterThan(0.2);
  });

  it('LIME recovers the signs and the ranking of a trained linear model', async () => {
    const run = getRun('lin');
    const kernel = run.compiled.model.getWeights()[0]!.dataSync();
    const wRaw = W.map((_, j) => kernel[j]! * run.normalization!.scale[j]!);
    // A row in the top quartile of every feature: being in x's quartile then moves the output by sign(w)·|w|·spread.
    const r = await explain({ runId: 'lin', input: { kind: 'values', values: [0.9, 0.9, 0.9, 0.9] }, spec: { method: 'lime', seed: 3 } });
    expect(r.attributions.map(Math.sign)).toEqual(wRaw.map(Math.sign));
    const rank = (v: number[]) => v.map((_, j) => j).sort((a, b) => Math.abs(v[b]!) - Math.abs(v[a]!));
    expect(rank(r.attributions)).toEqual(rank(wRaw));
    expect(r.details?.r2).toBeGreaterThan(0.3);
  });

  it('global mean |SHAP| ranks the features the linear model weighs most', async () => {
    const g = GlobalExplanationSchema.parse(await explainGlobal({ runId: 'lin', method: 'shap', samples: 10 }));
    expect(g.featureNames).toEqual(['f0', 'f1', 'f2', 'f3']);
    expect(g.importance.map((v, j) => [v, j]).sort((a, b) => b[0]! - a[0]!).map((p) => p[1])).toEqual([0, 1, 2, 3]);
    const p = await explainGlobal({ runId: 'lin', method: 'permutation' });
    expect(p.score?.name).toBe('negative MSE');
    expect(p.importance[0]).toBeGreaterThan(p.importance[3]!);
  });

  it('named errors: Grad-CAM without a convolution, a wrong input size, a target out of range; no tensor leak', async () => {
    const before = tf.memory().numTensors;
    const fail = (p: Promise<unknown>) => p.then(() => { throw new Error('expected an ExplainError'); }, (e: unknown) => e as ExplainError);
    const a = await fail(explain({ runId: 'cls', input: firstTest('cls'), spec: { method: 'gradcam' } }));
    expect(a).toBeInstanceOf(ExplainError);
    expect(a.code).toBe('not-applicable');
    expect(a.message).toMatch(/Grad-CAM needs a convolution layer.*none/);
    const b = await fail(explain({ runId: 'cls', input: { kind: 'values', values: [1, 2, 3] }, spec: { method: 'gradient' } }));
    expect(b.code).toBe('input-shape');
    expect(b.message).toMatch(/3 values but the model's Input "in" takes 5 \(shape \[5\]\)/);
    const c = await fail(explain({ runId: 'cls', input: firstTest('cls'), spec: { method: 'ig' }, target: 2 }));
    expect(c.code).toBe('target');
    for (const spec of [{ method: 'gradient' }, { method: 'smoothgrad' }, { method: 'occlusion' }, { method: 'lime', samples: 200 }] as const) {
      const r = ExplanationSchema.parse(await explain({ runId: 'cls', input: firstTest('cls'), spec }));
      expect(r.attributions).toHaveLength(5);
      expect(r.shape).toEqual([5]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('PyTorch parity on the exported MLP: gradient, IG and occlusion within 1e-4 of the largest value', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'loom-explain-mlp-'));
    try {
      const run = getRun('cls');
      // A row near the decision boundary (a saturated softmax has vanishing gradients).
      let input = firstTest('cls');
      for (const index of run.split!.test) {
        input = { kind: 'sample', index };
        if (Math.abs((await explain({ runId: 'cls', input, spec: { method: 'gradient' } })).output - 0.5) < 0.3) break;
      }
      const x = Float32Array.from(run.dataset!.x.subarray(input.index * 5, input.index * 5 + 5));
      const engine = [
        await explain({ runId: 'cls', input, spec: { method: 'gradient' } }),
        await explain({ runId: 'cls', input, spec: { method: 'ig', steps: 32, rule: 'riemann' } }),
        await explain({ runId: 'cls', input, spec: { method: 'occlusion' } }),
      ];
      const target = engine[0]!.target.index;
      const mean = Float32Array.from(run.dataset!.featureNames!, (_, j) => sum(Array.from(run.split!.train, (s) => run.dataset!.x[s * 5 + j]!)) / run.split!.train.length);
      const q = igQuadrature(32, 'riemann');
      const [torch] = await torchAttributions(tmp, [{
        name: 'mlp', run, x, tasks: [
          { kind: 'gradient', target },
          { kind: 'ig', target, baseline: mean, alphas: Array.from(q.alphas), weights: Array.from(q.weights) },
          { kind: 'occlusion', target, baseline: mean, window: [1], stride: [1] },
        ],
      }]);
      const errors = engine.map((e, i) => parityError(e.attributions, torch![i]!));
      expect(errors.every((e) => e.rel <= 1e-4 && e.scale > 1e-2), JSON.stringify(errors)).toBe(true);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);
});

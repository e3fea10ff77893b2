/**
 * Explanations of the MNIST CNN template trained briefly by the engine (wasm backend): IG
 * completeness, Grad-CAM, SHAP and LIME over SLIC superpixels, occlusion, the sanity check, and
 * parity with the same attributions computed by PyTorch on the exported model.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExplanationSchema, SanityResultSchema, estimateForwardPasses, igQuadrature, type ExplainRequest } from '../../../shared/explain';
import { initBackend } from '../backend';
import { disposeRun, getRun } from '../runs';
import { tf } from '../tfjs';
import { ExplainError, explain, sanityCheck } from './index';
import { trainDigitsCnn } from './test-models';
import { parityError, torchAttributions } from './torch-parity';

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);

describe('explanations of the trained MNIST CNN', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'loom-explain-'));
  let input: ExplainRequest['input'];
  let x: Float32Array;
  beforeAll(async () => {
    await initBackend('wasm');
    await trainDigitsCnn('cnn');
    const run = getRun('cnn');
    const index = run.split!.test[0]!;
    input = { kind: 'sample', index };
    x = Float32Array.from(run.dataset!.x.subarray(index * 784, (index + 1) * 784));
  }, 180_000);
  afterAll(() => {
    disposeRun('cnn');
    rmSync(tmp, { recursive: true, force: true });
  });

  it('Integrated Gradients from black: Σ attributions = f(x) − f(black), gap < 1 % at 50 steps', async () => {
    const r = ExplanationSchema.parse(await explain({ runId: 'cnn', input, spec: { method: 'ig' } }));
    expect(r.shape).toEqual([28, 28, 1]);
    expect(r.details).toMatchObject({ baseline: 'zero', steps: 50 });
    expect(r.forwardPasses).toBe(51);
    expect(Math.abs(r.output - r.baseValue!)).toBeGreaterThan(0.05);
    expect(r.completenessGap).toBeLessThan(0.01);
    expect(Math.abs(sum(r.attributions) - (r.output - r.baseValue!))).toBeLessThan(0.01 * Math.abs(r.output - r.baseValue!));
    // A black pixel's attribution is exactly 0: (x − baseline) = 0 there.
    r.attributions.forEach((a, i) => { if (x[i] === 0) expect(Math.abs(a)).toBe(0); });
  });

  it('Grad-CAM: the last convolution by default, a named one on request, a non-convolution refused', async () => {
    const r = ExplanationSchema.parse(await explain({ runId: 'cnn', input, spec: { method: 'gradcam' } }));
    expect(r.details?.layer).toBe('conv2');
    expect(r.shape).toEqual([28, 28]);
    expect(r.attributions.every((v) => v >= 0)).toBe(true);
    const c1 = await explain({ runId: 'cnn', input, spec: { method: 'gradcam', layer: 'conv1' } });
    expect(c1.details?.layer).toBe('conv1');
    const e = await explain({ runId: 'cnn', input, spec: { method: 'gradcam', layer: 'dense' } }).catch((err: unknown) => err as ExplainError);
    expect(e).toBeInstanceOf(ExplainError);
    expect((e as ExplainError).message).toMatch(/"dense" is a Dense \(convolutions: conv1, conv2\)/);
  });

  it('Kernel SHAP over SLIC superpixels: efficiency within 1e-4 (sampled); LIME on the same superpixels', async () => {
    const r = ExplanationSchema.parse(await explain({ runId: 'cnn', input, spec: { method: 'shap', coalitions: 512 } }));
    const seg = r.segments!;
    expect(r.details?.exact).toBe(false);
    expect(seg.values.length).toBeGreaterThan(20);
    expect(seg.labels).toHaveLength(784);
    expect(new Set(seg.labels).size).toBe(seg.values.length);
    expect(Math.abs(r.baseValue! + sum(seg.values) - r.output)).toBeLessThan(1e-4);
    r.attributions.forEach((a, p) => expect(a).toBe(seg.values[seg.labels[p]!]));
    const grid = await explain({ runId: 'cnn', input, spec: { method: 'shap', segmentation: { kind: 'grid', rows: 3, cols: 3 } } });
    expect(grid.details).toMatchObject({ exact: true, coalitions: 512 });
    expect(Math.abs(grid.baseValue! + sum(grid.segments!.values) - grid.output)).toBeLessThan(1e-4);
    const lime = await explain({ runId: 'cnn', input, spec: { method: 'lime', samples: 300 } });
    expect(lime.segments!.labels).toEqual(seg.labels);
    expect(lime.details?.r2).toBeGreaterThan(0);
  });

  it('occlusion: a 4×4 window over all channels, 49 windows + the input', async () => {
    const r = await explain({ runId: 'cnn', input, spec: { method: 'occlusion' } });
    expect(r.forwardPasses).toBe(50);
    expect(r.shape).toEqual([28, 28, 1]);
    // Occluding black with black changes nothing: all-black windows get exactly 0.
    for (let by = 0; by < 7; by++) {
      for (let bx = 0; bx < 7; bx++) {
        const cells = Array.from({ length: 16 }, (_, i) => (by * 4 + (i >> 2)) * 28 + bx * 4 + (i & 3));
        if (cells.every((p) => x[p] === 0)) cells.forEach((p) => expect(Math.abs(r.attributions[p]!)).toBe(0));
      }
    }
  });

  it('sanity check: the gradient depends on the learned weights; IG from black on a digit is flagged; weights are restored', async () => {
    const before = getRun('cnn').compiled.model.predict(tf.div(tf.tensor(x, [1, 28, 28, 1]), 255)) as tf.Tensor;
    const g = SanityResultSchema.parse(await sanityCheck({ runId: 'cnn', input, spec: { method: 'gradient' } }));
    expect(g.steps.map((s) => s.layer)).toEqual(['digit', 'dense', 'conv2', 'conv1']);
    expect(g.flagged).toBe(false);
    expect(g.steps.at(-1)!.spearman).toBeLessThan(0.5);
    // IG's map is x ⊙ (mean gradient): zero on every black pixel whatever the weights, so its
    // ranking survives randomisation (the failure Adebayo et al. describe for input-weighted maps).
    const ig = await sanityCheck({ runId: 'cnn', input, spec: { method: 'ig', steps: 10 } });
    expect(ig.flagged).toBe(true);
    const after = getRun('cnn').compiled.model.predict(tf.div(tf.tensor(x, [1, 28, 28, 1]), 255)) as tf.Tensor;
    expect(Array.from(after.dataSync())).toEqual(Array.from(before.dataSync()));
    tf.dispose([before, after]);
  });

  it('PyTorch parity on the exported model: gradient, IG, Grad-CAM (every class) and occlusion within 1e-4 of the largest value', async () => {
    const run = getRun('cnn');
    // The digit with a ±0.5 grey-level dither: on a flat black background every max-pooling window
    // is an exact tie, where the gradient is not defined and the frameworks' choices differ (TF.js'
    // Winograd convolution breaks the tie by rounding, PyTorch takes the first); dithered, there is
    // no tie and the gradient is unique (docs/explain.md).
    const dithered = Float32Array.from(x, (v, i) => v + (((i * 7919) % 101) / 100 - 0.5));
    const values = { kind: 'values' as const, values: Array.from(dithered) };
    const ask = (spec: ExplainRequest['spec'], target: number) => explain({ runId: 'cnn', input: values, spec, target });
    const target = (await explain({ runId: 'cnn', input: values, spec: { method: 'gradient' } })).target.index;
    const q = igQuadrature(50, 'trapezoid');
    const engine = [
      await ask({ method: 'gradient' }, target),
      await ask({ method: 'ig' }, target),
      await ask({ method: 'occlusion', window: 5, stride: 3 }, target),
      ...await Promise.all(Array.from({ length: 10 }, (_, t) => ask({ method: 'gradcam' }, t))),
    ];
    const [torch] = await torchAttributions(tmp, [{
      name: 'cnn', run, x: dithered, tasks: [
        { kind: 'gradient', target },
        { kind: 'ig', target, baseline: new Float32Array(784), alphas: Array.from(q.alphas), weights: Array.from(q.weights) },
        { kind: 'occlusion', target, baseline: new Float32Array(784), window: [5, 5, 1], stride: [3, 3, 1] },
        ...Array.from({ length: 10 }, (_, t) => ({ kind: 'gradcam' as const, target: t, module: 'conv2', relu: true })),
      ],
    }]);
    const errors = engine.map((e, i) => ({ task: i < 3 ? ['gradient', 'ig', 'occlusion'][i] : `gradcam ${i - 3}`, ...parityError(e.attributions, torch![i]!) }));
    expect(errors.filter((e) => !(e.rel <= 1e-4)), JSON.stringify(errors)).toEqual([]);
    // Not a parity of empty maps: Grad-CAM is ReLU'd, so some classes have none on this briefly trained model.
    expect(errors.slice(0, 3).every((e) => e.scale > 0)).toBe(true);
    expect(errors.slice(3).filter((e) => e.scale > 0).length).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('the cost estimate before running is the count of forward passes run', async () => {
    const facts = { shape: [28, 28, 1], image: true };
    for (const spec of [{ method: 'ig', steps: 20 }, { method: 'occlusion', window: 6, stride: 5 }, { method: 'smoothgrad', samples: 7 }, { method: 'gradcam' },
      { method: 'shap', segmentation: { kind: 'grid', rows: 2, cols: 4 } }, { method: 'shap', coalitions: 101, segmentation: { kind: 'grid', rows: 4, cols: 4 } }] as const) {
      const r = await explain({ runId: 'cnn', input, spec });
      const features = r.segments?.values.length ?? 0;
      expect(r.forwardPasses, spec.method).toBe(estimateForwardPasses(spec, { ...facts, features }));
    }
  });
});

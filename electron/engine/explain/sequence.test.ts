/**
 * Text: a trained token model (Embedding → Conv1D → GlobalMaxPooling1D → Dense). Per-token
 * occlusion, SHAP and LIME find the token that decides the class; Grad-CAM runs on the Conv1D over
 * time; gradient methods are refused for token ids with a named error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoomDocument } from '../../../shared/document';
import { trainingDefaults } from '../../../shared/document';
import { ExplanationSchema } from '../../../shared/explain';
import { mulberry32 } from '../../../shared/random';
import { initBackend } from '../backend';
import { computeNormalization } from '../data/normalize';
import { splitDataset } from '../data/split';
import type { Dataset } from '../data/types';
import { disposeRun } from '../runs';
import { ExplainError, explain } from './index';
import { trainRun } from './test-models';

const T = 8;

describe('explanations of a trained token model', () => {
  // Class 1 iff token 7 occurs; other tokens 1..6 at random, 0 is padding.
  const x = Int32Array.from([1, 2, 3, 4, 7, 5, 6, 1]);
  beforeAll(async () => {
    await initBackend('wasm');
    const rnd = mulberry32(3);
    const n = 400;
    const xs = new Int32Array(n * T);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < T; t++) xs[i * T + t] = 1 + Math.floor(rnd() * 6);
      if (i % 2) xs[i * T + Math.floor(rnd() * T)] = 7;
      y[i] = i % 2;
    }
    const ds: Dataset = {
      name: 'tokens', description: 'test tokens', task: 'classification', count: n, x: xs, dtype: 'int32', sampleShape: [T], sampleSize: T,
      y, targetShape: [1], targetSize: 1, classes: ['absent', 'present'], kind: 'tokens', defaultNormalize: 'none', defaultTestSplit: 0.2, vocabSize: 8,
    };
    const split = splitDataset(ds, { testSplit: 0.2, validationSplit: 0.2, seed: 1 });
    const nodes: LoomDocument['nodes'] = [
      { id: 'ids', type: 'Input', params: { shape: [T], dtype: 'int32' } },
      { id: 'emb', type: 'Embedding', params: { inputDim: 8, outputDim: 4 } },
      { id: 'conv', type: 'Conv1D', params: { filters: 8, kernelSize: 1, activation: 'relu' } },
      { id: 'pool', type: 'GlobalMaxPooling1D', params: {} },
      { id: 'out', type: 'Dense', params: { units: 2, activation: 'softmax' } },
    ];
    const doc: LoomDocument = {
      format: 'layerloom.model', version: 1, name: 'tokens', nodes,
      edges: nodes.slice(1).map((nd, i) => ({ from: nodes[i]!.id, to: nd.id })),
      training: trainingDefaults({ optimizer: 'adam', learningRate: 0.05, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'], batchSize: 32, epochs: 30, seed: 2 }),
    };
    await trainRun('tok', doc, { dataset: ds, split, normalization: computeNormalization(ds, split.train, 'none') });
  }, 120_000);
  afterAll(() => disposeRun('tok'));

  const values = { kind: 'values' as const, values: Array.from(x) };
  const top = (a: number[]) => a.indexOf(Math.max(...a));

  it('occlusion, SHAP and LIME per token single out the deciding token', async () => {
    const occ = ExplanationSchema.parse(await explain({ runId: 'tok', input: values, spec: { method: 'occlusion' } }));
    expect(occ.target.label).toBe('present');
    expect(occ.output).toBeGreaterThan(0.8);
    expect(occ.shape).toEqual([T]);
    expect(occ.forwardPasses).toBe(T + 1);
    expect(top(occ.attributions)).toBe(4);
    const shap = await explain({ runId: 'tok', input: values, spec: { method: 'shap' } });
    expect(shap.details).toMatchObject({ exact: true, coalitions: 256 });
    expect(shap.segments!.labels).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Math.abs(shap.baseValue! + shap.attributions.reduce((a, b) => a + b, 0) - shap.output)).toBeLessThan(1e-4);
    expect(top(shap.attributions)).toBe(4);
    const lime = await explain({ runId: 'tok', input: values, spec: { method: 'lime', samples: 500 } });
    expect(top(lime.attributions)).toBe(4);
  });

  it('Grad-CAM over time on the Conv1D; gradients of token ids are refused', async () => {
    const cam = await explain({ runId: 'tok', input: values, spec: { method: 'gradcam' } });
    expect(cam.details?.layer).toBe('conv');
    expect(cam.shape).toEqual([T]);
    expect(top(cam.attributions)).toBe(4);
    for (const method of ['ig', 'gradient', 'smoothgrad'] as const) {
      const e = await explain({ runId: 'tok', input: values, spec: { method } }).catch((err: unknown) => err as ExplainError);
      expect(e).toBeInstanceOf(ExplainError);
      expect((e as ExplainError).message).toMatch(/needs a numeric input; this model takes token ids/);
    }
  });
});

/**
 * The data panel's split numbers are the run's: the engine's `data.preview` splits with the same function, test
 * split, limit, validation split and seed as a training run (checked against a real run's `start`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDocument, type DatasetConfig, type LoomDocument } from '../../shared/document';
import { initBackend } from './backend';
import { classBalance, prepareData } from './data';
import { z } from 'zod';
import { inProcessEngine } from './index';
import { startTraining } from './train';

const engine = inProcessEngine();
/** The preview's split and balance (the engine's answer is loose: it grows with the data panel). */
const SplitPreview = z.object({
  count: z.number(),
  split: z.object({ train: z.number(), validation: z.number(), test: z.number() }),
  balance: z.object({ train: z.array(z.number()), validation: z.array(z.number()) }).optional(),
});

const template = (name: string): LoomDocument => {
  const r = parseDocument(readFileSync(join(__dirname, '../../assets/templates', `${name}.loom`), 'utf8'));
  if (!r.ok) throw new Error(name);
  return r.doc;
};

/** The split sizes a real run reports in its `start` event (stopped before its first batch). */
async function runSplit(doc: LoomDocument): Promise<{ train: number; validation: number; test: number }> {
  let sizes: { train: number; validation: number; test: number } | undefined;
  const h = startTraining({ runId: `split-${Math.random()}`, doc, backend: 'wasm' }, (e) => {
    if (e.type === 'start') {
      sizes = { train: e.data.train, validation: e.data.validation, test: e.data.test };
      h.stop();
    }
  });
  const last = await h.done;
  expect(last.type === 'error' ? last.message : last.type).toBe('end');
  return sizes!;
}

describe('data preview split = the run split', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  const cases: [string, string, DatasetConfig | undefined, { validationSplit: number; seed?: number }][] = [
    ['the MNIST CNN template as shipped', 'mnist-cnn', undefined, { validationSplit: 0.1, seed: 42 }],
    ['digits with a limit and an odd validation split', 'mnist-cnn', { source: 'builtin', name: 'digits', limit: 777, testSplit: 0.13 }, { validationSplit: 0.35, seed: 7 }],
    ['logistic regression, no seed', 'logistic-regression', undefined, { validationSplit: 0.3 }],
  ];

  it.each(cases)('%s', async (_name, file, dataset, training) => {
    const base = template(file);
    const doc: LoomDocument = { ...base, dataset: dataset ?? base.dataset, training: { ...base.training!, ...training, ...(training.seed === undefined ? { seed: undefined } : {}) } };
    const preview = SplitPreview.parse(await engine.call('data.preview', { dataset: doc.dataset!, training: { validationSplit: training.validationSplit, seed: training.seed } }));
    expect(preview.split).toEqual(await runSplit(doc));
    if (training.seed !== undefined) {
      // Same seed: the very same samples, so the per-split class balance is the run's too.
      const prepared = await prepareData(doc.dataset!, { validationSplit: training.validationSplit, seed: training.seed });
      expect(preview.balance?.train).toEqual(classBalance(prepared.dataset, prepared.split.train)!.counts);
      expect(preview.balance?.validation).toEqual(classBalance(prepared.dataset, prepared.split.validation)!.counts);
    }
  });

  it('without training settings the preview keeps the old default (validation 0.2)', async () => {
    const p = SplitPreview.parse(await engine.call('data.preview', { dataset: { source: 'builtin', name: 'digits' } }));
    expect(p.split.validation).toBe(Math.round((p.count - p.split.test) * 0.2));
  });
});

/**
 * The memory check of real training runs on wasm: refused before the weights (or the batch) are
 * allocated, with the estimate and what to change; warned about in the start event.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadDocumentOrThrow, type LoomDocument, type TrainingConfig } from '../../shared/document';
import { TrainEventSchema, type TrainEvent } from '../../shared/engine/events';
import { initBackend } from './backend';
import { computeNormalization } from './data/normalize';
import { splitDataset } from './data/split';
import type { Dataset, PreparedData } from './data/types';
import { engineFatal, WASM_HEAP_MAX } from './failures';
import { memoryLimit } from './memory';
import { startTraining } from './train';
import { tf } from './tfjs';

function chain(nodes: [string, string, Record<string, unknown>][], training: Partial<TrainingConfig>): LoomDocument {
  return {
    format: 'layerloom.model', version: 1, name: 't', training: training as TrainingConfig,
    nodes: nodes.map(([id, type, params]) => ({ id, type, params })),
    edges: nodes.slice(1).map((n, i) => ({ from: nodes[i]![0], to: n[0] })),
  };
}

/** n samples of y = 2x (one float each). */
function line(n: number): PreparedData {
  const x = Float32Array.from({ length: n }, (_, i) => (i / n) * 2 - 1);
  const ds: Dataset = {
    name: 'line', description: 'test', task: 'regression', x, dtype: 'float32', sampleShape: [1], y: x.map((v) => 2 * v), targetShape: [1],
    kind: 'tabular', defaultNormalize: 'none', defaultTestSplit: 0, sampleSize: 1, targetSize: 1, count: n,
  };
  const split = splitDataset(ds, { testSplit: 0, validationSplit: 0, seed: 1 });
  return { dataset: ds, split, normalization: computeNormalization(ds, split.train, 'none') };
}

async function run(doc: LoomDocument, data?: PreparedData) {
  const events: TrainEvent[] = [];
  const h = startTraining({ runId: 'mem', doc, backend: 'wasm', ...(data ? { data } : {}) }, (e) => events.push(TrainEventSchema.parse(e)));
  return { last: await h.done, events };
}

describe('memory check before training (wasm)', () => {
  beforeAll(async () => {
    expect((await initBackend('wasm')).name).toBe('wasm');
  });
  afterEach(() => {
    delete process.env.LAYERLOOM_MEMORY_LIMIT_MB;
  });

  it('a model whose weights cannot fit is refused before they are allocated, naming the layer', async () => {
    const template = loadDocumentOrThrow(readFileSync(new URL('../../assets/templates/mnist-cnn.loom', import.meta.url), 'utf8'), 'mnist-cnn');
    const doc = { ...template, nodes: template.nodes.map((n) => (n.id === 'dense' ? { ...n, params: { ...n.params, units: 1_000_000 } } : n)) };
    const tensors = tf.memory().numTensors;
    const rss = process.memoryUsage().rss;
    const { last, events } = await run(doc);
    expect(events).toEqual([last]);
    expect(last).toMatchObject({
      type: 'error', code: 'oom', nodeId: 'dense',
      message: expect.stringMatching(/^Training this model needs about 46\.9 GiB \(weights 11\.7 GiB for 3\.15e9 parameters.*layer outputs 8\.02 MiB at batch size 1\), more than the 4 GiB the WebAssembly backend can hold: "dense" \(Dense\) holds 3\.14e9/),
    });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(process.memoryUsage().rss - rss).toBeLessThan(200 * 2 ** 20); // nothing near 11.7 GiB was touched
  });

  it('a batch whose layer outputs cannot fit is refused with a batch size that does, and the engine stays healthy', async () => {
    // 65,536 samples at batch 65,536 through a 65,536-unit layer: 32 GiB of outputs (before: "memory access out of bounds", reported as internal).
    const doc = chain([['in', 'Input', { shape: [1] }], ['wide', 'Dense', { units: 65536, activation: 'relu' }], ['out', 'Dense', { units: 1 }]],
      { loss: 'meanSquaredError', optimizer: 'adam', batchSize: 65536, epochs: 1, seed: 1, metrics: [] });
    const { last } = await run(doc, line(65536));
    expect(last).toMatchObject({
      type: 'error', code: 'oom', nodeId: 'wide',
      message: expect.stringMatching(/layer outputs 32 GiB at batch size 65536\), more than the 4 GiB the WebAssembly backend can hold: use a batch size of at most \d{4} \(now 65536\)/),
    });
    expect(engineFatal()).toBeNull();
    // The same model at a batch size that fits trains.
    const ok = await run({ ...doc, training: { ...doc.training!, batchSize: 32 } }, line(64));
    expect(ok.last).toMatchObject({ type: 'end', reason: 'completed' });
  });

  it('a run that needs more than half of the memory starts with a warning', async () => {
    process.env.LAYERLOOM_MEMORY_LIMIT_MB = '1';
    // Weights and gradients 2 × 769 floats, outputs 2 × (1 + 256 + 1) floats per sample × 256: 522 KiB, between half and all of 1 MiB.
    const doc = chain([['in', 'Input', { shape: [1] }], ['h', 'Dense', { units: 256, activation: 'relu' }], ['out', 'Dense', { units: 1 }]],
      { loss: 'meanSquaredError', optimizer: 'sgd', batchSize: 256, epochs: 1, seed: 1, metrics: [] });
    const { last, events } = await run(doc, line(256));
    expect(last.type).toBe('end');
    expect(events[0]).toMatchObject({ type: 'start', warnings: [expect.stringMatching(/^Training this model needs about 522 KiB \(.*\), more than half of the 1 MiB set by LAYERLOOM_MEMORY_LIMIT_MB: use a batch size of at most 251 \(now 256\)/)] });
  });

  it('the limit is the machine\'s memory, and on wasm at most its 4 GiB heap', () => {
    expect(memoryLimit('wasm', 64 * 2 ** 30)).toEqual({ bytes: WASM_HEAP_MAX, what: 'the 4 GiB the WebAssembly backend can hold' });
    expect(memoryLimit('wasm', 2 * 2 ** 30)).toEqual({ bytes: 2 * 2 ** 30, what: "this machine's memory (2 GiB)" });
    expect(memoryLimit('tensorflow', 64 * 2 ** 30)).toEqual({ bytes: 64 * 2 ** 30, what: "this machine's memory (64 GiB)" });
  });
});

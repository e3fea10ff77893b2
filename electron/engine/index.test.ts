import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LoomDocument } from '../../shared/document';
import { EvaluationSchema, type EndEvent, type ErrorEvent } from '../../shared/engine/events';
import { TrainRequestSchema } from '../../shared/ipc/contract';
import { listRunRecords } from '../node/run-folder';
import * as api from './index';

/** The in-process client, and the last event of each run. */
function client() {
  const ends = new Map<string, (e: EndEvent | ErrorEvent) => void>();
  const engine = api.inProcessEngine((e) => {
    if (e.type === 'end' || e.type === 'error') ends.get(e.runId)?.(e);
  });
  const endOf = (runId: string) => new Promise<EndEvent | ErrorEvent>((r) => ends.set(runId, r));
  return { engine, endOf };
}

const doc: LoomDocument = {
  format: 'layerloom.model', version: 1, name: 'blobs',
  nodes: [
    { id: 'x', type: 'Input', params: { shape: [2] } },
    { id: 'h', type: 'Dense', params: { units: 8, activation: 'relu' } },
    { id: 'y', type: 'Dense', params: { units: 2 } },
  ],
  edges: [{ from: 'x', to: 'h' }, { from: 'h', to: 'y' }],
  training: {
    optimizer: 'adam', learningRate: 0.05, momentum: 0, nesterov: false, loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'], batchSize: 32, epochs: 8, validationSplit: 0.2, shuffle: true, seed: 7,
  },
  dataset: { source: 'builtin', name: 'blobs' },
};

describe('engine API (through the in-process client, as the engine process serves it)', () => {
  const { engine, endOf } = client();
  const tmp = mkdtempSync(join(tmpdir(), 'loom-api-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('trains on a built-in dataset, then evaluates and predicts from the run folder after the run left memory', async () => {
    const info = await api.initBackend('wasm');
    expect(info.name).toBe('wasm');
    const runDir = join(tmp, 'blobs.runs', 'r1');
    const ended = endOf('r1');
    expect(await engine.call('engine.train', { runId: 'r1', doc, runDir })).toEqual({ runId: 'r1' });
    const last = await ended;
    expect(last).toMatchObject({ type: 'end', reason: 'completed', weightsPath: runDir });
    // A linear output with a cross-entropy loss trains on logits; accuracy must still be high.
    if (last.type === 'end') expect(last.logs.val_accuracy).toBeGreaterThan(0.9);
    const before = await engine.call('engine.evaluate', { runId: 'r1' });

    // Export with the trained weights: from memory (no folder yet) and from the run folder.
    const fromMemory = await engine.call('export.run', { format: 'tfjs', doc, outDir: join(tmp, 'exp1'), runId: 'r1' });
    expect(fromMemory.weights).toBe('trained');
    const fromFolder = await engine.call('export.run', { format: 'tfjs', doc, outDir: join(tmp, 'exp2'), runId: 'r1', runDir });
    expect(fromFolder.weights).toBe('trained');

    const saved = await listRunRecords(join(tmp, 'blobs.runs'));
    expect(saved.map((r) => r.record.runId)).toEqual(['r1']);
    expect(saved[0]!.record.history).toHaveLength(8);
    expect(await listRunRecords(join(tmp, 'none.runs'))).toEqual([]);

    expect(await engine.call('runs.dispose', { runId: 'r1' })).toEqual({ ok: true }); // as after an engine restart
    expect(api.hasRun('r1')).toBe(false);
    const ev = EvaluationSchema.parse(await engine.call('engine.evaluate', { runId: 'r1', runDir }));
    expect(ev.logs).toEqual(before.logs);
    expect(ev.confusion).toEqual(before.confusion);

    const p = await engine.call('engine.predict', { runId: 'r1', runDir, inputs: [[-2, -2], [2.5, 2]] });
    expect(p.classes).toEqual(['0', '1']);
    expect(p.labels).toHaveLength(2);
    expect(p.labels).toEqual(['0', '1']);
    for (const o of p.outputs) expect(o.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5); // probabilities, not logits
    expect(await engine.call('runs.dispose', { runId: 'r1' })).toEqual({ ok: true });
  });

  it('IPC training overrides keep only the given fields (the document keeps the rest)', () => {
    const req = TrainRequestSchema.parse({ doc, overrides: { epochs: 2 } });
    expect(req.overrides).toEqual({ epochs: 2 });
  });

  it('previews a built-in dataset', async () => {
    const p = await engine.call('data.preview', { dataset: { source: 'builtin', name: 'iris' }, limit: 6 });
    expect(p.name).toBe('iris');
    expect(p.samples?.length).toBeLessThanOrEqual(6);
    expect(p.inputShape).toEqual([4]);
  });

  it('previews augmented versions of an image sample', async () => {
    const p = await engine.call('data.augmentPreview', { dataset: { source: 'builtin', name: 'digits', augmentation: { rotation: 20, widthShift: 0, heightShift: 0, shear: 0, zoom: 0.1, horizontalFlip: false } }, index: 3, count: 2 });
    expect(p.shape).toEqual([28, 28, 1]);
    expect(p.samples).toHaveLength(2);
    expect(p.samples[0]).toHaveLength(784);
    expect(p.samples[0]).not.toEqual(p.samples[1]);
  });

  it('evaluating an unknown run says what to do', async () => {
    await expect(engine.call('engine.evaluate', { runId: 'nope' })).rejects.toThrow(/No trained run "nope"/);
  });
});

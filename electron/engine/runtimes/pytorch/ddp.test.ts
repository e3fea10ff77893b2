/**
 * Two processes under real torchrun (DistributedDataParallel, gloo on CPU) train like one: each
 * global batch of the document's size is split between the processes, each loss weighted by its
 * share, so the first epoch's loss (and validation loss) equals the one-process run's and the
 * engine's within 1e-4 relative. The batch size 9 over 64 samples makes uneven shares (4 + 5) and a
 * last batch of one sample (an empty share on process 0). Events come from process 0 only.
 */
import { afterAll, expect, it } from 'vitest';
import { needs } from '../../../../scripts/needs';
import type { LoomDocument, TrainingConfig } from '../../../../shared/document';
import { initBackend } from '../../backend';
import { disposeRun } from '../../runs';
import { engineLosses, maxRelDiff, PY, runtimeRun, SGD } from './test-support';

const doc: LoomDocument = {
  format: 'layerloom.model', version: 1, name: 'ddp',
  nodes: [
    { id: 'x', type: 'Input', params: { shape: [4] } },
    { id: 'hidden', type: 'Dense', params: { units: 8, activation: 'relu' } },
    { id: 'species', type: 'Dense', params: { units: 3, activation: 'softmax' } },
  ],
  edges: [{ from: 'x', to: 'hidden' }, { from: 'hidden', to: 'species' }],
  training: { loss: 'sparseCategoricalCrossentropy', seed: 3 } as TrainingConfig,
};
const dataset = { source: 'builtin' as const, name: 'iris', limit: 64 };
const overrides: Partial<TrainingConfig> = { ...SGD, learningRate: 0.1, batchSize: 9, epochs: 2, validationSplit: 0.1 };

needs('torch.distributed.run').describe('PyTorch runtime under torchrun', () => {
  afterAll(() => ['ddp-1', 'ddp-2'].forEach(disposeRun));

  it('--nproc 2 gives the one-process first-epoch loss; events from process 0 only', async () => {
    await initBackend('wasm');
    const [one, two] = await Promise.all([
      runtimeRun({ runId: 'ddp-1', doc, dataset, overrides, runtime: { python: PY, device: 'cpu', processes: 1 } }),
      runtimeRun({ runId: 'ddp-2', doc, dataset, overrides, runtime: { python: PY, device: 'cpu', processes: 2 } }),
    ]);
    const engine = await engineLosses({ runId: 'ddp-engine', doc, dataset, overrides });
    disposeRun('ddp-engine');
    for (const r of [one, two]) expect(r.last.type === 'error' ? r.last.message : r.last.type).toBe('end');

    const epochLogs = (events: { type: string; logs?: Record<string, number> }[]) => events.filter((e) => e.type === 'epoch').map((e) => e.logs!);
    const [e1, e2, en] = [epochLogs(one.events), epochLogs(two.events), epochLogs(engine.events)];
    expect(e2).toHaveLength(2);
    expect(maxRelDiff([e2[0]!.loss!, e2[0]!.val_loss!], [e1[0]!.loss!, e1[0]!.val_loss!])).toBeLessThan(1e-4);
    expect(maxRelDiff([e2[0]!.loss!, e2[0]!.val_loss!], [en[0]!.loss!, en[0]!.val_loss!])).toBeLessThan(1e-4);
    expect(maxRelDiff(two.losses, one.losses)).toBeLessThan(1e-4);

    // One start, and each batch once (a second process printing would double them).
    const starts = two.events.filter((e) => e.type === 'start');
    expect(starts).toHaveLength(1);
    expect(starts[0]!.type === 'start' && starts[0]!.backend).toMatchObject({ name: 'pytorch', processes: 2, device: 'cpu' });
    const batches = two.events.flatMap((e) => (e.type === 'batch' ? [`${e.epoch}.${e.batch}`] : []));
    expect(batches).toEqual([1, 2].flatMap((ep) => Array.from({ length: 8 }, (_, i) => `${ep}.${i + 1}`)));
  }, 600_000);
});

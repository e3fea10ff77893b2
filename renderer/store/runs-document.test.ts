import type { LoomDocument } from '../../shared/document';
import { installFakeApi } from '../test-api';
import { irisMlp, wasmBackend } from '../test-fixtures';
import { createEditorStore } from './index';
import { runsOfDocument } from './runs';
import { backgroundRun, currentRun } from './training';

const pose: LoomDocument = {
  ...irisMlp, name: 'pose',
  nodes: [{ id: 'x', type: 'Input', params: { shape: [34] } }, { id: 'out', type: 'Dense', params: { units: 5, activation: 'softmax' } }],
};
const end = (runId: string) => ({ type: 'end' as const, runId, reason: 'completed' as const, epochsCompleted: 1, logs: { loss: 0.5 }, elapsedSec: 1 });
const start = (runId: string) => ({
  type: 'start' as const, runId, backend: wasmBackend, totalParams: 15, epochs: 1, batchSize: 8, batchesPerEpoch: 4, seed: 1,
  data: { name: 'iris', train: 30, validation: 8, test: 4, inputShape: [4], classes: ['a', 'b', 'c'] },
});

function setup() {
  const store = createEditorStore();
  const fake = installFakeApi({ 'engine.train': (req) => ({ runId: req.runId! }), 'engine.stop': () => ({ ok: true }) });
  return { store, fake, s: () => store.getState() };
}

describe('runs belong to the document they were trained from', () => {
  it('New / Open / Import leave the previous model\'s runs out of Runs, Training, Evaluate and Try it', async () => {
    const { fake, s } = setup();
    s().loadDocument(structuredClone(irisMlp));
    const a = (await s().train())!;
    fake.emit('train.event', end(a));
    expect(currentRun(s())?.runId).toBe(a);
    expect(runsOfDocument(s()).map((r) => r.runId)).toEqual([a]);

    s().loadDocument(structuredClone(pose)); // File › New / Open / Import all load a document
    expect(currentRun(s())).toBeUndefined();
    expect(runsOfDocument(s())).toEqual([]);
    // Even a stale current run id never shows the other model's run.
    s().setCurrentRun(a);
    expect(currentRun(s())).toBeUndefined();
    await s().evaluateRun(a);
    expect(fake.calls.map((c) => c.name)).not.toContain('engine.evaluate');

    const b = (await s().train())!;
    expect(runsOfDocument(s()).map((r) => [r.runId, r.label])).toEqual([[b, 'Run 1']]);
    expect(s().runs.map((r) => r.runId)).toEqual([a, b]); // kept in memory: the engine still holds a
  });

  it('a saved model shows its runs again when reopened, and its run folder\'s runs (also after Save As copied them)', async () => {
    const { fake, s } = setup();
    s().loadDocument(structuredClone(irisMlp), '/p/iris.loom');
    const a = (await s().train())!;
    fake.emit('train.event', end(a));
    s().loadDocument(structuredClone(pose), '/p/pose.loom');
    s().mergeDiskRuns([{ runId: 'disk-pose', createdAt: '2026-01-01T00:00:00Z', doc: pose, training: irisMlp.training!, logs: { loss: 1 } }], '/p/pose.loom');
    expect(runsOfDocument(s()).map((r) => r.runId)).toEqual(['disk-pose']);
    s().loadDocument(structuredClone(irisMlp), '/p/iris.loom');
    expect(runsOfDocument(s()).map((r) => r.runId)).toEqual([a]);
    // iris saved as /p/copy.loom: its run folders are copied; the copy lists the same run ids.
    s().loadDocument(structuredClone(irisMlp), '/p/copy.loom');
    s().mergeDiskRuns([{ runId: a, createdAt: '2026-01-01T00:00:00Z', doc: irisMlp, training: irisMlp.training!, logs: { loss: 1 } }], '/p/copy.loom');
    expect(runsOfDocument(s()).map((r) => r.runId)).toEqual([a]);
  });

  it('one run at a time: the previous model\'s run still training is named and can be stopped from the new one', async () => {
    const { fake, s } = setup();
    s().loadDocument(structuredClone(irisMlp));
    const a = (await s().train())!;
    fake.emit('train.event', start(a));
    s().loadDocument(structuredClone(pose));
    expect(backgroundRun(s())?.runId).toBe(a);
    expect(await s().train()).toBeNull();
    expect(s().trainingMessage).toBe('Run 1 of “iris-mlp” is still training: stop it first.');
    s().stopTraining(a);
    await vi.waitFor(() => expect(fake.calls.filter((c) => c.name === 'engine.stop').map((c) => c.req)).toEqual([{ runId: a }]));
    fake.emit('train.event', { ...end(a), reason: 'stopped' });
    expect(backgroundRun(s())).toBeUndefined();
    expect(await s().train()).not.toBeNull();
  });

  it('imported weights are a run of the imported document only', () => {
    const { s } = setup();
    s().loadDocument(structuredClone(irisMlp));
    s().addImportedRun({ runId: 'imp', createdAt: '2026-01-01T00:00:00Z', source: 'model.json', doc: irisMlp, training: irisMlp.training! });
    expect(runsOfDocument(s()).map((r) => r.runId)).toEqual(['imp']);
    s().loadDocument(structuredClone(irisMlp));
    expect(runsOfDocument(s())).toEqual([]);
  });
});

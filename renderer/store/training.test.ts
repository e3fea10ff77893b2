import { irisMlp, wasmBackend } from '../test-fixtures';
import { installFakeApi } from '../test-api';
import { createEditorStore, undo } from './index';
import { currentRun, effectiveTraining, newRunId } from './training';
import { reduceRun, type RunView } from './runs';

const doc = irisMlp;
const backend = wasmBackend;
const start = (runId: string) => ({
  type: 'start' as const, runId, backend, totalParams: 15, epochs: 2, batchSize: 8, batchesPerEpoch: 4, seed: 1,
  data: { name: 'iris', train: 30, validation: 8, test: 4, inputShape: [4], classes: ['a', 'b', 'c'] },
});

describe('training slice', () => {
  it('trains the open document, feeds the event stream into the run, stops and evaluates', async () => {
    const store = createEditorStore();
    store.getState().loadDocument(structuredClone(doc));
    const fake = installFakeApi({
      'engine.train': (req) => ({ runId: req.runId! }),
      'engine.stop': () => ({ ok: true }),
      'engine.evaluate': (req) => ({ runId: req.runId, samples: 4, logs: { loss: 0.3, accuracy: 0.75 }, classes: ['a', 'b', 'c'], confusion: [[1, 0, 0], [0, 1, 1], [0, 0, 1]] }),
    });
    const runId = await store.getState().train();
    expect(runId).toMatch(/^run-/);
    // The runtime settings are read first (no settings here: this app's engine).
    expect(fake.calls.map((c) => c.name)).toEqual(['settings.get', 'engine.train']);
    expect(fake.calls[1]!.req.doc.name).toBe('iris-mlp');
    expect(fake.calls[1]!.req.runtime).toBeUndefined();
    let run = currentRun(store.getState())!;
    expect(run.status).toBe('starting');
    expect(run.training.learningRate).toBe(0.01);
    // A second click while it runs does nothing.
    expect(await store.getState().train()).toBeNull();

    fake.emit('train.event', start(runId!));
    expect(store.getState().backend?.name).toBe('wasm');
    fake.emit('train.event', { type: 'batch', runId: runId!, epoch: 1, batch: 2, batches: 4, logs: { loss: 1.1, accuracy: 0.4 }, samplesPerSec: 100, etaSec: 3, elapsedSec: 0.2 });
    fake.emit('train.event', { type: 'epoch', runId: runId!, epoch: 1, epochs: 2, logs: { loss: 1, accuracy: 0.5, val_loss: 1.2, val_accuracy: 0.45 }, samplesPerSec: 100, etaSec: 2, elapsedSec: 0.4 });
    // Events of other runs are ignored.
    fake.emit('train.event', { type: 'batch', runId: 'run-other', epoch: 1, batch: 1, batches: 4, logs: { loss: 9 }, samplesPerSec: 1, etaSec: 1, elapsedSec: 1 });
    run = currentRun(store.getState())!;
    expect(run.status).toBe('running');
    expect(run.batches).toEqual({ x: [0.5], loss: [1.1], accuracy: [0.4], mae: [NaN] });
    expect(run.epochs[0]!.val_accuracy).toBe(0.45);
    expect(run.progress).toMatchObject({ epoch: 1, epochs: 2, batch: 4, batches: 4 });

    store.getState().stopTraining();
    expect(currentRun(store.getState())!.status).toBe('stopping');
    await vi.waitFor(() => expect(fake.calls.map((c) => c.name)).toContain('engine.stop'));
    fake.emit('train.event', { type: 'end', runId: runId!, reason: 'stopped', epochsCompleted: 1, logs: { loss: 1 }, elapsedSec: 0.5 });
    expect(currentRun(store.getState())!.status).toBe('stopped');

    await store.getState().evaluateRun();
    expect(currentRun(store.getState())!.evaluation?.logs.accuracy).toBe(0.75);
  });

  it('reports a run that could not start, and the NaN error of a diverged run', async () => {
    const store = createEditorStore();
    store.getState().loadDocument(structuredClone(doc));
    const fake = installFakeApi({});
    await store.getState().train();
    expect(currentRun(store.getState())!.error?.message).toMatch(/Training could not start/);

    fake.handlers['engine.train'] = (req) => ({ runId: req.runId! });
    const id = (await store.getState().train())!;
    fake.emit('train.event', start(id));
    fake.emit('train.event', { type: 'error', runId: id, code: 'nan', message: 'The loss became NaN at epoch 1, batch 3: lower the learning rate', epoch: 1, batch: 3 });
    const run = currentRun(store.getState())!;
    expect(run.status).toBe('error');
    expect(run.error?.code).toBe('nan');
    // The progress shows where it stopped, not the last (throttled) batch event.
    expect(run.progress).toMatchObject({ epoch: 1, batch: 3, etaSec: 0 });
  });

  it('a crashed engine process ends the run in flight with the shell message', async () => {
    const store = createEditorStore();
    store.getState().loadDocument(structuredClone(doc));
    const fake = installFakeApi({ 'engine.train': (req) => ({ runId: req.runId! }) });
    await store.getState().train();
    fake.emit('engine.status', { state: 'crashed', message: 'The training engine stopped unexpectedly (out of memory).' });
    const run = currentRun(store.getState())!;
    expect(run.status).toBe('error');
    expect(run.error).toMatchObject({ code: 'crash', message: 'The training engine stopped unexpectedly (out of memory).' });
  });

  it('edits hyper-parameters and the dataset in the document (undoable); run state is not recorded by undo', async () => {
    const store = createEditorStore();
    store.getState().loadDocument(structuredClone(doc));
    store.getState().setTrainingParam('learningRate', 100);
    expect(store.getState().doc.training?.learningRate).toBe(100);
    store.getState().setDataset({ source: 'builtin', name: 'iris' });
    expect(store.getState().doc.dataset).toEqual({ source: 'builtin', name: 'iris' });
    store.getState().setCurrentRun('x');
    undo(store);
    expect(store.getState().doc.dataset).toBeUndefined();
    expect(store.getState().currentRunId).toBe('x');
    undo(store);
    expect(store.getState().doc.training?.learningRate).toBe(0.01);
    expect(effectiveTraining({ ...doc, training: undefined }).epochs).toBe(10);
  });

  it('makes valid run ids and applies pause/resume', () => {
    expect(newRunId()).toMatch(/^[A-Za-z0-9._-]+$/);
    const run: RunView = { runId: 'r', label: 'Run 1', createdAt: '', doc, training: effectiveTraining(doc), status: 'running', batches: { x: [], loss: [], accuracy: [], mae: [] }, epochs: [] };
    expect(reduceRun(run, { type: 'paused', runId: 'r' }).status).toBe('paused');
    expect(reduceRun(run, { type: 'resumed', runId: 'r' }).status).toBe('running');
  });
});

/**
 * Control and failures of PyTorch runs on this computer (real PyTorch): pause, resume and stop
 * between batches (a stopped run keeps the last finished epoch's weights), and every failure that
 * can be produced here is a failed run whose message names the cause and the fix — no interpreter,
 * a PyTorch that cannot be imported, CUDA requested without one, the process killed.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needs } from '../../../../scripts/needs';
import type { TrainingConfig } from '../../../../shared/document';
import { RuntimeTrainEventSchema, type RuntimeTrainEvent } from '../../../../shared/runtime/events';
import { initBackend } from '../../backend';
import { evaluateRun } from '../../evaluate';
import { disposeRun } from '../../runs';
import { startTraining } from '../../train';
import { startPytorchTraining, type PytorchTrainRequest } from './launch';
import { maxRelDiff, PY, TEMPLATES, template } from './test-support';

const doc = template('linear-regression');
const base = { doc, baseDir: TEMPLATES, overrides: { epochs: 100_000 } as Partial<TrainingConfig> };

/** Start a run; `on` sees every event with the handle (to steer it). */
function start(req: Omit<PytorchTrainRequest, 'doc'> & Partial<Pick<PytorchTrainRequest, 'doc'>>, on?: (e: RuntimeTrainEvent, h: ReturnType<typeof startPytorchTraining>) => void) {
  const events: RuntimeTrainEvent[] = [];
  const h: ReturnType<typeof startPytorchTraining> = startPytorchTraining({ ...base, batchEventIntervalMs: 0, ...req }, (e) => {
    events.push(RuntimeTrainEventSchema.parse(e));
    on?.(e, h);
  });
  return { h, events, done: h.done };
}

describe('PyTorch runtime: failures named', () => {
  const root = mkdtempSync(join(tmpdir(), 'loom-pt-fail-'));
  beforeAll(() => initBackend('wasm'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('no interpreter at the configured path', async () => {
    const last = await start({ runId: 'no-python', runtime: { python: join(root, 'missing', 'python3') } }).done;
    expect(last).toMatchObject({ type: 'error', code: 'python' });
    expect(last.type === 'error' && last.message).toMatch(/No Python interpreter at ".*missing\/python3".*--python PATH/);
  });

  needs('torch.distributed.run').it('a PyTorch that cannot be imported: the install line for that interpreter', async () => {
    // A python whose `import torch` fails as a broken install does (a missing shared library).
    mkdirSync(join(root, 'fake', 'torch'), { recursive: true });
    writeFileSync(join(root, 'fake', 'torch', '__init__.py'), 'raise ImportError("libtorch_cpu.so: cannot open shared object file: No such file or directory")\n');
    const python = join(root, 'python-broken-torch');
    writeFileSync(python, `#!/bin/sh\nPYTHONPATH=${join(root, 'fake')} exec ${PY} "$@"\n`);
    chmodSync(python, 0o755);
    const last = await start({ runId: 'no-torch', runtime: { python } }).done;
    expect(last).toMatchObject({ type: 'error', code: 'torch' });
    expect(last.type === 'error' && last.message).toMatch(/PyTorch cannot be loaded by .*python3.*libtorch_cpu\.so.*install it with ".*python3" -m pip install torch/);
  });
});

needs('torch.distributed.run').describe('PyTorch runtime: control and failures on real PyTorch', () => {
  afterAll(() => disposeRun('control'));

  it.concurrent('pause, resume, stop: a stopped run keeps the last finished epoch', async () => {
    let paused = false;
    let resumed = false;
    const run = start({ runId: 'control', runtime: { python: PY } }, (e, h) => {
      if (e.type === 'epoch' && e.epoch === 1) {
        // A loaded app: runner.py's epochs take milliseconds, so several more are queued behind this
        // one by the time the pause goes out. Each step waits for the runner's answer to the last
        // (stop only after "resumed"): a stop sent meanwhile would rightly end the pause without one.
        const until = Date.now() + 2000;
        while (Date.now() < until) { /* busy */ }
        h.pause();
      }
      if (e.type === 'paused') { paused = true; h.resume(); }
      if (e.type === 'resumed') resumed = true;
      if (e.type === 'epoch' && resumed) h.stop();
    });
    const last = await run.done;
    expect(last.type === 'error' ? last.message : last.type).toBe('end');
    expect(paused).toBe(true);
    const types = run.events.map((e) => e.type);
    expect(types.indexOf('paused')).toBeGreaterThan(types.indexOf('epoch'));
    expect(types.indexOf('resumed')).toBeGreaterThan(types.indexOf('paused'));
    const epochs = run.events.flatMap((e) => (e.type === 'epoch' ? [e] : []));
    if (last.type !== 'end') return;
    expect(last.reason).toBe('stopped');
    expect(last.epochsCompleted).toBe(epochs.length);
    expect(epochs.length).toBeGreaterThanOrEqual(2);
    expect(epochs.at(-1)!.epoch).toBeGreaterThan(1); // an epoch finished after the resume
    // The run's weights are those of the last finished epoch: its validation loss, recomputed by the engine.
    const ev = await evaluateRun('control', { split: 'validation' });
    expect(maxRelDiff([ev.logs.loss!], [epochs.at(-1)!.logs.val_loss!])).toBeLessThan(1e-4);
  }, 300_000);

  it.concurrent('the process killed (as by the system when out of memory)', async () => {
    const run = start({ runId: 'killed', runtime: { python: PY } }, (e, h) => {
      if (e.type === 'batch' && e.epoch === 1 && e.batch === 1) process.kill(h.processes().local!, 'SIGKILL');
    });
    const last = await run.done;
    expect(last).toMatchObject({ type: 'error', code: 'crash' });
    expect(last.type === 'error' && last.message).toMatch(/was killed \(SIGKILL\).*memory.*smaller batch size/);
  }, 300_000);

  it.concurrent('a diverging loss stops the run exactly as the engine stops it', async () => {
    const overrides: Partial<TrainingConfig> = { epochs: 50, optimizer: 'sgd', learningRate: 500 };
    const last = await start({ runId: 'diverge', runtime: { python: PY }, overrides }).done;
    const engine = await startTraining({ runId: 'diverge-engine', ...base, overrides }, () => undefined).done;
    expect(engine).toMatchObject({ type: 'error', code: 'diverged', epoch: 1 });
    expect(last).toEqual({ ...engine, runId: 'diverge' }); // same batch, same numbers, same advice
  }, 300_000);

  it.concurrent('early stopping ends like the engine\'s, with the best epoch\'s weights', async () => {
    // minDelta 10: epoch 1 improves on nothing-yet, epoch 2 cannot improve by 10, so the run stops
    // after epoch 2 and restores epoch 1.
    const overrides: Partial<TrainingConfig> = { epochs: 10, earlyStopping: { monitor: 'val_loss', patience: 0, minDelta: 10, restoreBestWeights: true } };
    const run = start({ runId: 'early', runtime: { python: PY }, overrides });
    const last = await run.done;
    const engine = await startTraining({ runId: 'early-engine', ...base, overrides }, () => undefined).done;
    disposeRun('early-engine');
    expect(last).toMatchObject({ type: 'end', reason: 'earlyStopped', epochsCompleted: 2 });
    expect(engine).toMatchObject({ type: 'end', reason: 'earlyStopped', epochsCompleted: 2 });
    if (last.type !== 'end' || engine.type !== 'end') return;
    const first = run.events.find((e) => e.type === 'epoch');
    expect(last.logs).toEqual(first?.type === 'epoch' ? first.logs : null);
    expect(maxRelDiff(Object.values(last.logs), Object.values(engine.logs))).toBeLessThan(1e-4);
    const ev = await evaluateRun('early', { split: 'validation' });
    expect(maxRelDiff([ev.logs.loss!], [last.logs.val_loss!])).toBeLessThan(1e-4);
    disposeRun('early');
  }, 300_000);

  it.concurrent('CUDA requested on a machine without it', async () => {
    const last = await start({ runId: 'no-cuda', runtime: { python: PY, device: 'cuda' } }).done;
    expect(last).toMatchObject({ type: 'error', code: 'device' });
    expect(last.type === 'error' && last.message).toMatch(/CUDA was requested, but PyTorch .* cannot use it: .*Choose device auto or cpu, or install a CUDA build/);
  }, 300_000);
});

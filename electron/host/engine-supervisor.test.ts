import { FATAL_EXIT_CODE } from '../engine/failures';
import { fileURLToPath } from 'node:url';
import { TrainEventSchema, type TrainEvent } from '../../shared/engine/events';
import type { EngineStatus } from '../../shared/ipc/contract';
import { EngineSupervisor, describeExit, type EngineProcess } from './engine-supervisor';
import { forkEngine } from './engine-fork';

const fakeEngine = fileURLToPath(new URL('./fixtures/fake-engine.ts', import.meta.url));

function setup(execArgv: string[] = []) {
  const events: TrainEvent[] = [];
  const statuses: EngineStatus[] = [];
  const procs: EngineProcess[] = [];
  const spawnFork = forkEngine({ engineModule: fakeEngine, execArgv, echoStderr: false });
  const sup = new EngineSupervisor({
    spawn: () => {
      const p = spawnFork();
      procs.push(p);
      return p;
    },
    onTrainEvent: (e) => events.push(TrainEventSchema.parse(e)),
    onStatus: (s) => statuses.push(s),
  });
  const waitFor = async <T>(pred: () => T | undefined | false, ms = 20_000): Promise<T> => {
    const t0 = Date.now();
    for (;;) {
      const v = pred();
      if (v) return v;
      if (Date.now() - t0 > ms) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { sup, events, statuses, procs, waitFor };
}

const doc = { format: 'layerloom.model' as const, version: 1 as const, name: 't', nodes: [], edges: [] };

describe('engine supervisor (real child process, fake engine)', () => {
  let ctx: ReturnType<typeof setup>;
  afterEach(() => ctx?.sup.dispose());

  it('kill the engine mid-training: the run fails with the reason, main survives, and the next run works', async () => {
    ctx = setup();
    const { sup, events, statuses, procs, waitFor } = ctx;
    await expect(sup.call('engine.train', { runId: 'run-1', doc })).resolves.toEqual({ runId: 'run-1' });
    await waitFor(() => events.some((e) => e.type === 'batch' && e.runId === 'run-1'));
    expect(sup.activeRuns()).toEqual(['run-1']);
    procs[0]!.kill(); // as if the process crashed

    const failed = await waitFor(() => events.find((e) => e.type === 'error' && e.runId === 'run-1'));
    expect(failed).toMatchObject({ type: 'error', code: 'crash', message: expect.stringMatching(/stopped unexpectedly \(killed by SIGKILL\)/) });
    expect(statuses.at(-1)).toMatchObject({ state: 'crashed' });
    expect(sup.activeRuns()).toEqual([]);
    await expect(sup.call('engine.stop', { runId: 'run-1' })).resolves.toEqual({ ok: false });

    // The next run starts a fresh engine process and completes.
    await sup.call('engine.train', { runId: 'run-2', doc, overrides: { epochs: 1 } });
    const end = await waitFor(() => events.find((e) => e.type === 'end' && e.runId === 'run-2'));
    expect(end).toMatchObject({ reason: 'completed', epochsCompleted: 1 });
    expect(procs).toHaveLength(2);
    expect(events.filter((e) => e.runId === 'run-2').map((e) => e.type)).toEqual(['start', 'batch', 'batch', 'batch', 'batch', 'batch', 'epoch', 'end']);
    expect(statuses.at(-1)).toMatchObject({ state: 'ready' });
  });

  it('stop/pause/resume reach the run; missing engine functions are reported, not fatal', async () => {
    ctx = setup();
    const { sup, events, waitFor } = ctx;
    await sup.call('engine.train', { runId: 'r', doc });
    await waitFor(() => events.some((e) => e.type === 'batch'));
    await expect(sup.call('engine.pause', { runId: 'r' })).resolves.toEqual({ ok: true });
    await waitFor(() => events.some((e) => e.type === 'paused'));
    await expect(sup.call('engine.resume', { runId: 'r' })).resolves.toEqual({ ok: true });
    await expect(sup.call('engine.stop', { runId: 'r' })).resolves.toEqual({ ok: true });
    await waitFor(() => events.find((e) => e.type === 'end' && e.reason === 'stopped'));
    await expect(sup.call('engine.evaluate', { runId: 'r' })).rejects.toMatchObject({ code: 'unavailable', message: /does not provide engine\.evaluate/ });
    await expect(sup.call('engine.backend', {})).resolves.toMatchObject({ name: 'cpu' });
  });

  it('an engine that runs out of memory fails the run with code "oom"', async () => {
    ctx = setup(['--max-old-space-size=40']);
    const { sup, events, waitFor } = ctx;
    await sup.call('engine.train', { runId: 'oom-big', doc });
    const failed = await waitFor(() => events.find((e) => e.type === 'error'), 30_000);
    expect(failed).toMatchObject({ runId: 'oom-big', code: 'oom', message: expect.stringMatching(/ran out of memory/) });
  });
});

describe('engine process lifetime', () => {
  it('exits when main dies without cleaning up (no orphaned engines)', async () => {
    const { fork } = await import('node:child_process');
    const parent = fork(fileURLToPath(new URL('./fixtures/parent-dies.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    let out = '';
    parent.stdout!.on('data', (d) => (out += d));
    const t0 = Date.now();
    while (!/engine pid (\d+)/.test(out) && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
    const pid = Number(/engine pid (\d+)/.exec(out)![1]);
    parent.kill('SIGKILL');
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const t1 = Date.now();
    while (alive() && Date.now() - t1 < 5000) await new Promise((r) => setTimeout(r, 50));
    const stillAlive = alive();
    if (stillAlive) process.kill(pid, 'SIGKILL');
    expect(stillAlive).toBe(false);
  });
});

describe('describeExit', () => {
  it('recognises out-of-memory deaths and says what to do', () => {
    expect(describeExit({ code: 134, signal: null, detail: 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory' }).code).toBe('oom');
    expect(describeExit({ code: null, signal: 'SIGKILL', oom: true }).message).toMatch(/smaller batch size/);
    expect(describeExit({ code: 1, signal: null }).message).toMatch(/exit code 1/);
  });
});

describe('describeExit after a fatal engine error', () => {
  it('says the engine restarted after the memory error it reported, not that it stopped unexpectedly', () => {
    const d = describeExit({ code: FATAL_EXIT_CODE, signal: null });
    expect(d.code).toBe('crash');
    expect(d.message).toMatch(/restarted after a memory error/);
    expect(describeExit({ code: 1, signal: null }).message).toMatch(/stopped unexpectedly/);
  });
});

import type { TrainEvent } from '../../shared/engine/events';
import { serve, type EngineModule, type WorkerMessage } from './worker';

function harness(engine: EngineModule) {
  const sent: WorkerMessage[] = [];
  let deliver!: (m: unknown) => void;
  serve({ send: (m) => sent.push(m), onMessage: (l) => (deliver = l) }, async () => engine);
  let id = 0;
  const call = async (method: string, params: unknown) => {
    const my = ++id;
    deliver({ kind: 'call', id: my, method, params });
    for (let i = 0; i < 100; i++) {
      const r = sent.find((m) => m.kind === 'result' && m.id === my);
      if (r) return r;
      await new Promise((res) => setTimeout(res, 5));
    }
    throw new Error('no answer');
  };
  const events = () => sent.filter((m): m is { kind: 'event'; event: TrainEvent } => m.kind === 'event').map((m) => m.event);
  return { sent, call, events };
}

describe('engine worker', () => {
  it('announces itself, answers calls, and reports missing engine functions without crashing', async () => {
    const w = harness({ initBackend: async () => ({ name: 'cpu', native: false }) });
    expect(w.sent[0]).toEqual({ kind: 'ready' });
    expect(await w.call('initBackend', {})).toEqual({ kind: 'result', id: 1, ok: true, value: { name: 'cpu', native: false } });
    expect(await w.call('evaluate', {})).toMatchObject({ ok: false, error: { code: 'unavailable', message: /does not provide evaluate\(\)/ } });
    expect(await w.call('rm -rf', {})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(await w.call('control', { runId: 'nope', action: 'stop' })).toMatchObject({ ok: true, value: { ok: false } });
  });

  it('forwards training events, ends every run exactly once, and turns a failing start into an error event', async () => {
    let finish!: (e: TrainEvent) => void;
    const stop = vi.fn();
    const w = harness({
      startTraining: (req, emit) => {
        if (req.runId === 'bad') throw Object.assign(new Error('Dense "d1" needs units'), { name: 'ModelBuildError' });
        emit({ type: 'paused', runId: req.runId });
        return { stop, pause: vi.fn(), resume: vi.fn(), done: new Promise((r) => (finish = r)) };
      },
    });
    expect(await w.call('train', { runId: 'r1', doc: {} })).toMatchObject({ ok: true, value: { runId: 'r1' } });
    expect(await w.call('control', { runId: 'r1', action: 'stop' })).toMatchObject({ ok: true, value: { ok: true } });
    expect(stop).toHaveBeenCalled();
    // The engine did not emit its end event itself: the worker forwards the one `done` resolves with.
    finish({ type: 'end', runId: 'r1', reason: 'stopped', epochsCompleted: 0, logs: {}, elapsedSec: 0 });
    await new Promise((r) => setTimeout(r, 5));
    expect(w.events().map((e) => e.type)).toEqual(['paused', 'end']);
    expect(await w.call('control', { runId: 'r1', action: 'stop' })).toMatchObject({ value: { ok: false } });

    expect(await w.call('train', { runId: 'bad', doc: {} })).toMatchObject({ ok: true });
    expect(w.events().at(-1)).toEqual({ type: 'error', runId: 'bad', code: 'model', message: 'Dense "d1" needs units' });
  });

  it('applies a Stop (or Pause) that arrives while the engine is still loading, once the run starts', async () => {
    const stop = vi.fn();
    const pause = vi.fn();
    let load!: (m: EngineModule) => void;
    const sent: WorkerMessage[] = [];
    let deliver!: (m: unknown) => void;
    serve({ send: (m) => sent.push(m), onMessage: (l) => (deliver = l) }, () => new Promise<EngineModule>((r) => (load = r)));
    const result = async (id: number) => {
      for (let i = 0; i < 100; i++) {
        const r = sent.find((m) => m.kind === 'result' && m.id === id);
        if (r) return r;
        await new Promise((res) => setTimeout(res, 5));
      }
      throw new Error('no answer');
    };
    deliver({ kind: 'call', id: 1, method: 'train', params: { runId: 'r1', doc: {} } });
    deliver({ kind: 'call', id: 2, method: 'control', params: { runId: 'r1', action: 'pause' } });
    deliver({ kind: 'call', id: 3, method: 'control', params: { runId: 'r1', action: 'stop' } });
    // Answered at once (the run is known), applied when it starts.
    expect(await result(2)).toMatchObject({ ok: true, value: { ok: true } });
    expect(await result(3)).toMatchObject({ ok: true, value: { ok: true } });
    expect(stop).not.toHaveBeenCalled();
    load({ startTraining: () => ({ stop, pause, resume: vi.fn(), done: new Promise(() => undefined) }) });
    expect(await result(1)).toMatchObject({ ok: true, value: { runId: 'r1' } });
    expect(pause).toHaveBeenCalledTimes(1);
    expect(stop).toHaveBeenCalledTimes(1);
    expect(pause.mock.invocationCallOrder[0]!).toBeLessThan(stop.mock.invocationCallOrder[0]!);
    // A run nobody started is still unknown.
    deliver({ kind: 'call', id: 4, method: 'control', params: { runId: 'other', action: 'stop' } });
    expect(await result(4)).toMatchObject({ value: { ok: false } });
  });
});

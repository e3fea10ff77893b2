import type { EngineApi } from '../../shared/engine/api';
import type { TrainEvent } from '../../shared/engine/events';
import type { EngineMessage } from '../../shared/engine/protocol';
import { unavailableEngine } from './fixtures/unavailable-engine';
import { engineApiOf, serve } from './worker';

const doc = { format: 'layerloom.model', version: 1, name: 't', nodes: [], edges: [] };

/** A typed fake engine: `train` and `backend` as given, every other operation unavailable. */
const fakeEngine = (parts: Partial<Pick<EngineApi, 'engine.train' | 'engine.backend'>> = {}): EngineApi => ({ ...unavailableEngine(), ...parts });

function harness(load: () => Promise<EngineApi>) {
  const sent: EngineMessage[] = [];
  let deliver!: (m: unknown) => void;
  serve({ send: (m) => sent.push(m), onMessage: (l) => (deliver = l) }, load);
  let id = 0;
  const result = async (my: number) => {
    for (let i = 0; i < 100; i++) {
      const r = sent.find((m) => m.kind === 'result' && m.id === my);
      if (r) return r;
      await new Promise((res) => setTimeout(res, 5));
    }
    throw new Error('no answer');
  };
  const send = (op: string, request: unknown) => {
    const my = ++id;
    deliver({ kind: 'call', id: my, op, request });
    return my;
  };
  const call = (op: string, request: unknown) => result(send(op, request));
  const events = () => sent.filter((m): m is { kind: 'event'; event: TrainEvent } => m.kind === 'event').map((m) => m.event);
  return { sent, call, send, result, events };
}

describe('engine worker', () => {
  it('announces itself, answers calls, and reports what the engine cannot do without crashing', async () => {
    const w = harness(async () => fakeEngine({ 'engine.backend': async () => ({ name: 'cpu', native: false }) }));
    expect(w.sent[0]).toEqual({ kind: 'ready' });
    expect(await w.call('engine.backend', {})).toEqual({ kind: 'result', id: 1, ok: true, value: { name: 'cpu', native: false } });
    expect(await w.call('engine.evaluate', { runId: 'r' })).toMatchObject({ ok: false, error: { code: 'unavailable', message: /does not provide engine\.evaluate/ } });
    expect(await w.call('rm -rf', {})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(await w.call('engine.stop', { runId: 'nope' })).toMatchObject({ ok: true, value: { ok: false } });
    // A request outside the contract is refused naming the field; the engine never sees it.
    expect(await w.call('engine.evaluate', { runId: 'a b' })).toMatchObject({ ok: false, error: { code: 'invalid-request', message: /engine\.evaluate: invalid request: runId/ } });
  });

  it('refuses an engine module that lacks operations, naming them; every call then answers unavailable', async () => {
    const partial = { engineApi: { 'engine.backend': async () => ({ name: 'cpu', native: false }) } };
    expect(() => engineApiOf(partial, 'fake.ts')).toThrow(/fake\.ts does not provide engine\.train, engine\.evaluate, .*export\.run/);
    expect(() => engineApiOf({}, 'empty.ts')).toThrow(/empty\.ts does not provide engineApi/);
    const w = harness(async () => engineApiOf(partial, 'fake.ts'));
    expect(await w.call('engine.backend', {})).toMatchObject({ ok: false, error: { code: 'unavailable', message: /fake\.ts does not provide/ } });
    expect(await w.call('engine.train', { runId: 'r1', doc })).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('forwards training events, ends every run exactly once, and turns a failing start into an error event', async () => {
    let finish!: (e: TrainEvent) => void;
    const stop = vi.fn();
    const w = harness(async () => fakeEngine({
      'engine.train': (req, emit) => {
        if (req.runId === 'bad') throw Object.assign(new Error('Dense "d1" needs units'), { name: 'ModelBuildError' });
        emit({ type: 'paused', runId: req.runId });
        return { stop, pause: vi.fn(), resume: vi.fn(), done: new Promise((r) => (finish = r)) };
      },
    }));
    expect(await w.call('engine.train', { runId: 'r1', doc })).toMatchObject({ ok: true, value: { runId: 'r1' } });
    expect(await w.call('engine.stop', { runId: 'r1' })).toMatchObject({ ok: true, value: { ok: true } });
    expect(stop).toHaveBeenCalled();
    // The engine did not emit its end event itself: the worker forwards the one `done` resolves with.
    finish({ type: 'end', runId: 'r1', reason: 'stopped', epochsCompleted: 0, logs: {}, elapsedSec: 0 });
    await new Promise((r) => setTimeout(r, 5));
    expect(w.events().map((e) => e.type)).toEqual(['paused', 'end']);
    expect(await w.call('engine.stop', { runId: 'r1' })).toMatchObject({ value: { ok: false } });

    expect(await w.call('engine.train', { runId: 'bad', doc })).toMatchObject({ ok: true });
    expect(w.events().at(-1)).toEqual({ type: 'error', runId: 'bad', code: 'model', message: 'Dense "d1" needs units' });
  });

  it('applies a Stop (or Pause) that arrives while the engine is still loading, once the run starts', async () => {
    const stop = vi.fn();
    const pause = vi.fn();
    let load!: (m: EngineApi) => void;
    const w = harness(() => new Promise<EngineApi>((r) => (load = r)));
    const train = w.send('engine.train', { runId: 'r1', doc });
    const paused = w.send('engine.pause', { runId: 'r1' });
    const stopped = w.send('engine.stop', { runId: 'r1' });
    // Answered at once (the run is known), applied when it starts.
    expect(await w.result(paused)).toMatchObject({ ok: true, value: { ok: true } });
    expect(await w.result(stopped)).toMatchObject({ ok: true, value: { ok: true } });
    expect(stop).not.toHaveBeenCalled();
    load(fakeEngine({ 'engine.train': () => ({ stop, pause, resume: vi.fn(), done: new Promise(() => undefined) }) }));
    expect(await w.result(train)).toMatchObject({ ok: true, value: { runId: 'r1' } });
    expect(pause).toHaveBeenCalledTimes(1);
    expect(stop).toHaveBeenCalledTimes(1);
    expect(pause.mock.invocationCallOrder[0]!).toBeLessThan(stop.mock.invocationCallOrder[0]!);
    // A run nobody started is still unknown.
    expect(await w.call('engine.stop', { runId: 'other' })).toMatchObject({ value: { ok: false } });
  });
});

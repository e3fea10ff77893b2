import { EventEmitter } from 'node:events';
import { TrainEventSchema, type TrainEvent } from '../../shared/engine/events';
import { EngineSupervisor } from '../host/engine-supervisor';
import { utilityEngine } from './engine-utility';

/** A stand-in for Electron's UtilityProcess. */
class FakeUtility extends EventEmitter {
  pid = 4242;
  stderr = new EventEmitter();
  stdout = new EventEmitter();
  posted: any[] = [];
  postMessage(m: any) {
    this.posted.push(m);
  }
  kill() {
    this.emit('exit', 9);
    return true;
  }
}

describe('utilityProcess engine', () => {
  it('forks the bundled worker with the wasm folder, relays messages, and reports an out-of-memory death as oom', async () => {
    const children: FakeUtility[] = [];
    const fork = vi.fn((_p: string, _a: string[], _o: unknown) => {
      const c = new FakeUtility();
      children.push(c);
      return c as never;
    });
    const gone = new Set<(pid: number | undefined, reason: string) => void>();
    const events: TrainEvent[] = [];
    const sup = new EngineSupervisor({
      spawn: utilityEngine(fork, '/app/dist/electron/engine-worker.cjs', { LAYERLOOM_WASM_DIR: '/app/wasm' }, (l) => (gone.add(l), () => gone.delete(l))),
      onTrainEvent: (e) => events.push(TrainEventSchema.parse(e)),
    });
    const doc = { format: 'layerloom.model' as const, version: 1 as const, name: 't', nodes: [], edges: [] };
    const started = sup.call('engine.train', { runId: 'r1', doc });
    const child = children[0]!;
    expect(fork.mock.calls[0]![0]).toBe('/app/dist/electron/engine-worker.cjs');
    expect(fork.mock.calls[0]![2]).toMatchObject({ stdio: 'pipe', env: { LAYERLOOM_WASM_DIR: '/app/wasm', LAYERLOOM_ENGINE_WORKER: '1' } });
    const call = child.posted[0];
    expect(call).toMatchObject({ kind: 'call', op: 'engine.train', request: { runId: 'r1' } });
    child.emit('message', { kind: 'result', id: call.id, ok: true, value: { runId: 'r1' } });
    await expect(started).resolves.toEqual({ runId: 'r1' });

    // Electron reports the death app-wide with reason 'oom', then the process exits.
    for (const l of gone) l(4242, 'oom');
    child.emit('exit', 133);
    await vi.waitFor(() => expect(events).toHaveLength(1));
    expect(events[0]).toMatchObject({ type: 'error', runId: 'r1', code: 'oom' });
    expect(gone.size).toBe(0); // the listener is removed with the process
    sup.dispose();
  });
});

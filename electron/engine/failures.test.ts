import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { asFatal, engineFatal, exitAfterFatal, FATAL_EXIT_CODE, FatalEngineError } from './failures';
import type { EngineMessage } from '../../shared/engine/protocol';

/** A real WebAssembly trap: (func (result i32) (i32.load (i32.const 70000))) on a one-page memory. */
function outOfBoundsLoad(): () => number {
  const bytes = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type: () -> i32
    0x03, 0x02, 0x01, 0x00, // one function of that type
    0x05, 0x03, 0x01, 0x00, 0x01, // memory: 1 page
    0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00, // export "f"
    0x0a, 0x0b, 0x01, 0x09, 0x00, 0x41, 0xf0, 0xa2, 0x04, 0x28, 0x02, 0x00, 0x0b, // i32.const 70000; i32.load; end
  ]);
  return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.f as () => number;
}

const worker = fileURLToPath(new URL('./worker.ts', import.meta.url));
const fakeEngine = fileURLToPath(new URL('./fixtures/fatal-engine.ts', import.meta.url));

/** The real engine process entry (worker.ts) over Node IPC, with the fake engine above. */
function startEngine() {
  const child: ChildProcess = fork(worker, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, LAYERLOOM_ENGINE_WORKER: '1', LAYERLOOM_ENGINE_MODULE: fakeEngine },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  const got: EngineMessage[] = [];
  child.on('message', (m) => got.push(m as EngineMessage));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const call = (id: number, op: string, request: unknown) => child.send({ kind: 'call', id, op, request });
  const waitFor = async <T>(pred: () => T | undefined): Promise<T> => {
    for (let i = 0; i < 1500; i++) {
      const v = pred();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('timed out');
  };
  const result = (id: number) => waitFor(() => got.find((m) => m.kind === 'result' && m.id === id));
  return { child, got, exited, call, result, waitFor };
}

describe('fatal engine failures', () => {
  it('a WebAssembly trap is fatal ("memory access out of bounds" is reported as out of memory); ordinary errors are not', () => {
    let trap: unknown;
    try {
      outOfBoundsLoad()();
    } catch (e) {
      trap = e;
    }
    expect(trap).toBeInstanceOf(WebAssembly.RuntimeError);
    expect(asFatal(new RangeError('Invalid array length'))).toBeNull();
    expect(asFatal(new Error('memory access out of bounds'))).toBeNull(); // only a real trap
    expect(engineFatal()).toBeNull();
    const fatal = asFatal(trap)!;
    expect(fatal).toBeInstanceOf(FatalEngineError);
    expect(fatal).toMatchObject({ code: 'fatal', reportAs: 'oom', message: expect.stringMatching(/^Out of memory: .*memory access out of bounds.*smaller batch size.*restarts/) });
    expect(engineFatal()).toBe(fatal);
    expect(asFatal(fatal)).toBe(fatal);
  });

  it('exitAfterFatal passes messages through until a fatal error, then exits once, after the reply, and serves nothing more', async () => {
    let fatal = false;
    let exits = 0;
    const sent: string[] = [];
    let deliver!: (m: unknown) => void;
    const port = exitAfterFatal<string>({ send: (m) => sent.push(m), onMessage: (l) => (deliver = l) }, { isFatal: () => fatal, exit: () => exits++, flushMs: 0 });
    const served: unknown[] = [];
    port.onMessage((m) => served.push(m));
    deliver('a');
    port.send('reply a');
    fatal = true;
    port.send('fatal reply');
    deliver('b');
    port.send('late');
    await new Promise((r) => setTimeout(r, 20));
    expect(sent).toEqual(['reply a', 'fatal reply', 'late']);
    expect(served).toEqual(['a']);
    expect(exits).toBe(1);
  });

  it('the engine process replies with code "fatal" and exits; ordinary calls leave it running', async () => {
    const e = startEngine();
    try {
      e.call(1, 'engine.predict', { runId: 'r1', inputs: [[0]] });
      expect(await e.result(1)).toMatchObject({ ok: true, value: { outputs: [[1]] } });
      e.call(2, 'engine.evaluate', { runId: 'r1' });
      expect(await e.result(2)).toMatchObject({ ok: false, error: { code: 'fatal', message: expect.stringMatching(/wrote past its scratch space/) } });
      expect(await e.exited).toBe(FATAL_EXIT_CODE);
    } finally {
      e.child.kill();
    }
  });

  it('a training run that fails fatally sends its error event, then the engine process exits', async () => {
    const e = startEngine();
    try {
      e.call(1, 'engine.train', { runId: 'fatal', doc: { format: 'layerloom.model', version: 1, name: 'x', nodes: [], edges: [] } });
      const ev = await e.waitFor(() => e.got.find((m) => m.kind === 'event' && m.event.type === 'error'));
      expect(ev).toMatchObject({ event: { runId: 'fatal', code: 'oom', message: expect.stringMatching(/^Out of memory/) } });
      expect(await e.exited).toBe(FATAL_EXIT_CODE);
    } finally {
      e.child.kill();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { engineFatal, EngineOutOfMemoryError } from './failures';
import { describeError } from './run-error';
import { tf } from './tfjs';

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
};

describe('describeError: what ran out of memory and what is a bug', () => {
  it('a product larger than the WebAssembly heap is refused as out of memory before anything is written; the backend keeps working', async () => {
    await initBackend('wasm');
    const a = tf.ones([65536, 8]);
    const b = tf.ones([8, 65536]);
    const before = tf.memory().numTensors;
    // 65,536² floats = 16 GiB: emscripten's malloc would take that size modulo 2³² and tfjs would write past the heap.
    const e = thrown(() => tf.matMul(a, b));
    expect(e).toBeInstanceOf(EngineOutOfMemoryError);
    expect(describeError(e)).toEqual({ code: 'oom', message: expect.stringMatching(/^Out of memory: an array of 16 GiB is more than the WebAssembly backend can hold \(4 GiB in all\)\. Use a smaller batch size/) });
    expect(engineFatal()).toBeNull();
    expect(tf.memory().numTensors).toBe(before);
    // The heap is intact: the same backend still computes (after a real out-of-bounds write it traps).
    expect(Array.from(tf.sum(a).dataSync())).toEqual([65536 * 8]);
    expect(Array.from(tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync())).toEqual([3, 3, 3, 3]);
    tf.dispose([a, b]);
  });

  it('JavaScript allocation failures are out of memory; a stack overflow or another RangeError is an internal error', () => {
    for (const f of [() => new ArrayBuffer(2 ** 53), () => new Float32Array(2 ** 40), () => new Array(2 ** 33), () => 'x'.repeat(2 ** 30)]) {
      const e = thrown(f);
      expect(e).toBeInstanceOf(RangeError);
      expect(describeError(e).code, (e as Error).message).toBe('oom');
    }
    const recurse = (): number => recurse() + 1;
    const overflow = thrown(recurse);
    expect(overflow).toBeInstanceOf(RangeError);
    expect(describeError(overflow)).toEqual({ code: 'internal', message: 'Training failed: Maximum call stack size exceeded' });
    expect(describeError(thrown(() => (1).toFixed(200))).code).toBe('internal');
  });
});

/**
 * Kernel scratch space: sized from the operation's shapes without 32-bit wrap-around, placed at the
 * right address on a heap past 2 GiB (where emscripten's malloc returns a negative number), refused
 * before any kernel runs when it cannot fit, and an overrun is fatal for the engine process.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { engineFatal, EngineOutOfMemoryError, FatalEngineError, WASM_HEAP_MAX } from '../../failures';
import { onBackend } from '../test-backends';
import type { WasmBackend } from '../wasm-util';
import { simdKernels, withScratch, type SimdExports } from './index';

const up = (v: number, m: number) => Math.ceil(v / m) * m;

/** The scratch layouts of ./assembly/*.ts, in bytes, computed in float64 (the oracle). */
const matmul = (M: number, K: number, N: number, tb: number) => {
  const M4 = up(M, 4), N8 = up(N, 8);
  return 4 * (M4 * K + (tb || N8 !== N ? K * N8 : 0) + (N8 !== N || M4 !== M ? M4 * N8 : 0));
};
type ScratchName = { [K in keyof SimdExports]: K extends `${string}Scratch` ? K : never }[keyof SimdExports];
const expected: Record<ScratchName, (...a: number[]) => number> = {
  convFilterGradScratch: (K, Co, MB) => 4 * (up(Co, 4) * up(K, 8) + MB! * up(K, 8) + up(Co, 4) * MB!),
  convInputGradScratch: (K, Co, MB) => 4 * (Co! * up(K, 8) + up(MB!, 4) * Co! + up(MB!, 4) * up(K, 8)),
  convForwardScratch: (K, Co, MB) => 4 * (MB! * K! * 2 + (up(Co!, 8) !== Co ? K! * up(Co!, 8) : 0) + MB! * up(Co!, 8)),
  matmulScratch: (M, K, N, tb) => matmul(M!, K!, N!, tb!),
  winogradScratch: (Ci, Co, TB) => 4 * 16 * (Ci! * up(Co!, 8) + TB! * Ci! + TB! * up(Co!, 8)),
  winogradFilterGradScratch: (Ci, Co, TB) => 4 * 16 * (up(Ci!, 4) * up(Co!, 8) + up(Ci!, 4) * TB! + TB! * up(Co!, 8)),
  lstmForwardScratch: (B, T, I, U) => 4 * (up(B!, 4) * U! + (up(4 * U!, 8) !== 4 * U! ? U! * up(4 * U!, 8) : 0) + up(B!, 4) * up(4 * U!, 8)) + matmul(B! * T!, I!, 4 * U!, 0),
  lstmBackwardScratch: (B, T, I, U) => 4 * (up(B!, 4) * 4 * U! + 4 * U! * up(U!, 8) + up(B!, 4) * up(U!, 8) + B! * U!)
    + Math.max(matmul(I!, B! * T!, 4 * U!, 0), matmul(U!, B! * T!, 4 * U!, 0)),
  gruForwardScratch: (B, T, I, U) => 4 * (up(B!, 4) * U! + U! * up(2 * U!, 8) + U! * up(U!, 8) + up(B!, 4) * up(2 * U!, 8) + up(B!, 4) * up(U!, 8)) + matmul(B! * T!, I!, 3 * U!, 0),
  gruBackwardScratch: (B, T, I, U) => 4 * (up(B!, 4) * 2 * U! + 3 * U! * up(U!, 8) + 2 * up(B!, 4) * up(U!, 8) + 2 * B! * U! + 2 * U! * 3 * U!)
    + Math.max(matmul(I!, B! * T!, 3 * U!, 0), matmul(U!, B! * T!, 3 * U!, 0)),
  rnnForwardScratch: (B, T, I, U) => 4 * (up(B!, 4) * U! + U! * up(U!, 8) + up(B!, 4) * up(U!, 8)) + matmul(B! * T!, I!, U!, 0),
  rnnBackwardScratch: (B, T, I, U) => 4 * (up(B!, 4) * U! + U! * up(U!, 8) + up(B!, 4) * up(U!, 8)) + Math.max(matmul(I!, B! * T!, U!, 0), matmul(U!, B! * T!, U!, 0)),
};

/** Per function: a small shape, and shapes whose scratch crosses 2 GiB and 4 GiB (where an i32 size wrapped around). */
const cases: [ScratchName, number[]][] = [
  ['convFilterGradScratch', [27, 6, 64]], ['convFilterGradScratch', [3 * 3 * 4096, 16384, 64]], ['convFilterGradScratch', [3 * 3 * 4096, 32768, 64]],
  ['convInputGradScratch', [75, 13, 64]], ['convInputGradScratch', [3 * 3 * 4096, 16384, 64]],
  ['convForwardScratch', [9, 30, 64]], ['convForwardScratch', [3 * 3 * 4096, 16383, 64]],
  ['matmulScratch', [5, 7, 9, 1]], ['matmulScratch', [65536, 8192, 1, 0]], ['matmulScratch', [65536, 16384, 9, 1]],
  ['winogradScratch', [8, 12, 64]], ['winogradScratch', [4096, 8192, 64]], ['winogradScratch', [4096, 4096, 64]],
  ['winogradFilterGradScratch', [9, 13, 64]], ['winogradFilterGradScratch', [4096, 8192, 64]],
  ['lstmForwardScratch', [3, 5, 7, 9]], ['lstmForwardScratch', [64, 2048, 4096, 64]],
  ['lstmBackwardScratch', [3, 5, 7, 9]], ['lstmBackwardScratch', [64, 2048, 4096, 64]],
  ['gruForwardScratch', [3, 5, 7, 9]], ['gruForwardScratch', [64, 2048, 4096, 64]],
  ['gruBackwardScratch', [3, 5, 7, 9]], ['gruBackwardScratch', [64, 2048, 4096, 64]],
  ['rnnForwardScratch', [3, 5, 7, 9]], ['rnnForwardScratch', [64, 2048, 8192, 64]],
  ['rnnBackwardScratch', [3, 5, 7, 9]], ['rnnBackwardScratch', [64, 2048, 8192, 64]],
];

/**
 * A stand-in for a 4 GiB heap: sparse cells, with a real Float32Array's semantics for what
 * withScratch uses (fill with a negative start counts from the end; a negative index reads undefined).
 */
function fakeBackend(mallocReturns: number, onFree: (p: number) => void = () => undefined): WasmBackend & { cells: Map<number, number> } {
  const length = 2 ** 30;
  const cells = new Map<number, number>();
  const heap = new Proxy({}, {
    get(_t, k) {
      if (k === 'fill') {
        return (v: number, a: number, b: number) => {
          const from = a < 0 ? length + a : a, to = b < 0 ? length + b : b;
          for (let i = from; i < to; i++) cells.set(i, Math.fround(v));
        };
      }
      if (k === 'length') return length;
      const i = Number(k);
      return Number.isInteger(i) && i >= 0 ? cells.get(i) ?? 0 : undefined;
    },
    set(_t, k, v: number) {
      cells.set(Number(k), Math.fround(v));
      return true;
    },
  }) as Float32Array;
  const wasm = { HEAPF32: heap, HEAPU8: new Uint8Array(0), _malloc: () => mallocReturns, _free: onFree };
  return { cells, wasm } as unknown as WasmBackend & { cells: Map<number, number> };
}

describe('SIMD kernel scratch', () => {
  it('is sized exactly from the shapes, also past 2 GiB and 4 GiB (no 32-bit wrap-around)', async () => {
    const k = (await onBackend('wasm', () => simdKernels(tf.backend() as unknown as WasmBackend)))!;
    expect(k).not.toBeNull();
    let past2 = 0, past4 = 0;
    for (const [name, args] of cases) {
      const want = expected[name](...args);
      const got = (k[name] as (...a: number[]) => number)(...args);
      expect(got, `${name}(${args.join(', ')})`).toBe(want);
      if (want >= 2 ** 31) past2++;
      if (want >= 2 ** 32) past4++;
    }
    expect(past2).toBeGreaterThanOrEqual(12); // the boundary cases really cross it
    expect(past4).toBeGreaterThanOrEqual(2);
  });

  it('on a heap past 2 GiB (malloc returns a negative int32) is placed and checked at its real address', () => {
    const ptr = 2 ** 31 + 4096;
    const freed: number[] = [];
    const b = fakeBackend(ptr | 0, (p) => freed.push(p));
    expect(ptr | 0).toBeLessThan(0);
    let seen = -1;
    const out = withScratch(b, 1000, (p) => {
      seen = p;
      b.wasm.HEAPF32[p / 4 + 249] = 1; // the last float of the scratch: allowed
      return 'done';
    });
    expect(out).toBe('done');
    expect(seen).toBe(ptr);
    expect(b.cells.get((ptr + 1000) / 4)).toBe(Math.fround(-1.2345e-37)); // the canary right after it
    expect(freed).toHaveLength(1);
    expect(engineFatal()).toBeNull();
  });

  it('that does not fit is refused before any kernel runs', () => {
    const kernel = vi.fn();
    expect(() => withScratch(fakeBackend(4096), WASM_HEAP_MAX, kernel)).toThrow(EngineOutOfMemoryError);
    expect(() => withScratch(fakeBackend(4096), 6e9, kernel)).toThrow(/scratch space, more than the WebAssembly backend can address \(4 GiB\)/);
    expect(() => withScratch(fakeBackend(0), 1e6, kernel)).toThrow(/cannot grow/);
    expect(() => withScratch(fakeBackend(4096), -4, kernel)).toThrow(/internal error/);
    expect(kernel).not.toHaveBeenCalled();
    expect(engineFatal()).toBeNull();
  });

  it('overrun by a kernel is a fatal error for the engine process', () => {
    const ptr = 2 ** 31 + 4096;
    const b = fakeBackend(ptr | 0);
    let thrown: unknown;
    try {
      withScratch(b, 64, (p) => { b.wasm.HEAPF32[p / 4 + 16 + 3] = 0; });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(FatalEngineError);
    expect(thrown).toMatchObject({ code: 'fatal', reportAs: 'crash', message: expect.stringMatching(/wrote past its scratch space.*restarts/) });
    expect(engineFatal()).toBe(thrown);
  });
});

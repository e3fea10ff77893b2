/**
 * Loader for Layerloom's WebAssembly SIMD kernels (source: ./assembly/kernels.ts, built by
 * scripts/build-wasm.mjs into ./kernels-wasm.ts, and with fused multiply-adds into
 * ./kernels-relaxed-wasm.ts). The relaxed build is used where the runtime compiles relaxed SIMD
 * (Electron's V8; Node 20 only with --experimental-wasm-relaxed-simd), detected once at start; the
 * plain build everywhere else. `LAYERLOOM_RELAXED_SIMD=off` keeps the plain build (A/B, tests).
 * The module imports tfjs-backend-wasm's own
 * WebAssembly.Memory, so kernels read inputs and write outputs in place on the backend's heap (no
 * copies); scratch space is malloc'ed from the backend's allocator and freed after each call.
 * One instance per backend memory (each worker thread has its own backend).
 *
 * `LAYERLOOM_SIMD_KERNELS=off` disables them (the previous formulations run instead): for A/B
 * benchmarks. Where WebAssembly SIMD is unavailable the module fails to compile and the callers
 * fall back the same way.
 */
import { KERNELS_WASM_BASE64 } from './kernels-wasm';
import { KERNELS_RELAXED_WASM_BASE64 } from './kernels-relaxed-wasm';
import type { WasmBackend } from '../wasm-util';
import { EngineOutOfMemoryError, FatalEngineError, formatBytes, WASM_HEAP_MAX } from '../../failures';

type P = number; // a byte offset into the backend's heap

/** The module's exports (see ./assembly/*.ts for the contracts; kernels.ts is the entry). */
export interface SimdExports {
  gemm(ap: P, b: P, c: P, rows: number, cols: number, kdim: number, ldb: number, ldc: number, acc: number): void;
  convFilterGradScratch(K: number, Co: number, MB: number): number;
  convFilterGrad(x: P, dy: P, dw: P, scratch: P, N: number, H: number, W: number, Ci: number, OH: number, OW: number, Co: number,
    KH: number, KW: number, sH: number, sW: number, dH: number, dW: number, pT: number, pL: number, MB: number): void;
  convInputGradScratch(K: number, Co: number, MB: number): number;
  convInputGrad(dy: P, w: P, dx: P, scratch: P, N: number, H: number, W: number, Ci: number, OH: number, OW: number, Co: number,
    KH: number, KW: number, sH: number, sW: number, dH: number, dW: number, pT: number, pL: number, MB: number): void;
  maxPoolGrad(x: P, dy: P, dx: P, N: number, H: number, W: number, C: number, OH: number, OW: number,
    KH: number, KW: number, sH: number, sW: number, pT: number, pL: number): void;
  matmulScratch(M: number, K: number, N: number, tb: number): number;
  matmulTA(a: P, b: P, c: P, scratch: P, K: number, M: number, N: number): void;
  matmulTB(a: P, b: P, c: P, scratch: P, M: number, K: number, N: number): void;
  matmulNN(a: P, b: P, c: P, scratch: P, M: number, K: number, N: number): void;
  convForwardScratch(K: number, Co: number, MB: number): number;
  convForward(x: P, w: P, y: P, scratch: P, N: number, H: number, W: number, Ci: number, OH: number, OW: number, Co: number,
    KH: number, KW: number, sH: number, sW: number, dH: number, dW: number, pT: number, pL: number, MB: number): void;
  reluGrad(dy: P, x: P, out: P, n: number): void;
  addRows(a: P, b: P, out: P, rows: number, cols: number): void;
  winogradScratch(Ci: number, Co: number, TB: number): number;
  winograd3x3(x: P, w: P, y: P, scratch: P, N: number, H: number, W: number, Ci: number, OH: number, OW: number, Co: number,
    pT: number, pL: number, flip: number, TB: number): void;
  winogradFilterGradScratch(Ci: number, Co: number, TB: number): number;
  winogradFilterGrad(x: P, dy: P, dw: P, scratch: P, N: number, H: number, W: number, Ci: number, OH: number, OW: number, Co: number,
    pT: number, pL: number, TB: number): void;
  colSum(x: P, out: P, rows: number, cols: number): void;
  avgPoolGrad(dy: P, dx: P, N: number, H: number, W: number, C: number, OH: number, OW: number,
    KH: number, KW: number, sH: number, sW: number, pT: number, pL: number, mult: number): void;
  // The fused LSTM (./assembly/lstm.ts, used by layers/fused-lstm.ts)
  lstmActivation(p: P, n: number, which: number): void;
  lstmForwardScratch(B: number, T: number, I: number, U: number): number;
  lstmForward(x: P, w: P, r: P, bias: P, y: P, aux: P, scratch: P, B: number, T: number, I: number, U: number, back: number, seq: number): void;
  lstmBackwardScratch(B: number, T: number, I: number, U: number): number;
  lstmBackward(x: P, r: P, aux: P, dy: P, dz: P, dw: P, dr: P, db: P, scratch: P,
    B: number, T: number, I: number, U: number, back: number, seq: number): void;
  // The fused GRU (./assembly/gru.ts): same contracts with 3 gates and a 5U-float aux row
  gruForwardScratch(B: number, T: number, I: number, U: number): number;
  gruForward(x: P, w: P, r: P, bias: P, y: P, aux: P, scratch: P, B: number, T: number, I: number, U: number, back: number, seq: number): void;
  gruBackwardScratch(B: number, T: number, I: number, U: number): number;
  gruBackward(x: P, r: P, aux: P, dy: P, dz: P, dw: P, dr: P, db: P, scratch: P,
    B: number, T: number, I: number, U: number, back: number, seq: number): void;
  // The fused SimpleRNN (./assembly/simplernn.ts): 1 "gate", a 2U-float aux row
  rnnForwardScratch(B: number, T: number, I: number, U: number): number;
  rnnForward(x: P, w: P, r: P, bias: P, y: P, aux: P, scratch: P, B: number, T: number, I: number, U: number, back: number, seq: number): void;
  rnnBackwardScratch(B: number, T: number, I: number, U: number): number;
  rnnBackward(x: P, r: P, aux: P, dy: P, dz: P, dw: P, dr: P, db: P, scratch: P,
    B: number, T: number, I: number, U: number, back: number, seq: number): void;
}

/** Which build of the kernels runs: fused multiply-adds (relaxed SIMD) or plain SIMD. */
export type SimdFlavor = 'relaxed' | 'plain';

// (module (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd))
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0,
  10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2, 253, 133, 2, 11,
]);

/** Whether this runtime compiles relaxed SIMD (f32x4.relaxed_madd). */
export function relaxedSimdSupported(): boolean {
  try {
    return WebAssembly.validate(RELAXED_PROBE);
  } catch {
    return false;
  }
}

let compiled: { module: WebAssembly.Module; flavor: SimdFlavor } | null | undefined;
const instances = new WeakMap<WebAssembly.Memory, SimdExports>();

function module(): { module: WebAssembly.Module; flavor: SimdFlavor } | null {
  if (compiled === undefined) {
    compiled = null;
    if (process.env.LAYERLOOM_RELAXED_SIMD !== 'off' && relaxedSimdSupported()) {
      try {
        compiled = { module: new WebAssembly.Module(Buffer.from(KERNELS_RELAXED_WASM_BASE64, 'base64')), flavor: 'relaxed' };
      } catch { /* the plain build below */ }
    }
    if (!compiled) {
      try {
        compiled = { module: new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64')), flavor: 'plain' };
      } catch {
        compiled = null; // no WebAssembly SIMD here
      }
    }
  }
  return compiled;
}

/**
 * The kernels' build in this process and, for people, what it means ("relaxed SIMD (fused
 * multiply-add)", or why the plain build runs); null when the SIMD kernels are off or unsupported.
 */
export function simdFlavor(): { flavor: SimdFlavor; note: string } | null {
  if (process.env.LAYERLOOM_SIMD_KERNELS === 'off') return null;
  const m = module();
  if (!m) return null;
  if (m.flavor === 'relaxed') return { flavor: 'relaxed', note: 'SIMD kernels with fused multiply-add (relaxed SIMD)' };
  const why = process.env.LAYERLOOM_RELAXED_SIMD === 'off' ? 'LAYERLOOM_RELAXED_SIMD=off'
    : 'this runtime has no relaxed SIMD; Electron has it, Node 20 needs --experimental-wasm-relaxed-simd';
  return { flavor: 'plain', note: `plain SIMD kernels (${why})` };
}

/** The SIMD kernels bound to this backend's heap, or null (disabled, unsupported, or no heap access). */
export function simdKernels(backend: WasmBackend): SimdExports | null {
  if (process.env.LAYERLOOM_SIMD_KERNELS === 'off') return null;
  const memory = backend.wasm.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory) || typeof backend.wasm._malloc !== 'function') return null;
  let k = instances.get(memory);
  if (!k) {
    const mod = module();
    if (!mod) return null;
    k = new WebAssembly.Instance(mod.module, { env: { memory } }).exports as unknown as SimdExports;
    instances.set(memory, k);
  }
  return k;
}

const GUARD = 16; // floats of canary after the scratch
const CANARY = Math.fround(-1.2345e-37);

/**
 * Run `f` with `bytes` of scratch on the backend's heap, freed afterwards. A scratch larger than the
 * heap can hold, or one the heap cannot grow to, is refused before any kernel runs
 * (EngineOutOfMemoryError). A canary after the scratch is checked: a kernel that wrote past its
 * scratch has corrupted the backend's heap, which nothing can repair, so that is a
 * FatalEngineError (the engine process restarts).
 */
export function withScratch<T>(backend: WasmBackend, bytes: number, f: (ptr: P) => T): T {
  if (!(bytes >= 0 && Number.isFinite(bytes))) throw new Error(`SIMD kernel scratch size is ${bytes} bytes (internal error)`);
  const size = Math.ceil(Math.max(16, bytes) / 4) * 4;
  const total = size + GUARD * 4;
  const refuse = (why: string) => new EngineOutOfMemoryError(`Out of memory: a kernel needs ${formatBytes(bytes)} of scratch space, ${why}`);
  if (total > WASM_HEAP_MAX) throw refuse(`more than the WebAssembly backend can address (4 GiB)`);
  // Emscripten's malloc returns a signed 32-bit value: past 2 GiB of heap it is negative.
  const ptr = backend.wasm._malloc!(total) >>> 0;
  if (!ptr) throw refuse('and the WebAssembly heap cannot grow that far');
  const at = (ptr + size) / 4;
  try {
    backend.wasm.HEAPF32.fill(CANARY, at, at + GUARD);
    const out = f(ptr);
    const heap = backend.wasm.HEAPF32; // a fresh view: the heap may have grown
    for (let i = at; i < at + GUARD; i++) {
      if (heap[i] !== CANARY) {
        throw new FatalEngineError('A SIMD kernel wrote past its scratch space (an internal error in Layerloom): the engine\'s memory can no longer be trusted, so it restarts. Please report the model that did this', 'crash');
      }
    }
    return out;
  } finally {
    backend.wasm._free!(ptr);
  }
}

/** Byte offset of a tensor's data on the backend's heap. */
export function heapPtr(backend: WasmBackend, dataId: object): P {
  const d = backend.dataIdMap.get(dataId);
  if (!d) throw new Error('wasm backend: tensor data not found on the heap');
  return d.memoryOffset;
}

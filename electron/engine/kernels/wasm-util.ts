/**
 * Low-level helpers for writing wasm-backend kernels in TypeScript.
 *
 * The wasm backend (tfjs-backend-wasm 4.22) keeps every tensor in its WebAssembly heap:
 * `backend.dataIdMap.get(dataId)` → `{ id, memoryOffset, shape, dtype, refCount }`;
 * `backend.makeOutput(shape, dtype)` allocates a new tensor on the heap and returns its TensorInfo;
 * `backend.typedArrayFromHeap(info)` is a live view of a tensor's memory (invalidated when the heap
 * grows, so allocate every output BEFORE taking views); `backend.disposeData(dataId)` drops one
 * reference. Stock wasm kernels are plain functions `({inputs, attrs, backend}) → TensorInfo` that
 * can be called directly (no engine bookkeeping) — `callKernel` does that for intermediates, and
 * `Scratch` frees them.
 */
import { EngineOutOfMemoryError, formatBytes, WASM_HEAP_MAX } from '../failures';
import { getKernel, type DataType, type KernelFunc, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs-core';

export interface WasmTensorData {
  id: number;
  memoryOffset: number;
  shape: number[];
  dtype: DataType;
  refCount: number;
}

/** The parts of BackendWasm these kernels use (not exported by the package's typings). */
export interface WasmBackend {
  dataIdMap: { get(dataId: object): WasmTensorData | undefined; has(dataId: object): boolean };
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number, values?: ArrayLike<number>): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
  readSync(dataId: object): ArrayLike<number> | Uint8Array[];
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
  wasm: {
    HEAPF32: Float32Array; HEAPU8: Uint8Array;
    /** The module's exports; `memory` is the heap's WebAssembly.Memory (imported by ./simd). */
    asm?: { memory?: WebAssembly.Memory };
    _malloc?: (bytes: number) => number;
    _free?: (ptr: number) => void;
  };
}

const guarded = new WeakSet<object>();

/**
 * Make the backend's allocator refuse what the heap cannot hold, before anything is written.
 * tfjs-backend-wasm hands a tensor's byte size to emscripten's malloc, which takes it as a 32-bit
 * integer (a 16 GiB product wraps to a small size) and returns 0 when the heap cannot grow, and
 * then writes the tensor there anyway: a "memory access out of bounds" trap, or a silently
 * overwritten heap. With this guard such an allocation throws EngineOutOfMemoryError and the
 * engine stays usable. Idempotent per backend.
 */
export function guardHeapAllocations(backend: WasmBackend): void {
  const wasm = backend.wasm as WasmBackend['wasm'] & { asm?: { malloc?: (bytes: number) => number } };
  // The raw export: emscripten's `Module._malloc` is a stub that replaces itself on first call.
  const raw = wasm.asm?.malloc ?? wasm._malloc;
  if (guarded.has(wasm) || typeof raw !== 'function') return;
  guarded.add(wasm);
  wasm._malloc = (bytes: number) => {
    if (!(bytes >= 0 && bytes <= WASM_HEAP_MAX)) {
      throw new EngineOutOfMemoryError(`Out of memory: an array of ${formatBytes(bytes)} is more than the WebAssembly backend can hold (4 GiB in all)`);
    }
    const ptr = raw(bytes) >>> 0;
    if (ptr === 0 && bytes > 0) {
      throw new EngineOutOfMemoryError(`Out of memory: the WebAssembly heap (${formatBytes(wasm.HEAPU8.length)} now, 4 GiB at most) could not grow by ${formatBytes(bytes)}`);
    }
    return ptr;
  };
}

/**
 * tfjs types every kernel as one `KernelFunc` (`{}` attrs, a generic backend), while each kernel
 * here takes its own inputs, attrs and the wasm backend: the two types do not unify. These two
 * functions are the one place that bridges them.
 */
export function asKernelFunc<A>(kernel: (args: A) => unknown): KernelFunc {
  return kernel as unknown as KernelFunc;
}

/** Call a (stock) kernel function with this module's typed arguments. */
export function runKernelFunc(kernelFunc: KernelFunc, args: object): TensorInfo | TensorInfo[] {
  return kernelFunc(args as Parameters<KernelFunc>[0]);
}

/** Run a kernel registered for the wasm backend directly (no tape, no engine tracking). */
export function callKernel(
  backend: WasmBackend, name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {},
): TensorInfo {
  const cfg = getKernel(name, 'wasm');
  if (!cfg) throw new Error(`wasm kernel ${name} is not registered`);
  const out = runKernelFunc(cfg.kernelFunc, { inputs, attrs, backend });
  return Array.isArray(out) ? out[0]! : (out as TensorInfo);
}

/** Tracks intermediate TensorInfos and frees them (one reference each). */
export class Scratch {
  private readonly infos: TensorInfo[] = [];
  constructor(readonly backend: WasmBackend) {}
  /** Run a wasm kernel and remember its output for disposal. */
  run(name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    const out = callKernel(this.backend, name, inputs, attrs);
    this.infos.push(out);
    return out;
  }
  /** Track an output made with backend.makeOutput for disposal. */
  track(info: TensorInfo): TensorInfo {
    this.infos.push(info);
    return info;
  }
  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }
  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }
  /** Release one output from tracking (it becomes the kernel's result). */
  keep(info: TensorInfo): TensorInfo {
    const i = this.infos.indexOf(info);
    if (i >= 0) this.infos.splice(i, 1);
    return info;
  }
  dispose(): void {
    for (const info of this.infos) this.backend.disposeData(info.dataId);
    this.infos.length = 0;
  }
}

export const f32 = (b: WasmBackend, t: TensorInfo) => b.typedArrayFromHeap(t) as Float32Array;
export const i32 = (b: WasmBackend, t: TensorInfo) => b.typedArrayFromHeap(t) as Int32Array;

/** Normalise a number-or-pair attribute (strides, dilations, filterSize) to [h, w]. */
export function pair(v: number | number[] | undefined, dflt = 1): [number, number] {
  if (v == null) return [dflt, dflt];
  if (typeof v === 'number') return [v, v];
  return [v[0]!, v[1] ?? v[0]!];
}

/**
 * Generic fallback: any kernel the cpu backend has but wasm lacks runs the cpu backend's kernel on
 * copies of its inputs, and the results are copied back onto the wasm heap. Slow (two copies) but a
 * missing kernel never crashes a run.
 */
import {
  findBackend, getKernel, getKernelsForBackend, registerKernel, type KernelBackend, type KernelFunc,
  type NamedTensorInfoMap, type TensorInfo,
} from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { WasmBackend } from './wasm-util';

type CpuBackend = KernelBackend & {
  makeTensorInfo(shape: number[], dtype: string, values?: unknown): TensorInfo;
  readSync(dataId: object): ArrayLike<number> | Uint8Array[];
  disposeIntermediateTensorInfo(info: TensorInfo): void;
};

/** dtypes the wasm heap can hold. */
const WASM_DTYPES = new Set(['float32', 'int32', 'bool']);

export function cpuFallback(kernelName: string): KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const wasm = backend as unknown as WasmBackend;
    const cpu = findBackend('cpu') as CpuBackend | null;
    const cfg = getKernel(kernelName, 'cpu');
    if (!cpu || !cfg) throw new Error(`kernel ${kernelName} is not available on wasm nor on cpu`);
    // Some kernels (Einsum, Concat, AddN...) take an array of inputs rather than a named map.
    const cpuInputs = (Array.isArray(inputs) ? [] : {}) as NamedTensorInfoMap;
    const made: TensorInfo[] = [];
    for (const [k, t] of Object.entries(inputs)) {
      if (!t) continue;
      const info = cpu.makeTensorInfo(t.shape, t.dtype, wasm.readSync(t.dataId));
      made.push(info);
      (cpuInputs as Record<string, TensorInfo>)[k] = info;
    }
    try {
      const res = (cfg.kernelFunc as KernelFunc)({ inputs: cpuInputs, attrs, backend: cpu });
      const outs = Array.isArray(res) ? res : [res];
      const back = outs.map((o) => {
        if (!WASM_DTYPES.has(o.dtype)) {
          throw new Error(`kernel ${kernelName} produced dtype ${o.dtype}, which the wasm backend cannot hold`);
        }
        const values = cpu.readSync(o.dataId) as ArrayLike<number>;
        const info = wasm.makeOutput(o.shape, o.dtype);
        wasm.typedArrayFromHeap(info).set(values);
        return info;
      });
      for (const o of outs) cpu.disposeIntermediateTensorInfo(o);
      return Array.isArray(res) ? back : back[0]!;
    } finally {
      for (const m of made) cpu.disposeIntermediateTensorInfo(m);
    }
  };
}

/** Register the cpu fallback for every cpu kernel that has no wasm kernel; returns their names. */
export function registerCpuFallbacks(): string[] {
  const wasm = new Set(getKernelsForBackend('wasm').map((k) => k.kernelName));
  const names: string[] = [];
  for (const k of getKernelsForBackend('cpu')) {
    if (wasm.has(k.kernelName)) continue;
    registerKernel({ kernelName: k.kernelName, backendName: 'wasm', kernelFunc: cpuFallback(k.kernelName) });
    names.push(k.kernelName);
  }
  return names;
}

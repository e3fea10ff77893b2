/**
 * Memory-bound element-wise steps of every conv/Dense layer, as single SIMD passes (./simd):
 * - Relu's gradient: the stock dy·cast(step(x)) makes three passes and two temporaries; here one
 *   kernel (LayerloomReluGrad, wasm only) computes x > 0 ? dy : 0 (NaN where x is NaN, as step).
 * - Add of a bias vector over the last axis (tfjs-layers' bias add, [N, H, W, C] + [C]): one pass
 *   instead of XNNPACK's general broadcasting add. Other Adds: stock kernel.
 */
import {
  Add, engine, getBackend, getGradient, getKernel, util, type GradConfig, type KernelConfig,
  type NamedAttrMap, type Tensor, type TensorInfo,
} from '@tensorflow/tfjs-core';
import { heapPtr, simdKernels } from './simd';
import type { WasmBackend } from './wasm-util';
import { asKernelFunc, runKernelFunc } from './wasm-util';

const RELU_GRAD = 'LayerloomReluGrad';

export const reluGradKernelConfig: KernelConfig = {
  kernelName: RELU_GRAD, backendName: 'wasm',
  kernelFunc: asKernelFunc(({ inputs: { dy, x }, backend }: { inputs: { dy: TensorInfo; x: TensorInfo }; backend: WasmBackend }) => {
    const k = simdKernels(backend)!;
    const out = backend.makeOutput(x.shape, 'float32');
    k.reluGrad(heapPtr(backend, dy.dataId), heapPtr(backend, x.dataId), heapPtr(backend, out.dataId), util.sizeFromShape(x.shape));
    return out;
  }),
};

/** Relu's gradient: the fused kernel on wasm with the SIMD kernels, the stock gradient otherwise. */
export function reluGradConfig(): GradConfig | null {
  const stock = getGradient('Relu');
  if (!stock) return null;
  return {
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as Tensor[];
      const fused = getBackend() === 'wasm' && (dy as Tensor).dtype === 'float32' && x!.dtype === 'float32'
        && simdKernels(engine().backend as unknown as WasmBackend) !== null;
      if (!fused) return stock.gradFunc(dy, saved, attrs);
      return { x: () => engine().runKernel(RELU_GRAD, { dy: dy as Tensor, x: x! }) as Tensor };
    },
  };
}

export function addConfig(): KernelConfig | null {
  const stock = getKernel(Add, 'wasm');
  if (!stock) return null;
  const kernelFunc = (args: { inputs: { a: TensorInfo; b: TensorInfo }; attrs: NamedAttrMap; backend: WasmBackend }) => {
    const { inputs: { a, b }, backend } = args;
    const r = a.shape.length;
    const cols = b.shape[b.shape.length - 1] ?? 0;
    const bias = r >= 2 && a.dtype === 'float32' && b.dtype === 'float32' && b.shape.length >= 1 && b.shape.length <= r
      && a.shape[r - 1] === cols && b.shape.slice(0, -1).every((d) => d === 1);
    const k = bias ? simdKernels(backend) : null;
    if (!k) return runKernelFunc(stock.kernelFunc, args);
    const out = backend.makeOutput(a.shape, 'float32');
    const rows = util.sizeFromShape(a.shape) / Math.max(1, cols);
    k.addRows(heapPtr(backend, a.dataId), heapPtr(backend, b.dataId), heapPtr(backend, out.dataId), rows, cols);
    return out;
  };
  return { kernelName: Add, backendName: 'wasm', kernelFunc: asKernelFunc(kernelFunc) };
}

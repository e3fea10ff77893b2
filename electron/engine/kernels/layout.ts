/**
 * Memory-bound kernels on wasm whose stock versions walk every element with generic index math:
 *
 * - Sum over LEADING axes (bias-add gradients, BatchNormalization statistics: a [rows, C] column sum)
 *   is one SIMD pass (./simd colSum; ~3x faster than the product below), or without the SIMD
 *   kernels ones[1, rows] · x[rows, C] on XNNPACK (~12x faster than the stock reduction, which
 *   transposes first). Other reductions: stock kernel.
 * - Slice / Unpack copy only the slice (see sliceConfig).
 * - Transpose that keeps the last axis in place (e.g. dy → [OH, OW, N, C] in the Conv2D filter
 *   gradient) copies whole rows of the last axis with memmove instead of element by element.
 */
import { BatchMatMul, Slice, Sum, Transpose, Unpack, getKernel, slice_util, util, type KernelConfig, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { heapPtr, simdKernels } from './simd';
import { asKernelFunc, callKernel, runKernelFunc, Scratch, type WasmBackend } from './wasm-util';

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

export function sumConfig(): KernelConfig | null {
  const stock = getKernel(Sum, 'wasm');
  if (!stock) return null;
  const kernelFunc = (args: { inputs: { x: TensorInfo }; attrs: NamedAttrMap; backend: WasmBackend }) => {
    const { inputs: { x }, attrs, backend } = args;
    const rank = x.shape.length;
    const axes = util.parseAxisParam(attrs.axis as number | number[], x.shape).sort((a, b) => a - b);
    const k = axes.length;
    const leading = k > 0 && k < rank && axes.every((a, i) => a === i) && x.dtype === 'float32';
    const rows = prod(x.shape.slice(0, k));
    const rest = x.shape.slice(k);
    const cols = prod(rest);
    const shape = attrs.keepDims ? [...x.shape.slice(0, k).map(() => 1), ...rest] : rest;
    const simd = leading && process.env.LAYERLOOM_SUM !== 'matmul' ? simdKernels(backend) : null;
    if (simd) { // one pass, no copy (LAYERLOOM_SUM=matmul: the XNNPACK product below, for benchmarks)
      const out = backend.makeOutput(shape, 'float32');
      simd.colSum(heapPtr(backend, x.dataId), heapPtr(backend, out.dataId), rows, cols);
      return out;
    }
    if (!leading || rows < 32) return runKernelFunc(stock.kernelFunc, args);
    const s = new Scratch(backend);
    try {
      const ones = s.track(backend.makeOutput([1, 1, rows], 'float32'));
      (backend.typedArrayFromHeap(ones) as Float32Array).fill(1);
      // b gets its own tensor id (a copy, not a reshape of x): the wasm BatchMatMul caches an XNNPACK
      // operator per b id with b's packed values and shape, and a reshape shares x's id, so summing
      // the same data again in another shape (a gradient summed as [32,6,8] over axis 0, then as
      // [1,192,8] over axes 0,1) hit the cached operator of the first shape: out-of-bounds reads and
      // a wasm abort (TransformerEncoder training). A fresh id also drops the operator on dispose.
      const x3 = s.track(backend.makeOutput([1, rows, cols], 'float32'));
      const heap = backend.wasm.HEAPF32;
      const src = backend.dataIdMap.get(x.dataId)!.memoryOffset / 4;
      heap.copyWithin(backend.dataIdMap.get(x3.dataId)!.memoryOffset / 4, src, src + rows * cols);
      const out = s.track(callKernel(backend, BatchMatMul, { a: ones, b: x3 }, { transposeA: false, transposeB: false }));
      return s.keep(s.reshape(out, shape));
    } finally {
      s.dispose();
    }
  };
  return { kernelName: Sum, backendName: 'wasm', kernelFunc: asKernelFunc(kernelFunc) };
}

export function transposeConfig(): KernelConfig | null {
  const stock = getKernel(Transpose, 'wasm');
  if (!stock) return null;
  const kernelFunc = (args: { inputs: { x: TensorInfo }; attrs: NamedAttrMap; backend: WasmBackend }) => {
    const { inputs: { x }, attrs, backend } = args;
    const perm = attrs.perm as number[];
    const rank = x.shape.length;
    const inner = x.shape[rank - 1] ?? 1;
    if (rank < 3 || perm[rank - 1] !== rank - 1 || inner < 8 || x.dtype === 'string') {
      return runKernelFunc(stock.kernelFunc, args);
    }
    const outShape = perm.map((p) => x.shape[p]!);
    const out = backend.makeOutput(outShape, x.dtype);
    const heap = backend.wasm.HEAPF32; // 4-byte elements for float32/int32 alike
    const bytes = util.bytesPerElement(x.dtype);
    if (bytes !== 4) {
      backend.disposeData(out.dataId);
      return runKernelFunc(stock.kernelFunc, args);
    }
    const src0 = backend.dataIdMap.get(x.dataId)!.memoryOffset / 4;
    let dst = backend.dataIdMap.get(out.dataId)!.memoryOffset / 4;
    const inStrides = util.computeStrides(x.shape); // element strides of dims 0..rank-2
    const outer = outShape.slice(0, rank - 1);
    const stride = outer.map((_, j) => inStrides[perm[j]!]!);
    const idx = new Array<number>(outer.length).fill(0);
    const chunks = prod(outer);
    let src = src0;
    for (let c = 0; c < chunks; c++) {
      heap.copyWithin(dst, src, src + inner);
      dst += inner;
      // advance the odometer over the output's outer dims
      for (let j = outer.length - 1; j >= 0; j--) {
        idx[j]!++;
        src += stride[j]!;
        if (idx[j]! < outer[j]!) break;
        src -= stride[j]! * outer[j]!;
        idx[j] = 0;
      }
    }
    return out;
  };
  return { kernelName: Transpose, backendName: 'wasm', kernelFunc: asKernelFunc(kernelFunc) };
}

/**
 * Slice without copying the whole source: the stock wasm Slice reads the ENTIRE input out of the
 * heap (readSync) on every call, so slicing a batch from a data set, or a time step in an RNN
 * (Unpack = one Slice per step), costs a full copy each time (37 ms for 64 rows of a 15360×784
 * tensor). Here runs of the last axis are copied within the heap.
 */
function sliceInto(backend: WasmBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  const total = prod(size);
  if (total === 0) return out;
  const bytes = util.bytesPerElement(x.dtype);
  const heap: Float32Array | Uint8Array = bytes === 4 ? backend.wasm.HEAPF32 : backend.wasm.HEAPU8;
  const xOff = backend.dataIdMap.get(x.dataId)!.memoryOffset / bytes;
  let dst = backend.dataIdMap.get(out.dataId)!.memoryOffset / bytes;
  const rank = x.shape.length;
  if (rank === 0) {
    heap.copyWithin(dst, xOff, xOff + 1);
    return out;
  }
  const strides = [...util.computeStrides(x.shape), 1];
  let src = xOff;
  for (let j = 0; j < rank; j++) src += begin[j]! * strides[j]!;
  if (slice_util.isSliceContinous(x.shape, begin, size)) {
    heap.copyWithin(dst, src, src + total);
    return out;
  }
  const inner = size[rank - 1]!;
  const outer = size.slice(0, rank - 1);
  const idx = new Array<number>(outer.length).fill(0);
  const chunks = prod(outer);
  for (let c = 0; c < chunks; c++) {
    heap.copyWithin(dst, src, src + inner);
    dst += inner;
    for (let j = outer.length - 1; j >= 0; j--) {
      idx[j]!++;
      src += strides[j]!;
      if (idx[j]! < outer[j]!) break;
      src -= strides[j]! * outer[j]!;
      idx[j] = 0;
    }
  }
  return out;
}

const heapSliceable = (x: TensorInfo) => x.dtype !== 'string' && (util.bytesPerElement(x.dtype) === 4 || util.bytesPerElement(x.dtype) === 1);

export function sliceConfig(): KernelConfig | null {
  const stock = getKernel(Slice, 'wasm');
  if (!stock) return null;
  const kernelFunc = (args: { inputs: { x: TensorInfo }; attrs: NamedAttrMap; backend: WasmBackend }) => {
    const { inputs: { x }, attrs, backend } = args;
    if (!heapSliceable(x)) return runKernelFunc(stock.kernelFunc, args);
    const [begin, size] = slice_util.parseSliceParams(x, attrs.begin as number[], attrs.size as number[]);
    return sliceInto(backend, x, begin!, size!);
  };
  return { kernelName: Slice, backendName: 'wasm', kernelFunc: asKernelFunc(kernelFunc) };
}

export function unpackConfig(): KernelConfig | null {
  const stock = getKernel(Unpack, 'wasm');
  if (!stock) return null;
  const kernelFunc = (args: { inputs: { value: TensorInfo }; attrs: NamedAttrMap; backend: WasmBackend }) => {
    const { inputs: { value }, attrs, backend } = args;
    if (!heapSliceable(value)) return runKernelFunc(stock.kernelFunc, args);
    const rank = value.shape.length;
    const axis = ((attrs.axis as number) + rank) % rank;
    const n = value.shape[axis]!;
    const outShape = value.shape.filter((_, i) => i !== axis);
    const begin = new Array<number>(rank).fill(0);
    const size = value.shape.slice();
    size[axis] = 1;
    const outs: TensorInfo[] = [];
    for (let i = 0; i < n; i++) {
      begin[axis] = i;
      const o = sliceInto(backend, value, begin, size);
      outs.push({ dataId: o.dataId, dtype: o.dtype, shape: outShape });
    }
    return outs;
  };
  return { kernelName: Unpack, backendName: 'wasm', kernelFunc: asKernelFunc(kernelFunc) };
}

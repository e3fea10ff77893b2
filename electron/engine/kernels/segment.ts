/**
 * UnsortedSegmentSum for wasm (missing in tfjs-backend-wasm 4.22; it is the gradient of Gather, so
 * Embedding layers could not train there). out[seg, ...] += x[i, ...] for segmentIds[i] = seg;
 * ids outside [0, numSegments) are ignored, as on the cpu backend.
 */
import { UnsortedSegmentSum, util, type KernelConfig, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackend } from './wasm-util';
import { asKernelFunc } from './wasm-util';

function unsortedSegmentSum(args: { inputs: { x: TensorInfo; segmentIds: TensorInfo }; attrs: NamedAttrMap; backend: WasmBackend }): TensorInfo {
  const { inputs: { x, segmentIds }, attrs, backend } = args;
  const numSegments = attrs.numSegments as number;
  const inner = util.sizeFromShape(x.shape.slice(segmentIds.shape.length));
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = backend.makeOutput(outShape, x.dtype);
  const o = backend.typedArrayFromHeap(out);
  const xv = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  o.fill(0);
  const n = util.sizeFromShape(segmentIds.shape);
  for (let i = 0; i < n; i++) {
    const seg = ids[i]!;
    if (seg < 0 || seg >= numSegments) continue;
    const src = i * inner;
    const dst = seg * inner;
    for (let j = 0; j < inner; j++) o[dst + j] = o[dst + j]! + xv[src + j]!;
  }
  return out;
}

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: UnsortedSegmentSum, backendName: 'wasm', kernelFunc: asKernelFunc(unsortedSegmentSum),
};

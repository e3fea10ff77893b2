/**
 * Pooling gradients for wasm as single linear passes over the heap (NHWC, channels innermost): the
 * SIMD kernels of ./simd (four channels per instruction), or the same loops in JS where those are
 * unavailable.
 *
 * MaxPoolGrad: one pass finds, per output and channel, the FIRST maximum of its window (row-major,
 * strict `>`, exactly the cpu backend's rule, ties included) and adds dy there.
 * AvgPoolGrad: scatters dy / (filterHeight·filterWidth) over each window's in-bounds pixels (the cpu
 * backend's divisor, padding counted).
 */
import { AvgPoolGrad, backend_util, MaxPoolGrad, type KernelConfig, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { heapPtr, simdKernels } from './simd';
import { asKernelFunc, f32, type WasmBackend } from './wasm-util';

/** The SIMD kernels (./simd) unless LAYERLOOM_POOL_GRAD=js asks for the JS loops below (benchmarks, tests). */
const simdFor = (backend: WasmBackend) => (process.env.LAYERLOOM_POOL_GRAD === 'js' ? null : simdKernels(backend));

type Shape4 = [number, number, number, number];

function poolInfo(xShape: Shape4, attrs: NamedAttrMap): backend_util.Conv2DInfo {
  return backend_util.computePool2DInfo(
    xShape, attrs.filterSize as [number, number] | number, attrs.strides as [number, number] | number, 1,
    attrs.pad as 'valid' | 'same' | number, attrs.dimRoundingMode as 'floor' | undefined,
  );
}

function maxPoolGrad(args: { inputs: { dy: TensorInfo; input: TensorInfo }; attrs: NamedAttrMap; backend: WasmBackend }): TensorInfo {
  const { inputs: { dy, input }, attrs, backend } = args;
  const info = poolInfo(input.shape as Shape4, attrs);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW,
    effectiveFilterHeight: KH, effectiveFilterWidth: KW, strideHeight: sH, strideWidth: sW } = info;
  const { top, left } = info.padInfo;
  const out = backend.makeOutput(input.shape, 'float32');
  const simd = simdFor(backend);
  if (simd) {
    simd.maxPoolGrad(heapPtr(backend, input.dataId), heapPtr(backend, dy.dataId), heapPtr(backend, out.dataId),
      N, H, W, C, OH, OW, KH, KW, sH, sW, top, left);
    return out;
  }
  const dx = f32(backend, out);
  const xv = f32(backend, input);
  const dyv = f32(backend, dy);
  dx.fill(0);
  const best = new Float32Array(C);
  const pos = new Int32Array(C);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = Math.max(0, oh * sH - top);
      const h1 = Math.min(H, oh * sH - top + KH);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = Math.max(0, ow * sW - left);
        const w1 = Math.min(W, ow * sW - left + KW);
        best.fill(-Infinity);
        pos.fill(-1);
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) {
            const base = ((n * H + h) * W + w) * C;
            for (let c = 0; c < C; c++) {
              const v = xv[base + c]!;
              if (v > best[c]!) {
                best[c] = v;
                pos[c] = base + c;
              }
            }
          }
        }
        const dyBase = ((n * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) {
          const p = pos[c]!;
          if (p >= 0) dx[p] = dx[p]! + dyv[dyBase + c]!;
        }
      }
    }
  }
  return out;
}

function avgPoolGrad(args: { inputs: { dy: TensorInfo; input: TensorInfo }; attrs: NamedAttrMap; backend: WasmBackend }): TensorInfo {
  const { inputs: { dy, input }, attrs, backend } = args;
  const info = poolInfo(input.shape as Shape4, attrs);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW,
    effectiveFilterHeight: KH, effectiveFilterWidth: KW, strideHeight: sH, strideWidth: sW } = info;
  const { top, left } = info.padInfo;
  const mult = 1 / (info.filterHeight * info.filterWidth);
  const out = backend.makeOutput(input.shape, 'float32');
  const simd = simdFor(backend);
  if (simd) {
    simd.avgPoolGrad(heapPtr(backend, dy.dataId), heapPtr(backend, out.dataId), N, H, W, C, OH, OW, KH, KW, sH, sW, top, left, mult);
    return out;
  }
  const dx = f32(backend, out);
  const dyv = f32(backend, dy);
  dx.fill(0);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = Math.max(0, oh * sH - top);
      const h1 = Math.min(H, oh * sH - top + KH);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = Math.max(0, ow * sW - left);
        const w1 = Math.min(W, ow * sW - left + KW);
        const dyBase = ((n * OH + oh) * OW + ow) * C;
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) {
            const base = ((n * H + h) * W + w) * C;
            for (let c = 0; c < C; c++) dx[base + c] = dx[base + c]! + dyv[dyBase + c]! * mult;
          }
        }
      }
    }
  }
  return out;
}

export const maxPoolGradConfig: KernelConfig = { kernelName: MaxPoolGrad, backendName: 'wasm', kernelFunc: asKernelFunc(maxPoolGrad) };
export const avgPoolGradConfig: KernelConfig = { kernelName: AvgPoolGrad, backendName: 'wasm', kernelFunc: asKernelFunc(avgPoolGrad) };

/**
 * DepthwiseConv2dNativeBackpropFilter / BackpropInput for wasm (missing in tfjs-backend-wasm 4.22, so
 * DepthwiseConv2D and SeparableConv2D could not train there). Direct loops over the wasm heap in
 * NHWC order, accumulating in float64; strides, dilations and any padding.
 *
 * y[n,oh,ow,c·M+m] = Σ_{kh,kw} x[n, oh·s − pt + kh·d, ow·s − pl + kw·d, c] · w[kh,kw,c,m]
 */
import {
  backend_util, DepthwiseConv2dNativeBackpropFilter, DepthwiseConv2dNativeBackpropInput,
  type KernelConfig, type NamedAttrMap, type TensorInfo,
} from '@tensorflow/tfjs-core';
import { asKernelFunc, f32, type WasmBackend } from './wasm-util';

type ConvPad = 'valid' | 'same' | number | backend_util.ExplicitPadding;
type Shape4 = [number, number, number, number];

function depthwiseInfo(xShape: Shape4, filterShape: Shape4, attrs: NamedAttrMap): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    xShape, filterShape, attrs.strides as [number, number], (attrs.dilations as [number, number] | undefined) ?? 1,
    attrs.pad as ConvPad, attrs.dimRoundingMode as 'floor' | undefined, true,
  );
}

/** Visit every (output position, kernel tap) pair whose input pixel is inside the image. */
function forEachTap(
  info: backend_util.Conv2DInfo,
  visit: (xBase: number, dyBase: number, tap: number) => void,
) {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: CO,
    filterHeight: KH, filterWidth: KW, strideHeight: sH, strideWidth: sW, dilationHeight: dH, dilationWidth: dW } = info;
  const { top, left } = info.padInfo;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const dyBase = ((n * OH + oh) * OW + ow) * CO;
        for (let kh = 0; kh < KH; kh++) {
          const h = oh * sH - top + kh * dH;
          if (h < 0 || h >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const w = ow * sW - left + kw * dW;
            if (w < 0 || w >= W) continue;
            visit(((n * H + h) * W + w) * C, dyBase, kh * KW + kw);
          }
        }
      }
    }
  }
}

function depthwiseFilterGrad(args: { inputs: { x: TensorInfo; dy: TensorInfo }; attrs: NamedAttrMap; backend: WasmBackend }): TensorInfo {
  const { inputs: { x, dy }, attrs, backend } = args;
  const filterShape = attrs.filterShape as Shape4;
  const info = depthwiseInfo(x.shape as Shape4, filterShape, attrs);
  const C = info.inChannels;
  const M = filterShape[3];
  const acc = new Float64Array(filterShape[0] * filterShape[1] * C * M);
  const out = backend.makeOutput(filterShape, 'float32');
  const xv = f32(backend, x);
  const dyv = f32(backend, dy);
  forEachTap(info, (xBase, dyBase, tap) => {
    const wBase = tap * C * M;
    for (let c = 0; c < C; c++) {
      const xval = xv[xBase + c]!;
      const o = c * M;
      for (let m = 0; m < M; m++) acc[wBase + o + m] = acc[wBase + o + m]! + xval * dyv[dyBase + o + m]!;
    }
  });
  f32(backend, out).set(acc);
  return out;
}

function depthwiseInputGrad(args: { inputs: { dy: TensorInfo; filter: TensorInfo }; attrs: NamedAttrMap; backend: WasmBackend }): TensorInfo {
  const { inputs: { dy, filter }, attrs, backend } = args;
  const inputShape = attrs.inputShape as Shape4;
  const info = depthwiseInfo(inputShape, filter.shape as Shape4, attrs);
  const C = info.inChannels;
  const M = filter.shape[3]!;
  const acc = new Float64Array(inputShape[0] * inputShape[1] * inputShape[2] * inputShape[3]);
  const out = backend.makeOutput(inputShape, 'float32');
  const wv = f32(backend, filter);
  const dyv = f32(backend, dy);
  forEachTap(info, (xBase, dyBase, tap) => {
    const wBase = tap * C * M;
    for (let c = 0; c < C; c++) {
      const o = c * M;
      let s = 0;
      for (let m = 0; m < M; m++) s += dyv[dyBase + o + m]! * wv[wBase + o + m]!;
      acc[xBase + c] = acc[xBase + c]! + s;
    }
  });
  f32(backend, out).set(acc);
  return out;
}

export const depthwiseFilterGradConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter, backendName: 'wasm', kernelFunc: asKernelFunc(depthwiseFilterGrad),
};
export const depthwiseInputGradConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput, backendName: 'wasm', kernelFunc: asKernelFunc(depthwiseInputGrad),
};

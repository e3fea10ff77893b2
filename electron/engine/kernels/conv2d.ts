/**
 * Conv2D gradients on wasm as FORWARD convolutions (XNNPACK's fast path) instead of scalar loops.
 *
 * Forward: y[n,oh,ow,co] = Σ_{kh,kw,ci} x[n, oh·s − pt + kh·d, ow·s − pl + kw·d, ci] · w[kh,kw,ci,co].
 *
 * Filter gradient dw[kh,kw,ci,co] = Σ_{n,oh,ow} xpad[n, kh·d + oh·s, kw·d + ow·s, ci] · dy[n,oh,ow,co]:
 * a convolution of x transposed to [Ci,H,W,N] ("batch" = Ci, "channels" = N) with dy transposed to
 * [OH,OW,N,Co] used as the filter, with stride = d and dilation = s, then sliced to the kernel size
 * and transposed back to [KH,KW,Ci,Co].
 *
 * Input gradient: dy is dilated by the stride (s−1 zeros between rows/columns), padded by
 * (K−1)·d − pad, and convolved (stride 1, dilation d) with the spatially reversed filter whose in/out
 * channels are swapped. Also serves Conv2DTranspose's forward pass (that op IS Conv2DBackpropInput).
 */
import {
  backend_util, BatchMatMul, Conv2D, Conv2DBackpropFilter, Conv2DBackpropInput, engine, getBackend, getGradient, getKernel,
  registerGradient, registerKernel, type GradConfig, type KernelConfig, type NamedAttrMap, type Tensor,
  type NamedTensorInfoMap, type TensorInfo,
} from '@tensorflow/tfjs-core';
import { heapPtr, simdKernels, withScratch, type SimdExports } from './simd';
import { asKernelFunc, pair, runKernelFunc, Scratch, type WasmBackend } from './wasm-util';

/** Output positions per block of the SIMD kernels (the block's patches stay in L2). */
const SIMD_BLOCK = 64;

type Pad = backend_util.PadInfo;
type ConvPad = 'valid' | 'same' | number | backend_util.ExplicitPadding;

function explicit(top: number, bottom: number, left: number, right: number): backend_util.ExplicitPadding {
  return [[0, 0], [top, bottom], [left, right], [0, 0]];
}

function assertNHWC(attrs: NamedAttrMap, what: string) {
  const f = attrs.dataFormat as string | undefined;
  if (f && f !== 'NHWC' && f !== 'channelsLast') throw new Error(`${what} on wasm supports NHWC only (got ${f})`);
}

export function conv2DBackpropFilterWasm(args: { inputs: { x: TensorInfo; dy: TensorInfo }; attrs: NamedAttrMap; backend: WasmBackend }): TensorInfo {
  const { inputs: { x, dy }, attrs, backend } = args;
  assertNHWC(attrs, 'Conv2DBackpropFilter');
  const filterShape = attrs.filterShape as [number, number, number, number];
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, attrs.strides as [number, number],
    (attrs.dilations as [number, number] | undefined) ?? 1, attrs.pad as ConvPad,
    attrs.dimRoundingMode as 'floor' | undefined,
  );
  return filterGrad(backend, x, dy, info);
}

function filterGrad(backend: WasmBackend, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const force = process.env.LAYERLOOM_CONV_FILTER_GRAD;
  const simd = force === 'conv' || force === 'patches' ? null : simdKernels(backend);
  if (simd) return filterGradSimd(simd, backend, x, dy, info);
  const unit = info.strideHeight === 1 && info.strideWidth === 1 && info.dilationHeight === 1 && info.dilationWidth === 1;
  // Measured (CPU time, batch 64): patches win ~5x for one input channel (first layer on grayscale
  // images: 28×28×1→32: 4 ms vs 25 ms), tie at 14×14×32→64 (~38 ms) and lose for few output
  // channels (32×32×3→6 k5: 13 vs 8 ms; 14×14×6→16 k5: 7 vs 4 ms). LAYERLOOM_CONV_FILTER_GRAD=conv|patches forces one
  // instead of the SIMD kernel (benchmarks, tests).
  const patches = unit && (force === 'patches' || (force !== 'conv' && info.inChannels === 1 && info.outChannels >= 8));
  return patches ? filterGradPatches(backend, x, dy, info) : filterGradConv(backend, x, dy, info);
}

/** The SIMD kernel (./simd): im2col blocks straight into a register-blocked GEMM; any stride/dilation. */
function filterGradSimd(k: SimdExports, backend: WasmBackend, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: Ci, outChannels: Co, outHeight: OH, outWidth: OW,
    filterHeight: KH, filterWidth: KW, strideHeight: sH, strideWidth: sW, dilationHeight: dH, dilationWidth: dW } = info;
  const out = backend.makeOutput([KH, KW, Ci, Co], 'float32');
  if (winogradFits(info)) {
    withScratch(backend, k.winogradFilterGradScratch(Ci, Co, WINOGRAD_TILES), (scratch) => {
      k.winogradFilterGrad(heapPtr(backend, x.dataId), heapPtr(backend, dy.dataId), heapPtr(backend, out.dataId), scratch,
        N, H, W, Ci, OH, OW, Co, info.padInfo.top, info.padInfo.left, WINOGRAD_TILES);
    });
    return out;
  }
  withScratch(backend, k.convFilterGradScratch(KH * KW * Ci, Co, SIMD_BLOCK), (scratch) => {
    k.convFilterGrad(heapPtr(backend, x.dataId), heapPtr(backend, dy.dataId), heapPtr(backend, out.dataId), scratch,
      N, H, W, Ci, OH, OW, Co, KH, KW, sH, sW, dH, dW, info.padInfo.top, info.padInfo.left, SIMD_BLOCK);
  });
  return out;
}

/**
 * Stride 1, dilation 1: dw = Pᵀ·dy as ONE matrix product, where Pᵀ [KH·KW·Ci, N·OH·OW] holds the
 * input patches already transposed (x → [Ci, N, H, W], padded, then one slice per kernel tap), so no
 * large transpose is needed. Faster than the convolution form, especially for few input channels.
 */
function filterGradPatches(backend: WasmBackend, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: Ci, outChannels: Co, outHeight: OH, outWidth: OW,
    filterHeight: KH, filterWidth: KW } = info;
  const p: Pad = info.padInfo;
  const s = new Scratch(backend);
  try {
    const xT = s.transpose(x, [3, 0, 1, 2]); // [Ci, N, H, W]
    const bottom = Math.max(0, OH + KH - 1 - p.top - H);
    const right = Math.max(0, OW + KW - 1 - p.left - W);
    const xp = p.top || bottom || p.left || right
      ? s.run('PadV2', { x: xT }, { paddings: [[0, 0], [0, 0], [p.top, bottom], [p.left, right]], constantValue: 0 })
      : xT;
    const rows = N * OH * OW;
    const taps: TensorInfo[] = [];
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        const t = s.run('Slice', { x: xp }, { begin: [0, 0, kh, kw], size: [Ci, N, OH, OW] });
        taps.push(s.reshape(t, [Ci, rows]));
      }
    }
    const pT = taps.length === 1 ? taps[0]! : s.run('Concat', taps as unknown as NamedTensorInfoMap, { axis: 0 }); // [KH·KW·Ci, rows]
    // b must have its own tensor id: the wasm BatchMatMul caches an XNNPACK operator (packed b) per
    // b id, and a reshape of dy would share dy's id with any other product dy takes part in.
    const dyCopy = s.run('Identity', { x: dy });
    const g = s.run(BatchMatMul, { a: s.reshape(pT, [1, KH * KW * Ci, rows]), b: s.reshape(dyCopy, [1, rows, Co]) }, { transposeA: false, transposeB: false });
    return s.keep(s.reshape(g, [KH, KW, Ci, Co]));
  } finally {
    s.dispose();
  }
}

function filterGradConv(backend: WasmBackend, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { inHeight: H, inWidth: W, inChannels: Ci, outChannels: Co, outHeight: OH, outWidth: OW,
    filterHeight: KH, filterWidth: KW, strideHeight: sH, strideWidth: sW, dilationHeight: dH,
    dilationWidth: dW } = info;
  const p: Pad = info.padInfo;
  const s = new Scratch(backend);
  try {
    const xT = s.transpose(x, [3, 1, 2, 0]); // [Ci, H, W, N]
    const dyT = s.transpose(dy, [1, 2, 0, 3]); // [OH, OW, N, Co]
    const bottom = Math.max(0, (KH - 1) * dH + (OH - 1) * sH + 1 - p.top - H);
    const right = Math.max(0, (KW - 1) * dW + (OW - 1) * sW + 1 - p.left - W);
    let g = s.run(Conv2D, { x: xT, filter: dyT }, {
      strides: [dH, dW], dilations: [sH, sW], pad: explicit(p.top, bottom, p.left, right), dataFormat: 'NHWC',
    }); // [Ci, >=KH, >=KW, Co]
    if (g.shape[1] !== KH || g.shape[2] !== KW) {
      g = s.run('Slice', { x: g }, { begin: [0, 0, 0, 0], size: [Ci, KH, KW, Co] });
    }
    return s.keep(s.transpose(g, [1, 2, 0, 3]));
  } finally {
    s.dispose();
  }
}

export function conv2DBackpropInputWasm(args: { inputs: { dy: TensorInfo; filter: TensorInfo }; attrs: NamedAttrMap; backend: WasmBackend }): TensorInfo {
  const { inputs: { dy, filter }, attrs, backend } = args;
  assertNHWC(attrs, 'Conv2DBackpropInput');
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape as [number, number, number, number], filter.shape as [number, number, number, number],
    attrs.strides as [number, number], (attrs.dilations as [number, number] | undefined) ?? 1,
    attrs.pad as ConvPad, attrs.dimRoundingMode as 'floor' | undefined,
  );
  return inputGrad(backend, dy, filter, info);
}

function inputGrad(backend: WasmBackend, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize: N, inHeight: H, inWidth: W, outChannels: Co, outHeight: OH, outWidth: OW,
    filterHeight: KH, filterWidth: KW, strideHeight: sH, strideWidth: sW, dilationHeight: dH,
    dilationWidth: dW } = info;
  const force = process.env.LAYERLOOM_CONV_INPUT_GRAD;
  const simd = force === 'conv' ? null : simdKernels(backend);
  if (simd) return inputGradSimd(simd, backend, dy, filter, info);
  const p: Pad = info.padInfo;
  const s = new Scratch(backend);
  try {
    let d = dy;
    let Hd = OH;
    let Wd = OW;
    if (sW > 1) { // insert sW-1 zero columns after each column
      const r = s.reshape(d, [N * OH, OW, 1, Co]);
      const q = s.run('PadV2', { x: r }, { paddings: [[0, 0], [0, 0], [0, sW - 1], [0, 0]], constantValue: 0 });
      Wd = OW * sW;
      d = s.reshape(q, [N, OH, Wd, Co]);
    }
    if (sH > 1) { // insert sH-1 zero rows after each row
      const r = s.reshape(d, [N, OH, 1, Wd * Co]);
      const q = s.run('PadV2', { x: r }, { paddings: [[0, 0], [0, 0], [0, sH - 1], [0, 0]], constantValue: 0 });
      Hd = OH * sH;
      d = s.reshape(q, [N, Hd, Wd, Co]);
    }
    let top = (KH - 1) * dH - p.top;
    let left = (KW - 1) * dW - p.left;
    let bottom = H + (KH - 1) * dH - Hd - top;
    let right = W + (KW - 1) * dW - Wd - left;
    if (top < 0 || left < 0 || bottom < 0 || right < 0) { // crop instead of negative padding
      const ct = Math.max(0, -top), cl = Math.max(0, -left), cb = Math.max(0, -bottom), cr = Math.max(0, -right);
      d = s.run('Slice', { x: d }, { begin: [0, ct, cl, 0], size: [N, Hd - ct - cb, Wd - cl - cr, Co] });
      top = Math.max(0, top); left = Math.max(0, left); bottom = Math.max(0, bottom); right = Math.max(0, right);
    }
    const rev = s.run('Reverse', { x: filter }, { dims: [0, 1] });
    const wT = s.transpose(rev, [0, 1, 3, 2]); // [KH, KW, Co, Ci]
    return s.keep(s.run(Conv2D, { x: d, filter: wT }, {
      strides: [1, 1], dilations: [dH, dW], pad: explicit(top, bottom, left, right), dataFormat: 'NHWC',
    }));
  } finally {
    s.dispose();
  }
}

/** 2×2 tiles per block of the Winograd kernels (32-256 measured alike within noise). */
const WINOGRAD_TILES = 64;

/**
 * Winograd (F(2×2, 3×3) forward and input gradient, F(3×3, 2×2) filter gradient) for 3×3 kernels at
 * stride 1 and dilation 1 with ≥ 8 input channels: 2.25x fewer multiplications; measured 1.1-1.5x
 * the im2col GEMM on the CNN's conv2. With 1 input channel (conv1) it is 2x slower (transforms and
 * 4-lane tiles dominate). LAYERLOOM_WINOGRAD=off: the im2col GEMM instead (benchmarks).
 */
function winogradFits(info: backend_util.Conv2DInfo): boolean {
  return process.env.LAYERLOOM_WINOGRAD !== 'off' && info.filterHeight === 3 && info.filterWidth === 3
    && info.strideHeight === 1 && info.strideWidth === 1 && info.dilationHeight === 1 && info.dilationWidth === 1
    && info.inChannels >= 8;
}

/** The SIMD kernel (./simd): dy·wᵀ per block of positions (GEMM), scattered back by col2im. */
function inputGradSimd(k: SimdExports, backend: WasmBackend, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: Ci, outChannels: Co, outHeight: OH, outWidth: OW,
    filterHeight: KH, filterWidth: KW, strideHeight: sH, strideWidth: sW, dilationHeight: dH, dilationWidth: dW } = info;
  const out = backend.makeOutput([N, H, W, Ci], 'float32');
  // The input gradient of a 3×3 stride-1 convolution is a 3×3 stride-1 convolution of dy (filter
  // reversed, channels swapped, padding 2 − pad): Winograd when dy has ≥ 8 channels.
  if (winogradFits({ ...info, inChannels: Co })) {
    withScratch(backend, k.winogradScratch(Co, Ci, WINOGRAD_TILES), (scratch) => {
      k.winograd3x3(heapPtr(backend, dy.dataId), heapPtr(backend, filter.dataId), heapPtr(backend, out.dataId), scratch,
        N, OH, OW, Co, H, W, Ci, 2 - info.padInfo.top, 2 - info.padInfo.left, 1, WINOGRAD_TILES);
    });
    return out;
  }
  withScratch(backend, k.convInputGradScratch(KH * KW * Ci, Co, SIMD_BLOCK), (scratch) => {
    k.convInputGrad(heapPtr(backend, dy.dataId), heapPtr(backend, filter.dataId), heapPtr(backend, out.dataId), scratch,
      N, H, W, Ci, OH, OW, Co, KH, KW, sH, sW, dH, dW, info.padInfo.top, info.padInfo.left, SIMD_BLOCK);
  });
  return out;
}

/**
 * Conv2D forward on the SIMD kernels (im2col + GEMM) instead of XNNPACK for ≥ 32 output channels
 * (a multiple of 8). Measured at batch 64: 1.1x XNNPACK for 14×14×32→64 and 28×28×1→32, but
 * 0.6-0.9x for LeNet's 6 and 16 channels (padded tiles, long thin patches), which stay on XNNPACK
 * unless the stride exceeds the kernel (see below). LAYERLOOM_CONV_FORWARD=xnnpack|simd forces one
 * (benchmarks, tests).
 */
export function conv2DForwardConfig(): KernelConfig | null {
  const stock = getKernel(Conv2D, 'wasm');
  if (!stock) return null;
  const kernelFunc = (args: { inputs: { x: TensorInfo; filter: TensorInfo }; attrs: NamedAttrMap; backend: WasmBackend }) => {
    const { inputs: { x, filter }, attrs, backend } = args;
    const f = attrs.dataFormat as string | undefined;
    const force = process.env.LAYERLOOM_CONV_FORWARD;
    const co = filter.shape[3]!;
    const [sH, sW] = pair(attrs.strides as number | number[]);
    // A stride larger than the kernel: stock tfjs-backend-wasm 4.22 returns zeros for some of these
    // (k 2×1 stride 3×2 'same' on 3×3), so they always take the SIMD kernel.
    const skips = sH > filter.shape[0]! || sW > filter.shape[1]!;
    const fits = force === 'simd' || (force !== 'xnnpack' && ((co >= 32 && co % 8 === 0) || skips));
    const k = !fits || (f && f !== 'NHWC' && f !== 'channelsLast') || x.dtype !== 'float32' ? null : simdKernels(backend);
    if (!k) return runKernelFunc(stock.kernelFunc, args);
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
      attrs.strides as [number, number], (attrs.dilations as [number, number] | undefined) ?? 1, attrs.pad as ConvPad,
      attrs.dimRoundingMode as 'floor' | undefined,
    );
    const { batchSize: N, inHeight: H, inWidth: W, inChannels: Ci, outChannels: Co, outHeight: OH, outWidth: OW,
      filterHeight: KH, filterWidth: KW, dilationHeight: dH, dilationWidth: dW } = info;
    const out = backend.makeOutput([N, OH, OW, Co], 'float32');
    if (winogradFits(info)) {
      withScratch(backend, k.winogradScratch(Ci, Co, WINOGRAD_TILES), (scratch) => {
        k.winograd3x3(heapPtr(backend, x.dataId), heapPtr(backend, filter.dataId), heapPtr(backend, out.dataId), scratch,
          N, H, W, Ci, OH, OW, Co, info.padInfo.top, info.padInfo.left, 0, WINOGRAD_TILES);
      });
      return out;
    }
    withScratch(backend, k.convForwardScratch(KH * KW * Ci, Co, SIMD_BLOCK), (scratch) => {
      k.convForward(heapPtr(backend, x.dataId), heapPtr(backend, filter.dataId), heapPtr(backend, out.dataId), scratch,
        N, H, W, Ci, OH, OW, Co, KH, KW, sH, sW, dH, dW, info.padInfo.top, info.padInfo.left, SIMD_BLOCK);
    });
    return out;
  };
  return { kernelName: Conv2D, backendName: 'wasm', kernelFunc: asKernelFunc(kernelFunc) };
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: asKernelFunc(conv2DBackpropFilterWasm),
};
export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput, backendName: 'wasm', kernelFunc: asKernelFunc(conv2DBackpropInputWasm),
};

/**
 * The Conv2D gradient, extended to dilation rates > 1 on wasm (stock tfjs refuses dilated gradients
 * on every backend). Dilation 1, or any other backend: the stock gradient, untouched.
 */
export function conv2DGradConfig(): GradConfig | null {
  const stock = getGradient(Conv2D);
  if (!stock) return null;
  return {
    kernelName: Conv2D,
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [dh, dw] = pair(attrs.dilations as number | number[] | undefined);
      if ((dh === 1 && dw === 1) || getBackend() !== 'wasm') return stock.gradFunc(dy, saved, attrs);
      const [x, filter] = saved as Tensor[];
      const common = { strides: attrs.strides, pad: attrs.pad, dataFormat: attrs.dataFormat, dimRoundingMode: attrs.dimRoundingMode, dilations: attrs.dilations };
      return {
        x: () => engine().runKernel(Conv2DBackpropInput, { dy: dy as Tensor, filter: filter! }, { ...common, inputShape: x!.shape } as unknown as NamedAttrMap) as Tensor,
        filter: () => engine().runKernel(Conv2DBackpropFilter, { x: x!, dy: dy as Tensor }, { ...common, filterShape: filter!.shape } as unknown as NamedAttrMap) as Tensor,
      };
    },
  };
}

export function registerConv2D(): string[] {
  registerKernel(conv2DBackpropFilterConfig);
  registerKernel(conv2DBackpropInputConfig);
  const grad = conv2DGradConfig();
  if (grad) registerGradient(grad);
  return [Conv2DBackpropFilter, Conv2DBackpropInput, `${Conv2D} gradient (dilations)`];
}

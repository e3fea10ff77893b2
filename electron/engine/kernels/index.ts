/**
 * Fast and fallback kernels/gradients for the wasm backend.
 *
 * Stock tfjs-backend-wasm 4.22 cannot train convolutions (no Conv2DBackpropFilter), depthwise or
 * separable convolutions, or embeddings (no UnsortedSegmentSum), and its Conv2DBackpropInput and
 * pooling gradients are slow scalar loops. installFastKernels() registers, for backend 'wasm' only:
 *  - Conv2DBackpropFilter / Conv2DBackpropInput (./conv2d) on the WebAssembly SIMD kernels (./simd:
 *    im2col/col2im + a register-blocked GEMM, Winograd for 3×3 stride-1 convolutions; written in
 *    AssemblyScript, working in place on the backend's heap), else as forward convolutions; this
 *    also makes Conv2DTranspose fast; plus a Conv2D gradient that handles dilation rates > 1 on wasm;
 *  - Conv2D forward on the SIMD kernels for ≥ 32 output channels or strides larger than the kernel
 *    (./conv2d);
 *  - DepthwiseConv2dNativeBackpropFilter / Input (./depthwise), UnsortedSegmentSum (./segment);
 *  - MaxPoolGrad / AvgPoolGrad as SIMD (else JS) linear passes (./pool);
 *  - BatchMatMul plain or with one transposed operand on the SIMD GEMM, other transposed products
 *    (and _FusedMatMul) via an explicit transpose (./matmul);
 *  - a one-pass Relu gradient and bias Add (./elementwise);
 *  - Sum over leading axes as a SIMD column sum (else a product with ones), row-copying Transpose,
 *    Slice/Unpack that copy only the slice (./layout);
 *  - a generic fallback running the cpu backend's kernel on copies for every other kernel that wasm
 *    lacks (./fallback), so a missing kernel never crashes a run.
 * Every replacement is tested against the cpu backend (kernels.test.ts). Other backends (cpu,
 * tfjs-node) are untouched: the only backend-independent registration, the Conv2D gradient, defers
 * to the stock gradient unless the backend is wasm and the dilation rate is > 1.
 * LAYERLOOM_SIMD_KERNELS=off disables the SIMD kernels (A/B benchmarks: bench/kernels.ts).
 */
import { getKernel, registerGradient, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
// tfjs-layers registers every stock gradient; ours must be registered after them.
import '@tensorflow/tfjs-layers';
import { conv2DForwardConfig, registerConv2D } from './conv2d';
import { addConfig, reluGradConfig, reluGradKernelConfig } from './elementwise';
import { depthwiseFilterGradConfig, depthwiseInputGradConfig } from './depthwise';
import { registerCpuFallbacks } from './fallback';
import { matMulConfigs } from './matmul';
import { sliceConfig, sumConfig, transposeConfig, unpackConfig } from './layout';
import { avgPoolGradConfig, maxPoolGradConfig } from './pool';
import { unsortedSegmentSumConfig } from './segment';

let installed: string[] | null = null;

/** Replace (without the "already registered" warning) or add a wasm kernel. */
function put(cfg: KernelConfig): string {
  if (getKernel(cfg.kernelName, 'wasm')) unregisterKernel(cfg.kernelName, 'wasm');
  registerKernel(cfg);
  return cfg.kernelName;
}

/**
 * Register Layerloom's wasm kernels and gradients. Idempotent: later calls return the same list.
 * `LAYERLOOM_WASM_KERNELS=minimal` registers only what training needs (the missing kernels and
 * gradients), not the speed replacements of existing stock kernels: for benchmarks (A/B).
 * Call after the wasm backend is registered (importing '@tensorflow/tfjs-backend-wasm' does that);
 * it may be called before or after `tf.setBackend('wasm')`.
 */
export function installFastKernels(): { installed: string[] } {
  if (installed) return { installed: [...installed] };
  const names: string[] = [];
  for (const k of ['Conv2DBackpropFilter', 'Conv2DBackpropInput']) {
    if (getKernel(k, 'wasm')) unregisterKernel(k, 'wasm');
  }
  names.push(...registerConv2D());
  names.push(put(depthwiseFilterGradConfig), put(depthwiseInputGradConfig), put(unsortedSegmentSumConfig));
  if (process.env.LAYERLOOM_WASM_KERNELS !== 'minimal') {
    names.push(put(maxPoolGradConfig), put(avgPoolGradConfig));
    const conv = conv2DForwardConfig();
    if (conv) names.push(`${put(conv)} (SIMD im2col + GEMM)`);
    const add = addConfig();
    if (add) names.push(`${put(add)} (bias vector, one pass)`);
    const relu = reluGradConfig();
    if (relu) {
      registerGradient(relu);
      names.push(`${put(reluGradKernelConfig)} (Relu gradient, one pass)`);
    }
    for (const cfg of matMulConfigs()) names.push(`${put(cfg)} (transposed operands)`);
    const sum = sumConfig();
    if (sum) names.push(`${put(sum)} (leading axes)`);
    const transpose = transposeConfig();
    if (transpose) names.push(`${put(transpose)} (last axis kept)`);
    for (const cfg of [sliceConfig(), unpackConfig()]) if (cfg) names.push(`${put(cfg)} (no full copy)`);
  }
  names.push(...registerCpuFallbacks().map((n) => `${n} (cpu fallback)`));
  installed = names;
  return { installed: [...names] };
}

/**
 * Transposed matrix products on wasm. The stock BatchMatMul (and _FusedMatMul) kernels take a slow
 * scalar path whenever transposeA or transposeB is set — exactly the products of every Dense
 * gradient (dW = xᵀ·dy, dx = dy·Wᵀ), measured ~10x slower than XNNPACK's plain product. A plain
 * BatchMatMul with ONE transposed operand runs on the SIMD GEMM (./simd matmulTA/TB, which pack
 * the operands into the GEMM's layout as they go); otherwise the operand is transposed explicitly
 * (a cheap copy) and the stock kernel runs untransposed.
 */
import { BatchMatMul, getKernel, _FusedMatMul, type KernelConfig, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { heapPtr, simdKernels, withScratch, type SimdExports } from './simd';
import { asKernelFunc, runKernelFunc, Scratch, type WasmBackend } from './wasm-util';

/**
 * a·b with exactly one operand transposed, on the SIMD kernels; null when the shapes do not fit
 * (broadcast batch dimensions, non-float32). LAYERLOOM_MATMUL=transpose skips it (benchmarks).
 */
function simdProduct(k: SimdExports, backend: WasmBackend, a: TensorInfo, b: TensorInfo, ta: boolean, tb: boolean): TensorInfo | null {
  const ra = a.shape.length, rb = b.shape.length;
  if ((ta && tb) || ra !== rb || ra < 2 || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  if (a.shape.slice(0, -2).some((d, i) => d !== b.shape[i])) return null;
  const batch = a.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  const [a0, a1] = a.shape.slice(-2) as [number, number];
  const [b0, b1] = b.shape.slice(-2) as [number, number];
  // ta: a [K, M], b [K, N] → [M, N]; tb: a [M, K], b [N, K] → [M, N]; neither: a [M, K], b [K, N]
  const [M, K, N] = ta ? [a1, a0, b1] : tb ? [a0, a1, b0] : [a0, a1, b1];
  if ((ta ? b0 : tb ? b1 : b0) !== K) return null;
  const out = backend.makeOutput([...a.shape.slice(0, -2), M, N], 'float32');
  const pa = heapPtr(backend, a.dataId), pb = heapPtr(backend, b.dataId), po = heapPtr(backend, out.dataId);
  withScratch(backend, k.matmulScratch(M, K, N, tb ? 1 : 0), (scratch) => {
    for (let i = 0; i < batch; i++) {
      const oa = pa + i * a0 * a1 * 4, ob = pb + i * b0 * b1 * 4, oo = po + i * M * N * 4;
      if (ta) k.matmulTA(oa, ob, oo, scratch, K, M, N);
      else if (tb) k.matmulTB(oa, ob, oo, scratch, M, K, N);
      else k.matmulNN(oa, ob, oo, scratch, M, K, N);
    }
  });
  return out;
}

/** Swap the last two dimensions. */
function swapLast(s: Scratch, x: TensorInfo): TensorInfo {
  const r = x.shape.length;
  const perm = Array.from({ length: r }, (_, i) => i);
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return s.transpose(x, perm);
}

function untransposed(kernelName: string, stock: KernelFunc): KernelConfig {
  const kernelFunc = (args: { inputs: Record<string, TensorInfo>; attrs: NamedAttrMap; backend: WasmBackend }) => {
    const { inputs, attrs, backend } = args;
    const { transposeA, transposeB } = attrs as { transposeA?: boolean; transposeB?: boolean };
    const mode = process.env.LAYERLOOM_MATMUL; // transpose | xnnpack: benchmarks
    const plain = !transposeA && !transposeB;
    const simd = kernelName === BatchMatMul && mode !== 'transpose' && !(plain && mode === 'xnnpack') ? simdKernels(backend) : null;
    const direct = simd && simdProduct(simd, backend, inputs.a!, inputs.b!, !!transposeA, !!transposeB);
    if (direct) return direct;
    if (plain) return runKernelFunc(stock, args);
    const s = new Scratch(backend);
    try {
      const a = transposeA ? swapLast(s, inputs.a!) : inputs.a!;
      const b = transposeB ? swapLast(s, inputs.b!) : inputs.b!;
      return runKernelFunc(stock, { inputs: { ...inputs, a, b }, attrs: { ...attrs, transposeA: false, transposeB: false }, backend });
    } finally {
      s.dispose();
    }
  };
  return { kernelName, backendName: 'wasm', kernelFunc: asKernelFunc(kernelFunc) };
}

/** Configs wrapping the currently registered (stock) wasm kernels; call before registering them. */
export function matMulConfigs(): KernelConfig[] {
  const out: KernelConfig[] = [];
  for (const name of [BatchMatMul, _FusedMatMul]) {
    const stock = getKernel(name, 'wasm');
    if (stock) out.push(untransposed(name, stock.kernelFunc));
  }
  return out;
}

/**
 * Transposed matrix products on wasm. The stock BatchMatMul (and _FusedMatMul) kernels take a slow
 * scalar path whenever transposeA or transposeB is set — exactly the products of every Dense
 * gradient (dW = xᵀ·dy, dx = dy·Wᵀ), measured ~10x slower than XNNPACK's plain product. Here the
 * operand is transposed explicitly (a cheap copy) and the stock kernel runs untransposed.
 */
import { BatchMatMul, getKernel, _FusedMatMul, type KernelConfig, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { Scratch, type WasmBackend } from './wasm-util';

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
    if (!transposeA && !transposeB) return stock(args as never);
    const s = new Scratch(backend);
    try {
      const a = transposeA ? swapLast(s, inputs.a!) : inputs.a!;
      const b = transposeB ? swapLast(s, inputs.b!) : inputs.b!;
      return stock({ inputs: { ...inputs, a, b }, attrs: { ...attrs, transposeA: false, transposeB: false }, backend } as never);
    } finally {
      s.dispose();
    }
  };
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as never };
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

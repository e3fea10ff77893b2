/**
 * Dense as ONE op on the wasm backend while training (per-op dispatch costs more than the arithmetic).
 *
 * A stock Dense layer records, per training step, 3 ops forward (BatchMatMul, bias Add, Relu; or
 * _FusedMatMul + Softmax with its reshapes) and 5-12 kernel calls back (activation gradient, bias
 * Sum with reshapes, two products with reshapes), each paying tfjs' dispatch (~15-20 µs: engine
 * bookkeeping, tape, profiling hooks) — on a small MLP about half the step. Here the forward pass is
 * one kernel (`LayerloomDense`: product on the SIMD GEMM, then bias and relu/softmax in place) and
 * the backward pass one kernel for the weights (`LayerloomDenseGrad`: activation gradient g, then
 * dW = xᵀ·g and db = Σ g in one go) plus one for the input, only when the tape asks for it
 * (`LayerloomDenseGradX`: g·Wᵀ; not for the first layer). Inside those kernels the products and sums
 * are the registered wasm kernels called directly (kernels/wasm-util `callKernel`: no engine).
 *
 * The layer is patched, not subclassed (as layers/workarounds.ts): the SAME Dense instance, class,
 * config, names and weights, so saving, exporters and parameter counts are unchanged. The fused op
 * runs only on wasm, while a gradient is recorded, for float32 inputs and the linear, relu and
 * softmax activations; everything else (inference, evaluate, predict, other activations and
 * backends) runs the stock call, so inference stays bit-identical to stock TF.js.
 * Values: against the stock layer on wasm, linear/relu forward values and weight gradients are
 * bit-identical (same GEMM, float32 add, relu), softmax within 1e-6 (fused-dense-bits.test.ts);
 * against the cpu backend everything within 2e-5 (fused-dense.test.ts).
 * `LAYERLOOM_FUSED_DENSE=0` (or `off`) turns this off, with the fused loss kernel (optim/loss.ts) and
 * the accuracy read (train.ts) that go with it: for A/B benchmarks.
 */
import {
  engine, getGradient, getKernel, registerGradient, registerKernel, util, type KernelFunc, type NamedAttrMap, type NamedTensorInfoMap,
  type Tensor, type TensorInfo,
} from '@tensorflow/tfjs-core';
import { tf, type tfl } from '../tfjs';
import { callKernel, type WasmBackend } from '../kernels/wasm-util';
import { simdKernels } from '../kernels/simd';
import { recordingGradients } from './workarounds';

export const DENSE = 'LayerloomDense';
const DENSE_GRAD = 'LayerloomDenseGrad';
const DENSE_GRAD_X = 'LayerloomDenseGradX';
const RELU_GRAD = 'LayerloomReluGrad';

export type FusedActivation = 'linear' | 'relu' | 'softmax';
const FUSABLE = new Set<string>(['linear', 'relu', 'softmax']);

/** Whether the fused training ops are switched on (`LAYERLOOM_FUSED_DENSE=0|off` turns them off). */
export function fusedOpsEnabled(): boolean {
  const v = process.env.LAYERLOOM_FUSED_DENSE;
  return v !== '0' && v !== 'off';
}

/** The fused ops run only on the wasm backend, where their kernels are registered. */
export const fusedOpsActive = () => fusedOpsEnabled() && tf.getBackend() === 'wasm';

interface DenseAttrs { activation: FusedActivation; hasBias: boolean; xShape: number[] }

const view = (t: TensorInfo, shape: number[]): TensorInfo => ({ dataId: t.dataId, shape, dtype: t.dtype });
const f32At = (b: WasmBackend, t: TensorInfo) => b.dataIdMap.get(t.dataId)!.memoryOffset / 4;

type WasmKernel = (args: { inputs: NamedTensorInfoMap; attrs: NamedAttrMap; backend: WasmBackend }) => TensorInfo | TensorInfo[];

/**
 * A kernel written against the wasm backend as tfjs-core's KernelFunc, which types the backend and
 * its attributes loosely: these kernels are registered for 'wasm' only.
 */
const onWasm = (f: WasmKernel): KernelFunc => ({ inputs, attrs, backend }) =>
  f({ inputs, attrs: attrs ?? {}, backend: backend as unknown as WasmBackend });

/** y = act(x·W + b) in one kernel: x [..., K], W [K, N], b [N] → [..., N]. */
function denseForward({ inputs, attrs, backend }: { inputs: NamedTensorInfoMap; attrs: NamedAttrMap; backend: WasmBackend }): TensorInfo {
  const { x, kernel, bias } = inputs as { x: TensorInfo; kernel: TensorInfo; bias?: TensorInfo };
  const [K, N] = kernel.shape as [number, number];
  const M = util.sizeFromShape(x.shape) / K;
  const z = callKernel(backend, 'BatchMatMul', { a: view(x, [M, K]), b: kernel }, { transposeA: false, transposeB: false });
  // Views taken after the last allocation (the heap may have grown); plain loops over them.
  const heap = backend.wasm.HEAPF32;
  const zo = f32At(backend, z);
  const y = heap.subarray(zo, zo + M * N);
  const b = bias ? heap.subarray(f32At(backend, bias), f32At(backend, bias) + N) : null;
  const act = (attrs as unknown as DenseAttrs).activation;
  for (let o = 0; o < M * N; o += N) {
    if (b) for (let c = 0; c < N; c++) y[o + c] = y[o + c]! + b[c]!; // float32 add, as stock Add
    if (act === 'relu') {
      for (let c = 0; c < N; c++) if (y[o + c]! < 0) y[o + c] = 0; // NaN stays NaN
    } else if (act === 'softmax') {
      let m = -Infinity;
      for (let c = 0; c < N; c++) m = Math.max(m, y[o + c]!);
      let s = 0;
      for (let c = 0; c < N; c++) s += (y[o + c] = Math.exp(y[o + c]! - m));
      for (let c = 0; c < N; c++) y[o + c] = y[o + c]! / s;
    }
  }
  return view(z, [...x.shape.slice(0, -1), N]);
}

/**
 * g = ∂L/∂(x·W + b) from dy and the layer's output y, as a fresh [M, N] tensor (or dy itself for
 * linear: `owned` false). relu: y > 0 ? dy : 0 (y > 0 exactly where the pre-activation is);
 * softmax: y·dy − (Σ dy·y)·y per row (tfjs' Softmax gradient).
 */
function activationGrad(backend: WasmBackend, dy: TensorInfo, y: TensorInfo, act: FusedActivation, M: number, N: number): { g: TensorInfo; owned: boolean } {
  if (act === 'linear') return { g: view(dy, [M, N]), owned: false };
  // relu: the one-pass SIMD Relu gradient (kernels/elementwise.ts) when installed, given y for x
  if (act === 'relu' && getKernel(RELU_GRAD, 'wasm') && simdKernels(backend)) {
    return { g: callKernel(backend, RELU_GRAD, { dy: view(dy, [M, N]), x: view(y, [M, N]) }), owned: true };
  }
  const g = backend.makeOutput([M, N], 'float32');
  const heap = backend.wasm.HEAPF32;
  const n = M * N;
  const at = (t: TensorInfo) => heap.subarray(f32At(backend, t), f32At(backend, t) + n);
  const gv = at(g), dv = at(dy), yv = at(y);
  if (act === 'relu') {
    for (let i = 0; i < n; i++) gv[i] = yv[i]! > 0 ? dv[i]! : 0;
  } else {
    for (let o = 0; o < n; o += N) {
      let s = 0;
      for (let c = 0; c < N; c++) s += (gv[o + c] = dv[o + c]! * yv[o + c]!);
      s = Math.fround(s);
      for (let c = 0; c < N; c++) gv[o + c] = gv[o + c]! - Math.fround(s * yv[o + c]!);
    }
  }
  return { g, owned: true };
}

/** [dW, db?] from dy, the output y and the input x. */
function denseGrad({ inputs, attrs, backend }: { inputs: NamedTensorInfoMap; attrs: NamedAttrMap; backend: WasmBackend }): TensorInfo[] {
  const { dy, y, x } = inputs as { dy: TensorInfo; y: TensorInfo; x: TensorInfo };
  const { activation, hasBias } = attrs as unknown as DenseAttrs;
  const N = y.shape[y.shape.length - 1]!;
  const M = util.sizeFromShape(y.shape) / N;
  const K = util.sizeFromShape(x.shape) / M;
  const { g, owned } = activationGrad(backend, dy, y, activation, M, N);
  try {
    const dW = callKernel(backend, 'BatchMatMul', { a: view(x, [M, K]), b: g }, { transposeA: true, transposeB: false });
    if (!hasBias) return [dW];
    return [dW, callKernel(backend, 'Sum', { x: g }, { axis: [0], keepDims: false })];
  } finally {
    if (owned) backend.disposeData(g.dataId);
  }
}

/** dx = g·Wᵀ, in x's shape. */
function denseGradX({ inputs, attrs, backend }: { inputs: NamedTensorInfoMap; attrs: NamedAttrMap; backend: WasmBackend }): TensorInfo {
  const { dy, y, kernel } = inputs as { dy: TensorInfo; y: TensorInfo; kernel: TensorInfo };
  const { activation, xShape } = attrs as unknown as DenseAttrs;
  const [K, N] = kernel.shape as [number, number];
  const M = util.sizeFromShape(y.shape) / N;
  const { g, owned } = activationGrad(backend, dy, y, activation, M, N);
  try {
    return view(callKernel(backend, 'BatchMatMul', { a: g, b: kernel }, { transposeA: false, transposeB: true }), xShape.length ? xShape : [M, K]);
  } finally {
    if (owned) backend.disposeData(g.dataId);
  }
}

/** Register the three kernels and the gradient (idempotent). */
export function registerFusedDense(): void {
  if (getKernel(DENSE, 'wasm')) return;
  registerKernel({ kernelName: DENSE, backendName: 'wasm', kernelFunc: onWasm(denseForward) });
  registerKernel({ kernelName: DENSE_GRAD, backendName: 'wasm', kernelFunc: onWasm(denseGrad) });
  registerKernel({ kernelName: DENSE_GRAD_X, backendName: 'wasm', kernelFunc: onWasm(denseGradX) });
  if (!getGradient(DENSE)) {
    registerGradient({
      kernelName: DENSE,
      inputsToSave: ['x', 'kernel'],
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs) => {
        const [x, kernel, y] = saved as [Tensor, Tensor, Tensor];
        const a = attrs as unknown as DenseAttrs;
        const run = (name: string, inputs: Record<string, Tensor>, at: DenseAttrs) => engine().runKernel(name, inputs, at as unknown as NamedAttrMap);
        // Both weight gradients at once, here rather than in the per-input callbacks: tfjs calls each
        // callback in its own tidy, and this pair is one kernel. Tensors made here live in the
        // 'backward' scope, which disposes whichever the tape does not take.
        const w = run(DENSE_GRAD, { dy: dy as Tensor, y, x }, a);
        const [dW, db] = (Array.isArray(w) ? w : [w]) as Tensor[];
        return {
          x: () => run(DENSE_GRAD_X, { dy: dy as Tensor, y, kernel }, { ...a, xShape: x.shape }) as Tensor,
          kernel: () => dW!,
          ...(a.hasBias ? { bias: () => db! } : {}),
        };
      },
    });
  }
}

/** act(x·W + b) as the fused op (wasm backend only; see the file comment). */
export function fusedDense(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor | null, activation: FusedActivation): tf.Tensor {
  registerFusedDense();
  const attrs: DenseAttrs = { activation, hasBias: !!bias, xShape: x.shape };
  return engine().runKernel(DENSE, bias ? { x, kernel, bias } : { x, kernel }, attrs as unknown as NamedAttrMap) as tf.Tensor;
}

type Kwargs = Record<string, unknown>;
type Call = (inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs) => tf.Tensor;
interface DenseInternals {
  activation?: { getClassName(): string };
  kernel: { read(): tf.Tensor };
  bias: { read(): tf.Tensor } | null;
  call: Call;
}

/**
 * Patch one tfjs-layers Dense instance to train through the fused op (see the file comment);
 * anything the fused op does not cover runs the stock call.
 */
export function fuseDense<L extends tfl.layers.Layer>(layer: L): L {
  const l = layer as unknown as DenseInternals;
  const stock = l.call.bind(layer);
  l.call = (inputs, kwargs) => {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const act = l.activation?.getClassName() ?? 'linear';
    if (!FUSABLE.has(act) || x.dtype !== 'float32' || !recordingGradients() || !fusedOpsActive()) return stock(inputs, kwargs);
    return fusedDense(x, l.kernel.read(), l.bias?.read() ?? null, act as FusedActivation);
  };
  return layer;
}

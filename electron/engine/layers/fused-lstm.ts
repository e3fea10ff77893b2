/**
 * LSTM (and GRU, SimpleRNN) as ONE op per layer on the wasm backend.
 *
 * tfjs-layers runs an LSTM as a JS loop over the time steps, a dozen small kernels per step (two
 * products, bias add, split, four activations, the cell update), forward and again backward: ~4,300
 * kernel calls per training step of the LSTM template (30 steps × 2 layers), and tfjs' per-call
 * dispatch was more than half of the step. Here a layer's whole sequence is one call into the SIMD
 * kernels (kernels/simd/assembly/lstm.ts): the forward pass projects every step's input in one GEMM,
 * then per step one recurrent GEMM and one pass over the gates, keeping what backpropagation needs
 * (gates, cell states, tanh of them, the h each step started from); the backward pass (BPTT) is one
 * call too and returns dKernel, dRecurrentKernel and dBias, and dx when the tape asks for it.
 * Recorded through the engine's runKernelFunc (what tf.customGrad uses), so the tape sees one node
 * per layer. GRU (TF.js' GRUCell: reset gate before the recurrent product) works the same way
 * (kernels/simd/assembly/gru.ts: two recurrent GEMMs per step, h·R_zr then (r∘h)·R_h), and so does
 * SimpleRNN with tanh (kernels/simd/assembly/simplernn.ts).
 *
 * The layer is patched, not subclassed (as layers/workarounds.ts): the SAME LSTM/GRU/SimpleRNN instance,
 * class, config, names and weights, so saving, exporters and parameter counts are unchanged.
 * The fused op covers what the catalog builds: activation tanh, recurrent activation sigmoid (the
 * catalog's default, passed explicitly by compile.ts; TF.js' own default is hardSigmoid), return
 * sequences or not, goBackwards (Bidirectional's backward layer), with or without bias, no dropout,
 * not stateful, no mask, no initial state, float32; anything else, and every backend but wasm, runs
 * the stock call. It runs for training and inference on wasm (inference is where the validation
 * passes spend their time too); values agree with the stock layer to float rounding (own SIMD
 * exp/tanh, ~1 ulp; different summation order in the products), tested against the cpu backend in
 * fused-lstm.test.ts. `LAYERLOOM_FUSED_LSTM=0` (or `off`) turns all three off: for A/B benchmarks.
 */
import { tf, type tfl } from '../tfjs';
import { heapPtr, simdKernels, withScratch, type SimdExports } from '../kernels/simd';
import type { WasmBackend } from '../kernels/wasm-util';

/** Whether the fused LSTM is switched on (`LAYERLOOM_FUSED_LSTM=0|off` turns it off). */
export function fusedLstmEnabled(): boolean {
  const v = process.env.LAYERLOOM_FUSED_LSTM;
  return v !== '0' && v !== 'off';
}

type Grads = Record<string, () => tf.Tensor>;
interface EngineInternals {
  makeTensorFromTensorInfo(info: tf.TensorInfo, backend?: unknown): tf.Tensor;
  /** What tf.customGrad runs on (tfjs-core engine.ts), but with per-input gradient callbacks. */
  runKernelFunc(p: {
    forwardFunc: (backend: unknown, save: (t: tf.Tensor[]) => void) => tf.Tensor;
    backwardsFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => Grads;
    inputs: Record<string, tf.Tensor>;
  }): tf.Tensor;
}

/** The wasm backend and its SIMD kernels when the fused op can run now, else null. */
function activeKernels(): { backend: WasmBackend; k: SimdExports } | null {
  if (!fusedLstmEnabled() || tf.getBackend() !== 'wasm') return null;
  const backend = tf.backend() as unknown as WasmBackend;
  const k = simdKernels(backend);
  return k ? { backend, k } : null;
}

export interface LstmOptions { goBackwards: boolean; returnSequences: boolean }
export type Cell = 'lstm' | 'gru' | 'rnn';
/** Gates per cell, and floats per (batch, step) row of the forward pass's saved state (see the kernels). */
const GATES = { lstm: 4, gru: 3, rnn: 1 } as const;
const AUX = { lstm: 7, gru: 5, rnn: 2 } as const;

/**
 * The LSTM over the whole sequence: x [B, T, I], kernel [I, 4U], recurrentKernel [U, 4U], bias [4U]
 * (or null) → h of every step [B, T, U] (returnSequences) or of the last [B, U]; zero initial
 * state; differentiable with respect to every input. Wasm backend only (null elsewhere, or when an
 * input's data is not on the wasm heap).
 */
export function fusedLstm(x: tf.Tensor, kernel: tf.Tensor, recurrentKernel: tf.Tensor, bias: tf.Tensor | null, opts: LstmOptions): tf.Tensor | null {
  return fusedRnn('lstm', x, kernel, recurrentKernel, bias, opts);
}

/** The same for TF.js' GRU (3 gates z, r, h; reset gate before the recurrent product). */
export function fusedGru(x: tf.Tensor, kernel: tf.Tensor, recurrentKernel: tf.Tensor, bias: tf.Tensor | null, opts: LstmOptions): tf.Tensor | null {
  return fusedRnn('gru', x, kernel, recurrentKernel, bias, opts);
}

/** The same for SimpleRNN with tanh (h' = tanh(x·W + b + h·R)). */
export function fusedSimpleRnn(x: tf.Tensor, kernel: tf.Tensor, recurrentKernel: tf.Tensor, bias: tf.Tensor | null, opts: LstmOptions): tf.Tensor | null {
  return fusedRnn('rnn', x, kernel, recurrentKernel, bias, opts);
}

function fusedRnn(cell: Cell, x: tf.Tensor, kernel: tf.Tensor, recurrentKernel: tf.Tensor, bias: tf.Tensor | null, opts: LstmOptions): tf.Tensor | null {
  const active = activeKernels();
  if (!active) return null;
  const { backend, k } = active;
  const inputs = bias ? [x, kernel, recurrentKernel, bias] : [x, kernel, recurrentKernel];
  if (inputs.some((t) => t.dtype !== 'float32' || !backend.dataIdMap.has(t.dataId))) return null;
  const [B, T, I] = x.shape as [number, number, number];
  const U = recurrentKernel.shape[0]!;
  const G = GATES[cell] * U;
  if (x.rank !== 3 || T < 1 || B < 1 || kernel.shape[0] !== I || kernel.shape[1] !== G || recurrentKernel.shape[1] !== G) return null;
  const back = opts.goBackwards ? 1 : 0, seq = opts.returnSequences ? 1 : 0;
  const [fwScratch, forward, bwScratch, backward] = cell === 'lstm'
    ? [k.lstmForwardScratch, k.lstmForward, k.lstmBackwardScratch, k.lstmBackward]
    : cell === 'gru' ? [k.gruForwardScratch, k.gruForward, k.gruBackwardScratch, k.gruBackward]
      : [k.rnnForwardScratch, k.rnnForward, k.rnnBackwardScratch, k.rnnBackward];
  const eng = tf.engine() as unknown as EngineInternals;
  const ptr = (t: tf.TensorInfo) => heapPtr(backend, t.dataId);
  const wrap = (info: tf.TensorInfo) => eng.makeTensorFromTensorInfo(info);
  // The engine's customGrad machinery used directly: tf.customGrad computes every input's gradient
  // eagerly, while the tape asks only for those on a path to a variable (not the first layer's dx).
  return eng.runKernelFunc({
    inputs: { x, kernel, recurrentKernel, ...(bias ? { bias } : {}) },
    forwardFunc: (_backend, save) => {
      const y = backend.makeOutput(seq ? [B, T, U] : [B, U], 'float32');
      const aux = backend.makeOutput([B * T * AUX[cell] * U], 'float32');
      withScratch(backend, fwScratch(B, T, I, U), (s) =>
        forward(ptr(x), ptr(kernel), ptr(recurrentKernel), bias ? ptr(bias) : 0, ptr(y), ptr(aux), s, B, T, I, U, back, seq));
      save([x, kernel, recurrentKernel, wrap(aux)]); // kept while a gradient is recorded, else freed with the op's scope
      return wrap(y);
    },
    backwardsFunc: (dy, saved) => {
      const [sx, sw, sr, saux] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      // dz: the gates' pre-activation gradients of every step; lives in the backward pass's scope.
      const dz = backend.makeOutput([B * T, G], 'float32');
      const dw = backend.makeOutput([I, G], 'float32');
      const dr = backend.makeOutput([U, G], 'float32');
      const db = bias ? backend.makeOutput([G], 'float32') : null;
      withScratch(backend, bwScratch(B, T, I, U), (s) =>
        backward(ptr(sx), ptr(sr), ptr(saux), ptr(dy), ptr(dz), ptr(dw), ptr(dr), db ? ptr(db) : 0, s, B, T, I, U, back, seq));
      const [dzT, dwT, drT] = [dz, dw, dr].map(wrap);
      const dbT = db ? wrap(db) : null;
      return {
        x: () => {
          const dx = backend.makeOutput([B, T, I], 'float32');
          withScratch(backend, k.matmulScratch(B * T, G, I, 1), (s) => k.matmulTB(ptr(dzT!), ptr(sw), ptr(dx), s, B * T, G, I));
          return wrap(dx);
        },
        kernel: () => dwT!,
        recurrentKernel: () => drT!,
        ...(dbT ? { bias: () => dbT } : {}),
      };
    },
  });
}

type Kwargs = Record<string, unknown> | undefined;
type Call = (inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs) => tf.Tensor | tf.Tensor[];
interface Var { read(): tf.Tensor }
interface RnnInternals {
  cell: {
    activation: { getClassName(): string }; recurrentActivation?: { getClassName(): string };
    kernel: Var; recurrentKernel: Var; bias: Var | null; dropout: number; recurrentDropout: number;
  };
  returnSequences: boolean; returnState: boolean; goBackwards: boolean; stateful: boolean;
  call: Call;
}

function fuseRnn<L extends tfl.layers.Layer>(layer: L, op: typeof fusedLstm): L {
  const l = layer as unknown as RnnInternals;
  const stock = l.call.bind(layer);
  l.call = (inputs, kwargs) => {
    const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0]! : null) : inputs;
    const c = l.cell;
    const plain = x && kwargs?.mask == null && kwargs?.initialState == null && !l.stateful && !l.returnState
      && !(c.dropout > 0) && !(c.recurrentDropout > 0)
      && c.activation.getClassName() === 'tanh' && (op === fusedSimpleRnn || c.recurrentActivation?.getClassName() === 'sigmoid');
    // (the op runs in its own tidy: nothing to dispose here)
    const y = plain ? op(x, c.kernel.read(), c.recurrentKernel.read(), c.bias?.read() ?? null,
      { goBackwards: l.goBackwards, returnSequences: l.returnSequences }) : null;
    return y ?? stock(inputs, kwargs);
  };
  return layer;
}

/**
 * Patch one tfjs-layers LSTM instance to run through the fused op where it can (see the file
 * comment); every other case runs the stock call. Returns the same layer.
 */
export const fuseLstm = <L extends tfl.layers.Layer>(layer: L): L => fuseRnn(layer, fusedLstm);

/** The same for a tfjs-layers GRU instance. */
export const fuseGru = <L extends tfl.layers.Layer>(layer: L): L => fuseRnn(layer, fusedGru);

/** The same for a tfjs-layers SimpleRNN instance (activation tanh only). */
export const fuseSimpleRnn = <L extends tfl.layers.Layer>(layer: L): L => fuseRnn(layer, fusedSimpleRnn);

/** Patch a Bidirectional wrapper's two LSTM, GRU or SimpleRNN layers. Returns the same layer. */
export function fuseBidirectionalLstm<L extends tfl.layers.Layer>(layer: L): L {
  const w = layer as unknown as { forwardLayer?: tfl.layers.Layer; backwardLayer?: tfl.layers.Layer };
  for (const inner of [w.forwardLayer, w.backwardLayer]) {
    if (inner?.getClassName() === 'LSTM') fuseLstm(inner);
    if (inner?.getClassName() === 'GRU') fuseGru(inner);
    if (inner?.getClassName() === 'SimpleRNN') fuseSimpleRnn(inner);
  }
  return layer;
}

/**
 * Fused optimizers for the wasm backend: one pass per variable instead of tfjs' ~13
 * kernel calls per variable for Adam (mul, mul, add, square, mul, add, div, div, sqrt, add, div, mul,
 * add, each a kernel dispatch with engine bookkeeping, plus three assigns).
 *
 * The pass is a WebAssembly SIMD function (assembly/optim.ts, built into optim-wasm.ts) that imports
 * tfjs-backend-wasm's own memory and works in place on its heap: it reads the weights and the
 * gradient, updates the moments (malloc'ed on the same heap, freed by dispose()) and writes the new
 * weights. Where it cannot be instantiated (no SIMD, or the backend's memory is not reachable) the
 * same arithmetic runs as a JS loop over heap views. Either way: float32, the same operations in the
 * same order as tf.train.adam / sgd / momentum, so the weights are bit-identical to the stock
 * optimizers' (fused.test.ts compares the bits of every weight).
 *
 * Why a fresh buffer per step rather than updating the weights in place: XNNPACK's convolution and
 * fully-connected operators pack their weights once and are cached by the weight tensor's id, so a
 * variable whose memory changed under the same id would keep computing with the stale packed copy.
 * Writing into a new tensor and assigning it (as the stock optimizers do) retires the old id and
 * its cached operators.
 *
 * The engine never saves optimizer state, so getWeights/setWeights keep tf.Optimizer's "not
 * implemented".
 */
import { tf } from '../tfjs';
import type { WasmBackend } from '../kernels/wasm-util';
import { makeOptimizer } from '../losses';
import type { TrainingConfig } from '../types';
import { OPTIM_WASM_BASE64 } from './optim-wasm';

const fr = Math.fround;

/** The exports of assembly/optim.ts (pointers are byte offsets into the backend's heap). */
interface OptimExports {
  adam(w: number, g: number, m: number, v: number, out: number, n: number,
    b1: number, b2: number, c1: number, c2: number, k1: number, k2: number, eps: number, negLr: number): void;
  sgd(w: number, g: number, out: number, n: number, c: number): void;
  momentum(w: number, g: number, a: number, out: number, n: number, c: number, mu: number, nesterov: number): void;
}

/** The backend internals used here (see kernels/wasm-util.ts). */
type Backend = WasmBackend & {
  wasm: WasmBackend['wasm'] & { asm?: { memory?: unknown }; _malloc(bytes: number): number; _free(ptr: number): void };
};

let compiled: WebAssembly.Module | null | undefined;
const instances = new WeakMap<object, OptimExports>();

/** The SIMD updates bound to this backend's heap, or null (JS loop instead). */
function simd(backend: Backend): OptimExports | null {
  if (process.env.LAYERLOOM_FUSED_OPTIMIZER === 'js') return null;
  const memory = backend.wasm.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Buffer.from(OPTIM_WASM_BASE64, 'base64'));
    } catch {
      compiled = null; // no WebAssembly SIMD here
    }
  }
  if (!compiled) return null;
  let k = instances.get(memory);
  if (!k) {
    k = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as OptimExports;
    instances.set(memory, k);
  }
  return k;
}

/** Which update the fused optimizers run on the current wasm backend. */
export function fusedUpdatePath(): 'simd' | 'js' {
  return simd(tf.backend() as unknown as Backend) ? 'simd' : 'js';
}

type NamedGrads = tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[];

/** Byte offsets of one variable's update: weights, gradient, state slots, output. */
interface Ptrs { w: number; g: number; s: number[]; out: number; n: number }

/** Shared plumbing: heap pointers for every (variable, gradient) pair, then assign the results. */
abstract class FusedWasmOptimizer extends tf.Optimizer {
  /** Per variable (by position in the gradient list, as the stock optimizers): its state slots' heap offsets. */
  private readonly state: number[][] = [];
  private backend: Backend | null = null;

  /** Number of state arrays per variable (zero-initialised). */
  protected abstract readonly slots: number;
  /** Update one variable: new weights into p.out. `k` is the SIMD module, or null for the JS loop. */
  protected abstract update(k: OptimExports | null, p: Ptrs, heap: Float32Array): void;
  /** Called once per applyGradients before any update (e.g. Adam's bias correction terms). */
  protected beginStep(): void {}

  applyGradients(variableGradients: NamedGrads): void {
    if (tf.getBackend() !== 'wasm') throw new Error(`${this.getClassName()} runs on the wasm backend only (current: ${tf.getBackend()})`);
    const backend = tf.backend() as unknown as Backend;
    if (this.backend && this.backend !== backend) throw new Error(`${this.getClassName()}: the wasm backend was re-created during training`);
    this.backend = backend;
    const list = Array.isArray(variableGradients)
      ? variableGradients : Object.keys(variableGradients).map((name) => ({ name, tensor: variableGradients[name] }));
    const vars = tf.engine().registeredVariables;
    // Allocate everything first (outputs, new state), then read offsets: malloc may grow the heap.
    const jobs: { i: number; value: tf.Variable; grad: tf.Tensor; out: tf.TensorInfo }[] = [];
    list.forEach(({ name, tensor }, i) => {
      const value = vars[name];
      if (!value) throw new Error(`${this.getClassName()}: no variable named ${name}`);
      if (!this.state[i]) {
        this.state[i] = Array.from({ length: this.slots }, () => {
          const bytes = Math.max(4, value.size * 4);
          const p = backend.wasm._malloc(bytes) >>> 0;
          if (!p) throw new Error(`${this.getClassName()}: out of memory allocating the state of ${name}`);
          backend.wasm.HEAPU8.fill(0, p, p + bytes);
          return p;
        });
      }
      if (!tensor) return;
      if (value.dtype !== 'float32' || tensor.dtype !== 'float32') throw new Error(`${this.getClassName()}: ${name} is not float32`);
      if (tensor.size !== value.size) throw new Error(`${this.getClassName()}: the gradient of ${name} has ${tensor.size} values, the variable ${value.size}`);
      jobs.push({ i, value, grad: tensor, out: backend.makeOutput(value.shape, 'float32') });
    });
    this.beginStep();
    const k = simd(backend);
    const heap = backend.wasm.HEAPF32;
    const at = (dataId: object) => backend.dataIdMap.get(dataId)!.memoryOffset >>> 0;
    for (const { i, value, grad, out } of jobs) {
      this.update(k, { w: at(value.dataId), g: at(grad.dataId), s: this.state[i]!, out: at(out.dataId), n: value.size }, heap);
    }
    for (const { value, out } of jobs) {
      const t = tf.engine().makeTensorFromTensorInfo(out);
      value.assign(t);
      t.dispose();
    }
    this.incrementIterations();
  }

  override dispose(): void {
    if (this.backend) for (const slots of this.state) for (const p of slots) this.backend.wasm._free(p);
    this.state.length = 0;
    super.dispose();
  }
}

/** tf.train.adam(lr, beta1, beta2, epsilon), fused. */
export class FusedAdam extends FusedWasmOptimizer {
  static get className() { return 'FusedAdam'; }
  protected readonly slots = 2;
  // The stock optimizer's JS numbers become float32 scalar tensors: mirror that with fround.
  private readonly b1: number;
  private readonly b2: number;
  private readonly c1: number;
  private readonly c2: number;
  private readonly eps: number;
  private readonly negLr: number;
  /** beta^t, kept in float32 like the stock optimizer's accBeta variables. */
  private accB1: number;
  private accB2: number;
  private k1 = 0;
  private k2 = 0;

  constructor(readonly learningRate: number, readonly beta1 = 0.9, readonly beta2 = 0.999, readonly epsilon = 1e-7) {
    super();
    this.b1 = fr(beta1);
    this.b2 = fr(beta2);
    this.c1 = fr(1 - beta1);
    this.c2 = fr(1 - beta2);
    this.eps = fr(epsilon);
    this.negLr = fr(-learningRate);
    this.accB1 = fr(beta1);
    this.accB2 = fr(beta2);
  }

  protected override beginStep(): void {
    this.k1 = fr(1 - this.accB1);
    this.k2 = fr(1 - this.accB2);
  }

  override applyGradients(variableGradients: NamedGrads): void {
    super.applyGradients(variableGradients);
    this.accB1 = fr(this.accB1 * this.b1);
    this.accB2 = fr(this.accB2 * this.b2);
  }

  protected update(k: OptimExports | null, p: Ptrs, heap: Float32Array): void {
    const { b1, b2, c1, c2, k1, k2, eps, negLr } = this;
    const [pm, pv] = p.s as [number, number];
    if (k) return k.adam(p.w, p.g, pm, pv, p.out, p.n, b1, b2, c1, c2, k1, k2, eps, negLr);
    const w = p.w >>> 2, g = p.g >>> 2, m = pm >>> 2, v = pv >>> 2, out = p.out >>> 2;
    for (let j = 0; j < p.n; j++) {
      const gj = heap[g + j]!;
      const mj = fr(fr(heap[m + j]! * b1) + fr(gj * c1));
      const vj = fr(fr(heap[v + j]! * b2) + fr(fr(gj * gj) * c2));
      heap[m + j] = mj;
      heap[v + j] = vj;
      heap[out + j] = heap[w + j]! + fr(fr(fr(mj / k1) / fr(fr(Math.sqrt(fr(vj / k2))) + eps)) * negLr);
    }
  }

  getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

/** tf.train.sgd(lr), or tf.train.momentum(lr, momentum, nesterov) when momentum > 0 or nesterov, fused. */
export class FusedSGD extends FusedWasmOptimizer {
  static get className() { return 'FusedSGD'; }
  protected readonly slots: number;
  private readonly c: number;
  private readonly mu: number;

  constructor(readonly learningRate: number, readonly momentum = 0, readonly nesterov = false) {
    super();
    this.slots = momentum > 0 || nesterov ? 1 : 0;
    this.c = fr(-learningRate);
    this.mu = fr(momentum);
  }

  protected update(k: OptimExports | null, p: Ptrs, heap: Float32Array): void {
    const { c, mu, nesterov } = this;
    if (this.slots === 0) {
      if (k) return k.sgd(p.w, p.g, p.out, p.n, c);
      const w = p.w >>> 2, g = p.g >>> 2, out = p.out >>> 2;
      for (let j = 0; j < p.n; j++) heap[out + j] = fr(c * heap[g + j]!) + heap[w + j]!;
      return;
    }
    if (k) return k.momentum(p.w, p.g, p.s[0]!, p.out, p.n, c, mu, nesterov ? 1 : 0);
    const w = p.w >>> 2, g = p.g >>> 2, a = p.s[0]! >>> 2, out = p.out >>> 2;
    for (let j = 0; j < p.n; j++) {
      const gj = heap[g + j]!;
      const aj = fr(fr(mu * heap[a + j]!) + gj);
      heap[a + j] = aj;
      heap[out + j] = (nesterov ? fr(c * fr(gj + fr(aj * mu))) : fr(c * aj)) + heap[w + j]!;
    }
  }

  getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, momentum: this.momentum, nesterov: this.nesterov };
  }
}

/**
 * The run's optimizer: fused on the wasm backend for adam and sgd (with or without momentum),
 * tfjs' stock optimizer otherwise (other backends, rmsprop, adagrad) with identical hyper-parameters.
 * `LAYERLOOM_FUSED_OPTIMIZER=off` keeps the stock one everywhere, `=js` uses the JS loop instead of
 * the SIMD pass (benchmarks, A/B).
 */
export function makeRunOptimizer(cfg: Pick<TrainingConfig, 'optimizer' | 'learningRate' | 'momentum' | 'nesterov'>): tf.Optimizer {
  const fused = tf.getBackend() === 'wasm' && process.env.LAYERLOOM_FUSED_OPTIMIZER !== 'off';
  if (fused && cfg.optimizer === 'adam') return new FusedAdam(cfg.learningRate, 0.9, 0.999, 1e-7);
  if (fused && cfg.optimizer === 'sgd') return new FusedSGD(cfg.learningRate, cfg.momentum, cfg.nesterov);
  return makeOptimizer(cfg);
}

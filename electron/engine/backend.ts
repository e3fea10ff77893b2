/**
 * Backend selection, fastest first, always reported: @tensorflow/tfjs-node (native TensorFlow, an
 * optional dependency that may be absent) → @tensorflow/tfjs-backend-wasm (with Layerloom's fast
 * gradients and fallback kernels from ./kernels) → the pure-JS cpu backend.
 *
 * `LAYERLOOM_BACKEND=tensorflow|wasm|cpu` (or the `prefer` argument) forces a backend; when the forced
 * one cannot load, the next one down is used and the reason says so. `LAYERLOOM_WASM_DIR` points the
 * wasm backend at the folder holding its .wasm files (default: the package's own dist folder).
 * In Node the wasm backend runs single-threaded (tfjs-backend-wasm 4.22 reports no multithread support
 * there); SIMD is used when available. The wasm backend's reason also names the build of Layerloom's
 * SIMD kernels (kernels/simd: fused multiply-add where the runtime has relaxed SIMD, else plain).
 */
import { tf } from './tfjs';
import type { BackendInfo } from '../../shared/engine/events';
import { installFastKernels } from './kernels';
import { guardHeapAllocations, type WasmBackend } from './kernels/wasm-util';
import { simdFlavor } from './kernels/simd';

export type BackendName = BackendInfo['name'];
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

let current: BackendInfo | null = null;
let pending: Promise<BackendInfo> | null = null;
let pendingFor: string | undefined;
let currentFor: string | undefined;
let kernelsInstalled = false;
let wasmPathSet = false;

/** The backend in use, once initBackend() has run. */
export function backendInfo(): BackendInfo | null {
  return current;
}

/** Loads the optional native package (importing it registers the `tensorflow` backend). */
export type NativeLoader = () => Promise<unknown>;

const importNative: NativeLoader = () => {
  // A variable specifier keeps bundlers and the type checker from requiring the optional package.
  const name = '@tensorflow/tfjs-node';
  return import(/* @vite-ignore */ name);
};
let loadNative = importNative;

/**
 * Replace how @tensorflow/tfjs-node is loaded (null: the real import), and forget the chosen
 * backend so that the next initBackend() chooses again. The seam where tests make the package
 * present, absent or broken, whatever this machine has installed.
 */
export function setNativeLoader(loader: NativeLoader | null): void {
  loadNative = loader ?? importNative;
  current = null;
  currentFor = undefined;
}

async function tryNative(): Promise<string | null> {
  try {
    await loadNative();
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    return /Cannot find (module|package)|ERR_MODULE_NOT_FOUND/.test(msg) || (e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND'
      ? 'native TensorFlow (@tensorflow/tfjs-node) is not installed'
      : `native TensorFlow (@tensorflow/tfjs-node) failed to load: ${firstLine(msg)}`;
  }
  try {
    if (!(await tf.setBackend('tensorflow'))) return 'native TensorFlow (@tensorflow/tfjs-node) is installed but did not initialise';
  } catch (e) {
    return `native TensorFlow failed to initialise: ${firstLine((e as Error).message)}`;
  }
  return null;
}

async function tryWasm(): Promise<string | null> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // A packaged app may keep the .wasm binaries outside its archive (asarUnpack): point there.
    const dir = typeof process !== 'undefined' ? process.env.LAYERLOOM_WASM_DIR : undefined;
    if (dir && !wasmPathSet) {
      wasm.setWasmPaths(dir.endsWith('/') ? dir : `${dir}/`);
      wasmPathSet = true;
    }
    if (!(await tf.setBackend('wasm'))) return 'the WebAssembly backend did not initialise';
    guardHeapAllocations(tf.findBackend('wasm') as unknown as WasmBackend);
    if (!kernelsInstalled) {
      installFastKernels();
      kernelsInstalled = true;
    }
    return null;
  } catch (e) {
    return `the WebAssembly backend failed to load: ${firstLine((e as Error).message)}`;
  }
}

const firstLine = (s: string) => s.split('\n')[0]!.slice(0, 300);

async function wasmThreads(): Promise<number | undefined> {
  try {
    const w = await import('@tensorflow/tfjs-backend-wasm');
    return w.getThreadsCount();
  } catch {
    return undefined;
  }
}

async function select(prefer?: BackendName): Promise<BackendInfo> {
  const order = prefer ? BACKEND_NAMES.slice(BACKEND_NAMES.indexOf(prefer)) : BACKEND_NAMES;
  const reasons: string[] = [];
  if (prefer && prefer !== 'tensorflow') reasons.push(`${prefer} backend requested`);
  for (const name of order) {
    if (name === 'tensorflow') {
      const why = await tryNative();
      if (!why) return { name, native: true };
      reasons.push(why);
    } else if (name === 'wasm') {
      const why = await tryWasm();
      if (!why) return { name, native: false, reason: [...reasons, simdFlavor()?.note].filter(Boolean).join('; '), threads: await wasmThreads() };
      reasons.push(why);
    } else {
      await tf.setBackend('cpu');
      return { name, native: false, reason: reasons.join('; ') || 'cpu backend', threads: 1 };
    }
  }
  throw new Error('unreachable');
}

function preferFromEnv(): BackendName | undefined {
  const v = (typeof process !== 'undefined' ? process.env.LAYERLOOM_BACKEND : undefined)?.trim().toLowerCase();
  if (!v) return undefined;
  if (v === 'native' || v === 'node') return 'tensorflow';
  return (BACKEND_NAMES as readonly string[]).includes(v) ? (v as BackendName) : undefined;
}

/**
 * Pick and initialise the fastest available backend (idempotent; a different `prefer` switches).
 * Resolves with what runs and, when it is not native, why.
 */
export function initBackend(prefer?: BackendName): Promise<BackendInfo> {
  const want = prefer ?? preferFromEnv();
  if (current && (!want || current.name === want || currentFor === want)) return Promise.resolve(current);
  if (pending && pendingFor === want) return pending;
  pendingFor = want;
  pending = select(want).then((info) => {
    current = info;
    currentFor = want;
    return info;
  }).finally(() => {
    pending = null;
  });
  return pending;
}

/** One line for people: "wasm (4 threads) — native TensorFlow (@tensorflow/tfjs-node) is not installed". */
export function describeBackend(b: BackendInfo): string {
  const label = b.name === 'tensorflow' ? 'native TensorFlow' : b.name === 'wasm' ? 'WebAssembly' : 'pure-JS cpu';
  const threads = b.threads ? ` (${b.threads} thread${b.threads === 1 ? '' : 's'})` : '';
  return `${label}${threads}${b.native || !b.reason ? '' : ` — not native: ${b.reason}`}`;
}

/**
 * Failures that concern the engine process rather than one request.
 *
 * - `EngineOutOfMemoryError` (code `oom`): an allocation was refused BEFORE anything was written
 *   (more than the WebAssembly heap can address, or the heap could not grow). The request fails;
 *   the engine stays usable.
 * - `FatalEngineError` (code `fatal`): the WebAssembly heap can no longer be trusted — a kernel
 *   wrote past its scratch space, or a WebAssembly trap ("memory access out of bounds") stopped a
 *   kernel half way. After one, every later kernel call may compute garbage or trap again (measured:
 *   after a real out-of-bounds trap even `tf.ones([4]).dataSync()` traps), so the engine process
 *   reports the error and exits (`exitAfterFatal`, used by worker.ts); the supervisor starts a
 *   fresh process for the next request.
 *
 * Creating a `FatalEngineError` records it for the process (`engineFatal()`), so it cannot be lost
 * by a caller that catches and carries on.
 */

/** The most a wasm32 heap can hold (tfjs-backend-wasm 4.22's emscripten `getHeapMax()`): 4 GiB − 64 KiB. */
export const WASM_HEAP_MAX = 4294901760;

/** Process exit code after a fatal error (EX_SOFTWARE). */
export const FATAL_EXIT_CODE = 70;

export class EngineOutOfMemoryError extends Error {
  readonly code = 'oom';
  constructor(message: string) {
    super(message);
    this.name = 'EngineOutOfMemoryError';
  }
}

/** Fatal errors of this process (the first one counts). */
const fatalErrors: FatalEngineError[] = [];

export class FatalEngineError extends Error {
  readonly code = 'fatal';
  /** How a training run reports it (`error` event code): out of memory, or an internal crash. */
  readonly reportAs: 'oom' | 'crash';
  constructor(message: string, reportAs: 'oom' | 'crash') {
    super(message);
    this.name = 'FatalEngineError';
    this.reportAs = reportAs;
    fatalErrors.push(this);
  }
}

/** The first fatal error of this process, or null while its heap is trustworthy. */
export function engineFatal(): FatalEngineError | null {
  return fatalErrors[0] ?? null;
}

const GiB = 2 ** 30;
export const formatBytes = (n: number): string =>
  n >= GiB ? `${+(n / GiB).toPrecision(3)} GiB` : n >= 2 ** 20 ? `${+(n / 2 ** 20).toPrecision(3)} MiB` : `${Math.round(n / 1024)} KiB`;

/**
 * The fatal error `e` is or implies (a WebAssembly trap), recorded for the process; null for an
 * ordinary error. Out-of-bounds traps are how a wasm allocation past the heap shows itself when it
 * was not refused first, so they are reported as out of memory.
 */
export function asFatal(e: unknown): FatalEngineError | null {
  if (e instanceof FatalEngineError) return e;
  if (!(e instanceof WebAssembly.RuntimeError)) return null;
  const oob = /memory access out of bounds/i.test(e.message);
  return new FatalEngineError(oob
    ? `Out of memory: the WebAssembly backend went past its memory (${e.message}). Use a smaller batch size or a smaller model; the engine restarts for the next request`
    : `The WebAssembly backend failed (${e.message}); the engine restarts for the next request`, oob ? 'oom' : 'crash');
}

/** A message channel (worker.ts's Port). */
interface Channel<M> {
  send(msg: M): void;
  onMessage(listener: (msg: unknown) => void): void;
}

/**
 * The engine process's channel, ending the process once a fatal error is known: the message that
 * reports it goes out first (a short delay lets the channel flush it), and nothing after it is
 * served. The supervisor sees the exit and starts a fresh process on the next request.
 */
export function exitAfterFatal<M>(port: Channel<M>, opts: { exit?: () => void; isFatal?: () => boolean; flushMs?: number } = {}): Channel<M> {
  const { exit = () => process.exit(FATAL_EXIT_CODE), isFatal = () => engineFatal() !== null, flushMs = 100 } = opts;
  let exiting = false;
  return {
    onMessage: (listener) => port.onMessage((msg) => { if (!exiting) listener(msg); }),
    send(msg) {
      port.send(msg);
      if (exiting || !isFatal()) return;
      exiting = true;
      setTimeout(exit, flushMs);
    },
  };
}

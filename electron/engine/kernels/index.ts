/**
 * Fast/fallback kernels and gradients for the wasm backend (owned by the kernels work; see issue 4 §3
 * and issue 9). The engine calls installFastKernels() once after the wasm backend is ready.
 */
export function installFastKernels(): { installed: string[] } {
  return { installed: [] };
}

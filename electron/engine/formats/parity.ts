/**
 * The one comparison every parity suite in TypeScript makes (ONNX, TF.js): a runtime's outputs
 * against the engine's. It fails on a wrong number of outputs, a wrong shape, a wrong number of
 * values, any NaN or infinity (on either side: a NaN never compares as "close") and a difference
 * above the tolerance. Test-only helper; pytorch/pytorch_parity.py makes the same checks in Python.
 */

export interface OutputTensor {
  data: ArrayLike<number>;
  shape: readonly number[];
}

/** The largest |got - want| over all values, or a problem describing why the outputs do not compare. */
export function outputDiff(got: readonly OutputTensor[], want: readonly OutputTensor[]): number | string {
  if (got.length !== want.length) return `${got.length} outputs, the engine has ${want.length}`;
  let diff = 0;
  for (let o = 0; o < want.length; o++) {
    const g = got[o]!;
    const w = want[o]!;
    const size = w.shape.reduce((a, b) => a * b, 1);
    if (g.shape.length !== w.shape.length || g.shape.some((d, i) => d !== w.shape[i])) {
      return `output ${o}: shape [${g.shape.join(', ')}], the engine's is [${w.shape.join(', ')}]`;
    }
    if (g.data.length !== size || w.data.length !== size) return `output ${o}: ${g.data.length} values for shape [${w.shape.join(', ')}]`;
    for (let i = 0; i < size; i++) {
      const a = g.data[i]!;
      const b = w.data[i]!;
      if (!Number.isFinite(a) || !Number.isFinite(b)) return `output ${o}[${i}]: ${a}, the engine's is ${b} (not finite)`;
      diff = Math.max(diff, Math.abs(a - b));
    }
  }
  return diff;
}

/** Null when the outputs match within `tol` (max abs; 0 = exactly), else what differs. */
export function outputMismatch(got: readonly OutputTensor[], want: readonly OutputTensor[], tol: number): string | null {
  const d = outputDiff(got, want);
  if (typeof d === 'string') return d;
  return d <= tol ? null : `max abs difference ${d} (tolerance ${tol})`;
}

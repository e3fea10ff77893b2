/**
 * Evaluating many generated inputs in as few callback calls as memory allows: the methods describe
 * row i (`fill`), this module packs rows into batches of at most `maxBatchValues` numbers, calls the
 * model once per batch, checks for cancellation and reports progress.
 */
import { checkpoint } from '../engine/job';
import { ExplainCancelledError, type ForwardFn, type GradientFn, type RunControl } from './types';

const DEFAULT_MAX_VALUES = 1 << 22;

/** Writes row `i` of the generated inputs into `out` at `offset` (d numbers). */
export type RowFill = (i: number, out: Float32Array, offset: number) => void;

function rowsPerBatch(d: number, total: number, control: RunControl): number {
  return Math.max(1, Math.min(total, Math.floor((control.maxBatchValues ?? DEFAULT_MAX_VALUES) / Math.max(1, d))));
}

/** Between batches: let a cancel arrive (the event loop runs now and then), then stop if canceled (../engine/job.ts). */
export const betweenSteps = (control: RunControl): Promise<void> => checkpoint(control, () => new ExplainCancelledError());

/** f on `total` generated rows of width d: the n outputs, in row order. */
export async function forwardRows(f: ForwardFn, d: number, total: number, fill: RowFill, control: RunControl = {}): Promise<Float64Array> {
  const out = new Float64Array(total);
  const per = rowsPerBatch(d, total, control);
  const buf = new Float32Array(per * d);
  for (let start = 0; start < total; start += per) {
    await betweenSteps(control);
    const n = Math.min(per, total - start);
    for (let r = 0; r < n; r++) fill(start + r, buf, r * d);
    const y = await f(n === per ? buf : buf.subarray(0, n * d), n);
    if (y.length !== n) throw new Error(`The model callback returned ${y.length} values for ${n} inputs`);
    for (let r = 0; r < n; r++) out[start + r] = y[r]!;
    control.onProgress?.(start + n, total);
  }
  return out;
}

/**
 * The gradient on `total` generated rows, reduced as it arrives: `take(i, value, grad)` sees row i's
 * value and gradient (a view, valid during the call only), so no method holds total·d gradients.
 */
export async function gradientRows(
  g: GradientFn, d: number, total: number, fill: RowFill,
  take: (i: number, value: number, grad: Float32Array) => void, control: RunControl = {},
): Promise<void> {
  const per = rowsPerBatch(d, total, control);
  const buf = new Float32Array(per * d);
  for (let start = 0; start < total; start += per) {
    await betweenSteps(control);
    const n = Math.min(per, total - start);
    for (let r = 0; r < n; r++) fill(start + r, buf, r * d);
    const { values, grads } = await g(n === per ? buf : buf.subarray(0, n * d), n);
    if (values.length !== n || grads.length !== n * d) throw new Error(`The gradient callback returned ${values.length} values and ${grads.length} gradient numbers for ${n} inputs of ${d}`);
    for (let r = 0; r < n; r++) take(start + r, values[r]!, grads.subarray(r * d, (r + 1) * d));
    control.onProgress?.(start + n, total);
  }
}

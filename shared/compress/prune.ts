/**
 * Magnitude pruning: which weights to zero (masks), how sparsity grows during fine-tuning (TFMOT's
 * PolynomialDecay schedule), and the L1 ranking of whole channels for structured pruning.
 *
 * A mask holds 1 for a kept weight and 0 for a pruned one. Masks only grow: a weight pruned once is
 * ranked below every kept weight, so a later, sparser mask keeps it pruned.
 */

export type Mask = Uint8Array;

/** The smallest-magnitude share `sparsity` of values, as a mask (previously pruned weights first). */
export function magnitudeMask(values: ArrayLike<number>, sparsity: number, previous?: Mask): Mask {
  return globalMasks([{ values, previous }], sparsity)[0]!;
}

/**
 * One threshold over several tensors together (global pruning): round(sparsity · total) weights are
 * pruned, those of smallest |w| across all tensors; ties are broken by position (deterministic).
 */
export function globalMasks(tensors: readonly { values: ArrayLike<number>; previous?: Mask }[], sparsity: number): Mask[] {
  checkSparsity(sparsity, true);
  const total = tensors.reduce((a, t) => a + t.values.length, 0);
  const keys = new Float64Array(total);
  let o = 0;
  for (const t of tensors) {
    for (let i = 0; i < t.values.length; i++) keys[o++] = t.previous && t.previous[i] === 0 ? -1 : Math.abs(t.values[i]!);
  }
  const k = Math.round(sparsity * total);
  const masks = tensors.map((t) => new Uint8Array(t.values.length).fill(1));
  if (k === 0) return masks;
  const threshold = Float64Array.from(keys).sort()[k - 1]!;
  let pruned = 0;
  for (let pass = 0; pass < 2; pass++) {
    o = 0;
    for (const m of masks) {
      for (let i = 0; i < m.length; i++, o++) {
        // Pass 0: everything strictly below the threshold; pass 1: ties, in order, until k.
        const hit = pass === 0 ? keys[o]! < threshold : keys[o] === threshold && pruned < k;
        if (hit && m[i]) { m[i] = 0; pruned++; }
      }
    }
  }
  return masks;
}

export function checkSparsity(s: number, allowZero = false): void {
  if (!(Number.isFinite(s) && (allowZero ? s >= 0 : s > 0) && s < 1)) {
    throw new RangeError(`The sparsity must be a number in ${allowZero ? '[0' : '(0'}, 1), got ${s}`);
  }
}

/** Apply a mask in place. */
export function applyMask(values: Float32Array, mask: Mask): Float32Array {
  for (let i = 0; i < values.length; i++) if (!mask[i]) values[i] = 0;
  return values;
}

/** Share of zeros in a mask. */
export function maskSparsity(mask: Mask): number {
  let zeros = 0;
  for (const m of mask) if (!m) zeros++;
  return mask.length ? zeros / mask.length : 0;
}

/**
 * TFMOT's PolynomialDecay: sparsity rises from `initial` at `beginStep` to `final` at `endStep` as
 * final + (initial − final)·(1 − t)^power, t the progress in [0, 1]; masks are recomputed every
 * `frequency` steps (and at endStep), and held fixed in between and afterwards.
 */
export interface PruningSchedule {
  initial: number;
  final: number;
  beginStep: number;
  endStep: number;
  power: number;
  frequency: number;
}

export function polynomialSparsity(step: number, s: PruningSchedule): number {
  if (step <= s.beginStep) return s.initial;
  if (step >= s.endStep) return s.final;
  const t = (step - s.beginStep) / (s.endStep - s.beginStep);
  return s.final + (s.initial - s.final) * (1 - t) ** s.power;
}

/** Whether the masks are recomputed before `step` (0-based optimizer steps). */
export function maskUpdateDue(step: number, s: PruningSchedule): boolean {
  if (step < s.beginStep || step > s.endStep) return false;
  return step === s.endStep || (step - s.beginStep) % s.frequency === 0;
}

/**
 * The schedule for fine-tuning `totalSteps` optimizer steps to `final`: from 0 % at step 0, reaching
 * the target at 70 % of the steps so the last 30 % recover at the final sparsity, masks updated
 * about ten times. With no fine-tuning steps, prune once to the target (one-shot).
 */
export function fineTuneSchedule(final: number, totalSteps: number): PruningSchedule {
  checkSparsity(final);
  if (totalSteps <= 1) return { initial: final, final, beginStep: 0, endStep: 0, power: 3, frequency: 1 };
  const endStep = Math.max(1, Math.floor(totalSteps * 0.7));
  return { initial: 0, final, beginStep: 0, endStep, power: 3, frequency: Math.max(1, Math.floor(endStep / 10)) };
}

/** L1 norm of each output channel (the last axis) of a kernel. */
export function channelL1(values: ArrayLike<number>, shape: readonly number[]): Float64Array {
  const c = shape[shape.length - 1]!;
  const norms = new Float64Array(c);
  for (let i = 0; i < values.length; i++) norms[i % c]! += Math.abs(values[i]!);
  return norms;
}

/**
 * The channels kept when a `fraction` of them is removed: the largest L1 norms, at least one, in
 * ascending index order (ties keep the lower index).
 */
export function keepChannels(norms: ArrayLike<number>, fraction: number): number[] {
  checkSparsity(fraction);
  const n = norms.length;
  const keep = Math.max(1, n - Math.round(fraction * n));
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => norms[b]! - norms[a]! || a - b);
  return order.slice(0, keep).sort((a, b) => a - b);
}

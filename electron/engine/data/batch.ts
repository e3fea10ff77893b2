/** Batches filled into reusable typed-array buffers (no per-batch copies of the whole set). */
import { augmentBatch } from './augment';
import { applyNormalization } from './normalize';
import { mixSeed, mulberry32, shuffleInPlace } from './rng';
import type { Batch, BatchOptions, Dataset, Normalization } from './types';

/** Number of batches an epoch over `n` samples has. */
export function batchCount(n: number, batchSize: number, dropRemainder = false): number {
  if (n <= 0) return 0;
  return dropRemainder ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}

/**
 * Iterate over `indices` (a split) in batches. Every sample appears exactly once per epoch (all but
 * the remainder with dropRemainder). The yielded Batch's arrays are reused between batches: turn
 * them into tensors (which copies) before asking for the next one.
 */
export function* iterateBatches(ds: Dataset, indices: Int32Array, opts: BatchOptions): Generator<Batch> {
  const batchSize = Math.max(1, Math.floor(opts.batchSize));
  const epoch = opts.epoch ?? 0;
  const seed = opts.seed ?? 0;
  const order = Int32Array.from(indices);
  if (opts.shuffle ?? true) shuffleInPlace(order, mulberry32(mixSeed(seed, epoch, 0xb47c)));
  const xBuf = ds.dtype === 'int32' ? new Int32Array(batchSize * ds.sampleSize) : new Float32Array(batchSize * ds.sampleSize);
  const yBuf = ds.y instanceof Int32Array ? new Int32Array(batchSize * ds.targetSize) : new Float32Array(batchSize * ds.targetSize);
  const idxBuf = new Int32Array(batchSize);
  const extraBufs = (ds.extraInputs ?? []).map((e) => new Int32Array(batchSize * e.sampleSize));
  const augment = opts.augmentation && ds.kind === 'image' && hasAugmentation(opts.augmentation) ? opts.augmentation : undefined;
  const augRng = augment ? mulberry32(mixSeed(seed, epoch, 0xa06)) : undefined;
  const n = batchCount(order.length, batchSize, opts.dropRemainder);
  for (let b = 0; b < n; b++) {
    const start = b * batchSize;
    const size = Math.min(batchSize, order.length - start);
    for (let k = 0; k < size; k++) idxBuf[k] = order[start + k]!;
    const idx = idxBuf.subarray(0, size);
    gatherInto(ds, idx, xBuf, yBuf);
    const extra = gatherExtra(ds, idx, extraBufs);
    const x = xBuf.subarray(0, size * ds.sampleSize);
    if (opts.normalization && x instanceof Float32Array) applyNormalization(opts.normalization, x);
    if (augment && x instanceof Float32Array) augmentBatch(x, size, ds.sampleShape, augment, augRng!);
    yield { x, y: yBuf.subarray(0, size * ds.targetSize), size, indices: idx, index: b, ...(extra ? { extra } : {}) };
  }
}

/** The extra inputs' samples at `indices`, copied into `bufs` (views of the filled part), or undefined without extra inputs. */
function gatherExtra(ds: Dataset, indices: ArrayLike<number>, bufs: Int32Array[]): Int32Array[] | undefined {
  if (!ds.extraInputs?.length) return undefined;
  return ds.extraInputs.map((e, j) => {
    const s = e.sampleSize;
    for (let k = 0; k < indices.length; k++) bufs[j]!.set(e.x.subarray(indices[k]! * s, (indices[k]! + 1) * s), k * s);
    return bufs[j]!.subarray(0, indices.length * s);
  });
}

/** Copy the samples and targets at `indices` into the given buffers (which must be large enough). */
export function gatherInto(ds: Dataset, indices: ArrayLike<number>, xOut: Float32Array | Int32Array, yOut: Int32Array | Float32Array): void {
  const { sampleSize: s, targetSize: t, x, y } = ds;
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    xOut.set(x.subarray(i * s, (i + 1) * s), k * s);
    if (t === 1) yOut[k] = y[i]!;
    else yOut.set(y.subarray(i * t, (i + 1) * t), k * t);
  }
}

/**
 * Gather a whole split (e.g. validation or test) into new arrays, normalised. Copies only that
 * split; for large splits prefer iterateBatches with shuffle: false.
 */
export function gather(ds: Dataset, indices: Int32Array, normalization?: Normalization): { x: Float32Array | Int32Array; y: Int32Array | Float32Array; size: number } {
  const x = ds.dtype === 'int32' ? new Int32Array(indices.length * ds.sampleSize) : new Float32Array(indices.length * ds.sampleSize);
  const y = ds.y instanceof Int32Array ? new Int32Array(indices.length * ds.targetSize) : new Float32Array(indices.length * ds.targetSize);
  gatherInto(ds, indices, x, y);
  if (normalization && x instanceof Float32Array) applyNormalization(normalization, x);
  return { x, y, size: indices.length };
}

export function hasAugmentation(a: BatchOptions['augmentation']): boolean {
  return !!a && (a.rotation > 0 || a.widthShift > 0 || a.heightShift > 0 || a.shear > 0 || a.zoom > 0 || a.horizontalFlip);
}

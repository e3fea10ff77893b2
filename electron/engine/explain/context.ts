/**
 * What every explanation needs besides the method: the run (loaded from its folder when the engine
 * does not hold it), its callbacks, the input as raw values, the target unit and its name, and —
 * only when a method asks — the run's data (training rows for backgrounds, quartiles and means,
 * the test split for --sample and global importance).
 */
import type { ExplainInput } from '../../../shared/explain';
import { mulberry32 } from '../../../shared/random';
import type { Dataset, Split } from '../data/types';
import { dataOf } from '../evaluate';
import { loadRun } from '../persist';
import { getRun, hasRun, type TrainedRun } from '../runs';
import { ExplainError } from './errors';
import { modelFns, type ModelFns } from './model-fns';

export type InputKind = 'image' | 'table' | 'sequence' | 'tokens';

export interface ExplainContext {
  run: TrainedRun;
  fns: ModelFns;
  kind: InputKind;
  /** The run's data, loaded on first use. */
  data(): Promise<{ ds: Dataset; split: Split }>;
  /** The training split's rows, raw (at most `limit`, seeded sample when more), rows × size. */
  trainingRows(limit: number, seed: number): Promise<{ rows: Float32Array; count: number }>;
  /** The training split's mean sample (raw), for the `mean` baseline. */
  trainingMean(): Promise<Float32Array>;
  featureNames(): Promise<string[] | undefined>;
}

export function inputKind(fns: ModelFns): InputKind {
  if (fns.tokens) return 'tokens';
  return fns.inputShape.length === 3 ? 'image' : fns.inputShape.length === 1 ? 'table' : 'sequence';
}

const means = new WeakMap<TrainedRun, Float32Array>();

export async function explainContext(ref: { runId: string; runDir?: string; baseDir?: string }): Promise<ExplainContext> {
  if (!hasRun(ref.runId) && ref.runDir) await loadRun(ref.runDir, ref.runId);
  const run = getRun(ref.runId);
  const fns = modelFns(run);
  const data = async () => {
    try {
      return await dataOf(run, ref.baseDir);
    } catch (e) {
      throw new ExplainError('data', `This explanation needs the run's data, which could not be loaded: ${(e as Error).message}`);
    }
  };
  const rowsOf = (ds: Dataset, indices: ArrayLike<number>, count: number) => {
    const out = new Float32Array(count * ds.sampleSize);
    for (let i = 0; i < count; i++) {
      const s = indices[i]!;
      out.set(ds.x.subarray(s * ds.sampleSize, (s + 1) * ds.sampleSize), i * ds.sampleSize);
    }
    return out;
  };
  return {
    run, fns, kind: inputKind(fns), data,
    async trainingRows(limit, seed) {
      const { ds, split } = await data();
      const picked = sampleIndices(split.train, limit, seed);
      if (picked.length === 0) throw new ExplainError('data', `The ${ds.name} data has no training rows to draw a background from`);
      return { rows: rowsOf(ds, picked, picked.length), count: picked.length };
    },
    async trainingMean() {
      const cached = means.get(run);
      if (cached) return cached;
      const { ds, split } = await data();
      const sum = new Float64Array(ds.sampleSize);
      for (const s of split.train) for (let e = 0; e < ds.sampleSize; e++) sum[e]! += ds.x[s * ds.sampleSize + e]!;
      const mean = Float32Array.from(sum, (v) => v / Math.max(1, split.train.length));
      means.set(run, mean);
      return mean;
    },
    async featureNames() {
      if (run.dataset) return run.dataset.featureNames;
      return (await data().catch(() => null))?.ds.featureNames;
    },
  };
}

/** Up to `limit` of the indices: all of them in order when they fit, else a seeded sample without replacement. */
export function sampleIndices(indices: Int32Array, limit: number, seed: number): Int32Array {
  if (indices.length <= limit) return indices;
  const copy = Int32Array.from(indices);
  const rnd = mulberry32(seed);
  for (let i = 0; i < limit; i++) {
    const j = i + Math.floor(rnd() * (copy.length - i));
    const t = copy[i]!;
    copy[i] = copy[j]!;
    copy[j] = t;
  }
  return copy.subarray(0, limit);
}

/** The raw values to explain: given values (checked against the Input) or a sample of the run's data. */
export async function resolveInput(ctx: ExplainContext, input: ExplainInput): Promise<{ x: Float32Array; sample?: number }> {
  const { fns, run } = ctx;
  if (input.kind === 'values') {
    if (input.values.length !== fns.size) {
      throw new ExplainError('input-shape', `The input has ${input.values.length} values but the model's Input "${run.compiled.inputIds[0]}" takes ${fns.size} (shape [${fns.inputShape.join(', ')}])`);
    }
    return { x: Float32Array.from(input.values) };
  }
  const { ds, split } = await ctx.data();
  const which = input.split ?? (split.test.length > 0 ? 'test' : 'validation');
  if (!split[which].includes(input.index)) {
    const first = Array.from(split[which].slice(0, 5), (i) => `#${i}`).join(', ');
    throw new ExplainError('input-shape', `Sample #${input.index} is not in the ${which} split of the ${ds.name} data (${split[which].length} samples${first ? `, e.g. ${first}` : ''}); samples are numbered as Evaluate shows them`);
  }
  if (ds.sampleSize !== fns.size) throw new ExplainError('input-shape', `The ${ds.name} samples have ${ds.sampleSize} values but the model's Input takes ${fns.size}`);
  return { x: Float32Array.from(ds.x.subarray(input.index * ds.sampleSize, (input.index + 1) * ds.sampleSize)), sample: input.index };
}

/** The output unit to explain (default: the predicted class, or unit 0) and its name. */
export function resolveTarget(ctx: ExplainContext, x: Float32Array, requested?: number): { index: number; label: string } {
  const { fns, run } = ctx;
  if (requested !== undefined && requested >= fns.width) {
    throw new ExplainError('target', `Target ${requested} is out of range: the output "${run.compiled.outputIds[0]}" has ${fns.width} unit${fns.width === 1 ? '' : 's'} (0..${fns.width - 1})`);
  }
  let index = requested ?? 0;
  if (requested === undefined && fns.width > 1) {
    const p = fns.outputs(x, 1);
    for (let j = 1; j < p.length; j++) if (p[j]! > p[index]!) index = j;
  }
  return { index, label: labelOf(run, fns.width, index) };
}

function labelOf(run: TrainedRun, width: number, index: number): string {
  const classes = run.record.classes;
  if (classes && run.spec.mode !== 'values') {
    if (width === classes.length) return classes[index]!;
    if (width === 1 && classes.length === 2) return classes[1]!;
  }
  return run.dataset?.targetNames?.[index] ?? `output ${index}`;
}

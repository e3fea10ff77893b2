/**
 * The engine's Explain operations, plain data in and out (shared/explain/schema.ts):
 * explain() one input, explainGlobal() a tabular model's feature importance, sanityCheck() the
 * model-randomisation test of a method on one input.
 */
import {
  kernelShap, meanAbsShap, permutationImportance, sanityVerdict, elementFeatures, DEFAULTS,
  type Explanation, type ExplainRequest, type GlobalExplanation, type GlobalRequest, type RunControl, type SanityRequest, type SanityResult,
} from '../../../shared/explain';
import { explainContext, resolveInput, resolveTarget, sampleIndices, type ExplainContext } from './context';
import { notApplicable } from './errors';
import { runMethod } from './methods';
import { cascadeRandomization } from './sanity';

const seconds = (t0: number) => (performance.now() - t0) / 1000;

/** Explain one input (raw values, or a sample of the run's data) for one target with one method. */
export async function explain(req: ExplainRequest, control: RunControl = {}): Promise<Explanation> {
  const t0 = performance.now();
  const ctx = await explainContext(req);
  const { x } = await resolveInput(ctx, req.input);
  const target = resolveTarget(ctx, x, req.target);
  const r = await runMethod(ctx, x, target.index, req.spec, control);
  const out: Explanation = {
    method: req.spec.method, target, output: r.output, baseValue: r.baseValue,
    attributions: Array.from(r.attributions), shape: r.shape,
    forwardPasses: r.forwardPasses, elapsedSec: 0,
  };
  if (ctx.kind === 'table') {
    out.featureNames = (await ctx.featureNames()) ?? Array.from(x, (_, i) => `feature ${i + 1}`);
    out.featureValues = Array.from(x);
  }
  if (r.completenessGap !== undefined) out.completenessGap = r.completenessGap;
  if (r.segments) out.segments = r.segments;
  if (r.details) out.details = r.details;
  out.elapsedSec = seconds(t0);
  return out;
}

function requireTable(ctx: ExplainContext, what: string): void {
  if (ctx.kind !== 'table') throw notApplicable(`${what} is for tabular models (an Input of one feature vector); this model's Input is [${ctx.fns.inputShape.join(', ')}]${ctx.fns.tokens ? ' of token ids' : ''}`);
}

/** mean |SHAP| over test rows, or permutation importance on the test split (tabular runs). */
export async function explainGlobal(req: GlobalRequest, control: RunControl = {}): Promise<GlobalExplanation> {
  const t0 = performance.now();
  const ctx = await explainContext(req);
  requireTable(ctx, req.method === 'shap' ? 'Global SHAP importance' : 'Permutation importance');
  const { ds, split } = await ctx.data();
  const d = ctx.fns.size;
  const rowsIdx = split.test.length > 0 ? split.test : split.validation;
  if (rowsIdx.length === 0) throw notApplicable(`The ${ds.name} data has no test or validation samples to measure importance on`);
  const rowOf = (s: number) => ds.x.subarray(s * d, (s + 1) * d);
  const featureNames = ds.featureNames ?? Array.from({ length: d }, (_, i) => `feature ${i + 1}`);
  const seed = req.seed ?? 0;
  if (req.method === 'shap') {
    const picked = sampleIndices(rowsIdx, req.samples ?? 50, seed);
    const bg = await ctx.trainingRows(req.background ?? DEFAULTS.shapBackground, seed);
    let passes = 0;
    const g = await meanAbsShap(picked.length, d, async (i) => {
      const x = Float32Array.from(rowOf(picked[i]!));
      const target = resolveTarget(ctx, x, req.target).index;
      if (req.target === undefined && ctx.fns.width > 1) passes += 1; // the prediction that picked the class
      const r = await kernelShap(ctx.fns.forward(target), x, bg.rows, bg.count, elementFeatures(d), { seed, signal: control.signal });
      passes += r.forwardPasses;
      return r.perFeature;
    }, control);
    return { method: 'shap', featureNames, importance: Array.from(g.importance), spread: Array.from(g.spread), samples: picked.length, forwardPasses: passes, elapsedSec: seconds(t0) };
  }
  const n = rowsIdx.length;
  const x = new Float32Array(n * d);
  rowsIdx.forEach((s, i) => x.set(rowOf(s), i * d));
  const classification = ds.task === 'classification' && ctx.run.spec.mode !== 'values';
  const y = Array.from(rowsIdx, (s) => ds.y.subarray(s * ds.targetSize, (s + 1) * ds.targetSize));
  let passes = 0;
  const score = async (batch: Float32Array, rows: number) => {
    passes += rows;
    const out = ctx.fns.outputs(batch, rows);
    const w = ctx.fns.width;
    let total = 0;
    for (let i = 0; i < rows; i++) {
      const o = out.subarray(i * w, (i + 1) * w);
      if (classification) {
        let guess = w === 1 ? (o[0]! > 0.5 ? 1 : 0) : 0;
        for (let j = 1; j < w; j++) if (o[j]! > o[guess]!) guess = j;
        total += guess === y[i]![0] ? 1 : 0;
      } else {
        for (let j = 0; j < w; j++) total -= (o[j]! - y[i]![j]!) ** 2 / w;
      }
    }
    return total / rows;
  };
  const r = await permutationImportance(x, n, d, score, { ...control, repeats: req.repeats, seed });
  return {
    method: 'permutation', featureNames, importance: Array.from(r.importance), spread: Array.from(r.spread),
    score: { name: classification ? 'accuracy' : 'negative MSE', baseline: r.baseline }, samples: n, forwardPasses: passes, elapsedSec: seconds(t0),
  };
}

/**
 * The sanity check: the method's map on the trained model against its maps after re-initialising
 * the layers from the output down (cascading); flagged when the fully randomised map still ranks
 * like the original.
 */
export async function sanityCheck(req: SanityRequest, control: RunControl = {}): Promise<SanityResult> {
  const t0 = performance.now();
  const ctx = await explainContext(req);
  const { x } = await resolveInput(ctx, req.input);
  const target = resolveTarget(ctx, x, req.target).index;
  // Progress over every map: the original, then one per randomised layer (each the same work).
  const maps = ctx.run.compiled.model.layers.filter((l) => l.weights.length > 0).length + 1;
  const mapControl = (k: number): RunControl => ({ ...control, onProgress: (done, total) => control.onProgress?.(k * total + done, maps * total) });
  const original = await runMethod(ctx, x, target, req.spec, mapControl(0));
  let passes = original.forwardPasses;
  const randomised: { layer: string; map: ArrayLike<number> }[] = [];
  const nodeOf = Object.fromEntries(Object.entries(ctx.run.compiled.layerNames).map(([id, name]) => [name, id]));
  await cascadeRandomization(ctx.run, 1, async (layer) => {
    const r = await runMethod(ctx, x, target, req.spec, mapControl(randomised.length + 1));
    passes += r.forwardPasses;
    randomised.push({ layer: nodeOf[layer] ?? layer, map: r.attributions });
  });
  const v = sanityVerdict(original.attributions, randomised, req.threshold);
  return { method: req.spec.method, steps: v.steps, flagged: v.flagged, threshold: v.threshold, forwardPasses: passes, elapsedSec: seconds(t0) };
}
